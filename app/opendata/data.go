package opendata

import (
	"context"
	"math"
	"sort"
	"strconv"
	"strings"
	"time"

	"passhub/app/catalogue"
	"passhub/app/ente"
	"passhub/app/stats"
)

// MinCount is the smallest count published: a count under it (zero included) of requests or enti,
// and a figure computed from fewer requests, is suppressed.
const MinCount = 3

// Kinds of column.
const (
	KindText    = "text"    // a code or a name
	KindMonth   = "month"   // YYYY-MM
	KindCount   = "count"   // a whole number of requests or enti
	KindDays    = "days"    // a duration in days (whole for medians and percentiles)
	KindNumber  = "number"  // a sum or an average
	KindPercent = "percent" // a percentage, one decimal
)

// Column is a column of a dataset; its description is the message dati.col.<Name>.
type Column struct {
	Name, Kind string
}

// Value is a cell: text, a number, nothing known, or a suppressed number.
type Value struct {
	Text       string
	Num        float64
	Known      bool // Num is meaningful
	Suppressed bool // a number computed from fewer than MinCount requests, not published
}

func text(s string) Value    { return Value{Text: s} }
func number(f float64) Value { return Value{Num: f, Known: true} }
func unknown() Value         { return Value{} }
func suppressed() Value      { return Value{Suppressed: true} }

// count is a count, suppressed under MinCount, zero included: a zero beside the other counts
// can single out an ente as well as a one.
func count(n int64) Value {
	if n < MinCount {
		return suppressed()
	}
	return number(float64(n))
}

// measure is a figure computed from n requests, suppressed when they are fewer than MinCount.
func measure(n int64, f float64) Value {
	if n < MinCount {
		return suppressed()
	}
	return number(f)
}

// Dataset is one published table.
type Dataset struct {
	Name    string // in the URLs: /dati/<Name>.csv; its title and description are dati.ds.<Name>.title and .desc
	Columns []Column
	// Filters are the query parameters that narrow it.
	Filters []string
	rows    func(d *Data) [][]Value
}

var countColumns = []Column{{"presentate", KindCount}, {"prese_in_carico", KindCount}, {"assegnate", KindCount},
	{"respinte", KindCount}, {"ritirate", KindCount}, {"avviate", KindCount}, {"concluse", KindCount},
	{"mediana_giorni_conclusione", KindDays}}

func countValues(g stats.Group) []Value {
	c := g.Counts
	return []Value{count(c.Filed), count(c.Triaged), count(c.Assigned), count(c.Rejected), count(c.Withdrawn),
		count(c.Started), count(c.Concluded), measure(g.ToConclusion.N, float64(g.ToConclusion.Median))}
}

func cols(first []Column, rest ...[]Column) []Column {
	out := append([]Column(nil), first...)
	for _, r := range rest {
		out = append(out, r...)
	}
	return out
}

var allFilters = []string{ParamFrom, ParamTo, ParamTaskForce, ParamProvince}

