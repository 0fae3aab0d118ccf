package main

import (
	"bytes"
	"context"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"passhub/app/apptest"
)

func env(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	t.Setenv("PASSHUB_DATA_DIR", dir)
	t.Setenv("PASSHUB_DATABASE_URL", apptest.DatabaseURL(t))
	t.Setenv("PASSHUB_CONTENT_DIR", apptest.ContentDir())
	t.Setenv("PASSHUB_LOG_LEVEL", "warn")
	return dir
}

func TestHelpAndBadConfiguration(t *testing.T) {
	var out, errOut bytes.Buffer
	if code := run(context.Background(), []string{"help"}, &out, &errOut); code != 0 || !strings.Contains(out.String(), "content export DIR") {
		t.Errorf("help: %d %s", code, out.String())
	}
	t.Setenv("PASSHUB_ENV", "prod")
	out.Reset()
	if code := run(context.Background(), []string{"serve"}, &out, &errOut); code != 2 || !strings.Contains(errOut.String(), "PASSHUB_ENV") {
		t.Errorf("bad env: %d %s", code, errOut.String())
	}
}

func TestProductionRefusesDevComponents(t *testing.T) {
	env(t)
	t.Setenv("PASSHUB_ENV", "production")
	t.Setenv("PASSHUB_BASE_URL", "https://pass.example.it")
	for _, v := range []string{"PASSHUB_DEV_IDP", "PASSHUB_DEMO"} {
		t.Run(v, func(t *testing.T) {
			t.Setenv(v, "on")
			var out, errOut bytes.Buffer
			if code := run(context.Background(), []string{"serve"}, &out, &errOut); code != 2 || !strings.Contains(errOut.String(), "production mode") {
				t.Errorf("%s=on in production: exit %d, %q", v, code, errOut.String())
			}
		})
	}
}

func TestDemoCommandRefusedInProduction(t *testing.T) {
	env(t)
	t.Setenv("PASSHUB_ENV", "production")
	t.Setenv("PASSHUB_WEBHOOK_KEY", apptest.WebhookKey)
	t.Setenv("PASSHUB_BASE_URL", "https://pass.example.it")
	var out, errOut bytes.Buffer
	if code := run(context.Background(), []string{"demo"}, &out, &errOut); code != 1 || !strings.Contains(errOut.String(), "dev mode only") {
		t.Errorf("demo in production: exit %d, %q", code, errOut.String())
	}
}

func TestConfigCommandMasksSecrets(t *testing.T) {
	env(t)
	t.Setenv("PASSHUB_DATABASE_URL", "postgres://pass:segreto@127.0.0.1:5432/pass")
	var out, errOut bytes.Buffer
	if code := run(context.Background(), []string{"config"}, &out, &errOut); code != 0 {
		t.Fatalf("config: %d %s", code, errOut.String())
	}
	if strings.Contains(out.String(), "segreto") || !strings.Contains(out.String(), "database_url:") {
		t.Errorf("config output:\n%s", out.String())
	}
}

func TestContentImportExportCommands(t *testing.T) {
	env(t)
	var out, errOut bytes.Buffer
	if code := run(context.Background(), []string{"content", "import"}, &out, &errOut); code != 0 {
		t.Fatalf("import: %d %s %s", code, out.String(), errOut.String())
	}
	if !strings.Contains(out.String(), "errors 0") || strings.Contains(out.String(), "created 0,") {
		t.Errorf("import said %q", out.String())
	}
	exported := t.TempDir()
	out.Reset()
	if code := run(context.Background(), []string{"content", "export", exported}, &out, &errOut); code != 0 {
		t.Fatalf("export: %d %s", code, errOut.String())
	}
	if _, err := os.Stat(filepath.Join(exported, "procedure", "via-valutazione-impatto-ambientale.md")); err != nil {
		t.Error(err)
	}
	// A bad file is reported with its path and line, and the command fails.
	bad := t.TempDir()
	_ = os.MkdirAll(filepath.Join(bad, "notizie"), 0o755)
	_ = os.WriteFile(filepath.Join(bad, "notizie", "rotta.md"), []byte("---\ntitle: x\nsummary: y\ndate: domani\n---\n"), 0o644)
	out.Reset()
	if code := run(context.Background(), []string{"content", "import", bad}, &out, &errOut); code != 1 ||
		!strings.Contains(out.String(), "notizie/rotta.md:4:") {
		t.Errorf("bad import: %d %q", code, out.String())
	}
}

func TestServeShutsDownGracefully(t *testing.T) {
	env(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	t.Setenv("PASSHUB_ADDR", addr)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan int, 1)
	var out, errOut bytes.Buffer
	go func() { done <- run(ctx, []string{"serve"}, &out, &errOut) }()
	deadline := time.Now().Add(20 * time.Second)
	for {
		res, err := http.Get("http://" + addr + "/readyz")
		if err == nil {
			res.Body.Close()
			if res.StatusCode == 200 {
				break
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("server not ready: %v %s", err, errOut.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
	res, err := http.Get("http://" + addr + "/procedure")
	if err != nil || res.StatusCode != 200 {
		t.Fatalf("catalogue: %v", err)
	}
	res.Body.Close()
	cancel()
	select {
	case code := <-done:
		if code != 0 {
			t.Errorf("serve exited %d: %s", code, errOut.String())
		}
	case <-time.After(15 * time.Second):
		t.Fatal("serve did not stop")
	}
}

func TestStaffCommands(t *testing.T) {
	env(t)
	t.Setenv("PASSHUB_STAFF_PASSWORD", "Breakglass-Access-77")
	var out, errOut bytes.Buffer
	if code := run(context.Background(), []string{"user", "create-staff", "anna.admin", "anna@pass.example.it", "Anna", "Admin"}, &out, &errOut); code != 0 {
		t.Fatalf("create-staff: %d %s", code, errOut.String())
	}
	if code := run(context.Background(), []string{"user", "grant", "anna.admin", "admin"}, &out, &errOut); code != 0 || !strings.Contains(out.String(), "Anna Admin is now admin") {
		t.Fatalf("grant: %d %s %s", code, out.String(), errOut.String())
	}
	if code := run(context.Background(), []string{"user", "grant", "anna.admin", "pm"}, &out, &errOut); code != 1 {
		t.Errorf("pm without a task force: exit %d", code)
	}
	t.Setenv("PASSHUB_STAFF_PASSWORD", "short")
	if code := run(context.Background(), []string{"user", "create-staff", "bob", "b@pass.example.it", "Bob", "B"}, &out, &errOut); code != 1 {
		t.Errorf("weak password: exit %d", code)
	}
}
