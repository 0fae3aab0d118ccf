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

// Sums are the roll-up's sums a set of figures is made of: every measure in total, and the counts
// of steps by task force, procedure, province and month (Key names the group).
type Sums struct {
	Total                                []Cell
	ByTaskForce, ByProcedure, ByProvince []Cell
	ByMonth                              []Cell
}

// GroupCells sums cells (daily, or monthly of one cut) into Sums.
func GroupCells(cells []Cell) Sums {
	var s Sums
	for _, c := range cells {
		s.Total = append(s.Total, Cell{Measure: c.Measure, N: c.N, Total: c.Total})
		if !isCount(c.Measure) {
			continue
		}
		s.ByTaskForce = append(s.ByTaskForce, Cell{TaskForce: c.TaskForce, Measure: c.Measure, N: c.N})
		s.ByProcedure = append(s.ByProcedure, Cell{ProcedureID: c.ProcedureID, Measure: c.Measure, N: c.N})
		s.ByProvince = append(s.ByProvince, Cell{Province: c.Province, Measure: c.Measure, N: c.N})
		s.ByMonth = append(s.ByMonth, Cell{Period: c.Period[:min(7, len(c.Period))], Measure: c.Measure, N: c.N})
	}
	return s
}

// Compute sums cells into figures.
func Compute(cells []Cell) Figures { return compute(GroupCells(cells)) }

// compute makes the figures of sums (the durations come from elsewhere).
func compute(s Sums) Figures {
	f := Figures{Stays: map[string]*Dist{}, Activities: map[string]Sum{}, Outcomes: map[string]Outcome{}}
	for _, c := range s.Total {
		switch m := c.Measure; {
		case isCount(m):
			*f.Counts.of(m) += c.N
		case m == Asked:
			f.Integrations.N += c.N
		case m == Answered:
			f.ToAnswer.N += c.N
			f.ToAnswer.sum += c.Total
		case strings.HasPrefix(m, Activity):
			k := strings.TrimPrefix(m, Activity)
			a := f.Activities[k]
			a.N, a.Total = a.N+c.N, a.Total+c.Total
			f.Activities[k] = a
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
	groups := func(cells []Cell, key func(Cell) string) []Group {
		by := map[string]*Group{}
		for _, c := range cells {
			k := key(c)
			if by[k] == nil {
				by[k] = &Group{Key: k}
			}
			*by[k].Counts.of(c.Measure) += c.N
		}
		out := make([]Group, 0, len(by))
		for _, g := range by {
			out = append(out, *g)
		}
		sort.Slice(out, func(a, b int) bool { return out[a].Key < out[b].Key })
		return out
	}
	f.ByTaskForce = groups(s.ByTaskForce, func(c Cell) string { return c.TaskForce })
	f.ByProcedure = groups(s.ByProcedure, func(c Cell) string { return strconv.FormatInt(c.ProcedureID, 10) })
	f.ByProvince = groups(s.ByProvince, func(c Cell) string { return c.Province })
	f.ByMonth = groups(s.ByMonth, func(c Cell) string { return c.Period })
	return f
}

// of is the count of a measure of steps.
func (c *Counts) of(measure string) *int64 {
	switch measure {
	case Filed:
		return &c.Filed
	case Triaged:
		return &c.Triaged
	case Assigned:
		return &c.Assigned
	case Rejected:
		return &c.Rejected
	case Withdrawn:
		return &c.Withdrawn
	case Started:
		return &c.Started
	case Concluded:
		return &c.Concluded
	}
	var sink int64
	return &sink
}

// isCount reports whether a measure counts steps of requests (the groups have those).
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
