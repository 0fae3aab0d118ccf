// Package presence tells the people working on a newsroom entry who else has it open, live, and
// that someone saved a new revision of it.
//
// A viewer is a websocket connection that follows the entry's topic ("entry:<id>", authorised by
// the access policy like every topic). Each instance keeps its own viewers in memory (the hub
// tells it when connections follow and stop following the topic) and writes them to the table
// newsroom_presence with a heartbeat; every instance reads the table, so people connected to
// different instances see each other. A viewer whose instance stopped writing (a crash) is
// removed by any other instance once its heartbeat is older than the TTL. Whoever changes the
// table announces the entry on the realtime bus; on each instance the entry's open pages then
// receive a frame that reloads the box through the authorised handler (Handlers).
package presence

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"maps"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/uptrace/bun"

	"passhub/app/db"
)

// TopicPrefix starts the websocket and bus topics of entries.
const TopicPrefix = "entry:"

// Timing of the heartbeat.
const (
	// TTL is how long a viewer stays listed after its instance last wrote it.
	TTL = 45 * time.Second
	// Beat is how often an instance writes its viewers and removes the expired ones: a viewer of
	// an instance that died disappears within TTL + Beat.
	Beat = 15 * time.Second
	// settle groups the changes of a moment (a page reloaded: its socket closes and opens again)
	// into one write.
	settle = 250 * time.Millisecond
)

// Topic is the topic of entry id: its viewers' connections follow it, and the bus carries it
// when the entry's viewers change.
func Topic(entryID int64) string { return TopicPrefix + strconv.FormatInt(entryID, 10) }

// SavedTopic is the bus topic that tells every instance that revision revisionID of entry
// entryID was saved.
func SavedTopic(entryID, revisionID int64) string {
	return Topic(entryID) + ":rev:" + strconv.FormatInt(revisionID, 10)
}

// ParseTopic reads Topic and SavedTopic (revision 0 for Topic).
func ParseTopic(topic string) (entryID, revisionID int64, ok bool) {
	rest, ok := strings.CutPrefix(topic, TopicPrefix)
	if !ok {
		return 0, 0, false
	}
	id, rev, saved := strings.Cut(rest, ":rev:")
	entryID, err := strconv.ParseInt(id, 10, 64)
	if err != nil || entryID <= 0 {
		return 0, 0, false
	}
	if saved {
		if revisionID, err = strconv.ParseInt(rev, 10, 64); err != nil || revisionID <= 0 {
			return 0, 0, false
		}
	}
	return entryID, revisionID, true
}

// Row is one viewer in the shared table: a connection of an instance following an entry.
type Row struct {
	bun.BaseModel `bun:"table:newsroom_presence"`

	Instance string    `bun:"instance,pk"`
	Conn     int64     `bun:"conn,pk"`
	EntryID  int64     `bun:"entry_id,pk"`
	UserID   int64     `bun:"user_id"`
	SeenAt   time.Time `bun:"seen_at"`
}

type viewer struct {
	conn  uint64
	entry int64
}

// Registry is one instance's viewers and their shared table. It is the hub's Watcher of the
// entry topics.
type Registry struct {
	db       *db.DB
	log      *slog.Logger
	instance string
	// Now is the clock (tests move it).
	Now func() time.Time
	// Announce tells every instance that topic changed (the realtime bus); nil tells nobody.
	Announce func(ctx context.Context, topic string) error

	mu     sync.Mutex
	local  map[viewer]int64         // the user of each viewer of this instance
	synced map[int64]map[int64]bool // entry → users, as this instance last wrote them
	wake   chan struct{}
	sync   sync.Mutex // one Sync at a time
}

// New returns the registry of this instance, named by a random id in the table.
func New(d *db.DB, log *slog.Logger) *Registry {
	if log == nil {
		log = slog.Default()
	}
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	return &Registry{db: d, log: log, instance: hex.EncodeToString(b), Now: time.Now,
		local: map[viewer]int64{}, synced: map[int64]map[int64]bool{}, wake: make(chan struct{}, 1)}
}

// Follow records a connection of this instance that opened entry topic.
func (r *Registry) Follow(conn uint64, userID int64, topic string) {
	entry, rev, ok := ParseTopic(topic)
	if !ok || rev != 0 || userID == 0 {
		return
	}
	r.mu.Lock()
	r.local[viewer{conn, entry}] = userID
	r.mu.Unlock()
	r.poke()
}

