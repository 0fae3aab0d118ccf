// Package stats measures the platform's work: how many requests are filed, triaged, assigned and
// concluded, how long each step takes and where requests wait, the experts' activities, and the
// backlog the enti stated before and after the experts' help.
//
// Figures never scan the requests. A listener of the request events recomputes, for the request
// that changed, its facts (stats_requests) from the raw rows and the cells it adds to the roll-ups;
// the difference from the cells it added before is applied to the daily and monthly sums
// (stats_daily, stats_monthly), keyed by task force, procedure and province. Recomputing from the
// raw rows makes the listener idempotent: a rerun finds nothing to change. Rebuild recomputes
// every request from scratch (`passhub stats rebuild`).
//
// A cell is one measure on one day: a count (n) and a sum (total), and for durations a bucket
// (whole days) so that medians and percentiles come out of the sums exactly, to the day.
package stats