// Datasets are the published datasets, in the order the page shows them.
var Datasets = []*Dataset{
	{Name: "richieste-per-mese", Columns: cols([]Column{{"mese", KindMonth}}, countColumns), Filters: allFilters,
		rows: func(d *Data) [][]Value {
			var out [][]Value
			for _, g := range d.Months() {
				out = append(out, append([]Value{text(g.Key)}, countValues(g)...))
			}
			return out
		}},
	{Name: "richieste-per-task-force", Columns: cols([]Column{{"task_force", KindText}, {"task_force_nome", KindText}}, countColumns), Filters: allFilters,
		rows: func(d *Data) [][]Value {
			var out [][]Value
			for _, g := range d.ByTaskForce() {
				out = append(out, append([]Value{text(g.Key), text(d.TaskForceName(g.Key))}, countValues(g)...))
			}
			return out
		}},
	// By procedure, not by province too: the roll-up keeps the procedures' sums over all provinces.
	{Name: "richieste-per-procedura", Columns: cols([]Column{{"procedura", KindText}, {"procedura_nome", KindText}, {"task_force", KindText}}, countColumns),
		Filters: []string{ParamFrom, ParamTo, ParamTaskForce},
		rows: func(d *Data) [][]Value {
			var out [][]Value
			for _, g := range d.ByProcedure() {
				code, name, tf := d.Procedure(g.Key)
				out = append(out, append([]Value{text(code), text(name), text(tf)}, countValues(g)...))
			}
			return out
		}},
	{Name: "richieste-per-provincia", Columns: cols([]Column{{"provincia", KindText}, {"provincia_nome", KindText}}, countColumns), Filters: allFilters,
		rows: func(d *Data) [][]Value {
			var out [][]Value
			for _, g := range d.ByProvince() {
				out = append(out, append([]Value{text(g.Key), text(ProvinceName(g.Key))}, countValues(g)...))
			}
			return out
		}},
	{Name: "tempi", Columns: []Column{{"misura", KindText}, {"stato", KindText}, {"richieste", KindCount}, {"mediana_giorni", KindDays},
		{"p90_giorni", KindDays}, {"media_giorni", KindDays}}, Filters: allFilters,
		rows: func(d *Data) [][]Value {
			var out [][]Value
			for _, t := range d.Times() {
				n := min(t.Requests, t.Dist.N)
				out = append(out, []Value{text(t.Measure), text(t.State), count(t.Requests), measure(n, float64(t.Dist.Median)),
					measure(n, float64(t.Dist.P90)), measure(n, math.Round(t.Dist.Mean*10)/10)})
			}
			return out
		}},
	{Name: "arretrato", Columns: []Column{{"fase", KindText}, {"enti_interpellati", KindCount}, {"risposte", KindCount},
		{"richieste_con_pratiche", KindCount}, {"pratiche_prima", KindNumber}, {"pratiche_dopo", KindNumber}, {"riduzione_pratiche_pct", KindPercent},
		{"richieste_con_tempi", KindCount}, {"giorni_medi_prima", KindDays}, {"giorni_medi_dopo", KindDays}, {"riduzione_giorni_pct", KindPercent}},
		Filters: allFilters,
		rows: func(d *Data) [][]Value {
			var out [][]Value
			for _, st := range Stages {
				o := d.Figures.Outcomes[st.Key]
				b, dd := o.Backlog, o.Days
				avg := func(total int64) float64 { return math.Round(float64(total)/float64(max(dd.N, 1))*10) / 10 }
				out = append(out, []Value{text(st.Code), count(o.Asked), count(o.Answered),
					count(b.N), measure(b.N, float64(b.Before)), measure(b.N, float64(b.After)), measure(b.N, pct(b.Reduction())),
					count(dd.N), measure(dd.N, avg(dd.Before)), measure(dd.N, avg(dd.After)), measure(dd.N, pct(dd.Reduction()))})
			}
			return out
		}},
	{Name: "enti-registrati", Columns: []Column{{"provincia", KindText}, {"provincia_nome", KindText}, {"enti_in_anagrafe", KindCount},
		{"enti_registrati", KindCount}}, Filters: []string{ParamProvince},
		rows: func(d *Data) [][]Value {
			var out [][]Value
			for _, p := range d.Enti {
				if d.Filter.Province != "" && p.Province != d.Filter.Province {
					continue
				}
				out = append(out, []Value{text(p.Province), text(ProvinceName(p.Province)), number(float64(p.Total)), count(int64(p.Approved))})
			}
			return out
		}},
}

// DatasetNamed returns the dataset of that name, or nil.
func DatasetNamed(name string) *Dataset {
	for _, d := range Datasets {
		if d.Name == name {
			return d
		}
	}
	return nil
}

func pct(f float64) float64 { return math.Round(f*1000) / 10 }

// Stage is a moment the enti are asked for their backlog again.
type Stage struct{ Key, Code string } // Key in the roll-ups, Code in the datasets

// Stages are the outcome stages, in order.
var Stages = []Stage{{stats.StageConcluded, "conclusione"}, {stats.StageSixMonths, "sei_mesi"}}

