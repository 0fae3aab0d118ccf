package workspace

import (
	"bytes"
	"fmt"
	"html"
	"html/template"
	"strings"
	"time"

	"github.com/go-pdf/fpdf"
	"golang.org/x/image/font/gofont/gobold"
	"golang.org/x/image/font/gofont/goregular"

	"passhub/app/request"
)

// dossierView is the fascicolo's content with its labels in the dossier's language, shared by its
// HTML page and its PDF.
type dossierView struct {
	R                *request.Request
	State            string
	StateLabel       string
	DeliverableLabel string
	Made             string
	Timeline         []dossierLine
	Integrations     []string
	Messages         []Message
	Documents        []dossierDocument
}

type dossierLine struct{ Date, Text string }

type dossierDocument struct {
	Name        string
	Deliverable bool
	Versions    []string
}

// dossierOf labels the fascicolo's content with tr: states, events and activities by their names,
// never their codes.
func dossierOf(r *request.Request, tr Translate, msgs []Message, docs []Document, timeline []Entry, ints []request.Integration) dossierView {
	d := dossierView{R: r, State: tr("state." + string(r.State)), StateLabel: tr("workspace.dossier.state"),
		DeliverableLabel: tr("workspace.deliverable"), Made: time.Now().UTC().Format("02/01/2006 15:04 MST"), Messages: msgs}
	for _, e := range timeline {
		var text string
		if ev := e.Event; ev != nil {
			text = tr("event." + ev.Kind)
			if ev.FromState != "" && ev.ToState != "" && ev.FromState != ev.ToState {
				text += " (" + tr("workspace.dossier.transition", "From", tr("state."+string(ev.FromState)), "To", tr("state."+string(ev.ToState))) + ")"
			} else if ev.ToState != "" && ev.FromState == "" {
				text += " (" + tr("state."+string(ev.ToState)) + ")"
			}
			if ev.Detail != "" {
				text += ": " + ev.Detail
			}
			if ev.Actor != "" {
				text += " · " + ev.Actor
			}
		} else {
			a := e.Activity
			text = fmt.Sprintf("%s, %s h · %s: %s", tr("activity."+a.Kind), strings.Replace(fmt.Sprintf("%.1f", a.Hours()), ".", ",", 1), a.Expert, a.Description)
		}
		d.Timeline = append(d.Timeline, dossierLine{e.At.Format("02/01/2006"), text})
	}
	for _, in := range ints {
		line := tr("workspace.dossier.integration", "Asked", in.CreatedAt.Format("02/01/2006"), "Due", in.DueOn.Format("02/01/2006"),
			"Items", strings.Join(in.Items, "; "))
		if !in.Open() {
			line += " " + tr("workspace.dossier.answer", "Answer", in.Answer)
		}
		d.Integrations = append(d.Integrations, line)
	}
	for _, doc := range docs {
		dd := dossierDocument{Name: doc.Name, Deliverable: doc.Deliverable}
		for _, v := range doc.Versions {
			dd.Versions = append(dd.Versions, tr("workspace.dossier.version", "N", v.Number, "File", v.Filename, "Size", v.Size,
				"SHA", v.SHA256, "By", v.Uploader, "On", v.CreatedAt.Format("02/01/2006")))
		}
		d.Documents = append(d.Documents, dd)
	}
	return d
}

// renderPDF lays the fascicolo out as an A4 PDF with the Go fonts (embedded, UTF-8). The labels
// it adds keep to Latin-1: fpdf maps its text to Unicode with one range that strict readers
// (ledongthuc/pdf among them) decode correctly only below U+0100; people's own text is shown
// whole all the same.
func renderPDF(d dossierView) ([]byte, error) {
	p := fpdf.New("P", "mm", "A4", "")
	p.AddUTF8FontFromBytes("go", "", goregular.TTF)
	p.AddUTF8FontFromBytes("go", "B", gobold.TTF)
	p.SetTitle("Fascicolo – "+d.R.Title, true)
	p.SetCreator("PAsS", true)
	p.SetMargins(18, 18, 18)
	p.SetAutoPageBreak(true, 18)
	p.SetFooterFunc(func() {
		p.SetY(-12)
		p.SetFont("go", "", 8)
		p.CellFormat(0, 5, fmt.Sprintf("%d", p.PageNo()), "", 0, "C", false, 0, "")
	})
	p.AddPage()
	heading := func(size float64, text string) {
		p.Ln(2)
		p.SetFont("go", "B", size)
		p.MultiCell(0, size*0.5, text, "", "L", false)
		p.Ln(1)
	}
	para := func(text string) {
		p.SetFont("go", "", 10)
		p.MultiCell(0, 5, text, "", "L", false)
		p.Ln(1)
	}
	r := d.R
	heading(16, fmt.Sprintf("Fascicolo della richiesta n. %d: %s", r.ID, r.Title))
	para(fmt.Sprintf("%s · %s %s · Task Force %s · %s: %s · generato il %s", r.EnteName, r.ProcedureCode, r.ProcedureTitle, r.TaskForce, d.StateLabel, d.State, d.Made))
	heading(13, "Richiesta")
	para(r.Description)
	para(fmt.Sprintf("Pratiche pendenti: %d; tempo medio di conclusione: %d giorni.", r.BacklogPending, r.BacklogAvgDays))
	if r.Bottleneck != "" {
		para("Collo di bottiglia: " + r.Bottleneck)
	}
	para("Risultato atteso: " + r.DesiredOutcome)
	if r.Summary != "" {
		heading(13, "Sintesi conclusiva")
		para(r.Summary)
	}
	heading(13, "Timeline")
	for _, l := range d.Timeline {
		para(l.Date + " · " + l.Text)
	}
	if len(d.Integrations) > 0 {
		heading(13, "Integrazioni")
		for _, l := range d.Integrations {
			para(l)
		}
	}
	heading(13, "Documenti")
	for _, doc := range d.Documents {
		p.SetFont("go", "B", 10)
		name := doc.Name
		if doc.Deliverable {
			name += " [" + d.DeliverableLabel + "]"
		}
		p.MultiCell(0, 5, name, "", "L", false)
		for _, v := range doc.Versions {
			para("   " + v)
		}
	}
	heading(13, "Conversazione")
	for _, m := range d.Messages {
		p.SetFont("go", "B", 10)
		p.MultiCell(0, 5, m.Author+", "+m.CreatedAt.Format("02/01/2006 15:04"), "", "L", false)
		para(plain(m.HTML))
	}
	var buf bytes.Buffer
	if err := p.Output(&buf); err != nil {
		return nil, fmt.Errorf("workspace: dossier pdf: %w", err)
	}
	return buf.Bytes(), nil
}

// plain returns a message's text without its markup, paragraphs on their own lines.
func plain(h template.HTML) string {
	s := string(h)
	for _, br := range []string{"</p>", "</li>", "<br>", "<br />", "</h1>", "</h2>", "</h3>", "</pre>"} {
		s = strings.ReplaceAll(s, br, br+"\n")
	}
	var b strings.Builder
	in := false
	for _, r := range s {
		switch {
		case r == '<':
			in = true
		case r == '>':
			in = false
		case !in:
			b.WriteRune(r)
		}
	}
	return strings.TrimSpace(html.UnescapeString(b.String()))
}
