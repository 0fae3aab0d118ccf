package workspace

import (
	"strconv"
	"strings"
	"time"

	"passhub/app/request"
)

// Cursor is what a workspace page already shows: the newest message, event, document version,
// activity and integration, when it was rendered, the request's state and the viewer's
// capabilities then. A live update sends only what is newer.
type Cursor struct {
	Message, Event, Version, Activity, Integration int64
	Seen                                           time.Time
	State                                          request.State
	Caps                                           string
}

// String encodes the cursor for the page's data-live-cursor attribute.
func (c Cursor) String() string {
	n := []int64{c.Message, c.Event, c.Version, c.Activity, c.Integration, c.Seen.UnixMilli()}
	parts := make([]string, 0, len(n)+2)
	for _, v := range n {
		parts = append(parts, strconv.FormatInt(v, 10))
	}
	return strings.Join(append(parts, string(c.State), c.Caps), ".")
}

// ParseCursor reads a cursor written by String; ok is false for anything else.
func ParseCursor(s string) (c Cursor, ok bool) {
	parts := strings.Split(s, ".")
	if len(parts) != 8 {
		return Cursor{}, false
	}
	n := make([]int64, 6)
	for i := range n {
		v, err := strconv.ParseInt(parts[i], 10, 64)
		if err != nil || v < 0 {
			return Cursor{}, false
		}
		n[i] = v
	}
	state := request.State(parts[6])
	if len(parts[6]) > 20 || len(parts[7]) > 10 {
		return Cursor{}, false
	}
	return Cursor{Message: n[0], Event: n[1], Version: n[2], Activity: n[3], Integration: n[4],
		Seen: time.UnixMilli(n[5]).UTC(), State: state, Caps: parts[7]}, true
}
