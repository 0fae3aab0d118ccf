package analysis

import (
	"html/template"
	"strconv"
	"strings"
	"time"

	"passhub/app/chart"
	"passhub/app/stats"
)

// Cell is one value of a table: a number (Num, when IsNum) or a text, a date, and the link to the
// requests behind it, if any.
type Cell struct {
	Text  string
	Num   float64
	IsNum bool
	Date  time.Time // a date, written in the page's language and as YYYY-MM-DD in exports
	Link  string
	// Content marks text that is the platform's data (names of enti, titles), in Italian.
	Content bool
}

func num(n int64) Cell      { return Cell{Num: float64(n), IsNum: true, Text: strconv.FormatInt(n, 10)} }
func text(s string) Cell    { return Cell{Text: s} }
func content(s string) Cell { return Cell{Text: s, Content: true} }

func days(d float64) Cell {
	return Cell{Num: d, IsNum: true, Text: strconv.FormatFloat(d, 'f', -1, 64)}
}

// daysBetween counts the calendar days, in Italian time, from a to b (0 when b is before a).
func daysBetween(a, b time.Time) int64 {
	day := func(t time.Time) time.Time {
		t = t.In(rome)
		return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
	}
	return max(int64(day(b).Sub(day(a)).Hours()/24), 0)
}

func linked(c Cell, url string) Cell { c.Link = url; return c }

// Table is one table of the panel, shown as HTML and exported as CSV and XLSX.
type Table struct {
	Name  string // the export's name: /area-riservata/analisi/NAME.csv
	Title string
	Note  string // a line under the title
	Head  []string
	Rows  [][]Cell
	Chart template.HTML // the table's chart, when people would rather look
	HTML  template.HTML // the table's head and body (Grid), set before the page is rendered
	// Exports are the links to the table as CSV and XLSX, with the filters.
	CSV, XLSX string
	Total     int // rows in all, when Rows holds only the first ones
	More      string
}

// Right reports whether column i holds figures (numbers, dates or "–" for none), aligned right.
func (t Table) Right(i int) bool {
	if i == 0 {
		return false
	}
	for _, r := range t.Rows {
		if i < len(r) && (r[i].IsNum || !r[i].Date.IsZero()) {
			return true
		}
	}
	return false
}

// Grid is the table's head and body as HTML (the thead and tbody of the panel's table): the first
// cell of a row heads it, figures are aligned right, dates written by date, links and the
// platform's Italian texts marked. It is written here, not by the template, because a panel has
// thousands of cells and each would cost several reflective calls.
func (t Table) Grid(date func(time.Time) string) template.HTML {
	right := make([]bool, len(t.Head))
	for i := range right {
		right[i] = t.Right(i)
	}
	var b strings.Builder
	b.Grow(64 * (len(t.Rows) + 1) * max(len(t.Head), 1))
	b.WriteString("<thead><tr>")
	for i, h := range t.Head {
		b.WriteString(`<th scope="col"`)
		if right[i] {
			b.WriteString(` class="text-end"`)
		}
		b.WriteString(">" + template.HTMLEscapeString(h) + "</th>")
	}
	b.WriteString("</tr></thead>\n<tbody>\n")
	for _, row := range t.Rows {
		b.WriteString("<tr>")
		for i, c := range row {
			if i == 0 {
				b.WriteString(`<th scope="row">`)
			} else {
				var class []string
				if i < len(right) && right[i] {
					class = append(class, "text-end")
				}
				if !c.Date.IsZero() {
					class = append(class, "text-nowrap")
				}
				b.WriteString(`<td class="` + strings.Join(class, " ") + `">`)
			}
			value := c.Text
			if !c.Date.IsZero() {
				value = date(c.Date)
			}
			lang := ""
			if c.Content {
				lang = ` lang="it"`
			}
			switch {
			case c.Link != "":
				b.WriteString(`<a href="` + template.HTMLEscapeString(c.Link) + `"` + lang + ">" + template.HTMLEscapeString(value) + "</a>")
			case c.Content:
				b.WriteString(`<span lang="it">` + template.HTMLEscapeString(value) + "</span>")
			default:
				b.WriteString(template.HTMLEscapeString(value))
			}
			if i == 0 {
				b.WriteString("</th>")
			} else {
				b.WriteString("</td>")
			}
		}
		b.WriteString("</tr>\n")
	}
	b.WriteString("</tbody>")
	return template.HTML(b.String()) // every text and link above is escaped
}

// T translates a message id in the viewer's language.
type T func(id string, args ...any) string

