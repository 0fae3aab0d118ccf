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
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/uptrace/bun/driver/sqliteshim"

	"passhub/app/config"
	"passhub/app/db"
	"passhub/app/storage"
)

// Format names the layout of the archive, recorded in its manifest.
const Format = "passhub-backup/1"

// Names inside the archive.
const (
	ManifestName = "manifest.json"
	databaseDir  = "database/"
	uploadsDir   = "uploads/"
	sqliteName   = databaseDir + "passhub.db"
)

// FileColumns lists the columns that hold the storage key of an uploaded file and the SHA-256 of
// its bytes. A table that starts referring to uploaded files must be added here, so backups check
// that its files are present and restores verify them.
var FileColumns = []FileColumn{
	{Table: "document_versions", Key: "storage_key", SHA256: "sha256"},
	{Table: "registrations", Key: "protocol_key", SHA256: "protocol_sha256"},
	{Table: "attachments", Key: "storage_key", SHA256: "sha256"},
	{Table: "media", Key: "storage_key", SHA256: "sha256"},
	{Table: "tender_versions", Key: "storage_key", SHA256: "sha256"},
	{Table: "helpdesk_files", Key: "storage_key", SHA256: "sha256"},
}

// FileColumn names a table's column holding a storage key and the one holding its hash.
type FileColumn struct{ Table, Key, SHA256 string }

// Manifest describes an archive: what the database held and the checksum of every part.
type Manifest struct {
	Format    string    `json:"format"`
	CreatedAt time.Time `json:"created_at"`
	// Dialect is db.SQLite or db.Postgres: a backup restores on the dialect it was taken on.
	Dialect string `json:"dialect"`
	// Migrations are the application's migrations applied at snapshot time, in order.
	Migrations []string `json:"migrations"`
	// RiverVersion is the job queue's schema version at snapshot time.
	RiverVersion int     `json:"river_version"`
	Tables       []Table `json:"tables"`
	// Files counts the uploaded files; Referenced those that rows refer to.
	Files      int    `json:"files"`
	Referenced int    `json:"referenced"`
	Parts      []Part `json:"parts"`
}

// Table is one table of the snapshot with its row count (and, on PostgreSQL, the columns of its
// COPY data, in order).
type Table struct {
	Name    string   `json:"name"`
	Columns []string `json:"columns,omitempty"`
	Rows    int64    `json:"rows"`
}

// Part is one file of the archive.
type Part struct {
	Path   string `json:"path"`
	Size   int64  `json:"size"`
	SHA256 string `json:"sha256"`
}

// fileRef is a key that a row refers to and the hash the row records.
type fileRef struct{ key, sha string }

// snapshot is what a database snapshot left in the staging folder.
type snapshot struct {
	parts      []string // files of the staging folder, relative, in archive order
	tables     []Table
	migrations []string
	river      int
	refs       []fileRef
}

