// Package db opens the database (SQLite by default, PostgreSQL in production) through Bun, applies
// migrations, and maps driver errors to ErrNotFound and ErrConflict. It knows no domain.
package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	"github.com/jackc/pgx/v5/pgconn"
	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" database/sql driver
	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect/pgdialect"
	"github.com/uptrace/bun/dialect/sqlitedialect"
	"github.com/uptrace/bun/driver/sqliteshim"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// Errors every store returns instead of driver errors.
var (
	ErrNotFound = errors.New("not found")
	ErrConflict = errors.New("conflict")
)

// Dialect names, as used by migrations' templates.
const (
	SQLite   = "sqlite"
	Postgres = "pg"
)

// DB is the application's database handle.
type DB struct {
	*bun.DB
	// Kind is SQLite or Postgres.
	Kind string
	dsn  string
}

// Open connects to the database named by url, or to a SQLite file at sqlitePath when url is
// empty, and checks that the connection is configured as the application needs.
func Open(ctx context.Context, databaseURL, sqlitePath string) (*DB, error) {
	switch {
	case databaseURL == "" || strings.HasPrefix(databaseURL, "sqlite:") || strings.HasPrefix(databaseURL, "file:"):
		path := sqlitePath
		if databaseURL != "" {
			path = strings.TrimPrefix(strings.TrimPrefix(databaseURL, "sqlite:"), "file:")
			path = strings.TrimPrefix(path, "//")
		}
		return openSQLite(ctx, path)
	default:
		return openPostgres(ctx, databaseURL)
	}
}

func openSQLite(ctx context.Context, path string) (*DB, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o750); err != nil {
		return nil, fmt.Errorf("db: create folder for %s: %w", path, err)
	}
	q := url.Values{}
	for _, p := range []string{"journal_mode(WAL)", "busy_timeout(10000)", "foreign_keys(1)", "synchronous(NORMAL)"} {
		q.Add("_pragma", p)
	}
	q.Set("_txlock", "immediate")
	sqldb, err := sql.Open(sqliteshim.ShimName, "file:"+path+"?"+q.Encode())
	if err != nil {
		return nil, fmt.Errorf("db: open sqlite %s: %w", path, err)
	}
	d := &DB{DB: bun.NewDB(sqldb, sqlitedialect.New()), Kind: SQLite, dsn: "file:" + path + "?" + q.Encode()}
	if err := d.checkSQLite(ctx); err != nil {
		_ = sqldb.Close()
		return nil, err
	}
	return d, nil
}

// checkSQLite verifies the pragmas, which a wrong DSN would silently leave at their defaults.
func (d *DB) checkSQLite(ctx context.Context) error {
	var mode string
	var fk, busy int
	if err := d.QueryRowContext(ctx, "PRAGMA journal_mode").Scan(&mode); err != nil {
		return fmt.Errorf("db: sqlite: %w", err)
	}
	if err := d.QueryRowContext(ctx, "PRAGMA foreign_keys").Scan(&fk); err != nil {
		return fmt.Errorf("db: sqlite: %w", err)
	}
	if err := d.QueryRowContext(ctx, "PRAGMA busy_timeout").Scan(&busy); err != nil {
		return fmt.Errorf("db: sqlite: %w", err)
	}
	if !strings.EqualFold(mode, "wal") || fk != 1 || busy < 1000 {
		return fmt.Errorf("db: sqlite pragmas not applied: journal_mode=%s foreign_keys=%d busy_timeout=%d", mode, fk, busy)
	}
	return nil
}

func openPostgres(ctx context.Context, databaseURL string) (*DB, error) {
	sqldb, err := sql.Open("pgx", databaseURL)
	if err != nil {
		return nil, fmt.Errorf("db: open postgres: %w", err)
	}
	sqldb.SetMaxOpenConns(20)
	d := &DB{DB: bun.NewDB(sqldb, pgdialect.New()), Kind: Postgres, dsn: databaseURL}
	if err := d.PingContext(ctx); err != nil {
		_ = sqldb.Close()
		return nil, fmt.Errorf("db: connect to postgres: %w", err)
	}
	return d, nil
}

// OpenSibling opens a second, independent pool on the same database with the same settings.
func (d *DB) OpenSibling(ctx context.Context) (*sql.DB, error) {
	name := "pgx"
	if d.Kind == SQLite {
		name = sqliteshim.ShimName
	}
	sqldb, err := sql.Open(name, d.dsn)
	if err == nil {
		err = sqldb.PingContext(ctx)
	}
	if err != nil {
		return nil, fmt.Errorf("db: open a second pool: %w", err)
	}
	return sqldb, nil
}

// Map turns driver errors into ErrNotFound or ErrConflict, keeping the original in the chain.
func Map(err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("%w: %w", ErrNotFound, err)
	}
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) && (pgErr.Code == "23505" || pgErr.Code == "23503") {
		return fmt.Errorf("%w: %w", ErrConflict, err)
	}
	var sqErr *sqlite.Error
	if errors.As(err, &sqErr) {
		switch sqErr.Code() {
		case sqlite3.SQLITE_CONSTRAINT_UNIQUE, sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY, sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY:
			return fmt.Errorf("%w: %w", ErrConflict, err)
		}
	}
	return err
}

// InTx runs fn in a transaction, committing when it returns nil.
func (d *DB) InTx(ctx context.Context, fn func(ctx context.Context, tx bun.Tx) error) error {
	return d.DB.RunInTx(ctx, nil, fn)
}