// builder makes the panel's tables for one query.
type builder struct {
	t     T
	q     Query
	procs map[string]string // procedure id → code and title
	tfs   map[string]string // task force code → title
}

func (b builder) drill(measure string, more ...string) string {
	return b.q.URL("/area-riservata/analisi/richieste", append([]string{"misura", measure}, more...)...)
}

func (b builder) table(name, title string, head ...string) Table {
	return Table{Name: name, Title: b.t(title), Head: head,
		CSV:  b.q.URL("/area-riservata/analisi/" + name + ".csv"),
		XLSX: b.q.URL("/area-riservata/analisi/" + name + ".xlsx")}
}

// counted are the steps of the counts table, in order.
var counted = []string{stats.Filed, stats.Triaged, stats.Assigned, stats.Rejected, stats.Withdrawn, stats.Started, stats.Concluded}

func countOf(c stats.Counts, m string) int64 {
	switch m {
	case stats.Filed:
		return c.Filed
	case stats.Triaged:
		return c.Triaged
	case stats.Assigned:
		return c.Assigned
	case stats.Rejected:
		return c.Rejected
	case stats.Withdrawn:
		return c.Withdrawn
	case stats.Started:
		return c.Started
	case stats.Concluded:
		return c.Concluded
	}
	return 0
}

func (b builder) counts(f stats.Figures) Table {
	t := b.table("conteggi", "analysis.counts", b.t("analysis.col.measure"), b.t("analysis.col.requests"))
	ch := chart.Chart{ID: "chart-counts", Title: t.Title, Desc: b.t("analysis.counts.desc"), Axis: b.t("analysis.col.requests"),
		Series: []string{b.t("analysis.col.requests")}, Empty: b.t("analysis.none")}
	for _, m := range counted {
		n := countOf(f.Counts, m)
		t.Rows = append(t.Rows, []Cell{text(b.t("analysis.measure." + m)), linked(num(n), b.drill(m))})
		ch.Categories = append(ch.Categories, b.t("analysis.measure."+m))
		ch.Values = append(ch.Values, []chart.Value{{N: float64(n)}})
	}
	t.Rows = append(t.Rows, []Cell{text(b.t("analysis.measure.integration")), num(f.Integrations.N)})
	t.Chart = chart.Horizontal(ch)
	return t
}

func (b builder) stock(stock map[string]int64) Table {
	t := b.table("stato", "analysis.stock", b.t("analysis.col.state"), b.t("analysis.col.requests"))
	if b.q.To != "" {
		t.Note = b.t("analysis.stock.at", "Month", b.q.To)
	} else {
		t.Note = b.t("analysis.stock.now")
	}
	ch := chart.Chart{ID: "chart-stock", Title: t.Title, Desc: t.Note, Axis: b.t("analysis.col.requests"),
		Series: []string{b.t("analysis.col.requests")}, Empty: b.t("analysis.none")}
	for _, st := range States {
		n := stock[st]
		t.Rows = append(t.Rows, []Cell{text(b.t("state." + st)), linked(num(n), b.drill(StockOf+st))})
		ch.Categories = append(ch.Categories, b.t("state."+st))
		ch.Values = append(ch.Values, []chart.Value{{N: float64(n)}})
	}
	t.Chart = chart.Horizontal(ch)
	return t
}

// tracked are the states whose stays are measured, in order.
var tracked = []string{"submitted", "assigned", "in_progress", "waiting_ente"}

func (b builder) times(f stats.Figures) Table {
	t := b.table("tempi", "analysis.times", b.t("analysis.col.measure"), b.t("analysis.col.n"), b.t("analysis.col.median"),
		b.t("analysis.col.p90"), b.t("analysis.col.mean"))
	t.Note = b.t("analysis.times.note")
	row := func(label string, d stats.Dist) {
		if d.N == 0 {
			t.Rows = append(t.Rows, []Cell{text(label), num(0), text("–"), text("–"), text("–")})
			return
		}
		t.Rows = append(t.Rows, []Cell{text(label), num(d.N), days(float64(d.Median)), days(float64(d.P90)),
			days(float64(int64(d.Mean*10+0.5)) / 10)})
	}
	ch := chart.Chart{ID: "chart-stays", Title: b.t("analysis.stays"), Desc: b.t("analysis.stays.desc"), Axis: b.t("analysis.col.days"),
		Series: []string{b.t("analysis.col.median"), b.t("analysis.col.p90")}, Empty: b.t("analysis.none")}
	for _, st := range tracked {
		var d stats.Dist
		if p := f.Stays[st]; p != nil {
			d = *p
		}
		row(b.t("analysis.stay", "State", b.t("state."+st)), d)
		ch.Categories = append(ch.Categories, b.t("state."+st))
		if d.N == 0 {
			ch.Values = append(ch.Values, []chart.Value{{Hidden: true}, {Hidden: true}})
		} else {
			ch.Values = append(ch.Values, []chart.Value{{N: float64(d.Median)}, {N: float64(d.P90)}})
		}
	}
	row(b.t("analysis.to.triage"), f.ToTriage)
	row(b.t("analysis.to.start"), f.ToStart)
	row(b.t("analysis.to.conclusion"), f.ToConclusion)
	// The enti's answers are summed, not counted by day: their mean only.
	if d := f.ToAnswer; d.N > 0 {
		t.Rows = append(t.Rows, []Cell{text(b.t("analysis.to.answer")), num(d.N), text("–"), text("–"), days(float64(int64(d.Mean*10+0.5)) / 10)})
	} else {
		row(b.t("analysis.to.answer"), d)
	}
	t.Chart = chart.Horizontal(ch)
	return t
}

