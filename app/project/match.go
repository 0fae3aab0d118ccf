package project

import (
	"context"
	"sort"
	"strings"

	"github.com/uptrace/bun"

	"passhub/app/db"
	"passhub/app/ente"
	"passhub/app/funding"
)

// Match is an open partner search suggested to one of the viewer's enti, or an ente suggested
// as a partner to a sheet, with the reasons: the topics in common and the territory.
type Match struct {
	Sheet *Sheet     // the search suggested (SuggestedSearches)
	Ente  *ente.Ente // the viewer's ente it suits, or the partner suggested (SuggestedPartners)
	// Topics are the topics in common; Territory is set when the search looks in the ente's
	// province by name, Near when both enti are of the same province.
	Topics          []string
	Territory, Near bool
	score           int
}

func (m *Match) rank() {
	m.score = 2 * len(m.Topics)
	if m.Territory {
		m.score += 2
	}
	if m.Near {
		m.score++
	}
}

// MaxSuggestions bounds each list of suggestions.
const MaxSuggestions = 10

// interests are the topics an ente cares for, lower-cased: those of its own sheets and of the
// alerts its enabled people follow.
func (s *Service) interests(ctx context.Context, enti []int64) (map[int64]map[string]string, error) {
	type row struct {
		EnteID int64  `bun:"ente_id"`
		Topic  string `bun:"topic"`
	}
	var rows []row
	if err := s.db.NewSelect().TableExpr("project_topics AS t").ColumnExpr("sheet.ente_id, t.topic").
		Join("JOIN project_sheets AS sheet ON sheet.id = t.project_id").Where("sheet.ente_id IN (?)", bun.In(enti)).
		Scan(ctx, &rows); err != nil {
		return nil, db.Map(err)
	}
	var alerts []row
	if err := s.db.NewSelect().TableExpr("funding_subscription_items AS i").ColumnExpr("m.ente_id, i.value AS topic").
		Join("JOIN funding_subscriptions AS sub ON sub.id = i.subscription_id").
		Join("JOIN memberships AS m ON m.user_id = sub.user_id AND m.enabled").
		Where("i.kind = ?", funding.ItemTopic).Where("m.ente_id IN (?)", bun.In(enti)).Scan(ctx, &alerts); err != nil {
		return nil, db.Map(err)
	}
	out := map[int64]map[string]string{}
	for _, r := range append(rows, alerts...) {
		if out[r.EnteID] == nil {
			out[r.EnteID] = map[string]string{}
		}
		out[r.EnteID][strings.ToLower(r.Topic)] = r.Topic
	}
	return out, nil
}

// common lists the sheet's topics that are among the interests.
func common(topics []string, interests map[string]string) []string {
	var out []string
	for _, t := range topics {
		if _, ok := interests[strings.ToLower(t)]; ok {
			out = append(out, t)
		}
	}
	return out
}

// SuggestedSearches lists the open partner searches of other enti that suit the viewer's enti:
// a topic in common, or a search that looks in the ente's province by name; never one the ente
// answered already nor one looking in other provinces only. Best matches first.
func (s *Service) SuggestedSearches(ctx context.Context, enti []*ente.Ente) ([]Match, error) {
	if len(enti) == 0 {
		return nil, nil
	}
	ids := make([]int64, len(enti))
	for i, e := range enti {
		ids[i] = e.ID
	}
	// every open search, not a page of them: they are few, and each is weighed
	open, err := s.openSearches(ctx)
	if err != nil {
		return nil, err
	}
	interests, err := s.interests(ctx, ids)
	if err != nil {
		return nil, err
	}
	answered, err := s.answeredBy(ctx, ids)
	if err != nil {
		return nil, err
	}
	var out []Match
	for _, sh := range open {
		var best *Match
		for _, e := range enti {
			if sh.EnteID == e.ID || answered[answerKey{sh.ID, e.ID}] || !sh.Seeks(e.Province) {
				continue
			}
			m := Match{Sheet: sh, Ente: e, Topics: common(sh.Topics, interests[e.ID]), Territory: len(sh.Sought()) > 0,
				Near: sh.Ente != nil && sh.Ente.Province == e.Province && e.Province != ""}
			if len(m.Topics) == 0 && !m.Territory {
				continue
			}
			m.rank()
			if best == nil || m.score > best.score {
				best = &m
			}
		}
		if best != nil {
			out = append(out, *best)
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].score > out[j].score })
	if len(out) > MaxSuggestions {
		out = out[:MaxSuggestions]
	}
	return out, nil
}

