package backup

import (
	"archive/tar"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/uptrace/bun/driver/sqliteshim"

	"passhub/app/config"
	"passhub/app/db"
	"passhub/app/jobs"
	"passhub/app/storage"
)

// ErrNotEmpty is returned when the restore target already holds data and force is not set.
var ErrNotEmpty = errors.New("backup: the target is not empty")

// Report says what a restore put in place.
type Report struct {
	Manifest *Manifest
	// Rows counts the rows restored, Files the uploaded files written to the store.
	Rows  int64
	Files int
	// Requeued counts the jobs that were running at snapshot time and go back to the queue.
	Requeued int64
}

// Verify reads the whole archive and checks it against its manifest: every part present once,
// with its size and SHA-256, and nothing else.
func Verify(file string) (*Manifest, error) {
	m, _, err := read(file, "")
	return m, err
}

// read goes through the archive, writing its parts under stage (when not empty), and checks them
// against the manifest. It returns the manifest and each part's hash.
func read(file, stage string) (*Manifest, map[string]string, error) {
	f, err := os.Open(file)
	if err != nil {
		return nil, nil, fmt.Errorf("backup: %w", err)
	}
	defer f.Close()
	tr := tar.NewReader(f)
	got := map[string]Part{}
	var m *Manifest
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, nil, fmt.Errorf("backup: %s is not a passhub backup (or is truncated): %w", file, err)
		}
		name := h.Name
		if h.Typeflag != tar.TypeReg || path.Clean(name) != name || strings.HasPrefix(name, "/") || strings.Contains(name, "..") ||
			(name != ManifestName && !strings.HasPrefix(name, databaseDir) && !strings.HasPrefix(name, uploadsDir)) {
			return nil, nil, fmt.Errorf("backup: unexpected entry %q in %s", name, file)
		}
		if _, dup := got[name]; dup {
			return nil, nil, fmt.Errorf("backup: %q appears twice in %s", name, file)
		}
		if name == ManifestName {
			m = &Manifest{}
			if err := json.NewDecoder(io.LimitReader(tr, 64<<20)).Decode(m); err != nil {
				return nil, nil, fmt.Errorf("backup: manifest: %w", err)
			}
			continue
		}
		hash := sha256.New()
		var w io.Writer = hash
		var out *os.File
		if stage != "" {
			dst := filepath.Join(stage, filepath.FromSlash(name))
			if err := os.MkdirAll(filepath.Dir(dst), 0o750); err != nil {
				return nil, nil, err
			}
			if out, err = os.Create(dst); err != nil {
				return nil, nil, err
			}
			w = io.MultiWriter(out, hash)
		}
		n, err := io.Copy(w, tr)
		if out != nil {
			if err == nil {
				err = out.Sync()
			}
			if cerr := out.Close(); err == nil {
				err = cerr
			}
		}
		if err != nil {
			return nil, nil, fmt.Errorf("backup: %s: %w", name, err)
		}
		got[name] = Part{Path: name, Size: n, SHA256: hex.EncodeToString(hash.Sum(nil))}
	}
	if m == nil {
		return nil, nil, fmt.Errorf("backup: %s has no manifest: it is incomplete", file)
	}
	if m.Format != Format {
		return nil, nil, fmt.Errorf("backup: format %q, this passhub reads %q", m.Format, Format)
	}
	sums := map[string]string{}
	for _, p := range m.Parts {
		g, ok := got[p.Path]
		switch {
		case !ok:
			return nil, nil, fmt.Errorf("backup: %s is missing from the archive", p.Path)
		case g.Size != p.Size || g.SHA256 != p.SHA256:
			return nil, nil, fmt.Errorf("backup: %s does not match its checksum in the manifest", p.Path)
		}
		sums[p.Path] = p.SHA256
		delete(got, p.Path)
	}
	for name := range got {
		return nil, nil, fmt.Errorf("backup: %s is in the archive but not in its manifest", name)
	}
	return m, sums, nil
}