// Unfollow forgets a connection that closed or may no longer follow the entry.
func (r *Registry) Unfollow(conn uint64, _ int64, topic string) {
	entry, rev, ok := ParseTopic(topic)
	if !ok || rev != 0 {
		return
	}
	r.mu.Lock()
	delete(r.local, viewer{conn, entry})
	r.mu.Unlock()
	r.poke()
}

func (r *Registry) poke() {
	select {
	case r.wake <- struct{}{}:
	default:
	}
}

// Run writes the viewers shortly after every change and at every Beat until ctx ends, then
// removes this instance's viewers from the table.
func (r *Registry) Run(ctx context.Context) {
	beat := time.NewTicker(Beat)
	defer beat.Stop()
	for {
		select {
		case <-ctx.Done():
			r.Leave()
			return
		case <-r.wake:
			select {
			case <-ctx.Done():
				r.Leave()
				return
			case <-time.After(settle):
			}
		case <-beat.C:
		}
		if err := r.Sync(ctx); err != nil && ctx.Err() == nil {
			r.log.Warn("presence: heartbeat not written", "err", err)
		}
	}
}

// Sync writes this instance's viewers with a fresh heartbeat, removes the viewers whose
// heartbeat is older than TTL (their instance stopped), and announces every entry whose viewers
// changed.
func (r *Registry) Sync(ctx context.Context) error {
	r.sync.Lock()
	defer r.sync.Unlock()
	now := r.Now().UTC()
	r.mu.Lock()
	rows := make([]Row, 0, len(r.local))
	current := map[int64]map[int64]bool{}
	for v, user := range r.local {
		rows = append(rows, Row{Instance: r.instance, Conn: int64(v.conn), EntryID: v.entry, UserID: user, SeenAt: now})
		if current[v.entry] == nil {
			current[v.entry] = map[int64]bool{}
		}
		current[v.entry][user] = true
	}
	r.mu.Unlock()
	var expired []int64
	err := r.db.InTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		if _, err := tx.NewDelete().Model((*Row)(nil)).Where("instance = ?", r.instance).Exec(ctx); err != nil {
			return err
		}
		if len(rows) > 0 {
			if _, err := tx.NewInsert().Model(&rows).Exec(ctx); err != nil {
				return err
			}
		}
		cutoff := now.Add(-TTL)
		if err := tx.NewSelect().Model((*Row)(nil)).Distinct().Column("entry_id").Where("seen_at < ?", cutoff).Scan(ctx, &expired); err != nil {
			return err
		}
		if len(expired) > 0 {
			if _, err := tx.NewDelete().Model((*Row)(nil)).Where("seen_at < ?", cutoff).Exec(ctx); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return db.Map(err)
	}
	changed := map[int64]bool{}
	for _, e := range expired {
		changed[e] = true
	}
	for e, users := range current {
		if !maps.Equal(users, r.synced[e]) {
			changed[e] = true
		}
	}
	for e := range r.synced {
		if current[e] == nil {
			changed[e] = true
		}
	}
	r.synced = current
	r.announce(ctx, slices.Sorted(maps.Keys(changed)))
	return nil
}

func (r *Registry) announce(ctx context.Context, entries []int64) {
	if r.Announce == nil {
		return
	}
	for _, e := range entries {
		if err := r.Announce(ctx, Topic(e)); err != nil {
			r.log.Warn("presence: change not announced", "entry", e, "err", err)
		}
	}
}

// Leave removes this instance's viewers from the table and announces their entries (the
// instance stops).
func (r *Registry) Leave() {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	r.sync.Lock()
	defer r.sync.Unlock()
	if err := r.db.InTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		_, err := tx.NewDelete().Model((*Row)(nil)).Where("instance = ?", r.instance).Exec(ctx)
		return err
	}); err != nil {
		r.log.Warn("presence: viewers not removed", "err", err)
		return
	}
	entries := slices.Sorted(maps.Keys(r.synced))
	r.synced = map[int64]map[int64]bool{}
	r.announce(ctx, entries)
}

// Viewers returns the users who have entry open now, on any instance, but except (the one
// asking), in the order of their ids.
func (r *Registry) Viewers(ctx context.Context, entryID, except int64) ([]int64, error) {
	var users []int64
	err := r.db.NewSelect().Model((*Row)(nil)).Distinct().Column("user_id").
		Where("entry_id = ?", entryID).Where("user_id <> ?", except).Where("seen_at >= ?", r.Now().UTC().Add(-TTL)).
		OrderExpr("user_id").Scan(ctx, &users)
	return users, db.Map(err)
}
