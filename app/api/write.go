package api

import (
	"encoding/json"
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"passhub/app/access"
	"passhub/app/content"
	"passhub/app/db"
	"passhub/app/web"
)

// The write side of the API: the newsroom's workflow (content.SaveDraft, Submit, RequestChanges,
// Publish, Schedule, Unpublish, Archive) for API tokens. drafts:write creates, updates and
// submits drafts; content:publish asks for changes, publishes, schedules, unpublishes and
// archives, as a publisher would.

// Write is the JSON body of POST /api/v1/content/{type} and PUT /api/v1/content/{type}/{slug}.
type Write struct {
	// Slug of a new entry (made from the title when empty); ignored by PUT.
	Slug string `json:"slug"`
	// Fields are the type's front matter fields as the newsroom's form writes them: lists one
	// item a line, dates YYYY-MM-DD, booleans "true"/"false".
	Fields map[string]string `json:"fields"`
	Body   string            `json:"body"`
	// BaseRevision is the revision id the client started from (PUT only).
	BaseRevision int64 `json:"base_revision"`
}

// StepBody is the JSON body of POST /api/v1/content/{type}/{slug}/steps/{step}.
type StepBody struct {
	BaseRevision int64  `json:"base_revision"`
	PublishAt    string `json:"publish_at"`   // RFC 3339, schedule only
	UnpublishAt  string `json:"unpublish_at"` // RFC 3339, schedule only
	// Comment is what the author should change (request_changes only, required).
	Comment string `json:"comment"`
	// Anyway publishes or schedules a revision whose internal links are broken (publish and
	// schedule only): the newsroom's «Pubblica comunque».
	Anyway bool `json:"anyway"`
}

// State is the answer of every write: where the entry stands after it.
type State struct {
	Type content.Type `json:"type"`
	Slug string       `json:"slug"`
	// RevisionID is the entry's current revision, the base_revision of the next write.
	RevisionID int64  `json:"revision_id"`
	Revision   int    `json:"revision"`
	State      string `json:"state"`
	Published  bool   `json:"published"`
	// PublishAt and UnpublishAt are the scheduled times (RFC 3339), when any.
	PublishAt   string `json:"publish_at,omitempty"`
	UnpublishAt string `json:"unpublish_at,omitempty"`
	URL         string `json:"url"`
}

// FieldProblem is one field a write was refused for.
type FieldProblem struct {
	Key     string `json:"key"`
	Rule    string `json:"rule"`
	Message string `json:"message"`
}

// Problem is the API's RFC 9457 problem with the members of refused writes.
type Problem struct {
	web.Problem
	// Errors lists the fields that broke a rule (422).
	Errors []FieldProblem `json:"errors,omitempty"`
	// CurrentRevisionID is the entry's current revision when base_revision is stale (409).
	CurrentRevisionID int64 `json:"current_revision_id,omitempty"`
	// BrokenLinks are the internal links that reach no published page (422; anyway: true
	// publishes or schedules all the same).
	BrokenLinks []BrokenLink `json:"broken_links,omitempty"`
}

// BrokenLink is one internal link of a refused publication: its text and where it points.
type BrokenLink struct {
	Text   string `json:"text"`
	Target string `json:"target"`
}

// errTime is a schedule time that is not RFC 3339.
var errTime = errors.New("api: time not RFC 3339")

// writeErrors is how the write routes answer the workflow's errors.
var writeErrors = web.Errors{
	content.ErrMoved:        {Code: fiber.StatusConflict, Message: "api.write.moved"},
	content.ErrStep:         {Code: fiber.StatusConflict, Message: "newsroom.error.step"},
	content.ErrNotPublisher: {Code: fiber.StatusForbidden, Message: "newsroom.error.publisher"},
	content.ErrPast:         {Code: fiber.StatusUnprocessableEntity, Message: "newsroom.error.past", Field: "publish_at"},
	content.ErrWindow:       {Code: fiber.StatusUnprocessableEntity, Message: "newsroom.error.window", Field: "unpublish_at"},
	content.ErrNoTime:       {Code: fiber.StatusUnprocessableEntity, Message: "newsroom.error.notime", Field: "publish_at"},
	content.ErrComment:      {Code: fiber.StatusUnprocessableEntity, Message: "newsroom.error.comment", Field: "comment"},
	content.ErrSlugTaken:    {Code: fiber.StatusUnprocessableEntity, Message: "newsroom.error.slug_taken", Field: "slug"},
	content.ErrBadSlug:      {Code: fiber.StatusUnprocessableEntity, Message: "newsroom.error.slug", Field: "slug"},
	errTime:                 {Code: fiber.StatusUnprocessableEntity, Message: "api.write.time"},
	db.ErrNotFound:          {Code: fiber.StatusNotFound, Message: "api.write.not_found"},
}

