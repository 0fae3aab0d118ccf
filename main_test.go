package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log"
	"log/slog"
	"net"
	"net/http"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"passhub/app/apptest"
	"passhub/app/config"
)

// TestOneLogFormat checks that lines written through slog's default logger (plugins) and the
// standard log package (libraries) take the configured format once logging is set up.
func TestOneLogFormat(t *testing.T) {
	t.Cleanup(restoreLogging(slog.Default()))
	var buf bytes.Buffer
	cfg := config.Defaults()
	cfg.LogFormat = "json"
	setupLogging(cfg, &buf)
	slog.Warn("saml response refused", "reason", "test")
	log.Printf("a library speaks")
	for _, line := range strings.Split(strings.TrimSpace(buf.String()), "\n") {
		var rec map[string]any
		if err := json.Unmarshal([]byte(line), &rec); err != nil {
			t.Errorf("not JSON: %q", line)
		}
	}
	if !strings.Contains(buf.String(), "a library speaks") {
		t.Errorf("standard log lost: %s", buf.String())
	}
}

// restoreLogging puts back the default logger and the standard log package's output.
func restoreLogging(prev *slog.Logger) func() {
	return func() {
		slog.SetDefault(prev)
		log.SetOutput(os.Stderr)
		log.SetFlags(log.LstdFlags)
	}
}

// syncBuffer is a buffer written by the server's goroutines and read by the test.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}
func (b *syncBuffer) String() string { b.mu.Lock(); defer b.mu.Unlock(); return b.buf.String() }

// TestServeWithTheAddressAlone runs `passhub serve` with PASSHUB_ADDR and no base URL: it says
// where the site is in one plain line, its SAML metadata names that address, and every log line
// is in the configured format.
func TestServeWithTheAddressAlone(t *testing.T) {
	t.Cleanup(restoreLogging(slog.Default()))
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	t.Setenv("PASSHUB_ADDR", addr)
	t.Setenv("PASSHUB_DATA_DIR", t.TempDir())
	t.Setenv("PASSHUB_DATABASE_URL", apptest.DatabaseURL(t))
	t.Setenv("PASSHUB_IMPORT_ON_START", "false")
	t.Setenv("PASSHUB_DEMO", "off")
	t.Setenv("PASSHUB_LOG_FORMAT", "json")
	ctx, cancel := context.WithCancel(context.Background())
	var stdout, stderr syncBuffer
	done := make(chan int)
	go func() { done <- run(ctx, []string{"serve"}, &stdout, &stderr) }()
	want := "PAsS è in ascolto su http://" + addr + "\n"
	deadline := time.Now().Add(60 * time.Second)
	for stdout.String() != want {
		if time.Now().After(deadline) {
			cancel()
			t.Fatalf("stdout %q, stderr %s", stdout.String(), stderr.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
	res, err := http.Get("http://" + addr + "/auth/saml/metadata")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if !strings.Contains(string(body), `Location="http://`+addr+`/auth/saml/acs"`) {
		t.Errorf("the service provider's metadata do not name the address: %.400s", body)
	}
	cancel()
	if code := <-done; code != 0 {
		t.Errorf("serve exited %d: %s", code, stderr.String())
	}
	for _, line := range strings.Split(strings.TrimSpace(stderr.String()), "\n") {
		var rec map[string]any
		if err := json.Unmarshal([]byte(line), &rec); err != nil {
			t.Errorf("log line not JSON: %q", line)
		}
	}
}
