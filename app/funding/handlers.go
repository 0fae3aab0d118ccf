package funding

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"passhub/app/access"
	"passhub/app/web"
)

// Handlers serve the public deadline calendar (/bandi), its iCalendar feeds, the calls' pages,
// and the reserved forms: the editors' calls and everyone's alerts.
type Handlers struct {
	web  *web.Server
	svc  *Service
	base string
	host string
}

// NewHandlers returns the funding handlers; baseURL makes the feeds' links and UIDs.
func NewHandlers(w *web.Server, svc *Service, baseURL string) *Handlers {
	host := "passhub"
	if u, err := url.Parse(baseURL); err == nil && u.Hostname() != "" {
		host = u.Hostname()
	}
	return &Handlers{web: w, svc: svc, base: strings.TrimRight(baseURL, "/"), host: host}
}

// Reserved pages.
const (
	EditorPath = "/area-riservata/bandi"
	AlertsPath = "/area-riservata/bandi/avvisi"
)

// Mount registers the routes.
func (h *Handlers) Mount(r fiber.Router) {
	r.Get("/bandi", h.calendar)
	r.Get("/bandi.ics", h.feed)
	r.Get("/bandi/:slug", h.call)
	follow := access.Require(access.FollowCalls, nil)
	r.Get(AlertsPath, follow, h.alerts)
	r.Post(AlertsPath, follow, h.subscribe)
	r.Post(AlertsPath+"/elimina", follow, h.unsubscribe)
	edit := access.Require(access.EditCalls, nil)
	r.Get(EditorPath, edit, h.list)
	r.Get(EditorPath+"/nuovo", edit, h.newForm)
	r.Post(EditorPath+"/nuovo", edit, h.create)
	r.Get(EditorPath+"/:id", edit, h.editForm)
	r.Post(EditorPath+"/:id", edit, h.update)
	r.Post(EditorPath+"/:id/pubblica", edit, h.publish)
}

func actor(c *fiber.Ctx) Actor { return Actor(web.ActorOf(c)) }

// PageSize is how many deadlines the list view shows at once.
const PageSize = 50

// query reads the calendar's filter; unknown values are refused (400).
func (h *Handlers) query(c *fiber.Ctx) (Filter, Choices, error) {
	ch, err := h.svc.Choices(c.UserContext())
	if err != nil {
		return Filter{}, ch, err
	}
	f := Filter{Programme: strings.TrimSpace(c.Query("programma")), Topic: strings.TrimSpace(c.Query("tema")), Status: c.Query("stato")}
	if !ch.Has(f) {
		return f, ch, fiber.NewError(fiber.StatusBadRequest, h.web.T(c, "funding.error.filter"))
	}
	return f, ch, nil
}

// Day is one day of the month view.
type Day struct {
	Date    time.Time
	InMonth bool
	Today   bool
	Entries []Entry
}

