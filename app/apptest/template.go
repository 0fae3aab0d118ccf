package apptest

import (
	"context"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"passhub/app"
	"passhub/app/config"
	"passhub/app/content"
	"passhub/app/db"
)

// The template: what every test with the shipped content would build for itself (the migrations
// applied, the content imported, the search index built) is built once per test binary, and each
// test starts from a copy of it. Migrate then finds nothing to apply and the import finds nothing
// changed, so nothing is left to index and a test skips most of a second of setup, starting from
// the state a fresh database reaches: the template's queue is left as a fresh one's (the search
// jobs of the import completed, no leader, no periodic job queued yet: the test's own queue elects
// itself and schedules the digest).
//
// On SQLite the template is a data folder (database, index, stored files) copied file by file. On
// PostgreSQL it is a data folder (index, stored files) plus a database of its own, and each test
// gets CREATE DATABASE … TEMPLATE, a copy PostgreSQL makes without replaying a single statement;
// the template database has no session open once built, as the copy requires.
type template struct {
	once sync.Once
	dir  string // "" when it could not be built: each test then builds its own database
	db   string // the template database on PostgreSQL; "" on SQLite
}

var sqliteTemplate, postgresTemplate template

// templateDirPrefix names the template folders in the system's temporary folder.
const templateDirPrefix = "passhub-apptest-template-"

// fromTemplate fills cfg's empty data folder (and, on PostgreSQL, gives it a database) from the
// template when cfg is the one the template was made with in all that shapes the data (a fresh
// database, the shipped content, the local store, Bleve in the data folder), and reports whether
// it did.
func fromTemplate(t testing.TB, cfg *config.Config) bool {
	t.Helper()
	def := config.Defaults()
	if cfg.ContentDir != ContentDir() || cfg.SearchDir != "" || cfg.SearchEngine != def.SearchEngine ||
		cfg.Storage != def.Storage || !emptyDir(cfg.DataDir) {
		return false
	}
	tpl := &sqliteTemplate
	switch {
	case cfg.DatabaseURL == "":
	case fresh(cfg.DatabaseURL):
		tpl = &postgresTemplate
	default:
		return false
	}
	tpl.once.Do(tpl.build)
	if tpl.dir == "" {
		return false
	}
	if err := copyDir(tpl.dir, cfg.DataDir); err != nil {
		_ = os.RemoveAll(cfg.DataDir)
		_ = os.MkdirAll(cfg.DataDir, 0o750)
		return false
	}
	if tpl.db != "" {
		url, err := cloneDatabase(t, tpl.db)
		if err != nil {
			t.Fatalf("postgres: copy of the template database: %v", err)
		}
		cfg.DatabaseURL = url
	}
	return true
}

func emptyDir(dir string) bool {
	entries, err := os.ReadDir(dir)
	return err == nil && len(entries) == 0
}

// build makes the template folder (and database), or leaves dir "" on any failure.
func (tpl *template) build() {
	removeStaleTemplates()
	dir, err := os.MkdirTemp("", templateDirPrefix+"*")
	if err != nil {
		return
	}
	url := ""
	if tpl == &postgresTemplate {
		if tpl.db, url, err = createDatabase("passhub_tmpl", ""); err != nil {
			_ = os.RemoveAll(dir)
			return
		}
	}
	if err := fillTemplate(dir, url); err != nil {
		_ = os.RemoveAll(dir)
		if tpl.db != "" {
			_ = dropDatabase(tpl.db)
			tpl.db = ""
		}
		return
	}
	tpl.dir = dir
}

func fillTemplate(dir, databaseURL string) error {
	cfg := config.Defaults()
	cfg.DataDir = dir
	cfg.DatabaseURL = databaseURL
	cfg.ContentDir = ContentDir()
	cfg.LogLevel = "warn"
	cfg.JobsPoll = 20 * time.Millisecond
	cfg.Derive()
	if err := cfg.Validate(); err != nil {
		return err
	}
	ctx := context.Background()
	a, err := app.New(ctx, cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		return err
	}
	err = a.Migrate(ctx)
	if err == nil {
		err = a.StartJobs(ctx)
	}
	if err == nil {
		var rep *content.ImportReport
		if rep, err = a.ImportContent(ctx, cfg.ContentDir); err == nil && len(rep.Errors) > 0 {
			err = rep.Errors[0]
		}
	}
	if err == nil {
		wctx, cancel := context.WithTimeout(ctx, time.Minute)
		err = a.Jobs.WaitIdle(wctx)
		cancel()
	}
	if cerr := a.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	// Leave the queue as a fresh one: no leader to wait out, nothing but the import's completed jobs.
	d, err := db.Open(ctx, databaseURL, cfg.SQLitePath())
	if err != nil {
		return err
	}
	defer d.Close()
	for _, q := range []string{"DELETE FROM river_leader", "DELETE FROM river_job WHERE state <> 'completed'"} {
		if _, err := d.ExecContext(ctx, q); err != nil {
			return err
		}
	}
	if databaseURL == "" {
		_, err = d.ExecContext(ctx, "PRAGMA wal_checkpoint(TRUNCATE)")
	}
	return err
}

// removeStaleTemplates removes the template folders that earlier test binaries left, once they are
// an hour old (a test binary has no hook to remove its own when it ends).
func removeStaleTemplates() {
	entries, err := os.ReadDir(os.TempDir())
	if err != nil {
		return
	}
	for _, e := range entries {
		if !e.IsDir() || !strings.HasPrefix(e.Name(), templateDirPrefix) {
			continue
		}
		if info, err := e.Info(); err == nil && time.Since(info.ModTime()) > time.Hour {
			_ = os.RemoveAll(filepath.Join(os.TempDir(), e.Name()))
		}
	}
}

// copyDir copies the files and folders of src into dst, which exists.
func copyDir(src, dst string) error {
	return filepath.WalkDir(src, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(src, path)
		if err != nil || rel == "." {
			return err
		}
		target := filepath.Join(dst, rel)
		if d.IsDir() {
			return os.MkdirAll(target, 0o750)
		}
		in, err := os.Open(path)
		if err != nil {
			return err
		}
		defer in.Close()
		out, err := os.OpenFile(target, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o640)
		if err != nil {
			return err
		}
		if _, err := io.Copy(out, in); err != nil {
			_ = out.Close()
			return err
		}
		return out.Close()
	})
}
