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
