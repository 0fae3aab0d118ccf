package db

import (
	"context"
	"fmt"

	"github.com/uptrace/bun/migrate"

	"passhub/migrations"
)

func (d *DB) migrator() *migrate.Migrator {
	return migrate.NewMigrator(d.DB, migrations.All,
		migrate.WithTemplateData(map[string]string{"Dialect": d.Kind}),
		migrate.WithMarkAppliedOnSuccess(true))
}

// Migrate applies every pending migration and returns how many ran.
func (d *DB) Migrate(ctx context.Context) (int, error) {
	m := d.migrator()
	if err := m.Init(ctx); err != nil {
		return 0, fmt.Errorf("db: init migrations: %w", err)
	}
	if err := m.Lock(ctx); err != nil {
		return 0, fmt.Errorf("db: lock migrations: %w", err)
	}
	defer func() { _ = m.Unlock(ctx) }()
	group, err := m.Migrate(ctx)
	if err != nil {
		return 0, fmt.Errorf("db: migrate: %w", err)
	}
	return len(group.Migrations), nil
}

// Pending returns the names of the migrations not yet applied.
func (d *DB) Pending(ctx context.Context) ([]string, error) {
	ms, err := d.migrator().MigrationsWithStatus(ctx)
	if err != nil {
		return nil, fmt.Errorf("db: migration status: %w", err)
	}
	var names []string
	for _, m := range ms.Unapplied() {
		names = append(names, m.Name)
	}
	return names, nil
}

// MigrateOnly applies, in order, the migrations named in names that are not applied yet, and no
// other (a restore rebuilding the schema a backup was taken with). A name this program does not
// know is an error: the backup comes from a newer version.
func (d *DB) MigrateOnly(ctx context.Context, names []string) error {
	known := map[string]migrate.Migration{}
	for _, m := range migrations.All.Sorted() {
		known[m.Name] = m
	}
	subset := migrate.NewMigrations()
	for _, n := range names {
		m, ok := known[n]
		if !ok {
			return fmt.Errorf("db: migration %s is unknown to this version of passhub: use the version that made the backup, or a newer one", n)
		}
		subset.Add(m)
	}
	m := migrate.NewMigrator(d.DB, subset, migrate.WithTemplateData(map[string]string{"Dialect": d.Kind}),
		migrate.WithMarkAppliedOnSuccess(true))
	if err := m.Init(ctx); err != nil {
		return fmt.Errorf("db: init migrations: %w", err)
	}
	if _, err := m.Migrate(ctx); err != nil {
		return fmt.Errorf("db: migrate: %w", err)
	}
	return nil
}
