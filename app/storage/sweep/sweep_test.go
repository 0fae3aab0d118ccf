package sweep_test

import (
	"context"
	"sort"
	"strings"
	"testing"
	"time"

	"passhub/app/apptest"
	"passhub/app/config"
	"passhub/app/storage"
	"passhub/app/storage/storagetest"
	"passhub/app/storage/sweep"
)

// The sweeper, on the local folder and on S3, on the test database: it removes only what no row
// references, and only once it is older than the grace period.
func TestSweep(t *testing.T) {
	a := apptest.New(t, func(c *config.Config) { c.ContentDir = "" })
	ctx := context.Background()
	if _, err := a.DB.ExecContext(ctx, "CREATE TABLE sweep_refs (k TEXT NOT NULL)"); err != nil {
		t.Fatal(err)
	}
	orig := sweep.Refs
	sweep.Refs = append(append([]sweep.Ref(nil), orig...), sweep.Ref{Table: "sweep_refs", Column: "k"})
	t.Cleanup(func() { sweep.Refs = orig })
	stores := map[string]func(t *testing.T) storage.Store{
		"local": func(*testing.T) storage.Store { return a.Files },
		"s3":    func(t *testing.T) storage.Store { return storagetest.NewS3Store(t) },
	}
	for name, newStore := range stores {
		t.Run(name, func(t *testing.T) {
			st := newStore(t)
			prefix := "sweep-" + name + "/"
			for _, k := range []string{"kept.pdf", "orphan.pdf", "other/orphan2.pdf"} {
				if err := st.Put(ctx, prefix+k, strings.NewReader("x")); err != nil {
					t.Fatal(err)
				}
			}
			if _, err := a.DB.ExecContext(ctx, "INSERT INTO sweep_refs (k) VALUES (?)", prefix+"kept.pdf"); err != nil {
				t.Fatal(err)
			}
			s := &sweep.Sweeper{DB: a.DB, Files: st, Grace: 24 * time.Hour}
			removed, err := s.Sweep(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if len(removed) != 0 {
				t.Errorf("young objects removed: %v", removed)
			}
			s.Now = func() time.Time { return time.Now().Add(25 * time.Hour) }
			removed, err = s.Sweep(ctx)
			if err != nil {
				t.Fatal(err)
			}
			sort.Strings(removed)
			if got := strings.Join(removed, " "); got != prefix+"orphan.pdf "+prefix+"other/orphan2.pdf" {
				t.Errorf("removed %q", got)
			}
			objs, err := st.List(ctx, prefix)
			if err != nil {
				t.Fatal(err)
			}
			if len(objs) != 1 || objs[0].Key != prefix+"kept.pdf" {
				t.Errorf("left %v", objs)
			}
		})
	}
}
