package app_test

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"passhub/app/apptest"
)

var (
	inputTag = regexp.MustCompile(`(?is)<input\b.*?>`)
	typeAttr = regexp.MustCompile(`(?i)\stype=`)
)

// TestEveryInputHasAType reads every template of the default theme: an <input> without a type
// attribute gets none of Bootstrap Italia's field styles (no visible border), so each names one.
func TestEveryInputHasAType(t *testing.T) {
	t.Parallel()
	root := filepath.Join(apptest.Root(), "themes", "default")
	n := 0
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".html") {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		for _, tag := range inputTag.FindAllString(string(b), -1) {
			n++
			if !typeAttr.MatchString(tag) {
				rel, _ := filepath.Rel(root, p)
				t.Errorf("%s: input without type: %s", rel, tag)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if n < 20 {
		t.Fatalf("only %d inputs found: the scan is broken", n)
	}
}
