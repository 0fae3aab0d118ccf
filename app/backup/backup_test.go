package backup_test

import (
	"archive/tar"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime/multipart"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"passhub/app"
	"passhub/app/apptest"
	"passhub/app/backup"
	"passhub/app/config"
	"passhub/app/db"
	"passhub/app/storage"
)

func post(s *apptest.Server, path, cookie string, fields map[string]string, fileName string, file []byte) (int, string, error) {
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	fields["_csrf"] = apptest.CSRFToken
	for k, v := range fields {
		_ = mw.WriteField(k, v)
	}
	if fileName != "" {
		fw, _ := mw.CreateFormFile("file", fileName)
		_, _ = fw.Write(file)
	}
	_ = mw.Close()
	req, _ := http.NewRequest(http.MethodPost, s.URL+path, &buf)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Cookie", cookie)
	res, err := s.Client.Do(req)
	if err != nil {
		return 0, "", err
	}
	_, _ = io.Copy(io.Discard, res.Body)
	res.Body.Close()
	return res.StatusCode, res.Header.Get("Location"), nil
}

// openStore opens the store of uploaded files cfg names, as the application would.
func openStore(t testing.TB, cfg config.Config) storage.Store {
	t.Helper()
	st, err := app.OpenStore(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return st
}

// jobRow is a job's state in the queue's table.
type jobRow struct {
	State   string
	Attempt int
}

func jobStates(t *testing.T, d *db.DB) map[int64]jobRow {
	t.Helper()
	rows, err := d.QueryContext(context.Background(), "SELECT id, state, attempt FROM river_job")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[int64]jobRow{}
	for rows.Next() {
		var id int64
		var j jobRow
		if err := rows.Scan(&id, &j.State, &j.Attempt); err != nil {
			t.Fatal(err)
		}
		out[id] = j
	}
	return out
}

// TestBackupUnderLoadRestoresEveryCommittedRowAndFile: four writers post messages, one in three
// with a document, while the backup runs. The restored copy holds, for every writer, an unbroken
// prefix of its writes that includes every write acknowledged before the backup began; every
// document version has its file with its hash; finished jobs stay finished while the others run;
// and the restored app serves the thread.
func TestBackupUnderLoadRestoresEveryCommittedRowAndFile(t *testing.T) {
	s := apptest.Start(t)
	ctx := context.Background()
	mayor := s.Login(t, "RSSMRA80A01F205X", "Mario", "Rossi")
	users, _, _ := s.Identity.Users(ctx, "rossi", 1)
	apptest.ApprovedEnte(t, s.App, "013041", "Cantù", "CO", users[0].ID)
	code, page, err := post(s, "/area-riservata/richieste/nuova", mayor, map[string]string{"procedure": "VA-01", "title": "Arretrato VIA",
		"description": "Quaranta istanze in attesa.", "desired_outcome": "Tempi sotto i 150 giorni."}, "", nil)
	if err != nil || code != 303 {
		t.Fatalf("filing: %d %v", code, err)
	}
	reqID, _ := strconv.ParseInt(strings.TrimPrefix(page, "/area-riservata/richieste/"), 10, 64)

	const writers = 4
	var acked [writers]atomic.Int64
	stop := make(chan struct{})
	var wg sync.WaitGroup
	errs := make(chan error, writers)
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				name, file := "", []byte(nil)
				if i%3 == 0 {
					name, file = fmt.Sprintf("w%d-%d.csv", w, i), []byte(fmt.Sprintf("scrittore;messaggio\n%d;%d\n", w, i))
				}
				code, _, err := post(s, page+"/messaggi", mayor, map[string]string{"body": fmt.Sprintf("w%d-%d", w, i)}, name, file)
				if err != nil || code != 303 {
					errs <- fmt.Errorf("writer %d message %d: %d %v", w, i, code, err)
					return
				}
				acked[w].Store(int64(i + 1))
			}
		}()
	}
	waitFor := func(n int64) {
		deadline := time.Now().Add(20 * time.Second)
		for w := range writers {
			for acked[w].Load() < n && time.Now().Before(deadline) {
				time.Sleep(5 * time.Millisecond)
			}
		}
	}
	waitFor(6)
	file := filepath.Join(t.TempDir(), "passhub.tar")
	var before [writers]int64
	var during int64
	var took time.Duration
	for attempt := 0; attempt < 5 && during == 0; attempt++ {
		_ = os.Remove(file)
		var sumBefore, sumAfter int64
		for w := range writers {
			before[w] = acked[w].Load()
			sumBefore += before[w]
		}
		start := time.Now()
		if _, err := backup.Backup(ctx, s.Config, s.Files, file); err != nil {
			t.Fatalf("backup: %v", err)
		}
		took = time.Since(start)
		for w := range writers {
			sumAfter += acked[w].Load()
		}
		during = sumAfter - sumBefore
	}
	waitFor(before[0] + 10) // writes go on after the snapshot: they must not appear
	close(stop)
	wg.Wait()
	select {
	case err := <-errs:
		t.Fatal(err)
	default:
	}
	if during == 0 {
		t.Fatal("no write was acknowledged while the backup ran: the test proves nothing")
	}
	st, _ := os.Stat(file)
	t.Logf("backup under load: %s, %.1f kB, %d writes acknowledged meanwhile", took.Round(time.Millisecond), float64(st.Size())/1e3, during)

	// Restore into a fresh database and data folder.
	cfg := apptest.Config(t)
	rep, err := backup.Restore(ctx, cfg, openStore(t, cfg), file, false)
	if err != nil {
		t.Fatalf("restore: %v", err)
	}
	if _, err := backup.Restore(ctx, cfg, openStore(t, cfg), file, false); !errors.Is(err, backup.ErrNotEmpty) {
		t.Errorf("a second restore over the first: %v, want ErrNotEmpty", err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	cfg.BaseURL = "http://" + ln.Addr().String() // the restored copy answers at its own address
	a, err := app.New(ctx, cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	if err := a.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	msgs, err := a.Workspace.Messages(ctx, reqID)
	if err != nil {
		t.Fatal(err)
	}
	got := map[int][]int{}
	for _, m := range msgs {
		var w, i int
		if _, err := fmt.Sscanf(m.Body, "w%d-%d", &w, &i); err == nil {
			got[w] = append(got[w], i)
		}
	}
	for w := range writers {
		is := got[w]
		sort.Ints(is)
		for k, i := range is {
			if i != k {
				t.Fatalf("writer %d: restored writes %v are not a prefix: a snapshot is not consistent", w, is)
			}
		}
		if int64(len(is)) < before[w] {
			t.Errorf("writer %d: %d writes restored, %d were acknowledged before the backup began", w, len(is), before[w])
		}
		if int64(len(is)) > acked[w].Load() {
			t.Errorf("writer %d: %d writes restored, more than the %d ever acknowledged", w, len(is), acked[w].Load())
		}
	}
	docs, err := a.Workspace.Documents(ctx, reqID)
	if err != nil {
		t.Fatal(err)
	}
	if len(docs) == 0 {
		t.Fatal("no document restored")
	}
	for _, d := range docs {
		for _, v := range d.Versions {
			r, err := a.Files.Open(ctx, v.StorageKey)
			if err != nil {
				t.Fatalf("document %s: %v", d.Name, err)
			}
			h := sha256.New()
			_, _ = io.Copy(h, r)
			r.Close()
			if hex.EncodeToString(h.Sum(nil)) != v.SHA256 {
				t.Errorf("document %s: restored file has another hash", d.Name)
			}
		}
	}
	t.Logf("restored %d rows, %d files, %d jobs requeued", rep.Rows, rep.Files, rep.Requeued)

	// Finished jobs stay finished; the others run.
	jobsBefore := jobStates(t, a.DB)
	if err := a.StartJobs(ctx); err != nil {
		t.Fatal(err)
	}
	apptest.Idle(t, a)
	after := jobStates(t, a.DB)
	for id, j := range jobsBefore {
		n := after[id]
		switch j.State {
		case "completed", "cancelled", "discarded":
			if n != j {
				t.Errorf("job %d was %s in the backup and ran again: %+v", id, j.State, n)
			}
		case "available":
			if n.State != "completed" {
				t.Errorf("job %d waiting in the backup did not run: %+v", id, n)
			}
		case "running":
			t.Errorf("job %d still marked running after restore", id)
		}
	}

	// The restored app serves the thread.
	w, err := a.Handler()
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = w.App.Listener(ln) }()
	defer w.App.Shutdown()
	srv := &apptest.Server{App: a, URL: "http://" + ln.Addr().String(), Client: s.Client}
	res, body := srv.Get(t, page, "Cookie", srv.Login(t, "RSSMRA80A01F205X", "Mario", "Rossi"))
	if res.StatusCode != 200 || !strings.Contains(body, "w0-0") {
		t.Errorf("restored app: %d, thread shown: %v", res.StatusCode, strings.Contains(body, "w0-0"))
	}
}

// TestDamagedArchivesAreRefused: a flipped byte, a missing manifest (a copy cut short) and an
// existing file name are refused; nothing is restored from a damaged archive.
func TestDamagedArchivesAreRefused(t *testing.T) {
	a := apptest.New(t, apptest.NoContent)
	ctx := context.Background()
	dir := t.TempDir()
	file := filepath.Join(dir, "b.tar")
	if _, err := backup.Backup(ctx, a.Config, a.Files, file); err != nil {
		t.Fatal(err)
	}
	if _, err := backup.Backup(ctx, a.Config, a.Files, file); err == nil {
		t.Error("a backup over an existing file was not refused")
	}
	if _, err := backup.Verify(file); err != nil {
		t.Fatalf("verify: %v", err)
	}
	raw, _ := os.ReadFile(file)
	// Flip a byte in the middle of the first part larger than 200 bytes.
	flipped := bytes.Clone(raw)
	for off := 0; off+512 <= len(raw); {
		size, _ := strconv.ParseInt(strings.Trim(string(raw[off+124:off+136]), "\x00 "), 8, 64)
		if size > 200 {
			flipped[off+512+int(size)/2] ^= 0xff
			break
		}
		off += 512 + int((size+511)/512*512)
	}
	bad := filepath.Join(dir, "flipped.tar")
	_ = os.WriteFile(bad, flipped, 0o600)
	if _, err := backup.Verify(bad); err == nil || !strings.Contains(err.Error(), "checksum") {
		t.Errorf("flipped byte: %v", err)
	}
	// An archive without its manifest, as a copy interrupted before the end would be.
	var cut bytes.Buffer
	tr, tw := tar.NewReader(bytes.NewReader(raw)), tar.NewWriter(&cut)
	for {
		h, err := tr.Next()
		if err != nil {
			break
		}
		if h.Name == backup.ManifestName {
			continue
		}
		_ = tw.WriteHeader(h)
		_, _ = io.Copy(tw, tr)
	}
	_ = tw.Close()
	short := filepath.Join(dir, "short.tar")
	_ = os.WriteFile(short, cut.Bytes(), 0o600)
	cfg := apptest.Config(t, func(c *config.Config) {})
	if _, err := backup.Restore(ctx, cfg, openStore(t, cfg), short, false); err == nil || !strings.Contains(err.Error(), "manifest") {
		t.Errorf("archive without manifest: %v", err)
	}
	if _, err := backup.Restore(ctx, cfg, openStore(t, cfg), bad, false); err == nil {
		t.Error("damaged archive restored")
	}
	if entries, _ := os.ReadDir(cfg.UploadsDir()); len(entries) > 0 {
		t.Errorf("a refused restore left %d files", len(entries))
	}
	if _, err := backup.Restore(ctx, cfg, openStore(t, cfg), file, false); err != nil {
		t.Errorf("the intact archive: %v", err)
	}
}
