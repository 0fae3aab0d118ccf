package app_test

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"mime/multipart"
	"net"
	"net/http"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"passhub/app/apptest"
	"passhub/app/config"
)

// slowPost sends a multipart form with one file over a raw connection, writing the body at about
// rate bytes per second, and returns the status line's code (0 when the server cut the
// connection) and how long it took.
func slowPost(t *testing.T, s *apptest.Server, path, cookie string, fields map[string]string, fileName string, file []byte, rate int) (int, time.Duration) {
	t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	fields["_csrf"] = apptest.CSRFToken
	for k, v := range fields {
		_ = mw.WriteField(k, v)
	}
	fw, _ := mw.CreateFormFile("file", fileName)
	_, _ = fw.Write(file)
	_ = mw.Close()
	conn, err := net.Dial("tcp", strings.TrimPrefix(s.URL, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	start := time.Now()
	fmt.Fprintf(conn, "POST %s HTTP/1.1\r\nHost: %s\r\nContent-Type: %s\r\nContent-Length: %d\r\nCookie: %s\r\nAccept-Language: it\r\n\r\n",
		path, strings.TrimPrefix(s.URL, "http://"), mw.FormDataContentType(), body.Len(), cookie)
	const chunk = 2048
	b := body.Bytes()
	for i := 0; i < len(b); i += chunk {
		if _, err := conn.Write(b[i:min(i+chunk, len(b))]); err != nil {
			return 0, time.Since(start)
		}
		// paced against the start, so a late wake-up under load does not slow the whole body
		time.Sleep(time.Until(start.Add(time.Second * time.Duration(min(i+chunk, len(b))) / time.Duration(rate))))
	}
	_ = conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	res, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		return 0, time.Since(start)
	}
	_, _ = io.Copy(io.Discard, res.Body)
	return res.StatusCode, time.Since(start)
}

// The tests of this file stay serial (no t.Parallel): they hold answers to short time limits,
// which the load of parallel tests would make flaky.

// TestSlowUploadsArriveAndSlowHeadersAreCut: with limits shrunk (headers within 300 ms, bodies at
// 64 KiB/s at least), a 100 KB document sent at 100 KB/s — three times the header timeout — is
// stored, a body slower than the minimum rate is cut, and so are headers trickled byte by byte.
func TestSlowUploadsArriveAndSlowHeadersAreCut(t *testing.T) {
	s := apptest.Start(t, func(c *config.Config) {
		c.HeaderTimeout = 300 * time.Millisecond
		c.UploadMinRate = 64 << 10
	})
	ctx := context.Background()
	mayor := s.Login(t, "RSSMRA80A01F205X", "Mario", "Rossi")
	users, _, _ := s.Identity.Users(ctx, "rossi", 1)
	apptest.ApprovedEnte(t, s.App, "013041", "Cantù", "CO", users[0].ID)
	res, _ := postMultipart(t, s, "/area-riservata/richieste/nuova", mayor, map[string]string{"procedure": "VA-01",
		"title": "Arretrato VIA", "description": "Quaranta istanze in attesa.", "desired_outcome": "Tempi sotto i 150 giorni."}, "", "", nil)
	if res.StatusCode != 303 {
		t.Fatalf("filing: %d", res.StatusCode)
	}
	page := res.Header.Get("Location")
	id, _ := strconv.ParseInt(strings.TrimPrefix(page, "/area-riservata/richieste/"), 10, 64)

	csv := []byte("pratica;giorni\n" + strings.Repeat("12345;200\n", 10_000)) // 100 KB
	code, took := slowPost(t, s, page+"/messaggi", mayor, map[string]string{"body": "Il registro delle pratiche."}, "registro.csv", csv, 100_000)
	if code != 303 {
		t.Fatalf("slow upload at 100 KB/s: status %d after %s, want 303", code, took)
	}
	if took < 600*time.Millisecond {
		t.Fatalf("the upload took %s: not slower than the header timeout, the test proves nothing", took)
	}
	if docs, _ := s.Workspace.Documents(ctx, id); len(docs) != 1 || docs[0].Name != "registro.csv" {
		t.Fatalf("slow upload not stored: %+v", docs)
	}

	// 30 KB at 10 KB/s takes 3 s; its budget is 0.3 s + 30 KB / 64 KiB/s ≈ 0.76 s.
	code, took = slowPost(t, s, page+"/messaggi", mayor, map[string]string{"body": "Troppo lento."}, "lento.csv", csv[:30_000], 10_000)
	if code != 0 || took > 2500*time.Millisecond {
		t.Errorf("a body slower than the minimum rate: status %d after %s, want the connection cut", code, took)
	}
	if msgs, _ := s.Workspace.Messages(ctx, id); len(msgs) != 1 {
		t.Errorf("%d messages, want only the first", len(msgs))
	}

	// Headers trickled one byte every 50 ms are cut at the header timeout.
	conn, err := net.Dial("tcp", strings.TrimPrefix(s.URL, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	start := time.Now()
	go func() {
		for _, b := range []byte("GET / HTTP/1.1\r\nHost: x\r\nUser-Agent: slowloris-slowloris\r\n\r\n") {
			if _, err := conn.Write([]byte{b}); err != nil {
				return
			}
			time.Sleep(50 * time.Millisecond)
		}
	}()
	_ = conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	got, _ := io.ReadAll(conn)
	if took := time.Since(start); strings.HasPrefix(string(got), "HTTP/1.1 200") || took > 1500*time.Millisecond {
		t.Errorf("slow headers: answered %q after %s, want the connection closed after about 300 ms", got, took)
	}
}

// TestSlowUploadFigure measures a 5 MB upload at 100 KB/s with the default limits and with the
// old ones (30 s for the whole request). It takes two minutes: run it with
// PASSHUB_SLOW_UPLOAD_FIGURE=1 go test -run TestSlowUploadFigure -v ./app/
func TestSlowUploadFigure(t *testing.T) {
	if os.Getenv("PASSHUB_SLOW_UPLOAD_FIGURE") == "" {
		t.Skip("set PASSHUB_SLOW_UPLOAD_FIGURE=1 to measure (two minutes)")
	}
	for _, c := range []struct {
		name string
		opt  apptest.Option
	}{
		{"old: 30 s for the whole request", func(c *config.Config) { c.HeaderTimeout, c.UploadMinRate = 30*time.Second, 1<<40 }},
		{"default limits", func(*config.Config) {}},
	} {
		s := apptest.Start(t, c.opt, func(c *config.Config) { c.BodyLimit = 8 << 20 })
		ctx := context.Background()
		mayor := s.Login(t, "RSSMRA80A01F205X", "Mario", "Rossi")
		users, _, _ := s.Identity.Users(ctx, "rossi", 1)
		apptest.ApprovedEnte(t, s.App, "013041", "Cantù", "CO", users[0].ID)
		res, _ := postMultipart(t, s, "/area-riservata/richieste/nuova", mayor, map[string]string{"procedure": "VA-01",
			"title": "Arretrato VIA", "description": "Quaranta istanze in attesa.", "desired_outcome": "Tempi sotto i 150 giorni."}, "", "", nil)
		csv := []byte("pratica;giorni\n" + strings.Repeat("12345;200\n", 500_000)) // 5 MB
		code, took := slowPost(t, s, res.Header.Get("Location")+"/messaggi", mayor, map[string]string{"body": "Registro."}, "registro.csv", csv, 100_000)
		t.Logf("%s: 5 MB at 100 KB/s → status %d after %s", c.name, code, took.Round(100*time.Millisecond))
	}
}
