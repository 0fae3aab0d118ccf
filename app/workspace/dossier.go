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

// Dossier writes a request's fascicolo as a ZIP: every version of every document, the request with
// its thread and timeline as a readable HTML page, and a manifest with the SHA-256 of each file.
func (s *Service) Dossier(ctx context.Context, r *request.Request, w io.Writer) error {
	msgs, err := s.Messages(ctx, r.ID)
	if err != nil {
		return err
	}
	docs, err := s.Documents(ctx, r.ID)
	if err != nil {
		return err
	}
	acts, err := s.Activities(ctx, r.ID)
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
	type line struct {
		At   time.Time
		Text string
	}
	var timeline []line
	for _, e := range events {
		timeline = append(timeline, line{e.At, strings.TrimSpace(fmt.Sprintf("%s %s → %s %s (%s)", e.Kind, e.FromState, e.ToState, e.Detail, e.Actor))})
	}
	for _, a := range acts {
		timeline = append(timeline, line{a.OnDate, fmt.Sprintf("%s, %.1f h, %s: %s", a.Kind, a.Hours(), a.Expert, a.Description)})
	}
	sort.SliceStable(timeline, func(i, j int) bool { return timeline[i].At.Before(timeline[j].At) })
	var page bytes.Buffer
	err = dossierPage.Execute(&page, map[string]any{"R": r, "Messages": msgs, "Timeline": timeline, "Integrations": ints, "Documents": docs,
		"Made": time.Now().UTC().Format("2006-01-02 15:04 MST")})
	if err != nil {
		return err
	}
	if err := add("fascicolo.html", page.Bytes()); err != nil {
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
<p>{{.R.EnteName}} · {{.R.ProcedureCode}} {{.R.ProcedureTitle}} · Task Force {{.R.TaskForce}} · stato: {{.R.State}} · generato il {{.Made}}</p>
<h2>Richiesta</h2>
<p>{{.R.Description}}</p>
<p>Pratiche pendenti: {{.R.BacklogPending}}; tempo medio di conclusione: {{.R.BacklogAvgDays}} giorni.</p>
{{with .R.Bottleneck}}<p>Collo di bottiglia: {{.}}</p>{{end}}
<p>Risultato atteso: {{.R.DesiredOutcome}}</p>
{{with .R.Summary}}<h2>Sintesi conclusiva</h2><p>{{.}}</p>{{end}}
<h2>Timeline</h2>
<ol>{{range .Timeline}}<li>{{.At.Format "2006-01-02"}} – {{.Text}}</li>{{end}}</ol>
{{if .Integrations}}<h2>Integrazioni</h2>{{range .Integrations}}<p>Richiesta del {{.CreatedAt.Format "2006-01-02"}}, scadenza {{.DueOn.Format "2006-01-02"}}: {{range .Items}}{{.}}; {{end}}{{if not .Open}} Risposta: {{.Answer}}{{end}}</p>{{end}}{{end}}
<h2>Conversazione</h2>
{{range .Messages}}<article><p><strong>{{.Author}}</strong>, {{.CreatedAt.Format "2006-01-02 15:04"}}</p>{{.HTML}}</article>{{end}}
<h2>Documenti</h2>
<ul>{{range .Documents}}<li>{{.Name}}<ul>{{range .Versions}}<li>versione {{.Number}}: {{.Filename}}, {{.Size}} byte, SHA-256 {{.SHA256}}, caricata da {{.Uploader}} il {{.CreatedAt.Format "2006-01-02"}}</li>{{end}}</ul></li>{{end}}</ul>
</main></body></html>
`))
