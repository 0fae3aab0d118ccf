package main

import (
	"context"
	"fmt"
)

// digestCommand sends the notification digests now.
func digestCommand(ctx context.Context, e *cmdEnv) error {
	n, err := e.app.Notifications.SendDigests(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "%d digests sent\n", n)
	return nil
}
