package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestStatsReportCommand writes a semester's draft report on demand, prints its newsroom address,
// and does nothing the second time; a semester badly written or not over is refused.
func TestStatsReportCommand(t *testing.T) {
	env(t)
	t.Setenv("PASSHUB_BASE_URL", "http://pass.example.it")
	desk := "http://pass.example.it/redazione/contenuti/report/monitoraggio-2026-primo-semestre"
	var out, errOut bytes.Buffer
	if code := run(context.Background(), []string{"stats", "report", "2026-S1"}, &out, &errOut); code != 0 ||
		!strings.Contains(out.String(), "draft report written") || !strings.Contains(out.String(), desk) {
		t.Fatalf("first: exit %d, %q %q", code, out.String(), errOut.String())
	}
	out.Reset()
	if code := run(context.Background(), []string{"stats", "report", "2026-s1"}, &out, &errOut); code != 0 ||
		!strings.Contains(out.String(), "the report exists (draft), nothing changed: "+desk) {
		t.Errorf("second: exit %d, %q %q", code, out.String(), errOut.String())
	}
	for _, bad := range []string{"2026-S3", "primo", "2999-S1"} {
		errOut.Reset()
		if code := run(context.Background(), []string{"stats", "report", bad}, &out, &errOut); code != 1 {
			t.Errorf("%s: exit %d, %q", bad, code, errOut.String())
		}
	}
}

// TestStatsRebuildCommand rebuilds the statistics of the demo's requests and says from how many
// (the demo's drafts are not counted).
func TestStatsRebuildCommand(t *testing.T) {
	env(t)
	var out, errOut bytes.Buffer
	list := filepath.Join(t.TempDir(), "enti.csv")
	if err := os.WriteFile(list, []byte("istat;name;kind;province\n013041;Cantù;comune;CO\n015146;Milano;comune;MI\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if code := run(context.Background(), []string{"enti", "import", list}, &out, &errOut); code != 0 {
		t.Fatalf("enti import: exit %d, %q", code, errOut.String())
	}
	if code := run(context.Background(), []string{"demo"}, &out, &errOut); code != 0 {
		t.Fatalf("demo: exit %d, %q", code, errOut.String())
	}
	out.Reset()
	if code := run(context.Background(), []string{"stats", "rebuild"}, &out, &errOut); code != 0 ||
		!regexp.MustCompile(`^statistics rebuilt from [1-9]\d* requests in `).MatchString(out.String()) {
		t.Fatalf("exit %d, %q %q", code, out.String(), errOut.String())
	}
}