// Restore puts the archive's database in the configured database and its files in store (cfg's
// store of uploaded files, local or S3). A target that holds tables or files is refused unless
// force is set (its tables are then dropped; files of the same key are replaced, others stay).
// The database is checked (row counts, each file a row refers to present with its hash) before
// anything moves into place. The search index is rebuilt by the next start.
func Restore(ctx context.Context, cfg config.Config, store storage.Store, file string, force bool) (*Report, error) {
	if err := os.MkdirAll(cfg.DataDir, 0o750); err != nil {
		return nil, fmt.Errorf("backup: %w", err)
	}
	stage, err := os.MkdirTemp(cfg.DataDir, ".restore-*")
	if err != nil {
		return nil, fmt.Errorf("backup: %w", err)
	}
	defer os.RemoveAll(stage)
	m, sums, err := read(file, stage)
	if err != nil {
		return nil, err
	}
	dialect := db.SQLite
	if cfg.DatabaseURL != "" && !strings.HasPrefix(cfg.DatabaseURL, "sqlite:") && !strings.HasPrefix(cfg.DatabaseURL, "file:") {
		dialect = db.Postgres
	}
	if m.Dialect != dialect {
		return nil, fmt.Errorf("backup: the archive holds a %s database; the configured database is %s", m.Dialect, dialect)
	}
	if !force {
		objs, err := store.List(ctx, "")
		if err != nil {
			return nil, fmt.Errorf("backup: uploads in %s: %w", storeName(cfg), err)
		}
		if len(objs) > 0 {
			return nil, fmt.Errorf("%w: %s holds %d files (use --force to restore over them)", ErrNotEmpty, storeName(cfg), len(objs))
		}
	}
	rep := &Report{Manifest: m}
	// checkRefs verifies that every file a restored row refers to is in the archive, with the hash
	// the row records.
	checkRefs := func(refs []fileRef) error {
		for _, r := range refs {
			sum, ok := sums[uploadsDir+r.key]
			if !ok {
				return fmt.Errorf("backup: a row refers to %s, which the archive does not hold", r.key)
			}
			if sum != r.sha {
				return fmt.Errorf("backup: %s in the archive does not have the hash its row records", r.key)
			}
		}
		return nil
	}
	// putFiles writes every file of the archive to the store, streamed from its staged copy (each
	// Put is atomic; the staged copy is removed once stored, so the disk holds each file about once).
	putFiles := func() error {
		for _, p := range m.Parts {
			key, ok := strings.CutPrefix(p.Path, uploadsDir)
			if !ok {
				continue
			}
			staged := filepath.Join(stage, filepath.FromSlash(p.Path))
			if err := putFile(ctx, store, key, staged); err != nil {
				return fmt.Errorf("%s in %s: %w", key, storeName(cfg), err)
			}
			_ = os.Remove(staged)
			rep.Files++
		}
		return nil
	}
	if dialect == db.SQLite {
		err = restoreSQLite(ctx, cfg, stage, m, force, rep, checkRefs, putFiles)
	} else {
		err = restorePostgres(ctx, cfg, stage, m, force, rep, checkRefs, putFiles)
	}
	if err != nil {
		return nil, err
	}
	if cfg.SearchEngine == "bleve" { // the index of what was there before: rebuilt at the next start
		dir := cfg.SearchDir
		if dir == "" {
			dir = cfg.DataDir
		}
		if err := os.RemoveAll(filepath.Join(dir, "search.bleve")); err != nil {
			return nil, fmt.Errorf("backup: remove the old search index: %w", err)
		}
	}
	return rep, nil
}

// putFile stores the file at src under key.
func putFile(ctx context.Context, store storage.Store, key, src string) error {
	f, err := os.Open(src)
	if err != nil {
		return err
	}
	defer f.Close()
	return store.Put(ctx, key, f)
}

