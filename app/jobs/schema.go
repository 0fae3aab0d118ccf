package jobs

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/riverqueue/river/riverdriver"
	"github.com/riverqueue/river/riverdriver/riverdatabasesql"
	"github.com/riverqueue/river/riverdriver/riversqlite"
	"github.com/riverqueue/river/rivermigrate"

	"passhub/app/db"
)

// MigrateSchemaTo applies River's migrations up to version and no further, as a restore needs
// to rebuild the schema a backup was taken with (0: every migration).
func MigrateSchemaTo(ctx context.Context, d *db.DB, version int) error {
	var driver riverdriver.Driver[*sql.Tx]
	if d.Kind == db.SQLite {
		own, err := d.OpenSibling(ctx)
		if err != nil {
			return err
		}
		defer own.Close()
		own.SetMaxOpenConns(1)
		driver = riversqlite.New(own)
	} else {
		driver = riverdatabasesql.New(d.DB.DB)
	}
	m, err := rivermigrate.New(driver, &rivermigrate.Config{Logger: quiet(nil)})
	if err != nil {
		return fmt.Errorf("jobs: %w", err)
	}
	if _, err := m.Migrate(ctx, rivermigrate.DirectionUp, &rivermigrate.MigrateOpts{TargetVersion: version}); err != nil {
		return fmt.Errorf("jobs: migrate to %d: %w", version, err)
	}
	return nil
}
