package area

import (
	"context"
	"html/template"
	"sort"
	"strconv"
	"time"

	"passhub/app/catalogue"
	"passhub/app/chart"
	"passhub/app/stats"
)

// Trend is an ente's own figures on its dashboard: its requests by state at the end of each
// month, and its times to triage and to conclusion beside the regional median on the same
// procedures.
type Trend struct {
	Months      []TrendMonth
	Times       []TrendTimes
	StatesChart template.HTML
	TimesChart  template.HTML
}

// TrendMonth counts an ente's requests by state at the end of a month, grouped as the dashboard
// groups them.
type TrendMonth struct {
	Month                                 string // YYYY-MM
	Submitted, Working, Concluded, Closed int64
}

// TrendTimes are an ente's median days on one procedure, and the region's.
type TrendTimes struct {
	Procedure                        *catalogue.Procedure
	TriageEnte, TriageRegion         stats.Dist
	ConclusionEnte, ConclusionRegion stats.Dist
}

// trendMonths is how many months, up to the current one, the trend shows at most.
const trendMonths = 12

// group maps a state to the dashboard's column.
func (m *TrendMonth) add(state string, n int64) {
	switch state {
	case "submitted":
		m.Submitted += n
	case "assigned", "in_progress", "waiting_ente":
		m.Working += n
	case "concluded", "archived":
		m.Concluded += n
	case "rejected", "withdrawn":
		m.Closed += n
	}
}

// trend computes an ente's trend from the statistics; T translates a message id.
func trend(ctx context.Context, sv Services, enteID int64, now time.Time, t func(string, ...any) string) (*Trend, error) {
	mine, err := sv.Stats.Figures(ctx, stats.Filter{EnteID: enteID})
	if err != nil {
		return nil, err
	}
	first := ""
	for _, g := range mine.ByMonth {
		if g.Filed > 0 && (first == "" || g.Key < first) {
			first = g.Key
		}
	}
	if first == "" {
		return nil, nil // nothing filed yet
	}
	tr := &Trend{}
	start, _ := time.Parse("2006-01", first)
	end, _ := time.Parse("2006-01", stats.Month(now))
	if end.Before(start) {
		end = start
	}
	if lo := end.AddDate(0, -(trendMonths - 1), 0); start.Before(lo) {
		start = lo // the months before still count in the stock
	}
	for m := start; !m.After(end); m = m.AddDate(0, 1, 0) {
		key := m.Format("2006-01")
		stock, err := sv.Stats.Stock(ctx, stats.Filter{EnteID: enteID, To: key}) // an ente's requests are few
		if err != nil {
			return nil, err
		}
		row := TrendMonth{Month: key}
		for st, n := range stock {
			row.add(st, n)
		}
		tr.Months = append(tr.Months, row)
	}

	procs := map[int64]*catalogue.Procedure{}
	if tfs, err := sv.Catalogue.Catalogue(ctx); err == nil {
		for _, tf := range tfs {
			for _, p := range tf.Procedures {
				procs[p.ID] = p
			}
		}
	}
	enteTimes, err := sv.Stats.ProcedureTimes(ctx, stats.Filter{EnteID: enteID})
	if err != nil {
		return nil, err
	}
	regionTimes, err := sv.Stats.ProcedureTimes(ctx, stats.Filter{})
	if err != nil {
		return nil, err
	}
	for _, g := range mine.ByProcedure {
		id, _ := strconv.ParseInt(g.Key, 10, 64)
		p := procs[id]
		if p == nil || g.Filed == 0 {
			continue
		}
		ente, region := enteTimes[id], regionTimes[id]
		if ente == nil {
			ente = &stats.Times{}
		}
		if region == nil {
			region = &stats.Times{}
		}
		tr.Times = append(tr.Times, TrendTimes{Procedure: p, TriageEnte: ente.ToTriage, TriageRegion: region.ToTriage,
			ConclusionEnte: ente.ToConclusion, ConclusionRegion: region.ToConclusion})
	}
	sort.Slice(tr.Times, func(i, j int) bool { return tr.Times[i].Procedure.Code < tr.Times[j].Procedure.Code })

	states := chart.Chart{ID: "trend-states-" + strconv.FormatInt(enteID, 10), Title: t("trend.states"), Desc: t("trend.states.desc"),
		Axis: t("analysis.col.requests"), CategoryAxis: t("analysis.col.month"), Stacked: true,
		Series: []string{t("trend.open"), t("trend.closed")},
		Empty:  t("analysis.none")}
	for i, m := range tr.Months {
		// short labels, twelve columns side by side: the month, with the year on the first and
		// on January ("gen 26", "feb", …)
		mo, _ := time.Parse("2006-01", m.Month)
		label := t("trend.mon." + strconv.Itoa(int(mo.Month())))
		if i == 0 || mo.Month() == time.January {
			label += " " + mo.Format("06")
		}
		states.Categories = append(states.Categories, label)
		states.Values = append(states.Values, []chart.Value{{N: float64(m.Submitted + m.Working)}, {N: float64(m.Concluded + m.Closed)}})
	}
	tr.StatesChart = chart.Vertical(states)
	times := chart.Chart{ID: "trend-times-" + strconv.FormatInt(enteID, 10), Title: t("trend.times"), Desc: t("trend.times.desc"),
		Axis: t("trend.days"), Series: []string{t("trend.ente"), t("trend.region")}, Empty: t("analysis.none")}
	val := func(d stats.Dist) chart.Value {
		if d.N == 0 {
			return chart.Value{Hidden: true}
		}
		return chart.Value{N: float64(d.Median)}
	}
	for _, x := range tr.Times {
		times.Categories = append(times.Categories, x.Procedure.Code+" – "+t("analysis.measure.triaged"), x.Procedure.Code+" – "+t("analysis.measure.concluded"))
		times.Values = append(times.Values, []chart.Value{val(x.TriageEnte), val(x.TriageRegion)}, []chart.Value{val(x.ConclusionEnte), val(x.ConclusionRegion)})
	}
	tr.TimesChart = chart.Horizontal(times)
	return tr, nil
}