func (b builder) pending(name, title string, rows []Pending, total int, overdue bool, today time.Time) Table {
	var t Table
	if overdue {
		t = b.table(name, title, b.t("requests.request"), b.t("requests.ente"), b.t("analysis.col.taskforce"),
			b.t("analysis.col.due"), b.t("analysis.col.late"), b.t("analysis.col.open"))
	} else {
		t = b.table(name, title, b.t("requests.request"), b.t("requests.ente"), b.t("analysis.col.taskforce"),
			b.t("analysis.col.since"), b.t("analysis.col.waiting"))
	}
	t.Note = b.t("analysis.now")
	for _, r := range rows {
		cells := []Cell{linked(content(r.Title), "/area-riservata/richieste/"+strconv.FormatInt(r.RequestID, 10)), content(r.Ente), text(r.TaskForce)}
		if overdue {
			cells = append(cells, Cell{Date: r.IntegrationDue}, num(daysBetween(r.IntegrationDue, today)), num(int64(r.IntegrationsOpen)))
		} else {
			cells = append(cells, Cell{Date: r.StateSince}, num(daysBetween(r.StateSince, today)))
		}
		t.Rows = append(t.Rows, cells)
	}
	t.Total = total
	if total > len(rows) {
		m := WaitingTriage
		if overdue {
			m = OverdueInteg
		}
		t.More = b.drill(m)
	}
	return t
}

func (b builder) workload(loads []Load) Table {
	t := b.table("carico", "analysis.workload", b.t("analysis.col.expert"), b.t("analysis.col.month"), b.t("analysis.col.activities"),
		b.t("analysis.col.minutes"))
	var names []string
	minutes := map[string]int64{}
	for _, l := range loads {
		t.Rows = append(t.Rows, []Cell{linked(content(l.Name), b.q.URL("/area-riservata/analisi", "esperto", strconv.FormatInt(l.ExpertID, 10))),
			text(l.Month), num(l.Activities), num(l.Minutes)})
		if _, ok := minutes[l.Name]; !ok {
			names = append(names, l.Name)
		}
		minutes[l.Name] += l.Minutes
	}
	ch := chart.Chart{ID: "chart-workload", Title: t.Title, Desc: b.t("analysis.workload.desc"), Axis: b.t("analysis.col.minutes"),
		Series: []string{b.t("analysis.col.minutes")}, Empty: b.t("analysis.none")}
	for _, n := range names {
		ch.Categories = append(ch.Categories, n)
		ch.Values = append(ch.Values, []chart.Value{{N: float64(minutes[n])}})
	}
	t.Chart = chart.Horizontal(ch)
	return t
}

// groups is a table of figures by task force, procedure, province or month; set is the filter
// parameter a row's links set to its key (for months, the period).
func (b builder) groups(name, title, keyHead string, gs []stats.Group, set string, label func(string) (string, bool)) Table {
	median := set != "mese" // app/stats gives the time to conclusion by task force, procedure and province
	head := []string{keyHead, b.t("analysis.measure.filed"), b.t("analysis.measure.triaged"), b.t("analysis.measure.concluded")}
	if median {
		head = append(head, b.t("analysis.col.median.conclusion"))
	}
	t := b.table(name, title, head...)
	for _, g := range gs {
		more := []string{set, g.Key}
		if set == "mese" {
			more = []string{"da", g.Key, "a", g.Key}
		}
		l, isContent := label(g.Key)
		key := text(l)
		key.Content = isContent
		med := text("–")
		if g.ToConclusion.N > 0 {
			med = days(float64(g.ToConclusion.Median))
		}
		row := []Cell{key, linked(num(g.Filed), b.drill(stats.Filed, more...)),
			linked(num(g.Triaged), b.drill(stats.Triaged, more...)), linked(num(g.Concluded), b.drill(stats.Concluded, more...))}
		if median {
			row = append(row, med)
		}
		t.Rows = append(t.Rows, row)
	}
	return t
}

