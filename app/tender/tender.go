// Package tender is the tender-document library of the Stazione Appaltante: the standard tender
// documents ("documenti di gara standardizzati") the enti reuse, each with its kind, procedure,
// thresholds, legal basis in D.Lgs. 36/2023, validity, author ente, status and versions. It
// records which version each ente downloaded and, when a new version of an approved document is
// published, tells the enti that downloaded an earlier one what changed. Access is decided by
// app/access (ViewTenderDocs, EditTenderDocs, ApproveTenderDocs); the search index learns the
// documents through Source (app/search).
package tender

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/uptrace/bun"
)

// Statuses of a document.
const (
	StatusDraft      = "draft"
	StatusApproved   = "approved"
	StatusSuperseded = "superseded"
)

// Statuses lists the statuses in display order.
var Statuses = []string{StatusDraft, StatusApproved, StatusSuperseded}

// Kinds of document.
var Kinds = []string{"bando", "disciplinare", "capitolato", "schema_contratto", "lettera_invito", "avviso", "modulistica"}

// Procedures are the procedure types of D.Lgs. 36/2023 a document is written for.
var Procedures = []string{"aperta", "ristretta", "negoziata", "competitiva_negoziazione", "dialogo_competitivo", "affidamento_diretto"}

// Thresholds: above or below the EU thresholds (art. 14 D.Lgs. 36/2023).
var Thresholds = []string{"sopra", "sotto"}

// Document is one standard tender document.
type Document struct {
	bun.BaseModel `bun:"table:tender_documents,alias:d"`

	ID            int64     `bun:"id,pk,autoincrement"`
	Title         string    `bun:"title"`
	Description   string    `bun:"description"`
	Kind          string    `bun:"kind"`
	ProcedureType string    `bun:"procedure_type"`
	Threshold     string    `bun:"threshold"`
	AmountMin     int64     `bun:"amount_min"`  // euro, 0 for none
	AmountMax     int64     `bun:"amount_max"`  // euro, 0 for none
	LegalBasis    string    `bun:"legal_basis"` // canonical: "art. 50, art. 71"
	ValidFrom     time.Time `bun:"valid_from,nullzero"`
	ValidUntil    time.Time `bun:"valid_until,nullzero"`
	AuthorEnteID  int64     `bun:"author_ente_id"`
	Status        string    `bun:"status"`
	SupersededBy  int64     `bun:"superseded_by,nullzero"`
	CurrentID     int64     `bun:"current_version_id,nullzero"`
	CreatedBy     int64     `bun:"created_by,nullzero"`
	CreatedAt     time.Time `bun:"created_at"`
	UpdatedAt     time.Time `bun:"updated_at"`

	Author   string     `bun:"author,scanonly"` // the author ente's name
	Versions []*Version `bun:"rel:has-many,join:id=document_id"`
}

// Draft reports whether the document was never approved.
func (d *Document) Draft() bool { return d.Status == StatusDraft }

// Current returns the current version (nil when none).
func (d *Document) Current() *Version {
	for _, v := range d.Versions {
		if v.ID == d.CurrentID {
			return v
		}
	}
	return nil
}

// Articles returns the articles of the legal basis: "art. 50", "art. 71".
func (d *Document) Articles() []string { return splitArticles(d.LegalBasis) }

// Version is one file of a document, with what changed from the one before.
type Version struct {
	bun.BaseModel `bun:"table:tender_versions,alias:v"`

	ID          int64     `bun:"id,pk,autoincrement"`
	DocumentID  int64     `bun:"document_id"`
	Number      int       `bun:"number"`
	ChangeNote  string    `bun:"change_note"`
	Filename    string    `bun:"filename"`
	ContentType string    `bun:"content_type"`
	Size        int64     `bun:"size"`
	SHA256      string    `bun:"sha256"`
	StorageKey  string    `bun:"storage_key"`
	UploadedBy  int64     `bun:"uploaded_by,nullzero"`
	Uploader    string    `bun:"uploader"`
	CreatedAt   time.Time `bun:"created_at"`
}

// SizeKB is the file's size in kilobytes, at least 1.
func (v *Version) SizeKB() int64 { return max((v.Size+1023)/1024, 1) }

// DownloadRow is one row of tender_downloads: who downloaded which version, for which ente (0 for
// staff). It is a contract: the comuni CRM's timeline reads it through DownloadsOf.
type DownloadRow struct {
	bun.BaseModel `bun:"table:tender_downloads,alias:dl"`

	ID           int64     `bun:"id,pk,autoincrement"`
	DocumentID   int64     `bun:"document_id"`
	VersionID    int64     `bun:"version_id"`
	EnteID       int64     `bun:"ente_id,nullzero"`
	UserID       int64     `bun:"user_id"`
	DownloadedAt time.Time `bun:"downloaded_at"`
}

// Download is one download as DownloadsOf and the document page tell it.
type Download struct {
	DocumentID    int64     `bun:"document_id"`
	DocumentTitle string    `bun:"title"`
	VersionID     int64     `bun:"version_id"`
	VersionNumber int       `bun:"number"`
	EnteID        int64     `bun:"ente_id"`
	EnteName      string    `bun:"ente_name"`
	UserID        int64     `bun:"user_id"`
	At            time.Time `bun:"downloaded_at"`
}

var articleRe = regexp.MustCompile(`^(?i:art(?:icolo|\.)?\s*)?(\d{1,3})(?:\s*-?\s*(bis|ter|quater))?$`)

// MaxArticle is the last article of D.Lgs. 36/2023.
const MaxArticle = 229

// parseArticles reads a legal basis written by people ("art. 50, 71; articolo 108") into its
// canonical form ("art. 50, art. 71, art. 108"); ok is false when an item is no article of the code.
func parseArticles(s string) (string, bool) {
	var out []string
	seen := map[string]bool{}
	for _, part := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ';' || r == '\n' }) {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		m := articleRe.FindStringSubmatch(part)
		if m == nil {
			return "", false
		}
		n, _ := strconv.Atoi(m[1])
		if n < 1 || n > MaxArticle {
			return "", false
		}
		a := "art. " + strconv.Itoa(n)
		if m[2] != "" {
			a += "-" + strings.ToLower(m[2])
		}
		if !seen[a] {
			seen[a] = true
			out = append(out, a)
		}
	}
	return strings.Join(out, ", "), true
}

func splitArticles(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// URL is the document's page.
func URL(id int64) string { return Base + "/" + strconv.FormatInt(id, 10) }

// DownloadURL is a version's download.
func DownloadURL(docID, versionID int64) string {
	return fmt.Sprintf("%s/%d/versioni/%d/scarica", Base, docID, versionID)
}

// Base is the library's URL.
const Base = "/area-riservata/documenti-gara"
