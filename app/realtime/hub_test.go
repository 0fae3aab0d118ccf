package realtime

import (
	"errors"
	"strings"
	"testing"
)

func newClient(h *Hub, user int64, topics ...string) *client {
	c := &client{hub: h, userID: user, topics: append(topics, UserTopic(user)), send: make(chan []byte, sendQueue)}
	h.add(c)
	return c
}

func TestFanOutSlowClientsAndUsers(t *testing.T) {
	h := NewHub(nil)
	a1 := newClient(h, 1, "request:7")
	a2 := newClient(h, 1, "request:7") // the same user in a second tab
	b := newClient(h, 2, "request:8")
	if n := h.Publish("request:7", []byte("x")); n != 2 || len(a1.send) != 1 || len(a2.send) != 1 || len(b.send) != 0 {
		t.Fatalf("fan-out to %d, queues %d %d %d", n, len(a1.send), len(a2.send), len(b.send))
	}
	// A client that does not read is dropped once its queue is full; the others go on.
	for i := 0; i < sendQueue-1; i++ { // both queues are now full
		h.Publish("request:7", []byte("y"))
	}
	for len(a2.send) > 0 { // a2 reads, a1 does not
		<-a2.send
	}
	h.Publish("request:7", []byte("z"))
	if h.Dropped() != 1 || h.Connections() != 2 {
		t.Errorf("dropped %d, connections %d", h.Dropped(), h.Connections())
	}
	if _, ok := <-drain(a1.send); ok {
		t.Error("the slow client's queue is still open")
	}
	// Closing a user closes every tab of theirs and nothing else.
	h.CloseUser(1)
	if h.Connections() != 1 {
		t.Errorf("connections after closing user 1: %d", h.Connections())
	}
	if n := h.Publish(UserTopic(2), []byte("hello")); n != 1 {
		t.Errorf("user topic reached %d", n)
	}
}

// drain empties a closed channel and returns it, so a receive reports whether it is open.
func drain(ch chan []byte) chan []byte {
	for {
		select {
		case _, ok := <-ch:
			if !ok {
				return ch
			}
		default:
			return ch
		}
	}
}

// TestPushRechecks: a topic the connection may no longer follow is dropped at the push and the
// connection lives on; a refused user topic (the session ended) closes it; Reauthorize closes
// every connection of the user as a restart.
func TestPushRechecks(t *testing.T) {
	h := NewHub(nil)
	allowed := map[string]bool{"request:7": true, UserTopic(1): true}
	c := newClient(h, 1, "request:7")
	c.may = func(topic string) (bool, error) { return allowed[topic], nil }
	other := newClient(h, 2, "request:7")
	if n := h.Publish("request:7", []byte("x")); n != 2 {
		t.Fatalf("fan-out to %d", n)
	}
	allowed["request:7"] = false
	if n := h.Publish("request:7", []byte("y")); n != 1 || len(c.send) != 1 || len(other.send) != 2 {
		t.Fatalf("after the change: fan-out to %d, queues %d %d", n, len(c.send), len(other.send))
	}
	allowed["request:7"] = true // following again needs a new connection
	if n := h.Publish("request:7", []byte("z")); n != 1 || h.Connections() != 2 {
		t.Errorf("a dropped topic came back: %d, connections %d", n, h.Connections())
	}
	allowed[UserTopic(1)] = false
	h.Publish(UserTopic(1), []byte("bell"))
	if h.Connections() != 1 || c.code != 1008 {
		t.Errorf("an ended session's connection: connections %d, code %d", h.Connections(), c.code)
	}
	h.Reauthorize(2)
	if h.Connections() != 0 || other.code != 1012 {
		t.Errorf("reauthorised: connections %d, code %d", h.Connections(), other.code)
	}
}

// TestPushWhoseCheckFailsReconnects: a re-check the database cannot answer (busy, away) is not a
// refusal: the topic is kept, and the connection is closed as "try again later" (1013), which the
// page answers by reconnecting and fetching what it missed.
func TestPushWhoseCheckFailsReconnects(t *testing.T) {
	h := NewHub(nil)
	var fail error
	c := newClient(h, 1, "request:7")
	c.may = func(string) (bool, error) { return fail == nil, fail }
	if n := h.Publish("request:7", []byte("x")); n != 1 {
		t.Fatalf("fan-out to %d", n)
	}
	fail = errors.New("database unavailable")
	if n := h.Publish("request:7", []byte("y")); n != 0 || h.Connections() != 0 || c.code != 1013 {
		t.Errorf("a failed check: fan-out %d, connections %d, code %d (want 0, 0, 1013)", n, h.Connections(), c.code)
	}
	if len(c.send) != 1 {
		t.Errorf("%d frames queued, want only the first: the second went out without its check", len(c.send))
	}
	// Only the user topic failing to check, after the topic itself was refused: also 1013.
	d := newClient(h, 2, "request:8")
	d.may = func(topic string) (bool, error) {
		if topic == UserTopic(2) {
			return false, errors.New("timeout")
		}
		return false, nil
	}
	h.Publish("request:8", []byte("z"))
	if d.code != 1013 {
		t.Errorf("a refused topic whose session cannot be checked: code %d, want 1013", d.code)
	}
}

type recorder struct{ calls []string }

func (r *recorder) Follow(conn uint64, user int64, topic string) {
	r.calls = append(r.calls, "follow "+itoa(int64(conn))+" "+itoa(user)+" "+topic)
}

func (r *recorder) Unfollow(conn uint64, user int64, topic string) {
	r.calls = append(r.calls, "unfollow "+itoa(int64(conn))+" "+itoa(user)+" "+topic)
}

// TestWatchers: a watcher of a prefix hears a connection follow its topics when it opens, and
// stop following them when a push finds the topic no longer allowed or the connection closes;
// other topics are not its business.
func TestWatchers(t *testing.T) {
	h := NewHub(nil)
	w := &recorder{}
	h.Watch("entry:", w)
	allowed := map[string]bool{"entry:5": true, "entry:6": true, "request:7": true, UserTopic(1): true}
	c := newClient(h, 1, "entry:5", "entry:6", "request:7")
	c.may = func(topic string) (bool, error) { return allowed[topic], nil }
	other := newClient(h, 2, "request:7")
	allowed["entry:5"] = false
	h.Publish("entry:5", []byte("x"))
	h.Publish("entry:5", []byte("y")) // no longer followed: nothing more to say
	c.close()
	other.close()
	want := []string{"follow 1 1 entry:5", "follow 1 1 entry:6", "unfollow 1 1 entry:5", "unfollow 1 1 entry:6"}
	if strings.Join(w.calls, "|") != strings.Join(want, "|") {
		t.Errorf("the watcher heard\n%q\nwant\n%q", w.calls, want)
	}
	if len(c.send) != 0 {
		t.Errorf("%d frames queued for a topic no longer allowed", len(c.send))
	}
}