func (h *Handlers) calendar(c *fiber.Ctx) error {
	f, ch, err := h.query(c)
	if err != nil {
		return err
	}
	ctx := c.UserContext()
	today := h.svc.Today()
	data := fiber.Map{"Title": h.web.T(c, "funding.title"), "Filter": f, "Choices": ch, "Statuses": Statuses, "Today": today,
		"Feed": feedURL(f), "FeedAbs": webcal(h.base) + feedURL(f)}
	month := c.Query("mese")
	if c.Query("vista") == "mese" || month != "" {
		start, err := time.ParseInLocation("2006-01", month, Rome)
		if month == "" {
			now := h.svc.Now().In(Rome)
			start, err = time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, Rome), nil
		}
		if err != nil || start.Year() < 2000 || start.Year() > 2100 {
			return fiber.NewError(fiber.StatusBadRequest, h.web.T(c, "funding.error.month"))
		}
		first := start.AddDate(0, 0, -((int(start.Weekday()) + 6) % 7)) // the Monday on or before the 1st
		end := start.AddDate(0, 1, -1)
		last := end.AddDate(0, 0, (7-int(end.Weekday()))%7) // the Sunday on or after the last day
		mf := f
		mf.From, mf.To = first.Format(DateLayout), last.Format(DateLayout)
		entries, err := h.svc.Calendar(ctx, mf, 0)
		if err != nil {
			return err
		}
		byDay := map[string][]Entry{}
		for _, e := range entries {
			byDay[e.Deadline.DueOn] = append(byDay[e.Deadline.DueOn], e)
		}
		var weeks [][]Day
		for d := first; !d.After(last); d = d.AddDate(0, 0, 7) {
			week := make([]Day, 7)
			for i := range week {
				day := d.AddDate(0, 0, i)
				key := day.Format(DateLayout)
				week[i] = Day{Date: day, InMonth: day.Month() == start.Month(), Today: key == today, Entries: byDay[key]}
			}
			weeks = append(weeks, week)
		}
		data["Month"], data["Weeks"] = start, weeks
		data["Prev"], data["Next"] = start.AddDate(0, -1, 0).Format("2006-01"), start.AddDate(0, 1, 0).Format("2006-01")
		data["Count"] = len(entries)
		return h.web.Page(c, "funding/month", data)
	}
	page, _ := strconv.Atoi(c.Query("pagina"))
	page = max(page, 1)
	lf := f
	if f.Status != Closed {
		lf.From = today // the list is of the deadlines still to come, unless closed calls are asked
	}
	entries, err := h.svc.Calendar(ctx, lf, PageSize*page+1)
	if err != nil {
		return err
	}
	more := len(entries) > PageSize*page
	from := min(PageSize*(page-1), len(entries))
	entries = entries[from:min(PageSize*page, len(entries))]
	data["Entries"], data["Page"], data["More"] = entries, page, more
	return h.web.Page(c, "funding/calendar", data)
}

func feedURL(f Filter) string {
	v := url.Values{}
	if f.Programme != "" {
		v.Set("programma", f.Programme)
	}
	if f.Topic != "" {
		v.Set("tema", f.Topic)
	}
	if len(v) == 0 {
		return "/bandi.ics"
	}
	return "/bandi.ics?" + v.Encode()
}

// FeedPast is how far back the feed keeps deadlines.
const FeedPast = 365 * 24 * time.Hour

// feed serves the iCalendar of the published calls' deadlines the filter selects, from a year
// ago on.
func (h *Handlers) feed(c *fiber.Ctx) error {
	f, _, err := h.query(c)
	if err != nil {
		return err
	}
	f.Status = ""
	ctx := c.UserContext()
	modified, err := h.svc.Modified(ctx)
	if err != nil {
		return err
	}
	modified = modified.UTC().Truncate(time.Second)
	c.Set(fiber.HeaderCacheControl, "public, max-age=300")
	if !modified.IsZero() {
		c.Set(fiber.HeaderLastModified, modified.Format(http.TimeFormat))
		if since, err := http.ParseTime(c.Get(fiber.HeaderIfModifiedSince)); err == nil && !modified.After(since) {
			return c.SendStatus(fiber.StatusNotModified)
		}
	}
	f.From = h.svc.Now().Add(-FeedPast).In(Rome).Format(DateLayout)
	body, err := h.svc.Feed(ctx, f, h.web.I18n.T("it", "funding.title"), h.base, h.host, modified)
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, "text/calendar; charset=utf-8")
	c.Set(fiber.HeaderContentDisposition, `inline; filename="bandi.ics"`)
	return c.Send(body)
}

func (h *Handlers) call(c *fiber.Ctx) error {
	call, err := h.svc.Published(c.UserContext(), c.Params("slug"))
	if err != nil {
		return err
	}
	return h.web.Page(c, "funding/call", fiber.Map{"Title": call.Title, "TitleLang": "it", "Call": call, "Status": call.StatusOn(h.svc.Today()),
		"Crumbs": []map[string]string{{"URL": "/bandi", "Label": h.web.T(c, "funding.title")}}, "Feed": feedURL(Filter{Programme: call.Programme})})
}