// writeSteps are the steps the API takes, and the action each needs.
var writeSteps = map[string]access.Action{content.StepSubmit: access.WriteDraftContent,
	content.StepRequestChanges: access.PublishByAPI, content.StepPublish: access.PublishByAPI, content.StepSchedule: access.PublishByAPI,
	content.StepUnpublish: access.PublishByAPI, content.StepArchive: access.PublishByAPI}

func (h *Handlers) mountWrites(r fiber.Router) {
	r.Post("/api/v1/content/:type", h.create)
	r.Put("/api/v1/content/:type/:slug", h.update)
	r.Post("/api/v1/content/:type/:slug/steps/:step", h.step)
}

// actor is the token as the workflow's actor: revisions and audit entries name it, and a token
// with content:publish is a publisher.
func actor(c *fiber.Ctx) content.Actor {
	s := access.Of(c)
	return content.Actor{Name: TokenActor(s.Token), IP: c.IP(), Publisher: s.Can(access.PublishByAPI, access.Object{})}
}

// TokenActor is how revisions and the audit log name a token: "API token <name> (#<id>)".
func TokenActor(t *access.Token) string {
	return "API token " + t.Name + " (#" + strconv.FormatInt(t.ID, 10) + ")"
}

// writeInput checks what every draft write needs (the scope, a known type, a readable body) and
// returns the type and the body, or the refusal to answer with.
func (h *Handlers) writeInput(c *fiber.Ctx) (content.Type, Write, func() error) {
	var in Write
	if !access.Of(c).Can(access.WriteDraftContent, access.Object{}) {
		return "", in, func() error { return h.web.RefuseAPI(c, access.WriteDraftContent) }
	}
	t := content.Type(c.Params("type"))
	if !t.Valid() {
		return "", in, func() error { return h.refuse(c, db.ErrNotFound) }
	}
	if err := decode(c, &in); err != nil {
		return "", in, func() error { return h.refuse(c, err) }
	}
	return t, in, nil
}

func (h *Handlers) create(c *fiber.Ctx) error {
	t, in, refusal := h.writeInput(c)
	if refusal != nil {
		return refusal()
	}
	e, _, err := h.content.SaveDraft(c.UserContext(), actor(c), content.Draft{Type: t, Slug: strings.TrimSpace(in.Slug), Fields: fields(in.Fields), Body: in.Body})
	if err != nil {
		return h.refuse(c, err)
	}
	c.Location(t.URL(e.Slug))
	return h.answer(c, fiber.StatusCreated, t, e.Slug)
}

func (h *Handlers) update(c *fiber.Ctx) error {
	t, in, refusal := h.writeInput(c)
	if refusal != nil {
		return refusal()
	}
	if in.BaseRevision <= 0 {
		return h.refuse(c, &content.FileError{Key: "base_revision", Rule: "required"})
	}
	slug := c.Params("slug")
	if _, err := h.content.Work(c.UserContext(), t, slug); err != nil {
		return h.refuse(c, err)
	}
	d := content.Draft{Type: t, Slug: slug, Base: in.BaseRevision, Fields: fields(in.Fields), Body: in.Body}
	if _, _, err := h.content.SaveDraft(c.UserContext(), actor(c), d); err != nil {
		return h.refuse(c, err)
	}
	return h.answer(c, fiber.StatusOK, t, slug)
}

