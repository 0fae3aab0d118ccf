// Package realtime pushes what changed to the people who have a page open: a websocket endpoint
// (/ws) authenticated by the session, a hub of per-user connections subscribed to the topics their
// page shows (each authorised by the access policy), frames that htmx swaps in out of band, and the
// bus that carries topics between instances. A slow client is dropped, never waited for.
package realtime

import (
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gorilla/websocket"
)

// Connection limits.
const (
	sendQueue  = 32
	writeWait  = 10 * time.Second
	pongWait   = 60 * time.Second
	pingPeriod = 25 * time.Second
	maxRead    = 1024
)

// Hub keeps the open connections by topic and by user.
type Hub struct {
	mu      sync.RWMutex
	topics  map[string]map[*client]struct{}
	users   map[int64]map[*client]struct{}
	log     *slog.Logger
	dropped int
	// watchers are told when connections start and stop following topics of their prefix.
	watchers map[string][]Watcher
	lastID   atomic.Uint64
}

// Watcher is told when a connection starts following a topic of the prefix it watches (once the
// connection is open) and when it stops (closed, or the topic no longer allowed). conn identifies
// the connection within this hub. Both are called with the hub's lock held, in the order the
// changes happen: they must be quick and must not call the hub.
type Watcher interface {
	Follow(conn uint64, userID int64, topic string)
	Unfollow(conn uint64, userID int64, topic string)
}

// Watch registers w for the topics that start with prefix; register before serving.
func (h *Hub) Watch(prefix string, w Watcher) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.watchers == nil {
		h.watchers = map[string][]Watcher{}
	}
	h.watchers[prefix] = append(h.watchers[prefix], w)
}

// watched returns, for each watcher, the topics among topics it watches; call with h.mu held.
func (h *Hub) watched(topics []string) map[Watcher][]string {
	var out map[Watcher][]string
	for prefix, ws := range h.watchers {
		for _, t := range topics {
			if !strings.HasPrefix(t, prefix) {
				continue
			}
			if out == nil {
				out = map[Watcher][]string{}
			}
			for _, w := range ws {
				out[w] = append(out[w], t)
			}
		}
	}
	return out
}

type client struct {
	hub    *Hub
	id     uint64
	conn   *websocket.Conn
	userID int64
	topics []string
	// may re-checks, at every push, that the connection may still follow a topic (nil: always).
	may  func(topic string) (bool, error)
	send chan []byte
	once sync.Once
	// code is the close code sent when the hub ends the connection: 1013 (try again later) and
	// 1012 (service restart) make the page reconnect, 1008 (policy) does not.
	code int
}

// NewHub returns an empty hub.
func NewHub(log *slog.Logger) *Hub {
	return &Hub{topics: map[string]map[*client]struct{}{}, users: map[int64]map[*client]struct{}{}, log: log}
}

func (h *Hub) add(c *client) {
	c.id = h.lastID.Add(1)
	h.mu.Lock()
	for _, t := range c.topics {
		if h.topics[t] == nil {
			h.topics[t] = map[*client]struct{}{}
		}
		h.topics[t][c] = struct{}{}
	}
	if h.users[c.userID] == nil {
		h.users[c.userID] = map[*client]struct{}{}
	}
	h.users[c.userID][c] = struct{}{}
	for w, ts := range h.watched(c.topics) {
		for _, t := range ts {
			w.Follow(c.id, c.userID, t)
		}
	}
	h.mu.Unlock()
}

func (h *Hub) remove(c *client) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for w, ts := range h.watched(c.topics) {
		for _, t := range ts {
			w.Unfollow(c.id, c.userID, t)
		}
	}
	for _, t := range c.topics {
		delete(h.topics[t], c)
		if len(h.topics[t]) == 0 {
			delete(h.topics, t)
		}
	}
	delete(h.users[c.userID], c)
	if len(h.users[c.userID]) == 0 {
		delete(h.users, c.userID)
	}
}

// Publish sends frame to every connection subscribed to topic that may still follow it (a topic
// no longer allowed is dropped from the connection, and a connection whose session has ended is
// closed). A connection whose queue is full, or whose access cannot be checked now (the database
// busy or away), is closed as "try again later": its page reconnects, is authorised afresh and
// catches up, so a push is never lost in silence.
func (h *Hub) Publish(topic string, frame []byte) int {
	h.mu.RLock()
	var to []*client
	for c := range h.topics[topic] {
		to = append(to, c)
	}
	h.mu.RUnlock()
	var slow []*client
	n := 0
	for _, c := range to {
		if c.may != nil {
			ok, err := c.may(topic)
			if err != nil {
				slow = append(slow, c)
				continue
			}
			if !ok {
				h.unfollow(c, topic)
				continue
			}
		}
		if !h.push(c, frame) {
			slow = append(slow, c)
			continue
		}
		n++
	}
	for _, c := range slow {
		h.mu.Lock()
		h.dropped++
		h.mu.Unlock()
		c.closeWith(websocket.CloseTryAgainLater)
	}
	return n
}