func (b builder) months(f stats.Figures) Table {
	t := b.groups("mesi", "analysis.bymonth", b.t("analysis.col.month"), f.ByMonth, "mese", func(k string) (string, bool) { return k, false })
	ch := chart.Chart{ID: "chart-months", Title: t.Title, Desc: b.t("analysis.bymonth.desc"), Axis: b.t("analysis.col.requests"),
		CategoryAxis: b.t("analysis.col.month"), Series: []string{b.t("analysis.measure.filed"), b.t("analysis.measure.concluded")},
		Empty: b.t("analysis.none")}
	for _, g := range f.ByMonth {
		ch.Categories = append(ch.Categories, g.Key)
		ch.Values = append(ch.Values, []chart.Value{{N: float64(g.Filed)}, {N: float64(g.Concluded)}})
	}
	t.Chart = chart.Vertical(ch)
	return t
}

func (b builder) byTaskForce(f stats.Figures) Table {
	return b.groups("task-force", "analysis.bytaskforce", b.t("analysis.col.taskforce"), f.ByTaskForce, "tf", func(k string) (string, bool) {
		if n, ok := b.tfs[k]; ok {
			return k + " – " + n, true
		}
		return k, false
	})
}

func (b builder) byProcedure(f stats.Figures) Table {
	return b.groups("procedure", "analysis.byprocedure", b.t("requests.procedure"), f.ByProcedure, "procedura", func(k string) (string, bool) {
		if n, ok := b.procs[k]; ok {
			return n, true
		}
		return k, false
	})
}

func (b builder) byProvince(f stats.Figures) Table {
	return b.groups("province", "analysis.byprovince", b.t("analysis.col.province"), f.ByProvince, "provincia", func(k string) (string, bool) { return k, false })
}

// find returns the table named name.
func find(ts []Table, name string) (Table, bool) {
	for _, t := range ts {
		if t.Name == name {
			return t, true
		}
	}
	return Table{}, false
}

// safe guards a text cell against formula injection in spreadsheets: one that starts with = + - @
// (or a tab or carriage return) is written after an apostrophe.
func safe(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

// Satisfaction is what the help desk's requesters said of the tickets closed in a period
// (app/helpdesk's figures, in its field order).
type Satisfaction struct {
	Rated          int
	Average        float64
	Stars          [5]int // ratings of 1 to 5 stars
	Closed         int
	AnsweredInTime int
	ResolvedInTime int
}

// satisfaction is the help desk's table: the tickets closed in the period, their ratings (how
// many of each), the average, and how many met each service level.
func (b builder) satisfaction(s Satisfaction) Table {
	t := b.table("assistenza", "analysis.helpdesk", b.t("analysis.col.measure"), b.t("analysis.col.tickets"))
	t.Note = b.t("analysis.helpdesk.note")
	avg := Cell{Text: "—"}
	if s.Rated > 0 {
		avg = Cell{Num: s.Average, IsNum: true, Text: strconv.FormatFloat(s.Average, 'f', 1, 64)}
	}
	t.Rows = [][]Cell{
		{text(b.t("analysis.helpdesk.closed")), num(int64(s.Closed))},
		{text(b.t("analysis.helpdesk.answered_in_time")), num(int64(s.AnsweredInTime))},
		{text(b.t("analysis.helpdesk.resolved_in_time")), num(int64(s.ResolvedInTime))},
		{text(b.t("analysis.helpdesk.rated")), num(int64(s.Rated))},
		{text(b.t("analysis.helpdesk.average")), avg},
	}
	ch := chart.Chart{ID: "chart-helpdesk", Title: b.t("analysis.helpdesk.stars"), Desc: t.Note, Axis: b.t("analysis.col.tickets"),
		Series: []string{b.t("analysis.col.tickets")}, Empty: b.t("analysis.none")}
	for stars := 5; stars >= 1; stars-- {
		label := b.t("analysis.helpdesk.star", "Count", stars)
		t.Rows = append(t.Rows, []Cell{text(label), num(int64(s.Stars[stars-1]))})
		ch.Categories = append(ch.Categories, label)
		ch.Values = append(ch.Values, []chart.Value{{N: float64(s.Stars[stars-1])}})
	}
	t.Chart = chart.Horizontal(ch)
	return t
}
