package once_test

import (
	"context"
	"errors"
	"path/filepath"
	"sync"
	"testing"

	"github.com/uptrace/bun"

	"passhub/app/apptest"
	"passhub/app/db"
	"passhub/app/once"
)

func open(t *testing.T) *db.DB {
	t.Helper()
	ctx := context.Background()
	d, err := db.Open(ctx, apptest.DatabaseURL(t), filepath.Join(t.TempDir(), "once.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = d.Close() })
	if _, err := d.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	return d
}

// change stands for a service's transaction: claim, create (a row of notes), record the result.
func change(ctx context.Context, d *db.DB, created *int, mu *sync.Mutex, fail bool) error {
	return d.InTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		if err := once.Claim(ctx, tx); err != nil {
			return err
		}
		if fail {
			return errors.New("refused")
		}
		mu.Lock()
		*created++
		id := *created
		mu.Unlock()
		return once.Done(ctx, tx, "note", int64(id))
	})
}

func TestTokensActOnce(t *testing.T) {
	d := open(t)
	ctx := context.Background()
	url := func(id int64) string { return "/note/" + string(rune('0'+id)) }
	var created int
	var mu sync.Mutex

	if _, err := once.Bind(ctx, "short", 1, "note", url); !errors.Is(err, once.ErrBadToken) {
		t.Errorf("malformed token: %v", err)
	}
	// No token: no protection, no error.
	for range 2 {
		if err := change(ctx, d, &created, &mu, false); err != nil {
			t.Fatal(err)
		}
	}
	if created != 2 {
		t.Fatalf("without token: %d changes", created)
	}

	// A refused change leaves its token usable.
	tok := once.NewToken()
	bound, err := once.Bind(ctx, tok, 1, "note", url)
	if err != nil {
		t.Fatal(err)
	}
	if err := change(bound, d, &created, &mu, true); err == nil {
		t.Fatal("the refused change succeeded")
	}
	bound, _ = once.Bind(ctx, tok, 1, "note", url)
	if err := change(bound, d, &created, &mu, false); err != nil || created != 3 {
		t.Fatalf("after a refusal: %v, %d changes", err, created)
	}

	// Eight submissions of one token at the same moment: one change, seven replays of its result.
	tok = once.NewToken()
	var wg sync.WaitGroup
	errs := make([]error, 8)
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			b, _ := once.Bind(ctx, tok, 1, "note", url)
			errs[i] = change(b, d, &created, &mu, false)
		}()
	}
	wg.Wait()
	ok := 0
	for _, err := range errs {
		var rp *once.Replayed
		switch {
		case err == nil:
			ok++
		case errors.As(err, &rp) && rp.URL == url(4):
		default:
			t.Errorf("concurrent submission: %v", err)
		}
	}
	if ok != 1 || created != 4 {
		t.Errorf("concurrent submissions: %d succeeded, %d changes", ok, created)
	}

	// Someone else's token: replay without the result.
	b, _ := once.Bind(ctx, tok, 2, "note", url)
	var rp *once.Replayed
	if err := change(b, d, &created, &mu, false); !errors.As(err, &rp) || rp.URL != "" || created != 4 {
		t.Errorf("another user's replay: %v", err)
	}

	// Only the first object of the bound kind is the result.
	tok = once.NewToken()
	b, _ = once.Bind(ctx, tok, 1, "note", url)
	err = d.InTx(b, func(ctx context.Context, tx bun.Tx) error {
		if err := once.Claim(ctx, tx); err != nil {
			return err
		}
		if err := once.Done(ctx, tx, "attachment", 9); err != nil {
			return err
		}
		if err := once.Done(ctx, tx, "note", 5); err != nil {
			return err
		}
		return once.Done(ctx, tx, "note", 6)
	})
	if err != nil {
		t.Fatal(err)
	}
	b, _ = once.Bind(ctx, tok, 1, "note", url)
	if err := change(b, d, &created, &mu, false); !errors.As(err, &rp) || rp.URL != url(5) {
		t.Errorf("result recorded: %v", err)
	}
}
