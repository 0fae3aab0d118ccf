package monitor

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"passhub/app/stats"
)

// MinCount is the public rule of the figures: a count under it is written "< 3", and a duration
// computed over fewer requests than it is not given (a median of two requests tells each one's).
const MinCount = 3

// ToComplete marks what the editors must write before the report is published.
const ToComplete = "Da completare a cura della redazione"

// NotAvailable is written where the platform has no figure: nothing is ever guessed.
const NotAvailable = "dato non disponibile"

// count writes a count by the public rule.
func count(n int64) string {
	if n < MinCount {
		return "< " + strconv.Itoa(MinCount)
	}
	return thousands(n)
}

// thousands writes n with the Italian thousands separator: 12.345.
func thousands(n int64) string {
	s := strconv.FormatInt(n, 10)
	if n < 0 {
		return "-" + thousands(-n)
	}
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "." + s[i:]
	}
	return s
}

// days writes a distribution's figure in days, or "n. d." when fewer than MinCount requests
// give it.
func days(d *stats.Dist, pick func(*stats.Dist) int) string {
	if d == nil || d.N < MinCount {
		return "n. d."
	}
	return strconv.Itoa(pick(d))
}

func median(d *stats.Dist) int { return d.Median }
func p90(d *stats.Dist) int    { return d.P90 }

// Report is what the body is written from.
type Report struct {
	Semester  Semester
	Figures   stats.Figures
	Generated time.Time
	// TaskForce names a task force by its code ("" when unknown).
	TaskForce func(code string) string
	// State names a request state in Italian.
	State func(state string) string
	// InChargeStart and InChargeEnd count the requests the experts had in charge (assigned, in
	// progress, waiting for the ente) when the semester began and when it ended.
	InChargeStart, InChargeEnd int64
}

// DataURL is the public page of the semester's figures; DatasetURL one of its CSV datasets.
func (s Semester) DataURL() string {
	from, to := s.Months()
	return "/dati?da=" + from + "&a=" + to
}

// DatasetURL is the address of the CSV dataset name (richieste-per-mese) over the semester.
func (s Semester) DatasetURL(name string) string {
	from, to := s.Months()
	return "/dati/" + name + ".csv?da=" + from + "&a=" + to
}

// Datasets are the CSV datasets of /dati the report links to, with their Italian names.
var Datasets = []struct{ Name, Title string }{
	{"richieste-per-mese", "Richieste per mese"},
	{"richieste-per-task-force", "Richieste per task force"},
	{"richieste-per-procedura", "Richieste per procedura"},
	{"richieste-per-provincia", "Richieste per provincia"},
	{"tempi", "Tempi delle richieste"},
	{"arretrato", "Arretrato prima e dopo"},
}

// Summary is the report's summary field.
func (r Report) Summary() string {
	return fmt.Sprintf("I dati di PAsS dal %s al %s: richieste presentate e concluse, tempi di conclusione, task force.",
		italianDate(r.Semester.Start()), italianDate(r.Semester.End().AddDate(0, 0, -1)))
}