// Backup writes the whole platform to file: the database snapshot, then the uploaded files read
// from store (cfg's store of uploaded files, local or S3), then the manifest. The file appears
// only once complete (written beside it, synced, renamed); an existing file is refused.
func Backup(ctx context.Context, cfg config.Config, store storage.Store, file string) (*Manifest, error) {
	if _, err := os.Stat(file); err == nil {
		return nil, fmt.Errorf("backup: %s exists: choose another name or remove it", file)
	}
	if cfg.DatabaseURL == "" {
		if _, err := os.Stat(cfg.SQLitePath()); err != nil {
			return nil, fmt.Errorf("backup: no database to back up: %w", err)
		}
	}
	d, err := db.Open(ctx, cfg.DatabaseURL, cfg.SQLitePath())
	if err != nil {
		return nil, err
	}
	defer d.Close()
	dir := filepath.Dir(file)
	stage, err := os.MkdirTemp(dir, ".passhub-backup-*")
	if err != nil {
		return nil, fmt.Errorf("backup: %w", err)
	}
	defer os.RemoveAll(stage)

	m := &Manifest{Format: Format, CreatedAt: time.Now().UTC(), Dialect: d.Kind}
	var snap *snapshot
	if d.Kind == db.SQLite {
		snap, err = snapshotSQLite(ctx, d, stage)
	} else {
		snap, err = snapshotPostgres(ctx, d, stage)
	}
	if err != nil {
		return nil, fmt.Errorf("backup: database: %w", err)
	}
	m.Tables, m.Migrations, m.RiverVersion, m.Referenced = snap.tables, snap.migrations, snap.river, len(snap.refs)

	tmp, err := os.CreateTemp(dir, "."+filepath.Base(file)+".tmp-*")
	if err != nil {
		return nil, fmt.Errorf("backup: %w", err)
	}
	defer os.Remove(tmp.Name()) // after the rename, nothing to remove
	tw := tar.NewWriter(tmp)
	for _, p := range snap.parts {
		part, err := addFile(tw, p, filepath.Join(stage, filepath.FromSlash(p)))
		if err != nil {
			return nil, fmt.Errorf("backup: %w", err)
		}
		m.Parts = append(m.Parts, part)
	}
	// The files come after the snapshot: every row of it refers to a file already stored.
	have := map[string]bool{}
	where := storeName(cfg)
	copyStore := func() error {
		objs, err := store.List(ctx, "")
		if err != nil {
			return err
		}
		sort.Slice(objs, func(i, j int) bool { return objs[i].Key < objs[j].Key })
		for _, o := range objs {
			if have[o.Key] {
				continue
			}
			part, err := addObject(ctx, tw, store, o)
			if errors.Is(err, storage.ErrNotFound) {
				continue // deleted since the listing (the sweeper): a row that needs it fails below
			}
			if err != nil {
				return err
			}
			have[o.Key] = true
			m.Parts = append(m.Parts, part)
		}
		return nil
	}
	if err := copyStore(); err != nil {
		return nil, fmt.Errorf("backup: uploads in %s: %w", where, err)
	}
	if missing := missingRefs(snap.refs, have); len(missing) > 0 {
		// A protocol is written just after its row commits: give late writes a moment.
		time.Sleep(2 * time.Second)
		if err := copyStore(); err != nil {
			return nil, fmt.Errorf("backup: uploads in %s: %w", where, err)
		}
		if missing = missingRefs(snap.refs, have); len(missing) > 0 {
			return nil, fmt.Errorf("backup: %d files that rows refer to are missing from %s, first %s", len(missing), where, missing[0])
		}
	}
	m.Files = len(have)
	raw, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return nil, err
	}
	if err := tw.WriteHeader(&tar.Header{Name: ManifestName, Mode: 0o600, Size: int64(len(raw)), ModTime: m.CreatedAt, Typeflag: tar.TypeReg}); err != nil {
		return nil, fmt.Errorf("backup: %w", err)
	}
	if _, err := tw.Write(raw); err != nil {
		return nil, fmt.Errorf("backup: %w", err)
	}
	if err := tw.Close(); err != nil {
		return nil, fmt.Errorf("backup: %w", err)
	}
	if err := tmp.Sync(); err != nil {
		return nil, fmt.Errorf("backup: sync: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return nil, fmt.Errorf("backup: %w", err)
	}
	if err := os.Rename(tmp.Name(), file); err != nil {
		return nil, fmt.Errorf("backup: %w", err)
	}
	syncDir(dir)
	return m, nil
}

// storeName says where cfg keeps uploaded files, for messages.
func storeName(cfg config.Config) string {
	switch cfg.Storage {
	case "local":
		return cfg.UploadsDir()
	case "s3":
		return fmt.Sprintf("S3 bucket %s at %s", cfg.S3Bucket, cfg.S3Endpoint)
	}
	return fmt.Sprintf("the %q store", cfg.Storage)
}

func missingRefs(refs []fileRef, have map[string]bool) []string {
	var out []string
	for _, r := range refs {
		if !have[r.key] {
			out = append(out, r.key)
		}
	}
	return out
}

// addFile copies src into the archive under name and returns its part.
func addFile(tw *tar.Writer, name, src string) (Part, error) {
	f, err := os.Open(src)
	if err != nil {
		return Part{}, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return Part{}, err
	}
	return addStream(tw, name, st.Size(), st.ModTime(), f)
}

// addObject streams the stored object o into the archive under uploads/<key>.
func addObject(ctx context.Context, tw *tar.Writer, store storage.Store, o storage.Object) (Part, error) {
	r, err := store.Open(ctx, o.Key)
	if err != nil {
		return Part{}, err
	}
	defer r.Close()
	return addStream(tw, uploadsDir+o.Key, o.Size, o.ModTime, r)
}