// --- alerts

func (h *Handlers) alerts(c *fiber.Ctx) error {
	sub, err := h.svc.Subscription(c.UserContext(), access.Of(c).UserID)
	if err != nil {
		return err
	}
	f := SubscriptionForm{Channel: ChannelNow, DaysBefore: strconv.Itoa(DefaultDaysBefore)}
	if sub != nil {
		f = SubscriptionForm{Topics: sub.Topics, Programmes: sub.Programmes, Channel: sub.Channel, DaysBefore: strconv.Itoa(sub.DaysBefore)}
	}
	return h.renderAlerts(c, f, sub != nil, nil)
}

func (h *Handlers) renderAlerts(c *fiber.Ctx, f SubscriptionForm, subscribed bool, errs map[string]string) error {
	h.web.CSRFToken(c)
	ch, err := h.svc.Choices(c.UserContext())
	if err != nil {
		return err
	}
	picked := map[string]bool{}
	for _, t := range f.Topics {
		picked["t:"+t] = true
	}
	for _, p := range f.Programmes {
		picked["p:"+p] = true
	}
	return h.web.Page(c, "funding/alerts", fiber.Map{"Title": h.web.T(c, "funding.alerts.title"), "Form": f, "Picked": picked,
		"Choices": ch, "Subscribed": subscribed, "Errors": h.web.Messages(c, errs), "Max": MaxDaysBefore})
}

func multi(c *fiber.Ctx, name string) []string {
	var out []string
	for _, v := range c.Request().PostArgs().PeekMulti(name) {
		out = append(out, string(v))
	}
	return out
}

func (h *Handlers) subscribe(c *fiber.Ctx) error {
	f := SubscriptionForm{Topics: multi(c, "topics"), Programmes: multi(c, "programmes"), Channel: c.FormValue("channel"), DaysBefore: c.FormValue("days_before")}
	if _, err := h.svc.Subscribe(c.UserContext(), access.Of(c).UserID, f); err != nil {
		var bad Invalid
		if !errors.As(err, &bad) {
			return err
		}
		c.Status(fiber.StatusUnprocessableEntity)
		return h.renderAlerts(c, f, false, bad)
	}
	h.web.Flash(c, "funding.alerts.saved")
	return c.Redirect(AlertsPath, fiber.StatusSeeOther)
}

func (h *Handlers) unsubscribe(c *fiber.Ctx) error {
	if err := h.svc.Unsubscribe(c.UserContext(), access.Of(c).UserID); err != nil {
		return err
	}
	h.web.Flash(c, "funding.alerts.removed")
	return c.Redirect(AlertsPath, fiber.StatusSeeOther)
}

// --- the editors' forms

func (h *Handlers) list(c *fiber.Ctx) error {
	h.web.CSRFToken(c)
	calls, err := h.svc.All(c.UserContext(), 500)
	if err != nil {
		return err
	}
	return h.web.Page(c, "funding/list", fiber.Map{"Title": h.web.T(c, "funding.editor.title"), "Calls": calls, "Today": h.svc.Today()})
}

// EmptyDeadlines is how many blank deadline rows the form offers beyond those the call has.
const EmptyDeadlines = 2

func (h *Handlers) renderForm(c *fiber.Ctx, call *Call, f Form, errs map[string]string) error {
	h.web.CSRFToken(c)
	filled := f.Deadlines[:0:0]
	for _, d := range f.Deadlines {
		if strings.TrimSpace(d.Label+d.Date+d.Time) != "" {
			filled = append(filled, d)
		}
	}
	f.Deadlines = filled
	for i := 0; i < EmptyDeadlines || len(f.Deadlines) < 3; i++ {
		f.Deadlines = append(f.Deadlines, DeadlineForm{})
	}
	title := h.web.T(c, "funding.editor.new")
	action := EditorPath + "/nuovo"
	if call != nil {
		title, action = call.Title, EditorPath+"/"+strconv.FormatInt(call.ID, 10)
	}
	return h.web.Page(c, "funding/form", fiber.Map{"Title": title, "Call": call, "Form": f, "Action": action, "Statuses": Statuses,
		"Errors": h.web.Messages(c, errs), "Crumbs": []map[string]string{{"URL": EditorPath, "Label": h.web.T(c, "funding.editor.title")}}})
}