// Body writes the report's Markdown.
func (r Report) Body() string {
	var b strings.Builder
	p := func(format string, args ...any) { fmt.Fprintf(&b, format, args...); b.WriteString("\n") }
	f := r.Figures
	sem := r.Semester
	first, last := italianDate(sem.Start()), italianDate(sem.End().AddDate(0, 0, -1))

	p("> **%s.** Questa bozza è stata preparata automaticamente il %s con i dati della piattaforma dal %s al %s. "+
		"Scrivete l'introduzione e il commento, verificate le cifre e togliete questo avviso prima di inviarla in revisione.",
		ToComplete, italianDate(r.Generated.In(rome)), first, last)
	p("")
	p("## Introduzione")
	p("")
	p("_%s: il contesto del semestre, le iniziative e i fatti che spiegano i numeri._", ToComplete)
	p("")

	p("## I numeri del semestre")
	p("")
	p("| Indicatore | Valore |")
	p("|---|---:|")
	p("| Richieste in carico agli esperti all'inizio del semestre | %s |", count(r.InChargeStart))
	p("| Richieste presentate | %s |", count(f.Filed))
	p("| Richieste assegnate agli esperti | %s |", count(f.Assigned))
	p("| Richieste concluse | %s |", count(f.Concluded))
	p("| Richieste respinte | %s |", count(f.Rejected))
	p("| Richieste ritirate dagli enti | %s |", count(f.Withdrawn))
	p("| Richieste in carico agli esperti alla fine del semestre | %s |", count(r.InChargeEnd))
	p("| Giorni dalla presentazione alla conclusione, mediana | %s |", daysLong(&f.ToConclusion, median))
	p("| Giorni dalla presentazione alla conclusione, 90° percentile | %s |", daysLong(&f.ToConclusion, p90))
	p("")
	p("Le richieste sono contate nel mese del passo (presentazione, assegnazione, conclusione, rifiuto, ritiro); "+
		"i giorni sono quelli delle richieste concluse nel semestre. Come in tutti i dati pubblici di PAsS, "+
		"i conteggi inferiori a %d sono scritti «< %d» e i tempi calcolati su meno di %d richieste non sono indicati (n. d.).",
		MinCount, MinCount, MinCount)
	p("")

	p("## Dove le richieste hanno atteso")
	p("")
	if len(f.Stays) == 0 {
		p("Nessuna permanenza in uno stato si è chiusa nel semestre: %s.", NotAvailable)
	} else {
		p("Per ogni stato, le permanenze terminate nel semestre e la loro durata in giorni.")
		p("")
		p("| Stato | Permanenze | Mediana (giorni) | 90° percentile (giorni) |")
		p("|---|---:|---:|---:|")
		for _, st := range stateOrder(f.Stays) {
			d := f.Stays[st]
			p("| %s | %s | %s | %s |", cell(r.stateName(st)), count(d.N), days(d, median), days(d, p90))
		}
	}
	p("")

	p("## Per task force")
	p("")
	if len(f.ByTaskForce) == 0 {
		p("Nessuna richiesta nel semestre.")
	} else {
		p("| Task force | Presentate | Concluse | Respinte | Giorni alla conclusione (mediana) |")
		p("|---|---:|---:|---:|---:|")
		for _, g := range f.ByTaskForce {
			p("| %s | %s | %s | %s | %s |", cell(r.taskForceName(g.Key)), count(g.Filed), count(g.Concluded), count(g.Rejected),
				days(&g.ToConclusion, median))
		}
	}
	p("")

	p("## Per mese")
	p("")
	p("| Mese | Presentate | Assegnate | Concluse | Respinte |")
	p("|---|---:|---:|---:|---:|")
	byMonth := map[string]stats.Group{}
	for _, g := range f.ByMonth {
		byMonth[g.Key] = g
	}
	for m := sem.Start(); m.Before(sem.End()); m = m.AddDate(0, 1, 0) {
		g := byMonth[m.Format("2006-01")]
		p("| %s | %s | %s | %s | %s |", monthName(m.Format("2006-01")), count(g.Filed), count(g.Assigned), count(g.Concluded), count(g.Rejected))
	}
	p("")

	p("## L'arretrato degli enti")
	p("")
	r.outcomes(p)
	p("")

	p("## I dati")
	p("")
	p("I dati del semestre, con i grafici e i filtri per task force, provincia e procedura, sono nella pagina "+
		"[Dati di PAsS dal %s al %s](%s). Gli stessi dati in formato aperto (CSV):", first, last, sem.DataURL())
	p("")
	for _, d := range Datasets {
		p("- [%s dal %s al %s (CSV)](%s)", d.Title, first, last, sem.DatasetURL(d.Name))
	}
	p("")
	p("In allegato, i dati del semestre per procedura (%s): gli stessi conteggi, con la stessa regola.", sem.DatasetName())
	p("")
	p("## Commento")
	p("")
	p("_%s: che cosa dicono i numeri, che cosa cambia nel prossimo semestre._", ToComplete)
	return b.String()
}