// addStream writes a tar entry of size bytes read from r and returns its part. The header needs
// the size before the bytes: a reader that gives fewer or more bytes fails, the archive being
// then unusable (Backup removes it).
func addStream(tw *tar.Writer, name string, size int64, mod time.Time, r io.Reader) (Part, error) {
	if err := tw.WriteHeader(&tar.Header{Name: name, Mode: 0o600, Size: size, ModTime: mod, Typeflag: tar.TypeReg}); err != nil {
		return Part{}, err
	}
	h := sha256.New()
	n, err := io.Copy(io.MultiWriter(tw, h), io.LimitReader(r, size))
	if err != nil {
		return Part{}, fmt.Errorf("%s: %w", name, err)
	}
	if n == size { // anything left means the bytes are longer than announced
		var one [1]byte
		m, err := io.ReadFull(r, one[:])
		if m > 0 {
			n++
		} else if err != nil && !errors.Is(err, io.EOF) {
			return Part{}, fmt.Errorf("%s: %w", name, err)
		}
	}
	if n != size {
		got := fmt.Sprintf("%d", n)
		if n > size {
			got = "more"
		}
		return Part{}, fmt.Errorf("%s: listed with %d bytes, reading it gave %s: it changed while being read, or the store reports a wrong size", name, size, got)
	}
	return Part{Path: name, Size: n, SHA256: hex.EncodeToString(h.Sum(nil))}, nil
}

func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync()
		_ = d.Close()
	}
}

// snapshotSQLite copies the live database with VACUUM INTO, a read transaction that writers do
// not wait for, and reads the facts of the manifest from the copy.
func snapshotSQLite(ctx context.Context, d *db.DB, stage string) (*snapshot, error) {
	if err := os.MkdirAll(filepath.Join(stage, "database"), 0o700); err != nil {
		return nil, err
	}
	dst := filepath.Join(stage, filepath.FromSlash(sqliteName))
	if _, err := d.ExecContext(ctx, "VACUUM INTO ?", dst); err != nil {
		return nil, fmt.Errorf("vacuum into: %w", err)
	}
	c, err := sql.Open(sqliteshim.ShimName, "file:"+dst+"?mode=ro")
	if err != nil {
		return nil, err
	}
	defer c.Close()
	s := &snapshot{parts: []string{sqliteName}}
	if err := describe(ctx, sqlQuerier{c}, db.SQLite, s); err != nil {
		return nil, err
	}
	return s, nil
}

// querier runs describe's queries on a database/sql handle or a pgx transaction.
type querier interface {
	query(ctx context.Context, q string, args ...any) (rows, func(), error)
}

type rows interface {
	Next() bool
	Scan(dest ...any) error
	Err() error
}

type sqlQuerier struct {
	db interface {
		QueryContext(ctx context.Context, q string, args ...any) (*sql.Rows, error)
	}
}

func (s sqlQuerier) query(ctx context.Context, q string, args ...any) (rows, func(), error) {
	r, err := s.db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, nil, err
	}
	return r, func() { _ = r.Close() }, nil
}

type pgxQuerier struct{ tx pgx.Tx }

func (p pgxQuerier) query(ctx context.Context, q string, args ...any) (rows, func(), error) {
	r, err := p.tx.Query(ctx, q, args...)
	if err != nil {
		return nil, nil, err
	}
	return r, r.Close, nil
}

// one scans the first row of a query into dest.
func one(ctx context.Context, q querier, query string, dest ...any) error {
	r, done, err := q.query(ctx, query)
	if err != nil {
		return err
	}
	defer done()
	if !r.Next() {
		if err := r.Err(); err != nil {
			return err
		}
		return sql.ErrNoRows
	}
	return r.Scan(dest...)
}

// tableNames lists the tables of the application's schema, sorted.
func tableNames(ctx context.Context, q querier, dialect string) ([]string, error) {
	query := "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name"
	if dialect == db.Postgres {
		query = "SELECT tablename::text FROM pg_tables WHERE schemaname = current_schema() ORDER BY tablename"
	}
	return strings1(ctx, q, query)
}

