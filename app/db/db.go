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
	"strconv"
	"strings"
	"time"

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
	// ErrUnavailable is a database that did not answer in time (locked, overloaded, unreachable):
	// the same request may succeed in a moment.
	ErrUnavailable = errors.New("database unavailable")
)

// StatementTimeout bounds how long one statement waits for the database: SQLite's busy_timeout
// (waiting for the write lock) and PostgreSQL's statement_timeout and lock_timeout.
const StatementTimeout = 5 * time.Second

// Option changes how Open connects.
type Option func(*settings)

type settings struct{ synchronous string }

// Synchronous sets SQLite's synchronous pragma ("NORMAL" or "FULL"; "" keeps the default, FULL).
func Synchronous(level string) Option { return func(s *settings) { s.synchronous = level } }

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
	// writer, on SQLite, is the turn of the one write transaction at a time.
	writer chan struct{}
}

// Open connects to the database named by url, or to a SQLite file at sqlitePath when url is
// empty, and checks that the connection is configured as the application needs.
func Open(ctx context.Context, databaseURL, sqlitePath string, opts ...Option) (*DB, error) {
	set := settings{synchronous: "FULL"}
	for _, o := range opts {
		o(&set)
	}
	if set.synchronous == "" {
		set.synchronous = "FULL"
	}
	switch {
	case databaseURL == "" || strings.HasPrefix(databaseURL, "sqlite:") || strings.HasPrefix(databaseURL, "file:"):
		path := sqlitePath
		if databaseURL != "" {
			path = strings.TrimPrefix(strings.TrimPrefix(databaseURL, "sqlite:"), "file:")
			path = strings.TrimPrefix(path, "//")
		}
		return openSQLite(ctx, path, set)
	default:
		return openPostgres(ctx, databaseURL)
	}
}

func openSQLite(ctx context.Context, path string, set settings) (*DB, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o750); err != nil {
		return nil, fmt.Errorf("db: create folder for %s: %w", path, err)
	}
	if set.synchronous != "FULL" && set.synchronous != "NORMAL" {
		return nil, fmt.Errorf("db: sqlite synchronous must be FULL or NORMAL, not %q", set.synchronous)
	}
	q := url.Values{}
	busy := strconv.Itoa(int(StatementTimeout.Milliseconds()))
	for _, p := range []string{"journal_mode(WAL)", "busy_timeout(" + busy + ")", "foreign_keys(1)", "synchronous(" + set.synchronous + ")"} {
		q.Add("_pragma", p)
	}
	q.Set("_txlock", "immediate")
	sqldb, err := sql.Open(sqliteshim.ShimName, "file:"+path+"?"+q.Encode())
	if err != nil {
		return nil, fmt.Errorf("db: open sqlite %s: %w", path, err)
	}
	d := &DB{DB: bun.NewDB(sqldb, sqlitedialect.New()), Kind: SQLite, dsn: "file:" + path + "?" + q.Encode(), writer: make(chan struct{}, 1)}
	if err := d.checkSQLite(ctx, set); err != nil {
		_ = sqldb.Close()
		return nil, err
	}
	return d, nil
}

// checkSQLite verifies the pragmas, which a wrong DSN would silently leave at their defaults.
func (d *DB) checkSQLite(ctx context.Context, set settings) error {
	var mode string
	var fk, busy, sync int
	if err := d.QueryRowContext(ctx, "PRAGMA synchronous").Scan(&sync); err != nil {
		return fmt.Errorf("db: sqlite: %w", err)
	}
	if want := map[string]int{"NORMAL": 1, "FULL": 2}[set.synchronous]; sync != want {
		return fmt.Errorf("db: sqlite pragma not applied: synchronous=%d, want %s", sync, set.synchronous)
	}
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
	if u, err := url.Parse(databaseURL); err == nil {
		q := u.Query()
		for _, p := range []string{"statement_timeout", "lock_timeout"} {
			if q.Get(p) == "" {
				q.Set(p, strconv.Itoa(int(StatementTimeout.Milliseconds())))
			}
		}
		u.RawQuery = q.Encode()
		databaseURL = u.String()
	}
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
	if errors.Is(err, ErrNotFound) || errors.Is(err, ErrConflict) || errors.Is(err, ErrUnavailable) {
		return err
	}
	if Unavailable(err) {
		return fmt.Errorf("%w: %w", ErrUnavailable, err)
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

// Unavailable reports whether err means the database did not answer in time: the write lock
// still held after busy_timeout (SQLite), a statement or lock timeout or a lost connection
// (PostgreSQL), or the caller's deadline passing while it waited.
func Unavailable(err error) bool {
	if err == nil {
		return false
	}
	if errors.Is(err, ErrUnavailable) || errors.Is(err, context.DeadlineExceeded) {
		return true
	}
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		switch pgErr.Code {
		case "57014", "55P03", "57P01", "57P03", "53300", "40P01":
			// query canceled (statement_timeout), lock not available (lock_timeout), admin
			// shutdown, cannot connect now, too many connections, deadlock detected
			return true
		}
		return false
	}
	var connErr *pgconn.ConnectError
	if errors.As(err, &connErr) {
		return true
	}
	var sqErr *sqlite.Error
	if errors.As(err, &sqErr) {
		return sqErr.Code()&0xff == sqlite3.SQLITE_BUSY || sqErr.Code()&0xff == sqlite3.SQLITE_LOCKED || sqErr.Code() == sqlite3.SQLITE_INTERRUPT
	}
	return false
}

// InTx runs fn in a transaction, committing when it returns nil. On SQLite, which has one writer
// at a time, the application's transactions queue here for their turn (at most StatementTimeout,
// then ErrUnavailable) instead of polling the file lock against each other, which lets some wait
// for seconds while others pass.
func (d *DB) InTx(ctx context.Context, fn func(ctx context.Context, tx bun.Tx) error) error {
	if _, nested := ctx.Value(afterKey{}).(*afterCommit); nested {
		return d.inTx(ctx, fn) // the outermost transaction runs the hooks
	}
	hooks := &afterCommit{}
	if err := d.inTx(context.WithValue(ctx, afterKey{}, hooks), fn); err != nil {
		return err
	}
	for _, h := range hooks.fns { // committed, and the write lock released
		h(ctx)
	}
	return nil
}

func (d *DB) inTx(ctx context.Context, fn func(ctx context.Context, tx bun.Tx) error) error {
	if d.writer != nil && ctx.Value(inTx{}) == nil {
		timer := time.NewTimer(StatementTimeout)
		defer timer.Stop()
		select {
		case d.writer <- struct{}{}:
			defer func() { <-d.writer }()
		case <-timer.C:
			return fmt.Errorf("db: waiting for the write lock: %w", ErrUnavailable)
		case <-ctx.Done():
			return fmt.Errorf("db: waiting for the write lock: %w: %w", ErrUnavailable, ctx.Err())
		}
		ctx = context.WithValue(ctx, inTx{}, true)
	}
	return d.DB.RunInTx(ctx, nil, fn)
}

type afterKey struct{}

type afterCommit struct{ fns []func(ctx context.Context) }

// AfterCommit runs fn once the transaction of ctx (one InTx gave) has committed, and never if it
// rolls back; outside a transaction it runs fn at once.
func AfterCommit(ctx context.Context, fn func(ctx context.Context)) {
	if h, ok := ctx.Value(afterKey{}).(*afterCommit); ok {
		h.fns = append(h.fns, fn)
		return
	}
	fn(ctx)
}

// inTx marks the context of a transaction, so a nested InTx does not wait for its own turn.
type inTx struct{}