func (h *Handlers) step(c *fiber.Ctx) error {
	step := c.Params("step")
	action, ok := writeSteps[step]
	if !ok {
		return h.refuse(c, db.ErrNotFound)
	}
	if !access.Of(c).Can(action, access.Object{}) {
		return h.web.RefuseAPI(c, action)
	}
	t, slug := content.Type(c.Params("type")), c.Params("slug")
	if !t.Valid() {
		return h.refuse(c, db.ErrNotFound)
	}
	var in StepBody
	if err := decode(c, &in); err != nil {
		return h.refuse(c, err)
	}
	if in.BaseRevision <= 0 {
		return h.refuse(c, &content.FileError{Key: "base_revision", Rule: "required"})
	}
	ctx, who := c.UserContext(), actor(c)
	if _, err := h.content.Work(ctx, t, slug); err != nil {
		return h.refuse(c, err)
	}
	var err error
	switch step {
	case content.StepSubmit:
		err = h.content.Submit(ctx, who, t, slug, in.BaseRevision)
	case content.StepRequestChanges:
		err = h.content.RequestChanges(ctx, who, t, slug, in.BaseRevision, in.Comment)
	case content.StepArchive:
		err = h.content.Archive(ctx, who, t, slug, in.BaseRevision)
	case content.StepPublish:
		if in.Anyway {
			err = h.content.PublishAnyway(ctx, who, t, slug, in.BaseRevision)
		} else {
			err = h.content.Publish(ctx, who, t, slug, in.BaseRevision)
		}
	case content.StepUnpublish:
		err = h.content.Unpublish(ctx, who, t, slug, in.BaseRevision)
	case content.StepSchedule:
		var at, until time.Time
		if at, err = rfc3339(in.PublishAt, "publish_at"); err == nil {
			if until, err = rfc3339(in.UnpublishAt, "unpublish_at"); err == nil {
				if in.Anyway {
					err = h.content.ScheduleAnyway(ctx, who, t, slug, in.BaseRevision, at, until)
				} else {
					err = h.content.Schedule(ctx, who, t, slug, in.BaseRevision, at, until)
				}
			}
		}
	}
	if err != nil {
		return h.refuse(c, err)
	}
	return h.answer(c, fiber.StatusOK, t, slug)
}

// timeError is a schedule time that is not RFC 3339, naming its field.
type timeError struct{ field string }

func (e timeError) Error() string { return e.field + ": not an RFC 3339 time" }
func (e timeError) Unwrap() error { return errTime }

func rfc3339(v, field string) (time.Time, error) {
	if strings.TrimSpace(v) == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(time.RFC3339, strings.TrimSpace(v))
	if err != nil {
		return time.Time{}, timeError{field}
	}
	return t, nil
}

// bodyError is a request body that is not the JSON the route takes.
type bodyError struct{ err error }

func (e bodyError) Error() string { return "api: body: " + e.err.Error() }

func decode(c *fiber.Ctx, v any) error {
	if !strings.HasPrefix(strings.ToLower(c.Get(fiber.HeaderContentType)), fiber.MIMEApplicationJSON) {
		return bodyError{errors.New("Content-Type must be application/json")}
	}
	dec := json.NewDecoder(strings.NewReader(string(c.Body())))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return bodyError{err}
	}
	return nil
}

// fields drops empty values, as the form does.
func fields(in map[string]string) map[string]string {
	out := map[string]string{}
	for k, v := range in {
		if v != "" {
			out[k] = v
		}
	}
	return out
}

// answer sends where the entry t/slug stands now.
func (h *Handlers) answer(c *fiber.Ctx, status int, t content.Type, slug string) error {
	w, err := h.content.Work(c.UserContext(), t, slug)
	if err != nil {
		return err
	}
	out := State{Type: t, Slug: w.Entry.Slug, RevisionID: w.Head.ID, Revision: w.Head.Number, State: w.Head.State,
		Published: w.Entry.PublishedRevisionID != 0, URL: t.URL(w.Entry.Slug)}
	times := []*string{&out.PublishAt, &out.UnpublishAt}
	for i, at := range []time.Time{w.Head.PublishAt, w.Head.UnpublishAt} {
		if !at.IsZero() {
			*times[i] = at.UTC().Format(time.RFC3339)
		}
	}
	if w.Live != nil && out.UnpublishAt == "" && !w.Live.UnpublishAt.IsZero() {
		out.UnpublishAt = w.Live.UnpublishAt.UTC().Format(time.RFC3339)
	}
	body, err := json.Marshal(out)
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderCacheControl, "private, no-store")
	c.Set(fiber.HeaderContentType, fiber.MIMEApplicationJSONCharsetUTF8)
	return c.Status(status).Send(body)
}

