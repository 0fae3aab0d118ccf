package backup_test

import (
	"archive/tar"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"passhub/app"
	"passhub/app/apptest"
	"passhub/app/backup"
	"passhub/app/db"
	"passhub/app/storage"
	"passhub/app/storage/storagetest"
)

// TestBackupAndRestoreWithS3Storage: an app keeping its files in a bucket of a real S3 server
// (versitygw) gets a protocol, documents of several sizes and the content's attachments; the
// backup holds every object of the bucket byte for byte; a restore into a new empty database and
// a new empty bucket brings back every row of every table and every object with the same
// SHA-256, and the restored app serves the documents from the new bucket; a restore into a bucket
// that holds files is refused without force, before the database is touched.
func TestBackupAndRestoreWithS3Storage(t *testing.T) {
	srv := storagetest.StartS3(t)
	source := srv.Bucket(t)
	s := apptest.Start(t, srv.Configure(source))
	ctx := context.Background()
	mayor := s.Login(t, "RSSMRA80A01F205X", "Mario", "Rossi")
	users, _, _ := s.Identity.Users(ctx, "rossi", 1)
	apptest.ApprovedEnte(t, s.App, "013041", "Cantù", "CO", users[0].ID) // its protocol is stored
	code, page, err := post(s, "/area-riservata/richieste/nuova", mayor, map[string]string{"procedure": "VA-01", "title": "Arretrato VIA",
		"description": "Quaranta istanze in attesa.", "desired_outcome": "Tempi sotto i 150 giorni."}, "", nil)
	if err != nil || code != 303 {
		t.Fatalf("filing: %d %v", code, err)
	}
	reqID, _ := strconv.ParseInt(strings.TrimPrefix(page, "/area-riservata/richieste/"), 10, 64)
	for i, size := range []int{12, 100 << 10, 3 << 20} {
		var b strings.Builder
		b.WriteString("riga;valore\n")
		for n := 0; b.Len() < size; n++ {
			fmt.Fprintf(&b, "%d;%d\n", n, n*i+7)
		}
		code, _, err := post(s, page+"/messaggi", mayor, map[string]string{"body": fmt.Sprintf("documento %d", i)}, fmt.Sprintf("dati-%d.csv", i), []byte(b.String()))
		if err != nil || code != 303 {
			t.Fatalf("document %d: %d %v", i, code, err)
		}
	}
	apptest.Idle(t, s.App)

	// What the bucket holds: the files went to S3, not to the data folder.
	want := objects(t, s.Files)
	prefixes := map[string]int{}
	for k := range want {
		prefixes[strings.SplitN(k, "/", 2)[0]]++
	}
	if len(want) < 5 {
		t.Fatalf("the bucket holds %d objects (%v), want the protocol, 3 documents and the content's attachments", len(want), prefixes)
	}
	if entries, _ := os.ReadDir(s.Config.UploadsDir()); len(entries) > 0 {
		t.Fatalf("the app on S3 wrote %d entries in %s", len(entries), s.Config.UploadsDir())
	}

	file := filepath.Join(t.TempDir(), "passhub.tar")
	start := time.Now()
	m, err := backup.Backup(ctx, s.Config, s.Files, file)
	if err != nil {
		t.Fatalf("backup: %v", err)
	}
	took := time.Since(start)
	rowsBefore := dump(t, s.DB)
	if m.Files != len(want) || m.Referenced == 0 {
		t.Errorf("manifest: %d files (%d referenced), the bucket holds %d", m.Files, m.Referenced, len(want))
	}
	if inArchive := archivedUploads(t, file); !equalSums(inArchive, want) {
		t.Errorf("the archive's uploads differ from the bucket's objects:\n archive %v\n bucket  %v", inArchive, want)
	}
	st, _ := os.Stat(file)
	t.Logf("backup from S3: %d objects %v, %.1f MB in %s", len(want), prefixes, float64(st.Size())/1e6, took.Round(time.Millisecond))

	// Into a new empty database and a new empty bucket.
	cfg := apptest.Config(t, srv.Configure(srv.Bucket(t)))
	target := openStore(t, cfg)
	start = time.Now()
	rep, err := backup.Restore(ctx, cfg, target, file, false)
	if err != nil {
		t.Fatalf("restore: %v", err)
	}
	t.Logf("restore to S3: %d rows, %d files in %s", rep.Rows, rep.Files, time.Since(start).Round(time.Millisecond))
	if rep.Files != len(want) {
		t.Errorf("restore reports %d files, the backup holds %d", rep.Files, len(want))
	}
	if got := objects(t, target); !equalSums(got, want) {
		t.Errorf("the new bucket's objects differ from the old one's:\n new %v\n old %v", got, want)
	}
	if entries, _ := os.ReadDir(cfg.UploadsDir()); len(entries) > 0 {
		t.Errorf("the restore to S3 wrote %d entries in %s", len(entries), cfg.UploadsDir())
	}
	a, err := app.New(ctx, cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	if diff := compareDumps(rowsBefore, dump(t, a.DB)); diff != "" {
		t.Error(diff)
	}
	docs, err := a.Workspace.Documents(ctx, reqID)
	if err != nil {
		t.Fatal(err)
	}
	if len(docs) != 3 {
		t.Errorf("%d documents restored, want 3", len(docs))
	}
	for _, d := range docs {
		for _, v := range d.Versions {
			if sum := sha(t, a.Files, v.StorageKey); sum != v.SHA256 {
				t.Errorf("document %s from the new bucket: SHA-256 %s, its row records %s", d.Name, sum, v.SHA256)
			}
		}
	}

	// A bucket that holds files is refused without force, whatever the database.
	full := apptest.Config(t, srv.Configure(cfg.S3Bucket))
	_, err = backup.Restore(ctx, full, openStore(t, full), file, false)
	if !errors.Is(err, backup.ErrNotEmpty) || !strings.Contains(err.Error(), cfg.S3Bucket) || !strings.Contains(err.Error(), "--force") {
		t.Errorf("restore into a bucket holding files: %v, want ErrNotEmpty naming the bucket", err)
	}
	d, err := db.Open(ctx, full.DatabaseURL, full.SQLitePath())
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	if tables := dump(t, d); len(tables) > 0 {
		t.Errorf("a refused restore filled the database: %d tables", len(tables))
	}
}

// TestBackupFailsWhenAnObjectIsNotTheSizeListed: a store whose listing gives a size the read
// does not match (an object replaced while the backup runs, a store that lies) fails the backup
// with the object's name, and leaves no archive.
func TestBackupFailsWhenAnObjectIsNotTheSizeListed(t *testing.T) {
	a := apptest.New(t, apptest.NoContent)
	ctx := context.Background()
	if err := a.Files.Put(ctx, "prova/file.bin", strings.NewReader("dodici byte!")); err != nil {
		t.Fatal(err)
	}
	for _, delta := range []int64{-1, 1} {
		file := filepath.Join(t.TempDir(), "b.tar")
		_, err := backup.Backup(ctx, a.Config, misreported{a.Files, delta}, file)
		if err == nil || !strings.Contains(err.Error(), "uploads/prova/file.bin") || !strings.Contains(err.Error(), fmt.Sprintf("listed with %d bytes", 12+delta)) {
			t.Errorf("size off by %d: %v", delta, err)
		}
		if entries, _ := os.ReadDir(filepath.Dir(file)); len(entries) > 0 {
			t.Errorf("size off by %d: a failed backup left %d files", delta, len(entries))
		}
	}
}

// misreported lists every object delta bytes larger than it is.
type misreported struct {
	storage.Store
	delta int64
}

func (m misreported) List(ctx context.Context, prefix string) ([]storage.Object, error) {
	objs, err := m.Store.List(ctx, prefix)
	for i := range objs {
		objs[i].Size += m.delta
	}
	return objs, err
}

func sha(t testing.TB, st storage.Store, key string) string {
	t.Helper()
	r, err := st.Open(context.Background(), key)
	if err != nil {
		t.Fatalf("open %s: %v", key, err)
	}
	defer r.Close()
	h := sha256.New()
	if _, err := io.Copy(h, r); err != nil {
		t.Fatalf("read %s: %v", key, err)
	}
	return hex.EncodeToString(h.Sum(nil))
}

// objects reads every object of the store: key → SHA-256.
func objects(t testing.TB, st storage.Store) map[string]string {
	t.Helper()
	objs, err := st.List(context.Background(), "")
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, o := range objs {
		out[o.Key] = sha(t, st, o.Key)
	}
	return out
}

// archivedUploads reads the uploads of an archive: key → SHA-256.
func archivedUploads(t testing.TB, file string) map[string]string {
	t.Helper()
	f, err := os.Open(file)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	out := map[string]string{}
	tr := tar.NewReader(f)
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return out
		}
		if err != nil {
			t.Fatal(err)
		}
		if key, ok := strings.CutPrefix(h.Name, "uploads/"); ok {
			sum := sha256.New()
			_, _ = io.Copy(sum, tr)
			out[key] = hex.EncodeToString(sum.Sum(nil))
		}
	}
}