// daysLong is days in a sentence: "12", or why there is none.
func daysLong(d *stats.Dist, pick func(*stats.Dist) int) string {
	switch {
	case d.N == 0:
		return NotAvailable + " (nessuna richiesta conclusa)"
	case d.N < MinCount:
		return fmt.Sprintf("%s (meno di %d richieste concluse)", NotAvailable, MinCount)
	}
	return strconv.Itoa(pick(d))
}

var stages = []struct{ Key, Name string }{
	{stats.StageConcluded, "Alla conclusione dell'intervento"},
	{stats.StageSixMonths, "Sei mesi dopo la conclusione"},
}

// outcomes writes what the enti answered about their backlog before and after the experts' help,
// or that the figure is not available.
func (r Report) outcomes(p func(string, ...any)) {
	answered := int64(0)
	for _, o := range r.Figures.Outcomes {
		answered += o.Answered
	}
	if answered == 0 {
		p("Esito sull'arretrato: %s. Le statistiche del semestre non contengono risposte degli enti "+
			"sui dati dell'arretrato dopo l'intervento degli esperti.", NotAvailable)
		return
	}
	p("Gli enti indicano le pratiche arretrate e i giorni medi di conclusione quando presentano la richiesta; "+
		"alla conclusione e sei mesi dopo la piattaforma chiede loro gli stessi dati. Le cifre sommano gli enti "+
		"che hanno dato entrambi i valori (almeno %d, altrimenti il dato non è indicato).", MinCount)
	p("")
	p("| Momento | Richieste di dati inviate | Risposte ricevute | Pratiche arretrate, prima → dopo | Giorni medi di conclusione, prima → dopo |")
	p("|---|---:|---:|---|---|")
	for _, st := range stages {
		o, ok := r.Figures.Outcomes[st.Key]
		if !ok {
			p("| %s | %s | %s | %s | %s |", st.Name, count(0), count(0), NotAvailable, NotAvailable)
			continue
		}
		backlog, avg := NotAvailable, NotAvailable
		if o.Backlog.N >= MinCount {
			backlog = fmt.Sprintf("%s → %s (%s)", thousands(o.Backlog.Before), thousands(o.Backlog.After), change(o.Backlog))
		}
		if o.Days.N >= MinCount {
			avg = fmt.Sprintf("%d → %d (%s)", o.Days.Before/o.Days.N, o.Days.After/o.Days.N, change(o.Days))
		}
		p("| %s | %s | %s | %s | %s |", st.Name, count(o.Asked), count(o.Answered), backlog, avg)
	}
}

// change writes a pair's change as a percentage of before: "−40%", "+5%".
func change(pr stats.Pair) string {
	if pr.Before == 0 {
		return "variazione " + NotAvailable
	}
	pc := -pr.Reduction() * 100
	sign := "+"
	if pc < 0 {
		sign, pc = "−", -pc
	}
	return fmt.Sprintf("%s%s%%", sign, strings.Replace(strconv.FormatFloat(pc, 'f', 0, 64), ".", ",", 1))
}

// stateOrder lists the states of a request's path first, then any other in alphabetical order.
func stateOrder(stays map[string]*stats.Dist) []string {
	path := []string{"submitted", "assigned", "in_progress", "waiting_ente"}
	var out, rest []string
	for _, st := range path {
		if stays[st] != nil {
			out = append(out, st)
		}
	}
	for st := range stays {
		found := false
		for _, q := range path {
			found = found || q == st
		}
		if !found {
			rest = append(rest, st)
		}
	}
	sort.Strings(rest)
	return append(out, rest...)
}

func (r Report) stateName(st string) string {
	if r.State != nil {
		if n := r.State(st); n != "" {
			return n
		}
	}
	return st
}

func (r Report) taskForceName(code string) string {
	if code == "" {
		return "Senza task force"
	}
	if r.TaskForce != nil {
		if t := r.TaskForce(code); t != "" {
			return t + " (" + code + ")"
		}
	}
	return code
}

// cell keeps a table cell's text from breaking the table.
func cell(s string) string { return strings.NewReplacer("|", "\\|", "\n", " ").Replace(s) }
