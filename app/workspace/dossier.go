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
	write, err := s.DossierStream(ctx, r, tr)
	if err != nil {
		return err
	}
	return write(ctx, w)
}

// DossierStream reads what the fascicolo shows from the database and returns the function that
// writes the ZIP: the response streams it, each document copied from the store as it is read,
// so no file and not the ZIP are held whole in memory.
func (s *Service) DossierStream(ctx context.Context, r *request.Request, tr Translate) (func(ctx context.Context, w io.Writer) error, error) {
	d, docs, err := s.dossierData(ctx, r, tr)
	if err != nil {
		return nil, err
	}
	return func(ctx context.Context, w io.Writer) error { return s.writeDossier(ctx, d, docs, w) }, nil
}

// DossierPDF writes the fascicolo's PDF alone.
func (s *Service) DossierPDF(ctx context.Context, r *request.Request, tr Translate, w io.Writer) error {
	d, _, err := s.dossierData(ctx, r, tr)
	if err != nil {
		return err
	}
	b, err := renderPDF(d)
	if err != nil {
		return err
	}
	_, err = w.Write(b)
	return err
}

func (s *Service) dossierData(ctx context.Context, r *request.Request, tr Translate) (dossierView, []Document, error) {
	space, err := s.spaceOf(ctx, r.ID)
	if err != nil {
		return dossierView{}, nil, err
	}
	msgs, err := s.MessagesIn(ctx, space)
	if err != nil {
		return dossierView{}, nil, err
	}
	docs, err := s.DocumentsIn(ctx, space)
	if err != nil {
		return dossierView{}, nil, err
	}
	acts, err := s.ActivitiesIn(ctx, space)
	if err != nil {
		return dossierView{}, nil, err
	}
	events, err := s.requests.Timeline(ctx, r.ID)
	if err != nil {
		return dossierView{}, nil, err
	}
	ints, err := s.requests.Integrations(ctx, r.ID)
	if err != nil {
		return dossierView{}, nil, err
	}
	return dossierOf(r, tr, msgs, docs, Timeline(events, acts), ints), docs, nil
}

func (s *Service) writeDossier(ctx context.Context, d dossierView, docs []Document, w io.Writer) error {
	zw := zip.NewWriter(w)
	var manifest []string
	add := func(name string, src io.Reader) error {
		f, err := zw.CreateHeader(&zip.FileHeader{Name: name, Method: zip.Deflate, Modified: time.Now()})
		if err != nil {
			return err
		}
		h := sha256.New()
		if _, err := io.Copy(io.MultiWriter(f, h), src); err != nil {
			return err
		}
		manifest = append(manifest, hex.EncodeToString(h.Sum(nil))+"  "+name)
		return nil
	}
	for _, doc := range docs {
		for _, v := range doc.Versions {
			if err := ctx.Err(); err != nil {
				return err
			}
			f, err := s.files.Open(ctx, v.StorageKey)
			if err != nil {
				return fmt.Errorf("workspace: dossier: %s v%d: %w", doc.Name, v.Number, err)
			}
			name := fmt.Sprintf("documenti/%03d-v%d-%s", doc.ID, v.Number, v.Filename)
			err = add(name, f)
			f.Close()
			if err != nil {
				return err
			}
		}
	}
	pdfBytes, err := renderPDF(d)
	if err != nil {
		return err
	}
	var page bytes.Buffer
	if err := dossierPage.Execute(&page, d); err != nil {
		return err
	}
	if err := add("fascicolo.html", &page); err != nil {
		return err
	}
	if err := add("fascicolo.pdf", bytes.NewReader(pdfBytes)); err != nil {
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
