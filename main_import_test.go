package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestContentImportListsEveryProblem: `content import` prints each problem of a bad file on its
// own line, with the file and the line.
func TestContentImportListsEveryProblem(t *testing.T) {
	env(t)
	bad := t.TempDir()
	_ = os.MkdirAll(filepath.Join(bad, "notizie"), 0o755)
	_ = os.WriteFile(filepath.Join(bad, "notizie", "rotta.md"), []byte("---\ntitle: \"\"\ndate: domani\n---\n"), 0o644)
	var out, errOut bytes.Buffer
	if code := run(context.Background(), []string{"content", "import", bad}, &out, &errOut); code != 1 {
		t.Fatalf("bad import: exit %d %q", code, out.String())
	}
	for _, want := range []string{"error: notizie/rotta.md:3: date:", "error: notizie/rotta.md: missing required key \"summary\"",
		"error: notizie/rotta.md:2: title must not be empty"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
	if n := strings.Count(out.String(), "error: "); n != 3 {
		t.Errorf("%d problems printed, want 3:\n%s", n, out.String())
	}
}
