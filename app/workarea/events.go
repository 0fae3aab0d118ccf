package workarea

import "strconv"

// Kinds of an area's change.
const (
	KindTopic     = "topic"     // a topic opened (ObjectID: its opening post)
	KindReply     = "reply"     // a reply posted (ObjectID: the post)
	KindDocument  = "document"  // a document or a version added to the library (ObjectID: the document)
	KindModerated = "moderated" // a post hidden or shown again (ObjectID: the post)
	KindEvent     = "event"     // an event added to the calendar (ObjectID: the event)
)

// Changed is recorded in the transaction of every change of an area's content: the search index
// follows it, the members are notified, and the area's open pages are told (topic "area:<id>").
type Changed struct {
	AreaID   int64   `json:"area_id"`
	Kind     string  `json:"kind"`
	TopicID  int64   `json:"topic_id,omitempty"`
	ObjectID int64   `json:"object_id"`
	ActorID  int64   `json:"actor_id"`
	Mentions []int64 `json:"mentions,omitempty"`
}

// EventName names the event (and the job that carries it).
func (Changed) EventName() string { return "workarea.changed" }

// Topics are the realtime topics told after the commit.
func (c Changed) Topics() []string { return []string{LiveTopic(c.AreaID)} }

// LiveTopic is the realtime topic of an area's open pages.
func LiveTopic(areaID int64) string { return "area:" + strconv.FormatInt(areaID, 10) }

// URL is the address of an area's page.
func URL(areaID int64) string { return "/area-riservata/spazi/" + strconv.FormatInt(areaID, 10) }

// TopicURL is the address of a topic's page.
func TopicURL(areaID, topicID int64) string {
	return URL(areaID) + "/argomenti/" + strconv.FormatInt(topicID, 10)
}

// EventURL is the address of an event's page.
func EventURL(areaID, eventID int64) string {
	return URL(areaID) + "/calendario/" + strconv.FormatInt(eventID, 10)
}