// refuse answers a refused write with a problem: 422 with one entry per field, 409 with the
// current revision, 400 for a body that is not the route's JSON.
func (h *Handlers) refuse(c *fiber.Ctx, err error) error {
	var fe *content.FileError
	var refused *content.Refused
	var be bodyError
	var te timeError
	var broken *content.BrokenLinks
	p := Problem{}
	switch {
	case errors.As(err, &broken):
		p.Problem = h.problem(c, fiber.StatusUnprocessableEntity, "api.write.broken_links", "Count", len(broken.Links))
		for _, l := range broken.Links {
			p.BrokenLinks = append(p.BrokenLinks, BrokenLink{Text: l.Text, Target: l.Target})
		}
	case errors.As(err, &be):
		p.Problem = h.problem(c, fiber.StatusBadRequest, "api.write.body", "Reason", be.err.Error())
	case errors.As(err, &fe):
		p.Problem = h.problem(c, fiber.StatusUnprocessableEntity, "api.write.invalid")
		var whole []string
		for _, pr := range fe.All() { // every field the write broke a rule of
			if pr.Key != "" {
				p.Errors = append(p.Errors, FieldProblem{Key: pr.Key, Rule: pr.Rule, Message: h.web.T(c, "newsroom.invalid."+pr.Rule, "Detail", pr.Detail)})
			} else {
				whole = append(whole, pr.Msg)
			}
		}
		if len(whole) > 0 {
			p.Detail = strings.Join(whole, "; ")
			p.Error.Message = p.Detail
		}
	case errors.As(err, &refused):
		p.Problem = h.problem(c, fiber.StatusUnprocessableEntity, "newsroom.error.refused", "Reason", refused.Msg)
	case errors.As(err, &te):
		p.Problem = h.problem(c, fiber.StatusUnprocessableEntity, "api.write.invalid")
		p.Errors = []FieldProblem{{Key: te.field, Rule: "time", Message: h.web.T(c, "api.write.time")}}
	default:
		st, ok := writeErrors.Of(err)
		if !ok {
			return err
		}
		p.Problem = h.problem(c, st.Code, st.Message, st.Args...)
		if st.Field != "" {
			p.Problem = h.problem(c, st.Code, "api.write.invalid")
			p.Errors = []FieldProblem{{Key: st.Field, Rule: rule(err), Message: h.web.Say(c, st)}}
		}
		if errors.Is(err, content.ErrMoved) {
			if w, werr := h.content.Work(c.UserContext(), content.Type(c.Params("type")), c.Params("slug")); werr == nil {
				p.CurrentRevisionID = w.Head.ID
			}
		}
	}
	body, merr := json.Marshal(p)
	if merr != nil {
		return merr
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	c.Set(fiber.HeaderContentType, web.MIMEProblem)
	return c.Status(p.Status).Send(body)
}

// rule names the rule a workflow error about a field breaks.
func rule(err error) string {
	switch {
	case errors.Is(err, content.ErrPast):
		return "future"
	case errors.Is(err, content.ErrWindow):
		return "after_publish"
	case errors.Is(err, content.ErrNoTime), errors.Is(err, content.ErrComment):
		return "required"
	case errors.Is(err, content.ErrSlugTaken):
		return "unique"
	}
	return "slug"
}

func (h *Handlers) problem(c *fiber.Ctx, status int, detail string, args ...any) web.Problem {
	p := web.Problem{Type: "about:blank", Title: h.web.T(c, "api.problem."+strconv.Itoa(status)), Status: status, Detail: h.web.T(c, detail, args...)}
	p.Error.Status, p.Error.Message = status, p.Detail
	return p
}
