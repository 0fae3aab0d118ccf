package web

import (
	"bufio"
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"log/slog"
	"mime/multipart"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"

	"passhub/static"
	"passhub/themes"
)

// testToken is the CSRF token the test requests carry, in the cookie and in the form.
const testToken = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFG"

// bodyServer is a web server with the routes the body tests post to, listening on a local port.
type bodyServer struct {
	*Server
	addr string
	// handled counts the requests that reached a route.
	handled atomic.Int64
}

var newServer sync.Mutex

// startBodyServer starts the server; adjust, when given, changes it before it serves.
func startBodyServer(t *testing.T, o Options, adjust ...func(*Server)) *bodyServer {
	t.Helper()
	o.Theme, o.Static, o.Log = themes.Default(), static.FS, slog.New(slog.DiscardHandler)
	newServer.Lock() // New sets Fiber's process-wide logger
	s, err := New(o)
	newServer.Unlock()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range adjust {
		f(s)
	}
	b := &bodyServer{Server: s}
	// /upload answers the uploaded file's size and SHA-256, and with ?spool=<marker> also how
	// many temporary files holding it the server has on disk while the handler runs.
	s.App.Post("/upload", func(c *fiber.Ctx) error {
		b.handled.Add(1)
		fh, err := c.FormFile("file")
		if err != nil {
			return c.Status(422).SendString("no file")
		}
		f, err := fh.Open()
		if err != nil {
			return err
		}
		defer f.Close()
		h := sha256.New()
		n, err := io.Copy(h, f)
		if err != nil {
			return err
		}
		out := fmt.Sprintf("%d %x %s", n, h.Sum(nil), c.FormValue("name"))
		if m := c.Query("spool"); m != "" {
			out += fmt.Sprintf(" spooled=%d", len(spooled(t, m)))
		}
		return c.SendString(out)
	})
	s.App.Post("/form", func(c *fiber.Ctx) error {
		b.handled.Add(1)
		if err := c.UserContext().Err(); err != nil {
			return c.Status(503).SendString(err.Error())
		}
		return c.SendString("name=" + c.FormValue("name"))
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	b.addr = ln.Addr().String()
	go func() { _ = s.App.Listener(ln) }()
	t.Cleanup(func() { _ = s.App.ShutdownWithTimeout(5 * time.Second) })
	return b
}

// spooled lists the temporary files of multipart uploads (mime/multipart names them
// multipart-*, in os.TempDir) whose content starts with marker: those of this test's upload,
// whatever other processes leave in the same folder.
func spooled(t *testing.T, marker string) []string {
	t.Helper()
	names, err := filepath.Glob(filepath.Join(os.TempDir(), "multipart-*"))
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, name := range names {
		f, err := os.Open(name)
		if err != nil {
			continue // removed meanwhile
		}
		head := make([]byte, len(marker))
		_, err = io.ReadFull(f, head)
		f.Close()
		if err == nil && string(head) == marker {
			out = append(out, name)
		}
	}
	return out
}

// uploadBody is a multipart form with the CSRF token, a name field and a file of size bytes
// that starts with marker.
func uploadBody(t *testing.T, marker string, size int, fields ...string) (body []byte, contentType string) {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	_ = mw.WriteField("_csrf", testToken)
	for i := 0; i+1 < len(fields); i += 2 {
		_ = mw.WriteField(fields[i], fields[i+1])
	}
	fw, _ := mw.CreateFormFile("file", "registro.csv")
	_, _ = io.WriteString(fw, marker)
	line := []byte("pratica;giorni;esito;note\n")
	for n := len(marker); n < size; n += len(line) {
		_, _ = fw.Write(line[:min(len(line), size-n)])
	}
	_ = mw.Close()
	return buf.Bytes(), mw.FormDataContentType()
}

func newMarker(t *testing.T) string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return "marker-" + hex.EncodeToString(b) + "\n"
}

// rawRequest sends a request over its own connection: the headers (with the CSRF cookie), then
// body, in the Content-Length given, or chunked in 16 KiB chunks when contentLength is -1, or
// only part of it when contentLength is larger. The body is written while the answer is read,
// so a server that answers early is seen answering early.
func (b *bodyServer) rawRequest(t *testing.T, path, contentType string, contentLength int, body []byte) (*http.Response, string) {
	t.Helper()
	conn, err := net.Dial("tcp", b.addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	framing := "Transfer-Encoding: chunked"
	if contentLength >= 0 {
		framing = "Content-Length: " + strconv.Itoa(contentLength)
	}
	head := fmt.Sprintf("POST %s HTTP/1.1\r\nHost: %s\r\nContent-Type: %s\r\n%s\r\nCookie: csrf=%s\r\n\r\n",
		path, b.addr, contentType, framing, testToken)
	go func() {
		if _, err := io.WriteString(conn, head); err != nil {
			return
		}
		if contentLength >= 0 {
			_, _ = conn.Write(body)
			return
		}
		for len(body) > 0 {
			n := min(len(body), 16<<10)
			if _, err := fmt.Fprintf(conn, "%x\r\n%s\r\n", n, body[:n]); err != nil {
				return
			}
			body = body[n:]
		}
		_, _ = io.WriteString(conn, "0\r\n\r\n")
	}()
	_ = conn.SetReadDeadline(time.Now().Add(20 * time.Second))
	res, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatalf("POST %s: %v", path, err)
	}
	got, _ := io.ReadAll(res.Body)
	return res, string(got)
}

// allocated is how many bytes the process allocated while f ran.
func allocated(f func()) uint64 {
	runtime.GC()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	f()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

// TestUploadIsNotBufferedInMemory posts a 15 MiB document through the HTTP server and counts
// what the whole process allocated meanwhile: the upload streams from the socket to a temporary
// file, so well under a quarter of its size. The same upload to a server that reads bodies
// whole (fasthttp's default) costs more than its size, which shows the measure sees buffering.
// Not parallel: the measure is of the whole process.
func TestUploadIsNotBufferedInMemory(t *testing.T) {
	const size = 15 << 20
	marker := newMarker(t)
	body, ct := uploadBody(t, marker, size, "name", "registro")
	sum := sha256.Sum256(body[bytes.Index(body, []byte(marker)):][:size])
	want := fmt.Sprintf("%d %x registro", size, sum)

	measure := func(s *bodyServer) uint64 {
		res, got := s.rawRequest(t, "/upload", ct, len(body), body) // warm up the connection's buffers and pools
		if res.StatusCode != 200 || got != want {
			t.Fatalf("upload: %d %.100q, want %q", res.StatusCode, got, want)
		}
		return allocated(func() {
			res, got = s.rawRequest(t, "/upload", ct, len(body), body)
		})
	}
	o := Options{BodyLimit: 16 << 20} // the default PASSHUB_BODY_LIMIT
	streamed := measure(startBodyServer(t, o))
	buffered := measure(startBodyServer(t, o, func(s *Server) {
		s.App.Server().StreamRequestBody = false
		s.App.Server().DisablePreParseMultipartForm = false
	}))
	t.Logf("a 15 MiB upload allocates %d KiB streamed, %d KiB read whole", streamed>>10, buffered>>10)
	if streamed > size/4 {
		t.Errorf("streamed upload allocated %d KiB, want under %d KiB", streamed>>10, size/4>>10)
	}
	if buffered < size {
		t.Errorf("the upload read whole allocated %d KiB: the measure cannot tell buffering", buffered>>10)
	}
}

// TestUploadTemporaryFilesAreRemoved: a large file is spooled to a temporary file while the
// handler runs, and the file is gone once the answer has arrived; so is the file of an upload
// refused midway for being too large.
func TestUploadTemporaryFilesAreRemoved(t *testing.T) {
	t.Parallel()
	s := startBodyServer(t, Options{BodyLimit: 1 << 20})
	marker := newMarker(t)
	body, ct := uploadBody(t, marker, 512<<10)
	res, got := s.rawRequest(t, "/upload?spool="+url.QueryEscape(marker), ct, len(body), body)
	if res.StatusCode != 200 || !strings.HasSuffix(got, " spooled=1") {
		t.Fatalf("upload: %d %q, want the file spooled to one temporary file", res.StatusCode, got)
	}
	if left := spooled(t, marker); len(left) > 0 {
		t.Errorf("temporary files left after the request: %v", left)
	}

	marker = newMarker(t)
	body, ct = uploadBody(t, marker, 1200<<10)
	res, _ = s.rawRequest(t, "/upload", ct, -1, body)
	if res.StatusCode != 413 {
		t.Fatalf("chunked upload past the limit: %d, want 413", res.StatusCode)
	}
	if left := spooled(t, marker); len(left) > 0 {
		t.Errorf("temporary files left after the refused request: %v", left)
	}
}

// TestBodyLimitStreamed: a Content-Length above the limit is refused with the 413 page as soon
// as the start of the body has arrived; a chunked body is cut where it passes the limit, a
// multipart upload as an ordinary form.
func TestBodyLimitStreamed(t *testing.T) {
	t.Parallel()
	const limit = 256 << 10
	s := startBodyServer(t, Options{BodyLimit: limit})
	const message = "superano la dimensione massima consentita"

	// 10 MiB announced, 8 KiB sent: the answer does not wait for the rest.
	res, got := s.rawRequest(t, "/form", fiber.MIMEApplicationForm, 10<<20, bytes.Repeat([]byte("x"), 8<<10))
	if res.StatusCode != 413 || !strings.Contains(got, message) {
		t.Errorf("Content-Length above the limit: %d, want 413 with %q", res.StatusCode, message)
	}
	if !res.Close {
		t.Error("the connection stays open with 10 MiB still to come")
	}

	form := []byte("_csrf=" + testToken + "&name=" + strings.Repeat("x", limit))
	res, got = s.rawRequest(t, "/form", fiber.MIMEApplicationForm, -1, form)
	if res.StatusCode != 413 || !strings.Contains(got, message) {
		t.Errorf("chunked form past the limit: %d, want 413 with %q", res.StatusCode, message)
	}
	body, ct := uploadBody(t, newMarker(t), limit+100<<10)
	res, got = s.rawRequest(t, "/upload", ct, -1, body)
	if res.StatusCode != 413 || !strings.Contains(got, message) {
		t.Errorf("chunked upload past the limit: %d, want 413 with %q", res.StatusCode, message)
	}
	if n := s.handled.Load(); n != 0 {
		t.Errorf("%d refused requests reached the handler", n)
	}

	// Up to the limit, whatever the framing.
	res, got = s.rawRequest(t, "/form", fiber.MIMEApplicationForm, -1, []byte("_csrf="+testToken+"&name=Cant%C3%B9"))
	if res.StatusCode != 200 || got != "name=Cantù" {
		t.Errorf("small chunked form: %d %q", res.StatusCode, got)
	}
	body, ct = uploadBody(t, newMarker(t), limit-16<<10)
	res, got = s.rawRequest(t, "/upload", ct, -1, body)
	if res.StatusCode != 200 || !strings.HasPrefix(got, strconv.Itoa(limit-16<<10)+" ") {
		t.Errorf("chunked upload within the limit: %d %q", res.StatusCode, got)
	}
}

// TestStreamedForms: CSRF tokens and the input filter work on streamed forms, URL-encoded and
// multipart, and a body that stops short of its Content-Length reaches no handler.
func TestStreamedForms(t *testing.T) {
	t.Parallel()
	s := startBodyServer(t, Options{})
	form := url.Values{"_csrf": {testToken}, "name": {"Cantù"}}.Encode()
	res, got := s.rawRequest(t, "/form", fiber.MIMEApplicationForm, len(form), []byte(form))
	if res.StatusCode != 200 || got != "name=Cantù" {
		t.Errorf("URL-encoded form: %d %q", res.StatusCode, got)
	}

	body, ct := uploadBody(t, newMarker(t), 100<<10, "name", "registro")
	res, got = s.rawRequest(t, "/upload", ct, len(body), body)
	if res.StatusCode != 200 || !strings.HasSuffix(got, " registro") {
		t.Errorf("multipart form with its CSRF token: %d %q", res.StatusCode, got)
	}
	wrong := bytes.Replace(body, []byte(testToken), []byte(strings.Repeat("x", len(testToken))), 1)
	if res, _ = s.rawRequest(t, "/upload", ct, len(wrong), wrong); res.StatusCode != 403 {
		t.Errorf("multipart form with a wrong CSRF token: %d, want 403", res.StatusCode)
	}
	nul, nulType := uploadBody(t, newMarker(t), 100<<10, "name", "regi\x00stro")
	if res, _ = s.rawRequest(t, "/upload", nulType, len(nul), nul); res.StatusCode != 400 {
		t.Errorf("multipart field with a NUL byte: %d, want 400", res.StatusCode)
	}
	handled := s.handled.Load()

	// The client half-closes after half the body it announced (more than the few KiB fasthttp
	// reads itself before the handlers run).
	long := url.Values{"_csrf": {testToken}, "name": {strings.Repeat("Cantù ", 4<<10)}}.Encode()
	for _, c := range []struct{ ct, body string }{
		{fiber.MIMEApplicationForm, long},
		{ct, string(body)},
	} {
		conn, err := net.Dial("tcp", s.addr)
		if err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(conn, "POST /form HTTP/1.1\r\nHost: %s\r\nContent-Type: %s\r\nContent-Length: %d\r\nCookie: csrf=%s\r\n\r\n%s",
			s.addr, c.ct, len(c.body), testToken, c.body[:len(c.body)/2])
		_ = conn.(*net.TCPConn).CloseWrite()
		_ = conn.SetReadDeadline(time.Now().Add(10 * time.Second))
		if res, err := http.ReadResponse(bufio.NewReader(conn), nil); err == nil && res.StatusCode != 400 {
			t.Errorf("%s body cut short: %d, want 400", c.ct, res.StatusCode)
		}
		conn.Close()
	}
	if n := s.handled.Load(); n != handled {
		t.Errorf("%d bodies cut short reached the handler", n-handled)
	}
}

// TestRequestTimeoutStartsWithTheHandlers: the request deadline bounds the work once the body
// has arrived, not the upload, which BodyDeadline bounds.
func TestRequestTimeoutStartsWithTheHandlers(t *testing.T) {
	t.Parallel()
	s := startBodyServer(t, Options{RequestTimeout: 200 * time.Millisecond})
	name := strings.Repeat("lento ", 8<<10) // past the few KiB fasthttp reads before the handlers run
	form := []byte(url.Values{"_csrf": {testToken}, "name": {name}}.Encode())
	conn, err := net.Dial("tcp", s.addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	fmt.Fprintf(conn, "POST /form HTTP/1.1\r\nHost: %s\r\nContent-Type: %s\r\nContent-Length: %d\r\nCookie: csrf=%s\r\n\r\n",
		s.addr, fiber.MIMEApplicationForm, len(form), testToken)
	const chunk = 1 << 10
	for i := 0; i < len(form); i += chunk { // about 600 ms
		_, _ = conn.Write(form[i:min(i+chunk, len(form))])
		time.Sleep(600 * time.Millisecond * chunk / time.Duration(len(form)))
	}
	_ = conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	res, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(res.Body)
	if res.StatusCode != 200 || string(got) != "name="+name {
		t.Errorf("slow body: %d %.100q, want 200", res.StatusCode, got)
	}
}
