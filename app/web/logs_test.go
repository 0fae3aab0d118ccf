package web

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"strings"
	"testing"

	fiberlog "github.com/gofiber/fiber/v2/log"
)

// TestFiberLogsInTheConfiguredFormat checks that Fiber's own log lines go through the server's
// slog logger: with a JSON handler every line is a JSON object with its level.
func TestFiberLogsInTheConfiguredFormat(t *testing.T) {
	var buf bytes.Buffer
	fiberlog.SetLogger(fiberLogger{slog.New(slog.NewJSONHandler(&buf, nil))})
	t.Cleanup(func() { fiberlog.SetLogger(fiberlog.DefaultLogger()) })
	fiberlog.Warnf("IP range %q could not be parsed", "10.0.0.0/33")
	fiberlog.Errorw("shutdown hook", "err", "boom")
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	if len(lines) != 2 {
		t.Fatalf("%d lines: %s", len(lines), buf.String())
	}
	for i, want := range []string{"WARN", "ERROR"} {
		var rec map[string]any
		if err := json.Unmarshal([]byte(lines[i]), &rec); err != nil || rec["level"] != want {
			t.Errorf("line %d %q: %v", i, lines[i], err)
		}
	}
}
