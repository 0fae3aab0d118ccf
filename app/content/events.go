package content

import (
	"passhub/app/event"
	"passhub/app/realtime"
)

// Changed is the event of content published or changed: entries imported, created or edited.
type Changed struct {
	Entries []Ref `json:"entries"`
}

// Ref names one entry.
type Ref struct {
	Type Type  `json:"type"`
	ID   int64 `json:"id"`
}

// EventName names the event and its job.
func (Changed) EventName() string { return "content.changed" }

// CacheTopic is the bus topic that tells every instance to drop what it cached of the content.
const CacheTopic = "cache:content"

// Topics tells every instance, after commit, that their caches of content are stale.
func (Changed) Topics() []string { return []string{CacheTopic} }

// Listen registers the content domain's rule on the bus: another instance's change of content
// clears this instance's caches at once.
func (s *Service) Listen(rt *realtime.Service) {
	rt.Handle(CacheTopic, func(string) { s.Invalidate() })
}

var _ event.Hinted = Changed{}