func equalSums(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

// dump reads every row of every table of the application's schema, each row rendered as text,
// sorted. The job queue's tables are left out: a restore requeues running jobs and forgets the
// leader, on purpose.
func dump(t testing.TB, d *db.DB) map[string][]string {
	t.Helper()
	ctx := context.Background()
	q := "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
	if d.Kind == db.Postgres {
		q = "SELECT tablename::text FROM pg_tables WHERE schemaname = current_schema()"
	}
	var names []string
	if err := d.NewRaw(q).Scan(ctx, &names); err != nil {
		t.Fatal(err)
	}
	out := map[string][]string{}
	for _, n := range names {
		if strings.HasPrefix(n, "river_") {
			continue
		}
		rows, err := d.QueryContext(ctx, `SELECT * FROM "`+n+`"`)
		if err != nil {
			t.Fatal(err)
		}
		cols, _ := rows.Columns()
		var all []string
		for rows.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			for i, v := range vals {
				if b, ok := v.([]byte); ok {
					vals[i] = hex.EncodeToString(b)
				}
			}
			all = append(all, fmt.Sprintf("%v", vals))
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		rows.Close()
		sort.Strings(all)
		out[n] = all
	}
	return out
}

// compareDumps describes the first differences between two dumps, "" when they are equal.
func compareDumps(want, got map[string][]string) string {
	var diffs []string
	for n, rows := range want {
		g, ok := got[n]
		switch {
		case !ok:
			diffs = append(diffs, fmt.Sprintf("table %s missing after restore", n))
		case len(g) != len(rows):
			diffs = append(diffs, fmt.Sprintf("table %s: %d rows after restore, %d before", n, len(g), len(rows)))
		default:
			for i := range rows {
				if rows[i] != g[i] {
					diffs = append(diffs, fmt.Sprintf("table %s: row %s became %s", n, rows[i], g[i]))
					break
				}
			}
		}
	}
	for n := range got {
		if _, ok := want[n]; !ok {
			diffs = append(diffs, fmt.Sprintf("table %s appeared after restore", n))
		}
	}
	sort.Strings(diffs)
	return strings.Join(diffs, "\n")
}
