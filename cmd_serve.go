package main

import "context"

// serveCommand migrates, imports content/ when enabled, seeds the demo in dev mode and serves.
func serveCommand(ctx context.Context, e *cmdEnv) error {
	a := e.app
	if err := a.Migrate(ctx); err != nil {
		return err
	}
	if a.Config.ImportOnStart {
		if _, err := a.ImportContent(ctx, a.Config.ContentDir); err != nil {
			return err
		}
	}
	if a.Config.DemoEnabled() {
		if err := seedDemo(ctx, a); err != nil {
			return err
		}
	}
	return a.Serve(ctx, e.stdout)
}
