package workspace

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"html/template"
	"io"
	"sort"
	"strings"
	"time"

	"passhub/app/request"
)

// Translate gives the text of a catalogue message in the dossier's language.
type Translate func(id string, args ...any) string

// Dossier writes a request's fascicolo as a ZIP: every version of every document, the request with
// its thread, timeline and documents (deliverables marked) as a readable HTML page and as a PDF,
// and a manifest with the SHA-256 of each file. Labels come from tr.
func (s *Service) Dossier(ctx context.Context, r *request.Request, tr Translate, w io.Writer) error {
	return s.dossier(ctx, r, tr, w, false)
}

// DossierPDF writes the fascicolo's PDF alone.
func (s *Service) DossierPDF(ctx context.Context, r *request.Request, tr Translate, w io.Writer) error {
	return s.dossier(ctx, r, tr, w, true)
}

func (s *Service) dossier(ctx context.Context, r *request.Request, tr Translate, w io.Writer, pdfOnly bool) error {
	space, err := s.spaceOf(ctx, r.ID)
	if err != nil {
		return err
	}
	msgs, err := s.MessagesIn(ctx, space)
	if err != nil {
		return err
	}
	docs, err := s.DocumentsIn(ctx, space)
	if err != nil {
		return err
	}
	acts, err := s.ActivitiesIn(ctx, space)
	if err != nil {
		return err
	}
	events, err := s.requests.Timeline(ctx, r.ID)
	if err != nil {
		return err
	}
	ints, err := s.requests.Integrations(ctx, r.ID)
	if err != nil {
		return err
	}
	if pdfOnly {
		b, err := renderPDF(dossierOf(r, tr, msgs, docs, Timeline(events, acts), ints))
		if err != nil {
			return err
		}
		_, err = w.Write(b)
		return err
	}
	zw := zip.NewWriter(w)
	var manifest []string
	add := func(name string, data []byte) error {
		f, err := zw.CreateHeader(&zip.FileHeader{Name: name, Method: zip.Deflate, Modified: time.Now()})
		if err != nil {
			return err
		}
		if _, err := f.Write(data); err != nil {
			return err
		}
		sum := sha256.Sum256(data)
		manifest = append(manifest, hex.EncodeToString(sum[:])+"  "+name)
		return nil
	}
	for _, d := range docs {
		for _, v := range d.Versions {
			f, err := s.files.Open(ctx, v.StorageKey)
			if err != nil {
				return fmt.Errorf("workspace: dossier: %s v%d: %w", d.Name, v.Number, err)
			}
			data, err := io.ReadAll(f)
			f.Close()
			if err != nil {
				return err
			}
			name := fmt.Sprintf("documenti/%03d-v%d-%s", d.ID, v.Number, v.Filename)
			if err := add(name, data); err != nil {
				return err
			}
		}
	}
	d := dossierOf(r, tr, msgs, docs, Timeline(events, acts), ints)
	pdfBytes, err := renderPDF(d)
	if err != nil {
		return err
	}
	var page bytes.Buffer
	if err := dossierPage.Execute(&page, d); err != nil {
		return err
	}
	if err := add("fascicolo.html", page.Bytes()); err != nil {
		return err
	}
	if err := add("fascicolo.pdf", pdfBytes); err != nil {
		return err
	}
	sort.Strings(manifest)
	f, err := zw.Create("MANIFEST.sha256")
	if err != nil {
		return err
	}
	if _, err := io.WriteString(f, strings.Join(manifest, "\n")+"\n"); err != nil {
		return err
	}
	return zw.Close()
}

var dossierPage = template.Must(template.New("dossier").Parse(`<!doctype html>
<html lang="it"><head><meta charset="utf-8"><title>Fascicolo – {{.R.Title}}</title></head>
<body><main>
<h1>Fascicolo della richiesta n. {{.R.ID}}: {{.R.Title}}</h1>
<p>{{.R.EnteName}} · {{.R.ProcedureCode}} {{.R.ProcedureTitle}} · Task Force {{.R.TaskForce}} · {{.StateLabel}}: {{.State}} · generato il {{.Made}}</p>
<h2>Richiesta</h2>
<p>{{.R.Description}}</p>
<p>Pratiche pendenti: {{.R.BacklogPending}}; tempo medio di conclusione: {{.R.BacklogAvgDays}} giorni.</p>
{{with .R.Bottleneck}}<p>Collo di bottiglia: {{.}}</p>{{end}}
<p>Risultato atteso: {{.R.DesiredOutcome}}</p>
{{with .R.Summary}}<h2>Sintesi conclusiva</h2><p>{{.}}</p>{{end}}
<h2>Timeline</h2>
<ol>{{range .Timeline}}<li>{{.Date}} · {{.Text}}</li>{{end}}</ol>
{{if .Integrations}}<h2>Integrazioni</h2>{{range .Integrations}}<p>{{.}}</p>{{end}}{{end}}
<h2>Conversazione</h2>
{{range .Messages}}<article><p><strong>{{.Author}}</strong>, {{.CreatedAt.Format "02/01/2006 15:04"}}</p>{{.HTML}}</article>{{end}}
<h2>Documenti</h2>
<ul>{{range .Documents}}<li>{{.Name}}{{if .Deliverable}} <strong>[{{$.DeliverableLabel}}]</strong>{{end}}<ul>{{range .Versions}}<li>{{.}}</li>{{end}}</ul></li>{{end}}</ul>
</main></body></html>
`))