// checkCounts compares the restored tables with the manifest's.
func checkCounts(ctx context.Context, q querier, dialect string, m *Manifest) (int64, *snapshot, error) {
	s := &snapshot{}
	if err := describe(ctx, q, dialect, s); err != nil {
		return 0, nil, err
	}
	want := map[string]int64{}
	for _, t := range m.Tables {
		want[t.Name] = t.Rows
	}
	var total int64
	for _, t := range s.tables {
		n, ok := want[t.Name]
		if !ok {
			return 0, nil, fmt.Errorf("backup: the restored database has a table %s the backup did not", t.Name)
		}
		if n != t.Rows {
			return 0, nil, fmt.Errorf("backup: table %s has %d rows after restore, the backup had %d", t.Name, t.Rows, n)
		}
		delete(want, t.Name)
		total += t.Rows
	}
	for name := range want {
		return 0, nil, fmt.Errorf("backup: table %s of the backup is missing after restore", name)
	}
	return total, s, nil
}

// requeue sends the jobs that were running when the snapshot was taken back to the queue (their
// worker is gone; jobs are idempotent) and forgets the old leader. Finished jobs stay finished.
func requeue(ctx context.Context, exec func(q string) (int64, error)) (int64, error) {
	n, err := exec("UPDATE river_job SET state = 'available', attempted_by = NULL WHERE state = 'running'")
	if err != nil {
		return 0, fmt.Errorf("backup: requeue running jobs: %w", err)
	}
	if _, err := exec("DELETE FROM river_leader"); err != nil {
		return 0, fmt.Errorf("backup: forget the leader: %w", err)
	}
	return n, nil
}

func restoreSQLite(ctx context.Context, cfg config.Config, stage string, m *Manifest, force bool, rep *Report,
	checkRefs func([]fileRef) error, putFiles func() error) error {
	target := cfg.SQLitePath()
	if cfg.DatabaseURL != "" {
		target = strings.TrimPrefix(strings.TrimPrefix(strings.TrimPrefix(cfg.DatabaseURL, "sqlite:"), "file:"), "//")
	}
	if !force {
		if empty, err := sqliteEmpty(ctx, target); err != nil {
			return err
		} else if !empty {
			return fmt.Errorf("%w: %s holds tables (use --force to replace it)", ErrNotEmpty, target)
		}
	}
	staged := filepath.Join(stage, filepath.FromSlash(sqliteName))
	c, err := sql.Open(sqliteshim.ShimName, "file:"+staged+"?_pragma=journal_mode(DELETE)")
	if err != nil {
		return err
	}
	err = func() error {
		defer c.Close()
		var ok string
		if err := c.QueryRowContext(ctx, "PRAGMA integrity_check").Scan(&ok); err != nil || ok != "ok" {
			return fmt.Errorf("backup: the database of the archive fails its integrity check: %v %s", err, ok)
		}
		var s *snapshot
		if rep.Rows, s, err = checkCounts(ctx, sqlQuerier{c}, db.SQLite, m); err != nil {
			return err
		}
		if err := checkRefs(s.refs); err != nil {
			return err
		}
		rep.Requeued, err = requeue(ctx, func(q string) (int64, error) {
			res, err := c.ExecContext(ctx, q)
			if err != nil {
				return 0, err
			}
			return res.RowsAffected()
		})
		return err
	}()
	if err != nil {
		return err
	}
	if err := putFiles(); err != nil {
		return fmt.Errorf("backup: files: %w", err)
	}
	if err := os.MkdirAll(filepath.Dir(target), 0o750); err != nil {
		return err
	}
	for _, suffix := range []string{"-wal", "-shm"} {
		if err := os.Remove(target + suffix); err != nil && !errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("backup: %w", err)
		}
	}
	if err := os.Rename(staged, target); err != nil {
		return fmt.Errorf("backup: put the database in place: %w", err)
	}
	syncDir(filepath.Dir(target))
	return nil
}

// sqliteEmpty reports whether the file at p is missing, empty or holds no table.
func sqliteEmpty(ctx context.Context, p string) (bool, error) {
	st, err := os.Stat(p)
	if errors.Is(err, os.ErrNotExist) || (err == nil && st.Size() == 0) {
		return true, nil
	}
	if err != nil {
		return false, err
	}
	c, err := sql.Open(sqliteshim.ShimName, "file:"+p+"?mode=ro")
	if err != nil {
		return false, err
	}
	defer c.Close()
	names, err := tableNames(ctx, sqlQuerier{c}, db.SQLite)
	return len(names) == 0, err
}

