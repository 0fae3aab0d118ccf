package stats

import (
	"sort"
	"strconv"
	"strings"
)

// Dist is a distribution of durations in whole days.
type Dist struct {
	N      int64
	Median int // days; meaningful when N > 0
	P90    int // days, the 90th percentile (nearest rank)
	Mean   float64
	counts map[int]int64
	sum    int64 // days × count, for the mean
}

func (d *Dist) add(bucket int, n int64) {
	if d.counts == nil {
		d.counts = map[int]int64{}
	}
	d.counts[bucket] += n
	d.N += n
	d.sum += int64(bucket) * n
}

// finish computes the median, the 90th percentile and the mean from the counts.
func (d *Dist) finish() {
	if d.N <= 0 {
		*d = Dist{}
		return
	}
	buckets := make([]int, 0, len(d.counts))
	for b := range d.counts {
		buckets = append(buckets, b)
	}
	sort.Ints(buckets)
	rank := func(p float64) int {
		need := int64(float64(d.N)*p + 0.999999999)
		var cum int64
		for _, b := range buckets {
			cum += d.counts[b]
			if cum >= need {
				return b
			}
		}
		return buckets[len(buckets)-1]
	}
	d.Median, d.P90, d.Mean = rank(0.5), rank(0.9), float64(d.sum)/float64(d.N)
}

// Sum is a count and a total.
type Sum struct{ N, Total int64 }

// Outcome is what the enti answered at one stage: how many were asked and answered, and the pairs
// of figures known both at filing and in the answer.
type Outcome struct {
	Asked, Answered int64
	Backlog         Pair // pending cases
	Days            Pair // average days to conclude
}

// Pair sums a figure over the requests that know it before and after.
type Pair struct{ N, Before, After int64 }

// Reduction is how much the figure fell, as a fraction of before (0 when unknown).
func (p Pair) Reduction() float64 {
	if p.Before == 0 {
		return 0
	}
	return float64(p.Before-p.After) / float64(p.Before)
}

// Counts are the counts of the steps of requests.
type Counts struct {
	Filed, Triaged, Assigned, Rejected, Withdrawn, Started, Concluded int64
}

// Group is the figures of one task force, procedure, province or month.
type Group struct {
	Key string
	Counts
	ToConclusion Dist
}

// Figures are the measures of a set of cells.
type Figures struct {
	Counts
	ToTriage, ToStart, ToConclusion      Dist
	ToAnswer                             Dist             // N and Mean only: how long the enti take to answer an integration
	Stays                                map[string]*Dist // by state: how long requests stayed in it, over all their stays
	Integrations                         Sum              // asked; Total unused
	Activities                           map[string]Sum   // by kind: count and minutes
	BacklogStated, DaysStated            Sum              // at filing, where stated
	Outcomes                             map[string]Outcome
	ByTaskForce, ByProcedure, ByProvince []Group
	ByMonth                              []Group // by YYYY-MM, in order
}

// Compute sums cells into figures.
func Compute(cells []Cell) Figures {
	f := Figures{Stays: map[string]*Dist{}, Activities: map[string]Sum{}, Outcomes: map[string]Outcome{}}
	groups := [4]map[string]*Group{{}, {}, {}, {}}
	groupOf := func(i int, k string) *Group {
		g := groups[i][k]
		if g == nil {
			g = &Group{Key: k}
			groups[i][k] = g
		}
		return g
	}
	for _, c := range cells {
		byProcedure := c.Province == AllProvinces || len(c.Period) > 7 // a daily cell is in both cuts
		var gs []*Group
		if byProcedure { // the totals, the task forces, the procedures and the months come from this cut
			gs = []*Group{groupOf(0, c.TaskForce), groupOf(3, c.Period[:min(7, len(c.Period))])}
			if c.ProcedureID != 0 {
				gs = append(gs, groupOf(1, strconv.FormatInt(c.ProcedureID, 10)))
			}
		}
		if c.Province != AllProvinces && (len(c.Period) > 7 || c.ProcedureID == 0) {
			gs = append(gs, groupOf(2, c.Province))
		}
		count := func(pick func(*Counts) *int64) {
			if byProcedure {
				*pick(&f.Counts) += c.N
			}
			for _, g := range gs {
				*pick(&g.Counts) += c.N
			}
		}
		if !byProcedure && !isCount(c.Measure) {
			continue
		}
		switch m := c.Measure; {
		case m == Filed:
			count(func(x *Counts) *int64 { return &x.Filed })
		case m == Triaged:
			count(func(x *Counts) *int64 { return &x.Triaged })
		case m == Assigned:
			count(func(x *Counts) *int64 { return &x.Assigned })
		case m == Rejected:
			count(func(x *Counts) *int64 { return &x.Rejected })
		case m == Withdrawn:
			count(func(x *Counts) *int64 { return &x.Withdrawn })
		case m == Started:
			count(func(x *Counts) *int64 { return &x.Started })
		case m == Concluded:
			count(func(x *Counts) *int64 { return &x.Concluded })
		case m == Asked:
			f.Integrations.N += c.N
		case m == Answered:
			f.ToAnswer.N += c.N
			f.ToAnswer.sum += c.Total
		case strings.HasPrefix(m, Activity):
			k := strings.TrimPrefix(m, Activity)
			s := f.Activities[k]
			s.N, s.Total = s.N+c.N, s.Total+c.Total
			f.Activities[k] = s
		case m == BacklogStated:
			f.BacklogStated.N, f.BacklogStated.Total = f.BacklogStated.N+c.N, f.BacklogStated.Total+c.Total
		case m == DaysStated:
			f.DaysStated.N, f.DaysStated.Total = f.DaysStated.N+c.N, f.DaysStated.Total+c.Total
		default:
			f.outcome(c)
		}
	}
	if f.ToAnswer.N > 0 { // the mean only: answers are summed, not counted by day
		f.ToAnswer.Mean = float64(f.ToAnswer.sum) / float64(f.ToAnswer.N) / 86400
	}
	lists := [4]*[]Group{&f.ByTaskForce, &f.ByProcedure, &f.ByProvince, &f.ByMonth}
	for i, m := range groups {
		for _, g := range m {
			*lists[i] = append(*lists[i], *g)
		}
		sort.Slice(*lists[i], func(a, b int) bool { return (*lists[i])[a].Key < (*lists[i])[b].Key })
	}
	return f
}

// isCount reports whether a measure counts steps of requests (the groups by province have those).
func isCount(m string) bool {
	switch m {
	case Filed, Triaged, Assigned, Rejected, Withdrawn, Started, Concluded:
		return true
	}
	return false
}

// outcome adds a cell of the enti's answers on the backlog.
func (f *Figures) outcome(c Cell) {
	measure, stage, ok := strings.Cut(c.Measure, ":")
	if !ok {
		return
	}
	o := f.Outcomes[stage]
	switch measure + ":" {
	case OutcomeAsked:
		o.Asked += c.N
	case OutcomeAnswer:
		o.Answered += c.N
	case BacklogBefore:
		o.Backlog.N += c.N
		o.Backlog.Before += c.Total
	case BacklogAfter:
		o.Backlog.After += c.Total
	case DaysBefore:
		o.Days.N += c.N
		o.Days.Before += c.Total
	case DaysAfter:
		o.Days.After += c.Total
	default:
		return
	}
	f.Outcomes[stage] = o
}
