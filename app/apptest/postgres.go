package apptest

import (
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // PostgreSQL driver for schema and database setup
)

// The PostgreSQL named by PASSHUB_TEST_DATABASE_URL holds, for each test, either a schema of its
// own (DatabaseURL) or a database copied from the binary's template (fromTemplate). Both are
// dropped when the test ends. A test binary has no hook to drop its template database when it
// ends, so the names carry their creation time and their binary's process id: the next binary
// drops the templates whose process is gone, and any test database an hour old (left by a
// killed binary).

var admin struct {
	once  sync.Once
	db    *sql.DB
	err   error
	mu    sync.Mutex
	fresh map[string]bool // URLs DatabaseURL made that no App has used yet
}

// adminDB is the binary's one pool on the database named by PASSHUB_TEST_DATABASE_URL.
func adminDB() (*sql.DB, error) {
	admin.once.Do(func() {
		admin.db, admin.err = sql.Open("pgx", os.Getenv(EnvDatabaseURL))
		if admin.err == nil {
			admin.db.SetMaxIdleConns(2)
		}
	})
	return admin.db, admin.err
}

// DatabaseURL returns "" (SQLite in the data dir) or, with PASSHUB_TEST_DATABASE_URL set, the URL
// of a new PostgreSQL schema dropped when the test ends.
func DatabaseURL(t testing.TB) string {
	t.Helper()
	base := os.Getenv(EnvDatabaseURL)
	if base == "" {
		return ""
	}
	d, err := adminDB()
	if err != nil {
		t.Fatalf("postgres: %v", err)
	}
	schema := "t_" + randomHex()
	if _, err := d.Exec("CREATE SCHEMA " + schema); err != nil {
		t.Fatalf("postgres: create schema (is PostgreSQL running at %s?): %v", base, err)
	}
	t.Cleanup(func() { _, _ = d.Exec("DROP SCHEMA " + schema + " CASCADE") })
	u, err := url.Parse(base)
	if err != nil {
		t.Fatalf("postgres url: %v", err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	s := u.String()
	admin.mu.Lock()
	if admin.fresh == nil {
		admin.fresh = map[string]bool{}
	}
	admin.fresh[s] = true
	admin.mu.Unlock()
	return s
}

// fresh reports whether url is a schema DatabaseURL made that no App has used yet, and marks it
// used.
func fresh(url string) bool {
	admin.mu.Lock()
	defer admin.mu.Unlock()
	ok := admin.fresh[url]
	delete(admin.fresh, url)
	return ok
}

// cloneDatabase creates a copy of the template database for t, dropped when t ends, and returns
// its URL.
func cloneDatabase(t testing.TB, template string) (string, error) {
	name, url, err := createDatabase("passhub_t", template)
	if err != nil {
		return "", err
	}
	t.Cleanup(func() { _ = dropDatabase(name) })
	return url, nil
}

// createDatabase creates a database named prefix_<unix time>_<process id>_<random>, empty or
// copied from template, and returns its name and URL.
func createDatabase(prefix, template string) (name, dbURL string, err error) {
	d, err := adminDB()
	if err != nil {
		return "", "", err
	}
	name = fmt.Sprintf("%s_%d_%d_%s", prefix, time.Now().Unix(), os.Getpid(), randomHex())
	q := "CREATE DATABASE " + name
	if template != "" {
		q += " TEMPLATE " + template
	} else {
		dropStaleDatabases(d)
	}
	if _, err := d.Exec(q); err != nil {
		return "", "", err
	}
	u, err := url.Parse(os.Getenv(EnvDatabaseURL))
	if err != nil {
		return "", "", err
	}
	u.Path = "/" + name
	return name, u.String(), nil
}

func dropDatabase(name string) error {
	d, err := adminDB()
	if err != nil {
		return err
	}
	_, err = d.Exec("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)")
	return err
}

// dropStaleDatabases drops the databases of test binaries that have ended, and those created more
// than an hour ago.
func dropStaleDatabases(d *sql.DB) {
	rows, err := d.Query(`SELECT datname FROM pg_database WHERE datname LIKE 'passhub\_t%'`)
	if err != nil {
		return
	}
	var stale []string
	for rows.Next() {
		var name string
		if rows.Scan(&name) != nil {
			continue
		}
		parts := strings.Split(name, "_") // passhub, t or tmpl, time, pid, random
		if len(parts) != 5 {
			continue
		}
		created, err1 := strconv.ParseInt(parts[2], 10, 64)
		pid, err2 := strconv.Atoi(parts[3])
		if err1 == nil && err2 == nil && (time.Since(time.Unix(created, 0)) > time.Hour || !running(pid)) {
			stale = append(stale, name)
		}
	}
	_ = rows.Close()
	for _, name := range stale {
		_ = dropDatabase(name)
	}
}

// running reports whether a process with this id exists on this machine.
func running(pid int) bool {
	if pid == os.Getpid() {
		return true
	}
	p, err := os.FindProcess(pid)
	return err == nil && p.Signal(syscall.Signal(0)) == nil
}

func randomHex() string {
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