func restorePostgres(ctx context.Context, cfg config.Config, stage string, m *Manifest, force bool, rep *Report,
	checkRefs func([]fileRef) error, putFiles func() error) error {
	d, err := db.Open(ctx, cfg.DatabaseURL, "")
	if err != nil {
		return err
	}
	defer d.Close()
	names, err := tableNames(ctx, sqlQuerier{d.DB.DB}, db.Postgres)
	if err != nil {
		return err
	}
	if len(names) > 0 {
		if !force {
			return fmt.Errorf("%w: the database's schema holds %d tables (use --force to replace them)", ErrNotEmpty, len(names))
		}
		if err := dropSchemaObjects(ctx, d.DB.DB); err != nil {
			return err
		}
	}
	// The schema comes from the migrations the backup was taken with; later ones run at the next
	// start, as after any upgrade.
	if err := d.MigrateOnly(ctx, m.Migrations); err != nil {
		return err
	}
	if m.RiverVersion > 0 {
		if err := jobs.MigrateSchemaTo(ctx, d, m.RiverVersion); err != nil {
			return err
		}
	}
	conn, err := d.DB.DB.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	return conn.Raw(func(dc any) error {
		pc := dc.(*stdlib.Conn).Conn()
		tx, err := pc.Begin(ctx)
		if err != nil {
			return err
		}
		defer func() { _ = tx.Rollback(context.Background()) }()
		q := pgxQuerier{tx}
		order, err := loadOrder(ctx, q)
		if err != nil {
			return err
		}
		byName := map[string]Table{}
		for _, t := range m.Tables {
			byName[t.Name] = t
		}
		if len(order) != len(byName) {
			return fmt.Errorf("backup: the migrations made %d tables, the backup has %d", len(order), len(byName))
		}
		// Migrations seed some rows (their own bookkeeping): the backup's rows replace them.
		if _, err := tx.Exec(ctx, "TRUNCATE "+quoteList(order)+" CASCADE"); err != nil {
			return fmt.Errorf("backup: %w", err)
		}
		for _, name := range order {
			t, ok := byName[name]
			if !ok {
				return fmt.Errorf("backup: table %s is not in the backup", name)
			}
			f, err := os.Open(filepath.Join(stage, "database", name+".copy"))
			if err != nil {
				return fmt.Errorf("backup: %w", err)
			}
			_, err = tx.Conn().PgConn().CopyFrom(ctx, f, "COPY "+quote(name)+" ("+quoteList(t.Columns)+") FROM STDIN")
			f.Close()
			if err != nil {
				return fmt.Errorf("backup: load %s: %w", name, err)
			}
		}
		if err := resetSequences(ctx, tx); err != nil {
			return err
		}
		var s *snapshot
		if rep.Rows, s, err = checkCounts(ctx, q, db.Postgres, m); err != nil {
			return err
		}
		if err := checkRefs(s.refs); err != nil {
			return err
		}
		if rep.Requeued, err = requeue(ctx, func(query string) (int64, error) {
			tag, err := tx.Exec(ctx, query)
			return tag.RowsAffected(), err
		}); err != nil {
			return err
		}
		if err := putFiles(); err != nil {
			return fmt.Errorf("backup: files: %w", err)
		}
		return tx.Commit(ctx)
	})
}