func strings1(ctx context.Context, q querier, query string, args ...any) ([]string, error) {
	r, done, err := q.query(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer done()
	var out []string
	for r.Next() {
		var s string
		if err := r.Scan(&s); err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, r.Err()
}

// describe fills the tables with their row counts, the migrations, River's version and the file
// references of a snapshot.
func describe(ctx context.Context, q querier, dialect string, s *snapshot) error {
	names, err := tableNames(ctx, q, dialect)
	if err != nil {
		return err
	}
	if len(names) == 0 {
		return errors.New("the database holds no table: nothing to back up")
	}
	has := map[string]bool{}
	for i, n := range names {
		has[n] = true
		if len(s.tables) <= i {
			s.tables = append(s.tables, Table{Name: n})
		}
		if err := one(ctx, q, "SELECT COUNT(*) FROM "+quote(n), &s.tables[i].Rows); err != nil {
			return fmt.Errorf("count %s: %w", n, err)
		}
	}
	if has["bun_migrations"] {
		if s.migrations, err = strings1(ctx, q, "SELECT name FROM bun_migrations ORDER BY id"); err != nil {
			return err
		}
	}
	if has["river_migration"] {
		if err := one(ctx, q, "SELECT COALESCE(MAX(version), 0) FROM river_migration", &s.river); err != nil {
			return err
		}
	}
	s.refs = nil
	for _, fc := range FileColumns {
		if !has[fc.Table] {
			continue
		}
		r, done, err := q.query(ctx, "SELECT "+quote(fc.Key)+", "+quote(fc.SHA256)+" FROM "+quote(fc.Table))
		if err != nil {
			return err
		}
		for r.Next() {
			var ref fileRef
			if err := r.Scan(&ref.key, &ref.sha); err != nil {
				done()
				return err
			}
			if ref.key == "" {
				continue // an attachment whose bytes are still in its row (moved at the next start)
			}
			s.refs = append(s.refs, ref)
		}
		done()
		if err := r.Err(); err != nil {
			return err
		}
	}
	sort.Slice(s.refs, func(i, j int) bool { return s.refs[i].key < s.refs[j].key })
	return nil
}

// quote quotes an identifier for either dialect.
func quote(name string) string { return `"` + strings.ReplaceAll(name, `"`, `""`) + `"` }

// snapshotPostgres reads every table of the schema with COPY inside one REPEATABLE READ,
// read-only transaction: one snapshot, as pg_dump takes, without needing pg_dump's version to
// match the server's, and with the schema left to the migrations on restore.
func snapshotPostgres(ctx context.Context, d *db.DB, stage string) (*snapshot, error) {
	conn, err := d.DB.DB.Conn(ctx)
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	s := &snapshot{}
	err = conn.Raw(func(dc any) error {
		pc := dc.(*stdlib.Conn).Conn()
		tx, err := pc.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly})
		if err != nil {
			return err
		}
		defer func() { _ = tx.Rollback(context.Background()) }()
		q := pgxQuerier{tx}
		names, err := tableNames(ctx, q, db.Postgres)
		if err != nil {
			return err
		}
		if err := os.MkdirAll(filepath.Join(stage, "database"), 0o700); err != nil {
			return err
		}
		for _, n := range names {
			cols, err := strings1(ctx, q, `SELECT column_name FROM information_schema.columns
				WHERE table_schema = current_schema() AND table_name = $1 AND is_generated = 'NEVER' ORDER BY ordinal_position`, n)
			if err != nil {
				return err
			}
			part := databaseDir + n + ".copy"
			f, err := os.Create(filepath.Join(stage, filepath.FromSlash(part)))
			if err != nil {
				return err
			}
			_, err = tx.Conn().PgConn().CopyTo(ctx, f, "COPY "+quote(n)+" ("+quoteList(cols)+") TO STDOUT")
			if cerr := f.Close(); err == nil {
				err = cerr
			}
			if err != nil {
				return fmt.Errorf("copy %s: %w", n, err)
			}
			s.parts = append(s.parts, part)
			s.tables = append(s.tables, Table{Name: n, Columns: cols})
		}
		return describe(ctx, q, db.Postgres, s)
	})
	if err != nil {
		return nil, err
	}
	return s, nil
}

func quoteList(cols []string) string {
	q := make([]string, len(cols))
	for i, c := range cols {
		q[i] = quote(c)
	}
	return strings.Join(q, ", ")
}
