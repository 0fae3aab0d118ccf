// Package migrations holds the database schema as SQL migrations for SQLite and PostgreSQL. Each
// file is a text/template with .Dialect set to "sqlite" or "pg". Never edit a shipped migration:
// add a new one.
package migrations

import (
	"embed"

	"github.com/uptrace/bun/migrate"
)

//go:embed *.sql
var files embed.FS

// All is the ordered set of migrations.
var All = migrate.NewMigrations()

func init() {
	if err := All.Discover(files); err != nil {
		panic(err)
	}
}
