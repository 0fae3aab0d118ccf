package request

import (
	"context"
	"encoding/json"
	"strconv"

	"github.com/uptrace/bun"
)

// Changed is the event of one change of a request: its kind ("created", "submitted", "message",
// "edited", "document", "activity", "outcome_asked", "outcome", …), who made it and the object
// it concerns (a message, a document, an activity, an outcome's ask).
type Changed struct {
	RequestID int64  `json:"request_id"`
	Kind      string `json:"kind"`
	ActorID   int64  `json:"actor_id"`
	ObjectID  int64  `json:"object_id,omitempty"`
}

// UnmarshalJSON reads the event, and the shape an earlier version queued ({"change": {…}}), so a
// job waiting across an upgrade still does its work.
func (c *Changed) UnmarshalJSON(b []byte) error {
	type plain Changed
	var former struct {
		Change *plain `json:"change"`
	}
	if err := json.Unmarshal(b, &former); err == nil && former.Change != nil {
		*c = Changed(*former.Change)
		return nil
	}
	return json.Unmarshal(b, (*plain)(c))
}

// Change is the former name of Changed.
type Change = Changed

// EventName names the event and its job.
func (Changed) EventName() string { return "request.event" }

// Topics is where the change is announced after commit: the request's open workspaces, except
// for a corrected message, which is not news.
func (c Changed) Topics() []string {
	if c.Kind == "edited" {
		return nil
	}
	return []string{Topic(c.RequestID)}
}

// Topic is the realtime topic of a request's workspace.
func Topic(id int64) string { return "request:" + strconv.FormatInt(id, 10) }

// Emit records a change inside the caller's transaction: its consequences (notifications,
// e-mail, search index) happen if and only if it commits.
func (s *Service) Emit(ctx context.Context, tx bun.IDB, c Changed) error {
	return s.Events.InTx(ctx, tx, c)
}