// MaxOpen bounds the open searches weighed for suggestions.
const MaxOpen = 2000

func (s *Service) openSearches(ctx context.Context) ([]*Sheet, error) {
	var out []*Sheet
	today := s.Today()
	if err := s.db.NewSelect().Model(&out).Relation("Ente").Relation("Call").Where("sheet.published_at IS NOT NULL").Where("sheet.seeks_partners").
		Where("(sheet.partners_until = '' AND (call.closes_on = '' OR call.closes_on >= ?) OR sheet.partners_until >= ?)", today, today).
		Order("sheet.published_at DESC").Limit(MaxOpen).Scan(ctx); err != nil {
		return nil, db.Map(err)
	}
	return out, s.fill(ctx, out)
}

type answerKey struct{ sheet, ente int64 }

func (s *Service) answeredBy(ctx context.Context, enti []int64) (map[answerKey]bool, error) {
	var rows []Answer
	if err := s.db.NewSelect().Model(&rows).Column("project_id", "ente_id").Where("ente_id IN (?)", bun.In(enti)).Scan(ctx); err != nil {
		return nil, db.Map(err)
	}
	out := make(map[answerKey]bool, len(rows))
	for _, a := range rows {
		out[answerKey{a.ProjectID, a.EnteID}] = true
	}
	return out, nil
}

// SuggestedPartners lists the enti that could answer the sheet's partner search and have not:
// those with a topic in common (in their own published sheets or their people's alerts), in
// the provinces the search looks in. Best matches first.
func (s *Service) SuggestedPartners(ctx context.Context, sh *Sheet) ([]Match, error) {
	if len(sh.Topics) == 0 {
		return nil, nil
	}
	lower := make([]string, len(sh.Topics))
	for i, t := range sh.Topics {
		lower[i] = strings.ToLower(t)
	}
	var candidates []int64
	if err := s.db.NewSelect().TableExpr("project_topics AS t").ColumnExpr("DISTINCT sheet.ente_id").
		Join("JOIN project_sheets AS sheet ON sheet.id = t.project_id").Where("sheet.published_at IS NOT NULL").
		Where("LOWER(t.topic) IN (?)", bun.In(lower)).Where("sheet.ente_id <> ?", sh.EnteID).Limit(MaxOpen).Scan(ctx, &candidates); err != nil {
		return nil, db.Map(err)
	}
	var followers []int64
	if err := s.db.NewSelect().TableExpr("funding_subscription_items AS i").ColumnExpr("DISTINCT m.ente_id").
		Join("JOIN funding_subscriptions AS sub ON sub.id = i.subscription_id").
		Join("JOIN memberships AS m ON m.user_id = sub.user_id AND m.enabled").
		Where("i.kind = ?", funding.ItemTopic).Where("LOWER(i.value) IN (?)", bun.In(lower)).Where("m.ente_id <> ?", sh.EnteID).
		Limit(MaxOpen).Scan(ctx, &followers); err != nil {
		return nil, db.Map(err)
	}
	ids := append(candidates, followers...)
	if len(ids) == 0 {
		return nil, nil
	}
	var enti []*ente.Ente
	if err := s.db.NewSelect().Model(&enti).Where("id IN (?)", bun.In(ids)).Where("status = ?", ente.StatusApproved).Scan(ctx); err != nil {
		return nil, db.Map(err)
	}
	interests, err := s.interests(ctx, ids)
	if err != nil {
		return nil, err
	}
	answers, err := s.Answers(ctx, sh.ID, nil)
	if err != nil {
		return nil, err
	}
	done := map[int64]bool{}
	for _, a := range answers {
		done[a.EnteID] = true
	}
	var out []Match
	for _, e := range enti {
		if done[e.ID] || !sh.Seeks(e.Province) {
			continue
		}
		m := Match{Ente: e, Topics: common(sh.Topics, interests[e.ID]), Territory: len(sh.Sought()) > 0,
			Near: sh.Ente != nil && sh.Ente.Province == e.Province && e.Province != ""}
		if len(m.Topics) == 0 {
			continue
		}
		m.rank()
		out = append(out, m)
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].score != out[j].score {
			return out[i].score > out[j].score
		}
		return out[i].Ente.Name < out[j].Ente.Name
	})
	if len(out) > MaxSuggestions {
		out = out[:MaxSuggestions]
	}
	return out, nil
}
