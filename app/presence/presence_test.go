package presence_test

import (
	"context"
	"slices"
	"sync"
	"testing"
	"time"

	"passhub/app/apptest"
	"passhub/app/presence"
)

// announced records the topics a registry announces.
type announced struct {
	mu     sync.Mutex
	topics []string
}

func (a *announced) record(_ context.Context, topic string) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.topics = append(a.topics, topic)
	return nil
}

func (a *announced) take() []string {
	a.mu.Lock()
	defer a.mu.Unlock()
	t := a.topics
	a.topics = nil
	return t
}

// instances returns n registries on one database, as n instances have, on one clock.
func instances(t *testing.T, n int) ([]*presence.Registry, []*announced, *time.Time) {
	t.Helper()
	a := apptest.New(t, apptest.NoContent)
	now := time.Date(2026, 12, 3, 10, 0, 0, 0, time.UTC)
	var regs []*presence.Registry
	var told []*announced
	for range n {
		r := presence.New(a.DB, nil)
		r.Now = func() time.Time { return now }
		rec := &announced{}
		r.Announce = rec.record
		regs, told = append(regs, r), append(told, rec)
	}
	return regs, told, &now
}

func viewers(t *testing.T, r *presence.Registry, entry, except int64) []int64 {
	t.Helper()
	v, err := r.Viewers(context.Background(), entry, except)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func sync_(t *testing.T, rs ...*presence.Registry) {
	t.Helper()
	for _, r := range rs {
		if err := r.Sync(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
}

// TestJoinLeave: the viewers of two instances are listed together once written; a person with
// two tabs is one viewer and leaves with the last of them; only a change of who has the entry open
// is announced, by the instance where it happened; other topics are not viewers.
func TestJoinLeave(t *testing.T) {
	regs, told, _ := instances(t, 2)
	a, b := regs[0], regs[1]
	a.Follow(1, 10, "entry:5")
	a.Follow(2, 10, "entry:5") // a second tab of the same person
	a.Follow(3, 10, "request:5")
	a.Follow(4, 12, "entry:5:rev:3")
	b.Follow(1, 11, "entry:5") // the same connection number on another instance
	if got := viewers(t, b, 5, 0); len(got) != 0 {
		t.Fatalf("viewers before any write: %v", got)
	}
	sync_(t, a, b)
	if got := viewers(t, a, 5, 0); !slices.Equal(got, []int64{10, 11}) {
		t.Errorf("viewers of entry 5: %v, want [10 11]", got)
	}
	if got := viewers(t, b, 5, 11); !slices.Equal(got, []int64{10}) {
		t.Errorf("the others of user 11: %v, want [10]", got)
	}
	if ta, tb := told[0].take(), told[1].take(); !slices.Equal(ta, []string{"entry:5"}) || !slices.Equal(tb, []string{"entry:5"}) {
		t.Errorf("announced %v and %v, want entry:5 by each", ta, tb)
	}
	sync_(t, a) // a heartbeat: nothing changed
	a.Unfollow(1, 10, "entry:5")
	sync_(t, a) // the other tab is still open
	if got := told[0].take(); len(got) != 0 {
		t.Errorf("a heartbeat and a tab closed of two announced %v", got)
	}
	if got := viewers(t, b, 5, 0); !slices.Equal(got, []int64{10, 11}) {
		t.Errorf("viewers with one of two tabs closed: %v", got)
	}
	a.Unfollow(2, 10, "entry:5")
	sync_(t, a)
	if got := viewers(t, b, 5, 0); !slices.Equal(got, []int64{11}) {
		t.Errorf("viewers after user 10 left: %v, want [11]", got)
	}
	if got := told[0].take(); !slices.Equal(got, []string{"entry:5"}) {
		t.Errorf("leaving announced %v", got)
	}
	// An instance that stops removes its viewers and says so.
	b.Leave()
	if got := viewers(t, a, 5, 0); len(got) != 0 {
		t.Errorf("viewers after the instance stopped: %v", got)
	}
	if got := told[1].take(); !slices.Equal(got, []string{"entry:5"}) {
		t.Errorf("stopping announced %v", got)
	}
}

// TestExpiry: the viewers of an instance that stopped writing (it crashed) are no longer listed
// once their heartbeat is older than the TTL, and the next heartbeat of another instance removes
// them and announces their entries; the live instance's own viewers stay.
func TestExpiry(t *testing.T) {
	regs, told, now := instances(t, 2)
	crashed, alive := regs[0], regs[1]
	crashed.Follow(1, 10, "entry:7")
	crashed.Follow(2, 10, "entry:8")
	alive.Follow(1, 11, "entry:7")
	sync_(t, crashed, alive)
	told[1].take()
	*now = now.Add(presence.Beat)
	sync_(t, alive)
	if got := viewers(t, alive, 7, 0); !slices.Equal(got, []int64{10, 11}) {
		t.Fatalf("viewers within the TTL: %v", got)
	}
	if got := told[1].take(); len(got) != 0 {
		t.Errorf("a heartbeat within the TTL announced %v", got)
	}
	*now = now.Add(presence.TTL - presence.Beat + time.Second) // the crashed instance's heartbeat is TTL+1s old
	if got := viewers(t, alive, 7, 0); !slices.Equal(got, []int64{11}) {
		t.Errorf("viewers past the TTL: %v, want [11]", got)
	}
	sync_(t, alive)
	if got := told[1].take(); !slices.Equal(got, []string{"entry:7", "entry:8"}) {
		t.Errorf("the expiry announced %v, want entry:7 and entry:8", got)
	}
	*now = now.Add(-presence.TTL) // even seen from the past, the expired rows are gone
	if got := viewers(t, alive, 8, 0); len(got) != 0 {
		t.Errorf("expired viewers still stored: %v", got)
	}
}
