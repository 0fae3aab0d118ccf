package main

import "context"

// migrateCommand applies the pending database migrations.
func migrateCommand(ctx context.Context, e *cmdEnv) error { return e.app.Migrate(ctx) }
