package workspace_test

import (
	"context"
	"errors"
	"fmt"
	"path"
	"sync"
	"testing"
	"time"

	"passhub/app/apptest"
	"passhub/app/workspace"
)

// Uploads at once cannot overrun the quota: it is checked again inside the transaction that adds
// the version (on PostgreSQL under a lock of the ente's row). The losers' bytes, stored before
// their transaction refused them, are what the sweeper removes after the grace period.
func TestQuotaHoldsUnderConcurrentUploads(t *testing.T) {
	a := apptest.New(t)
	ctx := context.Background()
	r, who := filed(t, a)
	w := a.Workspace
	w.Quota = 30 // room for one file of 20 bytes, not two
	const n = 4
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[i] = w.Upload(ctx, who, r, false, 0, fmt.Sprintf("f%d.csv", i), fmt.Appendf(nil, "a;b\n%d;%014d\n", i, i), false)
		}()
	}
	wg.Wait()
	ok := 0
	for i, err := range errs {
		switch {
		case err == nil:
			ok++
		case !errors.Is(err, workspace.ErrQuota):
			t.Errorf("upload %d: %v", i, err)
		}
	}
	if ok != 1 {
		t.Fatalf("%d uploads passed a quota with room for one: %v", ok, errs)
	}
	docs, _ := w.Documents(ctx, r.ID)
	if len(docs) != 1 {
		t.Fatalf("%d documents stored", len(docs))
	}
	// what the refused uploads stored is swept once old enough; the kept document stays
	s := *a.Sweeper
	s.Now = func() time.Time { return time.Now().Add(a.Config.StorageGrace + time.Minute) }
	if _, err := s.Sweep(ctx); err != nil {
		t.Fatal(err)
	}
	objs, err := a.Files.List(ctx, path.Dir(docs[0].Latest().StorageKey)+"/") // the space's folder
	if err != nil {
		t.Fatal(err)
	}
	if len(objs) != 1 || objs[0].Key != docs[0].Latest().StorageKey {
		t.Errorf("after the sweep the space's objects are %v, want only %s", objs, docs[0].Latest().StorageKey)
	}
}
