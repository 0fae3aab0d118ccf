package monitor

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"math"
	"strconv"

	"passhub/app/stats"
)

// Procedure is a procedure of the catalogue, as the report's dataset names it.
type Procedure struct {
	ID                     int64
	Code, Title, TaskForce string
}

// inCharge are the states of a request the experts have in charge.
var inCharge = []string{"assigned", "in_progress", "waiting_ente"}

// DatasetName is the file name of the semester's attachment, as the shipped reports name theirs.
func (s Semester) DatasetName() string { return fmt.Sprintf("monitoraggio-%d-s%d.csv", s.Year, s.Half) }

// DatasetTitle is the attachment's title.
func (s Semester) DatasetTitle() string {
	return fmt.Sprintf("Dati per procedura, %s semestre %d (CSV, separatore punto e virgola)", s.ordinal(), s.Year)
}

// datasetHeader are the columns of the shipped reports' data.
var datasetHeader = []string{"codice_procedura", "procedura", "task_force", "in_carico_inizio", "richieste_ricevute",
	"richieste_respinte", "richieste_assegnate", "richieste_concluse", "in_carico_fine", "giorni_medi_conclusione"}

// dataset writes the semester's figures by procedure, one line each, in the columns of the
// shipped reports' CSV and by the public rule: counts under MinCount are "< 3", the mean days to
// conclusion over fewer than MinCount requests "n. d.".
func (s *Service) dataset(ctx context.Context, sem Semester, f stats.Figures) ([]byte, error) {
	var procs []Procedure
	if s.Procedures != nil {
		var err error
		if procs, err = s.Procedures(ctx); err != nil {
			return nil, err
		}
	}
	groups := map[string]stats.Group{}
	for _, g := range f.ByProcedure {
		groups[g.Key] = g
	}
	known := map[int64]bool{}
	for _, p := range procs {
		known[p.ID] = true
	}
	for _, g := range f.ByProcedure { // a procedure no longer in the catalogue keeps its line
		if id, err := strconv.ParseInt(g.Key, 10, 64); err == nil && !known[id] && id != 0 {
			procs = append(procs, Procedure{ID: id, Title: fmt.Sprintf("procedura n. %d", id)})
		}
	}
	_, to := sem.Months()
	before := sem.Start().AddDate(0, -1, 0).Format("2006-01")
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	w.Comma = ';'
	if err := w.Write(datasetHeader); err != nil {
		return nil, err
	}
	for _, p := range procs {
		start, err := s.charged(ctx, stats.Filter{To: before, ProcedureID: p.ID})
		if err != nil {
			return nil, err
		}
		end, err := s.charged(ctx, stats.Filter{To: to, ProcedureID: p.ID})
		if err != nil {
			return nil, err
		}
		g := groups[strconv.FormatInt(p.ID, 10)]
		mean := "n. d."
		if g.ToConclusion.N >= MinCount {
			mean = strconv.Itoa(int(math.Round(g.ToConclusion.Mean)))
		}
		if err := w.Write([]string{p.Code, p.Title, p.TaskForce, count(start), count(g.Filed), count(g.Rejected), count(g.Assigned),
			count(g.Concluded), count(end), mean}); err != nil {
			return nil, err
		}
	}
	w.Flush()
	return b.Bytes(), w.Error()
}

// charged counts the requests of f the experts had in charge at the end of its period.
func (s *Service) charged(ctx context.Context, f stats.Filter) (int64, error) {
	stock, err := s.Stats.Stock(ctx, f)
	if err != nil {
		return 0, err
	}
	var n int64
	for _, st := range inCharge {
		n += stock[st]
	}
	return n, nil
}