// Time is a row of the times: a duration measure, and the state for the stays, with the number
// of requests it comes from.
type Time struct {
	Measure, State string
	Dist           stats.Dist
	Requests       int64
}

// States whose stays are published, in the order of a request's life.
var States = []string{"submitted", "assigned", "in_progress", "waiting_ente"}

// Times are the durations, then the stays by state.
func (d *Data) Times() []Time {
	f := d.Figures
	out := []Time{{"presa_in_carico", "", f.ToTriage, f.ToTriage.N}, {"prima_attivita", "", f.ToStart, f.ToStart.N},
		{"conclusione", "", f.ToConclusion, f.ToConclusion.N}}
	for _, st := range States {
		var dist stats.Dist
		if p := f.Stays[st]; p != nil {
			dist = *p
		}
		out = append(out, Time{"permanenza", st, dist, dist.N}) // one value per request: its days in the state
	}
	return out
}

// Data is what the page and the datasets show for one filter.
type Data struct {
	Filter   Filter
	Figures  stats.Figures
	Enti     []ente.ProvinceCount // by province, filtered by Filter.Province
	Modified time.Time            // the latest change of the figures and of what names them (not rounded)
	tfs      []*catalogue.TaskForce
	procs    map[int64]*catalogue.Procedure
	tfOf     map[int64]string
}

// Sources are the services the figures come from.
type Sources struct {
	Stats     *stats.Service
	Catalogue *catalogue.Service
	Enti      *ente.Service
}

// catalogueOf returns the task forces and the known codes.
func (s Sources) catalogueOf(ctx context.Context) ([]*catalogue.TaskForce, map[string]bool, error) {
	tfs, err := s.Catalogue.Catalogue(ctx)
	if err != nil {
		return nil, nil, err
	}
	known := map[string]bool{}
	for _, tf := range tfs {
		known[tf.Code] = true
	}
	return tfs, known, nil
}

// provinces returns the registry's counts by province, the Lombardy provinces included, and the known codes.
func (s Sources) provinces(ctx context.Context) ([]ente.ProvinceCount, map[string]bool, error) {
	counts, err := s.Enti.ProvinceCounts(ctx)
	if err != nil {
		return nil, nil, err
	}
	known := map[string]bool{}
	for _, p := range counts {
		known[p.Province] = true
	}
	for _, p := range ente.LombardyProvinces {
		if !known[p.Province] {
			counts = append(counts, ente.ProvinceCount{Province: p.Province})
			known[p.Province] = true
		}
	}
	sort.Slice(counts, func(i, j int) bool { return ProvinceName(counts[i].Province) < ProvinceName(counts[j].Province) })
	return counts, known, nil
}

// Load computes the figures of f.
func (s Sources) Load(ctx context.Context, f Filter, tfs []*catalogue.TaskForce, enti []ente.ProvinceCount) (*Data, error) {
	figs, err := s.Stats.Figures(ctx, f.Stats())
	if err != nil {
		return nil, err
	}
	d := &Data{Filter: f, Figures: figs, Enti: enti, tfs: tfs, procs: map[int64]*catalogue.Procedure{}, tfOf: map[int64]string{}}
	for _, tf := range tfs {
		for _, p := range tf.Procedures {
			d.procs[p.ID] = p
			d.tfOf[p.ID] = tf.Code
		}
	}
	if d.Modified, err = s.Modified(ctx, tfs); err != nil {
		return nil, err
	}
	return d, nil
}

// Modified is the latest change of what the datasets show: the requests' facts, the enti registry
// and the catalogue's names.
func (s Sources) Modified(ctx context.Context, tfs []*catalogue.TaskForce) (time.Time, error) {
	var out time.Time
	for _, tf := range tfs {
		out = later(out, tf.UpdatedAt)
		for _, p := range tf.Procedures {
			out = later(out, p.UpdatedAt)
		}
	}
	at, err := s.Stats.LastChange(ctx)
	if err != nil {
		return time.Time{}, err
	}
	out = later(out, at)
	if at, err = s.Enti.LastChange(ctx); err != nil {
		return time.Time{}, err
	}
	return later(out, at).UTC(), nil
}

