package db_test

import (
	"context"
	"errors"
	"path/filepath"
	"testing"

	"passhub/app/apptest"
	"passhub/app/db"
)

func open(t *testing.T) *db.DB {
	t.Helper()
	d, err := db.Open(context.Background(), apptest.DatabaseURL(t), filepath.Join(t.TempDir(), "t.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = d.Close() })
	return d
}

func TestMigrateIsIdempotentAndReported(t *testing.T) {
	d := open(t)
	ctx := context.Background()
	pending, err := d.Pending(ctx)
	if err == nil && len(pending) == 0 {
		t.Fatal("a new database reports no pending migration")
	}
	n, err := d.Migrate(ctx)
	if err != nil || n == 0 {
		t.Fatalf("migrate: %d %v", n, err)
	}
	if n, err := d.Migrate(ctx); err != nil || n != 0 {
		t.Fatalf("second migrate ran %d: %v", n, err)
	}
	if pending, err := d.Pending(ctx); err != nil || len(pending) != 0 {
		t.Fatalf("pending after migrate: %v %v", pending, err)
	}
}

func TestErrorsAreMapped(t *testing.T) {
	d := open(t)
	ctx := context.Background()
	if _, err := d.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	insert := func() error {
		_, err := d.ExecContext(ctx, "INSERT INTO task_forces (code, slug, title, updated_at) VALUES ('VA', 'va', 'VA', CURRENT_TIMESTAMP)")
		return db.Map(err)
	}
	if err := insert(); err != nil {
		t.Fatal(err)
	}
	if err := insert(); !errors.Is(err, db.ErrConflict) {
		t.Errorf("duplicate code: %v, want ErrConflict", err)
	}
	_, err := d.ExecContext(ctx, "INSERT INTO procedures (code, slug, task_force_id, title, updated_at) VALUES ('X', 'x', 999, 'x', CURRENT_TIMESTAMP)")
	if !errors.Is(db.Map(err), db.ErrConflict) {
		t.Errorf("missing task force: %v, want ErrConflict (foreign keys on)", err)
	}
	var s string
	err = db.Map(d.QueryRowContext(ctx, "SELECT code FROM task_forces WHERE code = 'NONE'").Scan(&s))
	if !errors.Is(err, db.ErrNotFound) {
		t.Errorf("no row: %v, want ErrNotFound", err)
	}
}

func TestSQLitePragmas(t *testing.T) {
	if apptest.OnPostgres() {
		t.Skip("SQLite pragmas: this leg runs on PostgreSQL; the SQLite leg checks them")
	}
	d := open(t)
	ctx := context.Background()
	var mode string
	var fk int
	_ = d.QueryRowContext(ctx, "PRAGMA journal_mode").Scan(&mode)
	_ = d.QueryRowContext(ctx, "PRAGMA foreign_keys").Scan(&fk)
	if mode != "wal" || fk != 1 {
		t.Errorf("journal_mode=%s foreign_keys=%d", mode, fk)
	}
}
