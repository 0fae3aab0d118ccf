package content

import (
	"passhub/app/event"
	"passhub/app/realtime"
)

// Changed is the event of content published or changed: entries imported, created or edited.
type Changed struct {
	Entries []Ref `json:"entries"`
}

// Ref names one entry.
type Ref struct {
	Type Type  `json:"type"`
	ID   int64 `json:"id"`
}

// EventName names the event and its job.
func (Changed) EventName() string { return "content.changed" }

// CacheTopic is the bus topic that tells every instance to drop what it cached of the content.
const CacheTopic = "cache:content"

// Topics tells every instance, after commit, that their caches of content are stale.
func (Changed) Topics() []string { return []string{CacheTopic} }

// Listen registers the content domain's rule on the bus: another instance's change of content
// clears this instance's caches at once.
func (s *Service) Listen(rt *realtime.Service) {
	rt.Handle(CacheTopic, func(string) { s.Invalidate() })
}

var _ event.Hinted = Changed{}

// Step is what the newsroom's events say: which entry, which revision, who.
type Step struct {
	EntryID    int64  `json:"entry_id"`
	RevisionID int64  `json:"revision_id"`
	ActorID    int64  `json:"actor_id"`
	Type       Type   `json:"type"`
	Slug       string `json:"slug"`
}

// About returns the step itself: every newsroom event answers it, through its embedded Step.
func (s Step) About() Step { return s }

// Submitted is a draft sent for review.
type Submitted struct{ Step }

// ChangesRequested is a revision sent back to its author with a comment.
type ChangesRequested struct{ Step }

// WentLive is a revision made live (by hand or by its schedule).
type WentLive struct{ Step }

// Unpublished is an entry taken off the public site.
type Unpublished struct{ Step }

// Scheduled is a revision set to be published, or the live one to be unpublished, at a time.
type Scheduled struct{ Step }

// ScheduleFailed is a scheduled publication that could not be made; its publisher is told.
type ScheduleFailed struct {
	Step
	Reason string `json:"reason"`
}

// PublishedBroken is a scheduled publication made with internal links broken at its time: the
// schedule was confirmed, so it went live; ActorID is the publisher who scheduled it, who is told.
type PublishedBroken struct {
	Step
	Count   int      `json:"count"`
	Targets []string `json:"targets"`
}

// Restored is an old revision saved again as a new draft (RevisionID is the new one).
type Restored struct {
	Step
	From int `json:"from"` // the number of the revision brought back
}

// EventName names each event and its job.
func (Submitted) EventName() string        { return "content.submitted" }
func (ChangesRequested) EventName() string { return "content.changes_requested" }
func (WentLive) EventName() string         { return "content.published" }
func (Unpublished) EventName() string      { return "content.unpublished" }
func (Scheduled) EventName() string        { return "content.scheduled" }
func (ScheduleFailed) EventName() string   { return "content.schedule_failed" }
func (Restored) EventName() string         { return "content.restored" }
func (PublishedBroken) EventName() string  { return "content.published_broken_links" }
