package opendata

import (
	"net/url"
	"regexp"
	"strings"

	"passhub/app/stats"
)

// Query parameters of the page and of the downloads.
const (
	ParamFrom      = "da"
	ParamTo        = "a"
	ParamTaskForce = "tf"
	ParamProvince  = "provincia"
)

var monthRE = regexp.MustCompile(`^(19|20|21)\d\d-(0[1-9]|1[0-2])$`)

// Filter is what the visitor asked for, as written, with the problems of each field.
type Filter struct {
	From, To, TaskForce, Province string
	Errors                        map[string]string // by parameter: an i18n message id
}

// Stats is the filter of the roll-ups.
func (f Filter) Stats() stats.Filter {
	return stats.Filter{From: f.From, To: f.To, TaskForce: f.TaskForce, Province: f.Province}
}

// Query writes the filter as query parameters ("" when none), without those in fixed (the ones a
// page's path already says).
func (f Filter) Query(fixed ...string) string {
	v := url.Values{}
	set := func(k, val string) {
		for _, x := range fixed {
			if x == k {
				return
			}
		}
		if val != "" {
			v.Set(k, val)
		}
	}
	set(ParamFrom, f.From)
	set(ParamTo, f.To)
	set(ParamTaskForce, f.TaskForce)
	set(ParamProvince, f.Province)
	if len(v) == 0 {
		return ""
	}
	return "?" + v.Encode()
}

// Any reports whether the filter narrows the figures.
func (f Filter) Any() bool {
	return f.From != "" || f.To != "" || f.TaskForce != "" || f.Province != ""
}

// parseFilter reads the filter from the query; known tells the valid task force and province codes.
func parseFilter(get func(string) string, taskForces, provinces map[string]bool) Filter {
	f := Filter{Errors: map[string]string{}}
	clean := func(k string) string {
		s := strings.TrimSpace(get(k))
		if len(s) > 40 {
			s = s[:40]
		}
		return s
	}
	f.From, f.To = clean(ParamFrom), clean(ParamTo)
	f.TaskForce, f.Province = strings.ToUpper(clean(ParamTaskForce)), strings.ToUpper(clean(ParamProvince))
	if f.From != "" && !monthRE.MatchString(f.From) {
		f.Errors[ParamFrom] = "dati.error.month"
	}
	if f.To != "" && !monthRE.MatchString(f.To) {
		f.Errors[ParamTo] = "dati.error.month"
	}
	if f.From != "" && f.To != "" && f.Errors[ParamFrom] == "" && f.Errors[ParamTo] == "" && f.From > f.To {
		f.Errors[ParamTo] = "dati.error.order"
	}
	if f.TaskForce != "" && !taskForces[f.TaskForce] {
		f.Errors[ParamTaskForce] = "dati.error.taskforce"
	}
	if f.Province != "" && !provinces[f.Province] {
		f.Errors[ParamProvince] = "dati.error.province"
	}
	return f
}