// push queues frame on a connection not closed meanwhile; false when its queue is full.
func (h *Hub) push(c *client, frame []byte) bool {
	h.mu.RLock()
	defer h.mu.RUnlock()
	if _, open := h.users[c.userID][c]; !open {
		return true // closed meanwhile: its send channel is closed
	}
	select {
	case c.send <- frame:
		return true
	default:
		return false
	}
}

// unfollow removes a topic the connection may no longer follow; its own user topic refused means
// its session ended, and the connection is closed.
func (h *Hub) unfollow(c *client, topic string) {
	if topic != UserTopic(c.userID) {
		if ok, err := c.may(UserTopic(c.userID)); err != nil {
			c.closeWith(websocket.CloseTryAgainLater)
			return
		} else if !ok {
			topic = UserTopic(c.userID)
		}
	}
	if topic == UserTopic(c.userID) {
		c.closeWith(websocket.ClosePolicyViolation)
		return
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	delete(h.topics[topic], c)
	if len(h.topics[topic]) == 0 {
		delete(h.topics, topic)
	}
	for i, t := range c.topics {
		if t == topic {
			c.topics = append(c.topics[:i:i], c.topics[i+1:]...)
			for w := range h.watched([]string{topic}) {
				w.Unfollow(c.id, c.userID, topic)
			}
			break
		}
	}
}

// Reauthorize closes every connection of a user whose access changed (a role granted or revoked,
// an assignment, a logout) as a restart (1012): the page reconnects and its topics are authorised
// again with what the user may see now.
func (h *Hub) Reauthorize(userID int64) {
	h.mu.RLock()
	var cs []*client
	for c := range h.users[userID] {
		cs = append(cs, c)
	}
	h.mu.RUnlock()
	for _, c := range cs {
		c.closeWith(websocket.CloseServiceRestart)
	}
}

// CloseUser closes every connection of a user (a disabled delegate, a revoked role).
func (h *Hub) CloseUser(userID int64) {
	h.mu.RLock()
	var cs []*client
	for c := range h.users[userID] {
		cs = append(cs, c)
	}
	h.mu.RUnlock()
	for _, c := range cs {
		c.closeWith(websocket.ClosePolicyViolation)
	}
}

// Shutdown closes every connection as a restart (1012), so pages reconnect, to this instance
// when it comes back or to another one, and catch up.
func (h *Hub) Shutdown() {
	h.mu.RLock()
	var cs []*client
	for _, set := range h.users {
		for c := range set {
			cs = append(cs, c)
		}
	}
	h.mu.RUnlock()
	for _, c := range cs {
		c.closeWith(websocket.CloseServiceRestart)
	}
}

// Connections returns how many connections are open.
func (h *Hub) Connections() int {
	h.mu.RLock()
	defer h.mu.RUnlock()
	n := 0
	for _, cs := range h.users {
		n += len(cs)
	}
	return n
}

// Dropped returns how many slow connections were closed.
func (h *Hub) Dropped() int {
	h.mu.RLock()
	defer h.mu.RUnlock()
	return h.dropped
}

func (c *client) close() { c.closeWith(websocket.CloseNormalClosure) }

func (c *client) closeWith(code int) {
	c.once.Do(func() {
		c.code = code
		c.hub.remove(c)
		close(c.send)
	})
}

// serve runs the connection until it closes: a reader that only keeps pongs coming, and a writer
// of queued frames and pings.
func (c *client) serve() {
	c.hub.add(c)
	go c.write()
	defer c.close()
	c.conn.SetReadLimit(maxRead)
	_ = c.conn.SetReadDeadline(time.Now().Add(pongWait))
	c.conn.SetPongHandler(func(string) error { return c.conn.SetReadDeadline(time.Now().Add(pongWait)) })
	for {
		if _, _, err := c.conn.ReadMessage(); err != nil {
			return
		}
	}
}

func (c *client) write() {
	ticker := time.NewTicker(pingPeriod)
	defer func() {
		ticker.Stop()
		_ = c.conn.Close()
	}()
	for {
		select {
		case frame, ok := <-c.send:
			_ = c.conn.SetWriteDeadline(time.Now().Add(writeWait))
			if !ok {
				_ = c.conn.WriteMessage(websocket.CloseMessage, websocket.FormatCloseMessage(c.code, ""))
				return
			}
			if err := c.conn.WriteMessage(websocket.TextMessage, frame); err != nil {
				return
			}
		case <-ticker.C:
			_ = c.conn.SetWriteDeadline(time.Now().Add(writeWait))
			if err := c.conn.WriteMessage(websocket.PingMessage, nil); err != nil {
				return
			}
		}
	}
}
