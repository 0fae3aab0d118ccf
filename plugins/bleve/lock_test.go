package bleve

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"passhub/app/search"
)

// A second process (here, a second engine) finds the index in use and says so, keeping the index.
func TestIndexInUseIsNotRebuilt(t *testing.T) {
	path := filepath.Join(t.TempDir(), "search.bleve")
	ctx := context.Background()
	first := New(path)
	if err := first.Init(ctx); err != nil {
		t.Fatal(err)
	}
	defer first.Close()
	if err := first.Index(ctx, search.Doc{ID: "page:1", Type: "page", Title: "Bonifica", Body: "bonifica dei siti", Public: true}); err != nil {
		t.Fatal(err)
	}
	second := New(path)
	err := second.Init(ctx)
	if err == nil || !strings.Contains(err.Error(), "in use") {
		t.Fatalf("second open: %v", err)
	}
	ids, err := first.IDs(ctx)
	if err != nil || len(ids) != 1 {
		t.Fatalf("the index lost its documents: %v %v", ids, err)
	}
}