func formOf(c *fiber.Ctx) Form {
	f := Form{Code: c.FormValue("code"), Title: c.FormValue("title"), Programme: c.FormValue("programme"), Authority: c.FormValue("authority"),
		Summary: c.FormValue("summary"), Budget: c.FormValue("budget"), CoFunding: c.FormValue("co_funding"), Beneficiaries: c.FormValue("beneficiaries"),
		URL: c.FormValue("url"), OpensOn: c.FormValue("opens_on"), ForcedStatus: c.FormValue("forced_status"), Topics: c.FormValue("topics")}
	labels, dates, times := multi(c, "deadline_label"), multi(c, "deadline_date"), multi(c, "deadline_time")
	for i := range dates {
		d := DeadlineForm{Date: dates[i]}
		if i < len(labels) {
			d.Label = labels[i]
		}
		if i < len(times) {
			d.Time = times[i]
		}
		f.Deadlines = append(f.Deadlines, d)
	}
	return f
}

func (h *Handlers) newForm(c *fiber.Ctx) error { return h.renderForm(c, nil, Form{}, nil) }

func (h *Handlers) create(c *fiber.Ctx) error {
	f := formOf(c)
	call, err := h.svc.Create(c.UserContext(), actor(c), f)
	if err != nil {
		return h.refused(c, nil, f, err)
	}
	h.web.Flash(c, "funding.editor.created")
	return c.Redirect(EditorPath+"/"+strconv.FormatInt(call.ID, 10), fiber.StatusSeeOther)
}

func (h *Handlers) refused(c *fiber.Ctx, call *Call, f Form, err error) error {
	var bad Invalid
	if !errors.As(err, &bad) {
		return err
	}
	c.Status(fiber.StatusUnprocessableEntity)
	return h.renderForm(c, call, f, bad)
}

func (h *Handlers) editForm(c *fiber.Ctx) error {
	id, err := web.ID(c, "id")
	if err != nil {
		return err
	}
	call, err := h.svc.Get(c.UserContext(), id)
	if err != nil {
		return err
	}
	return h.renderForm(c, call, FormOf(call), nil)
}

func (h *Handlers) update(c *fiber.Ctx) error {
	id, err := web.ID(c, "id")
	if err != nil {
		return err
	}
	call, err := h.svc.Get(c.UserContext(), id)
	if err != nil {
		return err
	}
	f := formOf(c)
	if _, err := h.svc.Update(c.UserContext(), actor(c), id, f); err != nil {
		return h.refused(c, call, f, err)
	}
	h.web.Flash(c, "funding.editor.saved")
	return c.Redirect(EditorPath+"/"+strconv.FormatInt(id, 10), fiber.StatusSeeOther)
}

func (h *Handlers) publish(c *fiber.Ctx) error {
	id, err := web.ID(c, "id")
	if err != nil {
		return err
	}
	publish := c.FormValue("publish") == "1"
	if err := h.svc.SetPublished(c.UserContext(), actor(c), id, publish); err != nil {
		return err
	}
	h.web.Flash(c, map[bool]string{true: "funding.editor.published", false: "funding.editor.unpublished"}[publish])
	return c.Redirect(EditorPath+"/"+strconv.FormatInt(id, 10), fiber.StatusSeeOther)
}

// webcal is the base URL with the webcal scheme calendar applications subscribe with.
func webcal(base string) string {
	if _, rest, ok := strings.Cut(base, "://"); ok {
		return "webcal://" + rest
	}
	return base
}