func later(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

// Months are the months of the figures, from the first to the last, none missing.
func (d *Data) Months() []stats.Group {
	got := d.Figures.ByMonth
	if len(got) == 0 {
		return nil
	}
	byKey := map[string]stats.Group{}
	for _, g := range got {
		byKey[g.Key] = g
	}
	first, last := got[0].Key, got[len(got)-1].Key
	var out []stats.Group
	for m := first; m <= last && len(out) < 1200; m = nextMonth(m) {
		g, ok := byKey[m]
		if !ok {
			g = stats.Group{Key: m}
		}
		out = append(out, g)
	}
	return out
}

func nextMonth(m string) string {
	t, err := time.Parse("2006-01", m)
	if err != nil {
		return "9999-99"
	}
	return t.AddDate(0, 1, 0).Format("2006-01")
}

// ByTaskForce is a group per task force of the catalogue (the filter's alone when it names one),
// then the groups of codes the catalogue no longer has.
func (d *Data) ByTaskForce() []stats.Group {
	have := map[string]stats.Group{}
	for _, g := range d.Figures.ByTaskForce {
		have[g.Key] = g
	}
	var out []stats.Group
	seen := map[string]bool{}
	for _, tf := range d.tfs {
		if d.Filter.TaskForce != "" && tf.Code != d.Filter.TaskForce {
			continue
		}
		g, ok := have[tf.Code]
		if !ok {
			g = stats.Group{Key: tf.Code}
		}
		out = append(out, g)
		seen[tf.Code] = true
	}
	for _, g := range d.Figures.ByTaskForce {
		if !seen[g.Key] {
			out = append(out, g)
		}
	}
	return out
}

// ByProcedure is a group per procedure with requests, in the order of the procedures' codes.
func (d *Data) ByProcedure() []stats.Group {
	out := append([]stats.Group(nil), d.Figures.ByProcedure...)
	sort.SliceStable(out, func(i, j int) bool {
		a, _, _ := d.Procedure(out[i].Key)
		b, _, _ := d.Procedure(out[j].Key)
		return a < b
	})
	return out
}

// ByProvince is a group per province with requests, by name.
func (d *Data) ByProvince() []stats.Group {
	out := append([]stats.Group(nil), d.Figures.ByProvince...)
	sort.SliceStable(out, func(i, j int) bool { return ProvinceName(out[i].Key) < ProvinceName(out[j].Key) })
	return out
}

// TaskForceName is the title of the task force with that code (the code when unknown).
func (d *Data) TaskForceName(code string) string {
	for _, tf := range d.tfs {
		if tf.Code == code {
			return tf.Title
		}
	}
	return code
}

// Procedure returns the code, title and task force of the procedure whose id is key.
func (d *Data) Procedure(key string) (code, name, taskForce string) {
	id, _ := strconv.ParseInt(key, 10, 64)
	if p := d.procs[id]; p != nil {
		return p.Code, p.Title, d.tfOf[id]
	}
	return key, key, ""
}

// ProvinceName is the name of a province of Lombardy by its code (the code for another).
func ProvinceName(code string) string {
	for _, p := range ente.LombardyProvinces {
		if p.Province == code {
			name := p.Name
			for _, prefix := range []string{"Provincia di ", "Provincia della ", "Città metropolitana di "} {
				name = strings.TrimPrefix(name, prefix)
			}
			return name
		}
	}
	return code
}

// Narrow keeps of f the parameters the dataset takes.
func (ds *Dataset) Narrow(f Filter) Filter {
	out := Filter{Errors: f.Errors}
	if contains(ds.Filters, ParamFrom) {
		out.From = f.From
	}
	if contains(ds.Filters, ParamTo) {
		out.To = f.To
	}
	if contains(ds.Filters, ParamTaskForce) {
		out.TaskForce = f.TaskForce
	}
	if contains(ds.Filters, ParamProvince) {
		out.Province = f.Province
	}
	return out
}

// Rows are the dataset's rows for d.
func (ds *Dataset) Rows(d *Data) [][]Value { return ds.rows(d) }
