package main

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"
)

// TestBackupAndRestoreCommands: backup writes an archive of a migrated database with content,
// restore --check verifies it, restore puts it into a fresh data folder and database, refuses to
// do so again, and does with --force.
func TestBackupAndRestoreCommands(t *testing.T) {
	env(t)
	ctx := context.Background()
	var out, errOut bytes.Buffer
	for _, args := range [][]string{{"migrate"}, {"content", "import"}} {
		if code := run(ctx, args, &out, &errOut); code != 0 {
			t.Fatalf("%v: exit %d: %s", args, code, errOut.String())
		}
	}
	file := filepath.Join(t.TempDir(), "passhub.tar")
	if code := run(ctx, []string{"backup", file}, &out, &errOut); code != 0 || !strings.Contains(out.String(), "backup "+file) {
		t.Fatalf("backup: exit %d: %s %s", code, out.String(), errOut.String())
	}
	if code := run(ctx, []string{"restore", "--check", file}, &out, &errOut); code != 0 || !strings.Contains(out.String(), "is intact") {
		t.Fatalf("restore --check: exit %d: %s %s", code, out.String(), errOut.String())
	}
	env(t) // a fresh data folder and database
	if code := run(ctx, []string{"restore", file}, &out, &errOut); code != 0 || !strings.Contains(out.String(), "restored") {
		t.Fatalf("restore: exit %d: %s %s", code, out.String(), errOut.String())
	}
	errOut.Reset()
	if code := run(ctx, []string{"restore", file}, &out, &errOut); code != 1 || !strings.Contains(errOut.String(), "--force") {
		t.Errorf("restore over a restored copy: exit %d: %s", code, errOut.String())
	}
	if code := run(ctx, []string{"restore", "--force", file}, &out, &errOut); code != 0 {
		t.Errorf("restore --force: exit %d: %s", code, errOut.String())
	}
	if code := run(ctx, []string{"migrate"}, &out, &errOut); code != 0 {
		t.Errorf("migrate after restore: exit %d: %s", code, errOut.String())
	}
}
