package app

import (
	"context"

	"passhub/app/presence"
)

// startPresence builds the registry of who has a newsroom entry open: it watches the entry
// topics of this instance's websockets, writes them with a heartbeat until Close, and announces
// the revisions saved.
func (a *App) startPresence() {
	a.Presence = presence.New(a.DB, a.Log)
	a.Presence.Listen(a.Realtime)
	a.Content.OnSave(a.Presence.Saved)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		a.Presence.Run(ctx)
	}()
	a.stopPresence = func() {
		cancel()
		<-done
	}
}
