package request_test

import (
	"encoding/json"
	"testing"

	"passhub/app/request"
)

// TestChangedReadsTheFormerShape: a request's event queued by an earlier version, as
// {"change": {…}}, is read as the same change, and the current shape as itself.
func TestChangedReadsTheFormerShape(t *testing.T) {
	want := request.Changed{RequestID: 7, Kind: "message", ActorID: 3, ObjectID: 41}
	for _, raw := range []string{
		`{"change":{"request_id":7,"kind":"message","actor_id":3,"object_id":41}}`,
		`{"request_id":7,"kind":"message","actor_id":3,"object_id":41}`,
	} {
		var got request.Changed
		if err := json.Unmarshal([]byte(raw), &got); err != nil || got != want {
			t.Errorf("%s: %+v %v, want %+v", raw, got, err, want)
		}
	}
	b, _ := json.Marshal(want)
	var back request.Changed
	if err := json.Unmarshal(b, &back); err != nil || back != want {
		t.Errorf("round trip: %+v %v", back, err)
	}
}