// loadOrder lists the schema's tables so that a table comes after those its foreign keys point to.
func loadOrder(ctx context.Context, q querier) ([]string, error) {
	names, err := tableNames(ctx, q, db.Postgres)
	if err != nil {
		return nil, err
	}
	r, done, err := q.query(ctx, `SELECT c.relname::text, p.relname::text FROM pg_constraint k
		JOIN pg_class c ON c.oid = k.conrelid JOIN pg_class p ON p.oid = k.confrelid
		WHERE k.contype = 'f' AND k.connamespace = current_schema()::regnamespace AND c.oid <> p.oid`)
	if err != nil {
		return nil, err
	}
	deps := map[string][]string{}
	for r.Next() {
		var child, parent string
		if err := r.Scan(&child, &parent); err != nil {
			done()
			return nil, err
		}
		deps[child] = append(deps[child], parent)
	}
	done()
	if err := r.Err(); err != nil {
		return nil, err
	}
	var order []string
	state := map[string]int{} // 1 visiting, 2 done
	var visit func(string) error
	visit = func(n string) error {
		switch state[n] {
		case 1:
			return fmt.Errorf("backup: foreign keys form a cycle through %s", n)
		case 2:
			return nil
		}
		state[n] = 1
		ps := deps[n]
		sort.Strings(ps)
		for _, p := range ps {
			if err := visit(p); err != nil {
				return err
			}
		}
		state[n] = 2
		order = append(order, n)
		return nil
	}
	for _, n := range names {
		if err := visit(n); err != nil {
			return nil, err
		}
	}
	return order, nil
}

// resetSequences moves every sequence of the schema past the largest value its column holds.
func resetSequences(ctx context.Context, tx pgx.Tx) error {
	rows, err := tx.Query(ctx, `SELECT s.relname::text, t.relname::text, a.attname::text FROM pg_class s
		JOIN pg_depend d ON d.objid = s.oid AND d.classid = 'pg_class'::regclass AND d.refclassid = 'pg_class'::regclass
		JOIN pg_class t ON t.oid = d.refobjid JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = d.refobjsubid
		WHERE s.relkind = 'S' AND s.relnamespace = current_schema()::regnamespace`)
	if err != nil {
		return fmt.Errorf("backup: sequences: %w", err)
	}
	type seq struct{ seq, table, col string }
	var seqs []seq
	for rows.Next() {
		var s seq
		if err := rows.Scan(&s.seq, &s.table, &s.col); err != nil {
			rows.Close()
			return err
		}
		seqs = append(seqs, s)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for _, s := range seqs {
		if _, err := tx.Exec(ctx, fmt.Sprintf("SELECT setval('%s', COALESCE((SELECT MAX(%s) FROM %s), 0) + 1, false)",
			strings.ReplaceAll(quote(s.seq), "'", "''"), quote(s.col), quote(s.table))); err != nil {
			return fmt.Errorf("backup: sequence %s: %w", s.seq, err)
		}
	}
	return nil
}

// dropSchemaObjects empties the current schema of tables, sequences, types and functions (a
// forced restore over an existing database).
func dropSchemaObjects(ctx context.Context, d *sql.DB) error {
	tx, err := d.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer func() { _ = tx.Rollback() }()
	q := sqlQuerier{tx}
	for _, kind := range []struct{ drop, list string }{
		{"DROP TABLE IF EXISTS %s CASCADE", "SELECT tablename::text FROM pg_tables WHERE schemaname = current_schema()"},
		{"DROP SEQUENCE IF EXISTS %s CASCADE", "SELECT sequencename::text FROM pg_sequences WHERE schemaname = current_schema()"},
		{"DROP FUNCTION IF EXISTS %s CASCADE", `SELECT p.oid::regprocedure::text FROM pg_proc p
			WHERE p.pronamespace = current_schema()::regnamespace`},
		{"DROP TYPE IF EXISTS %s CASCADE", `SELECT t.typname::text FROM pg_type t
			WHERE t.typnamespace = current_schema()::regnamespace AND t.typtype IN ('e', 'c', 'd') AND t.typrelid = 0`},
	} {
		names, err := strings1(ctx, q, kind.list)
		if err != nil {
			return fmt.Errorf("backup: empty the schema: %w", err)
		}
		for _, n := range names {
			ident := quote(n)
			if strings.Contains(n, "(") { // a function's signature is already quoted as needed
				ident = n
			}
			if _, err := tx.ExecContext(ctx, fmt.Sprintf(kind.drop, ident)); err != nil {
				return fmt.Errorf("backup: empty the schema: %w", err)
			}
		}
	}
	return tx.Commit()
}
