package app

import (
	"context"
	"errors"
	"strconv"

	"passhub/app/crm"
	"passhub/app/db"
	"passhub/app/ente"
	"passhub/app/tender"
)

// tenderAuthors is the registry of enti as the tender library needs it: the name of a document's
// author, and the enti an editor may choose (every ente that is not a comune: the provinces,
// metropolitan cities and unions that run a Stazione Appaltante).
type tenderAuthors struct{ a *App }

func (t tenderAuthors) AuthorName(ctx context.Context, id int64) (string, bool, error) {
	e, err := t.a.Enti.Ente(ctx, id)
	if errors.Is(err, db.ErrNotFound) {
		return "", false, nil
	}
	if err != nil {
		return "", false, err
	}
	return e.Name, true, nil
}

func (t tenderAuthors) choices(ctx context.Context) ([]tender.Choice, error) {
	var enti []ente.Ente
	if err := t.a.DB.NewSelect().Model(&enti).Column("id", "name").Where("kind <> ?", ente.KindComune).Order("name").Limit(1000).Scan(ctx); err != nil {
		return nil, db.Map(err)
	}
	out := make([]tender.Choice, len(enti))
	for i, e := range enti {
		out[i] = tender.Choice{ID: e.ID, Name: e.Name}
	}
	return out, nil
}

// memberEnti lists the approved enti a user is an enabled member of: those a download may be for.
func (a *App) memberEnti(ctx context.Context, userID int64) ([]tender.Choice, error) {
	ms, err := a.Enti.Memberships(ctx, userID)
	if err != nil {
		return nil, err
	}
	var out []tender.Choice
	for _, m := range ms {
		if m.Enabled && m.Ente != nil && m.Ente.Status == ente.StatusApproved {
			out = append(out, tender.Choice{ID: m.EnteID, Name: m.Ente.Name})
		}
	}
	return out, nil
}

// newTenders builds the tender library and registers its documents with the search index.
func (a *App) newTenders() {
	a.Tenders = tender.NewService(a.DB, a.Files, a.Config.UploadLimit())
	a.Tenders.Events = a.Events
	a.Tenders.Authors = tenderAuthors{a}
	a.TenderSource = &tender.Source{Svc: a.Tenders, Index: a.Search, Files: a.Files, MaxRead: a.Search.Extractor.Limits().Input,
		Text: func(ctx context.Context, name string, data []byte) string {
			t, _ := a.Search.Extractor.Text(ctx, name, data)
			return t
		}}
	a.Search.AddKind(tender.Type, a.TenderSource)
	if a.CRM != nil {
		a.CRM.Downloads = tenderDownloads{a.Tenders} // the comuni's downloads on the CRM's timeline
	}
}

// tenderDownloads shows the library's downloads of an ente on the CRM's timeline.
type tenderDownloads struct{ s *tender.Service }

func (t tenderDownloads) DownloadsOf(ctx context.Context, enteID int64) ([]crm.Download, error) {
	list, err := t.s.DownloadsOf(ctx, enteID)
	if err != nil {
		return nil, err
	}
	out := make([]crm.Download, len(list))
	for i, d := range list {
		out[i] = crm.Download{Title: d.DocumentTitle, Version: "v" + strconv.Itoa(d.VersionNumber), At: d.At}
	}
	return out, nil
}
