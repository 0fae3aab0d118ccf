package project

import (
	"context"
	"errors"
	"strconv"
	"strings"

	"github.com/uptrace/bun"

	"passhub/app/db"
	"passhub/app/ente"
	"passhub/app/event"
	"passhub/app/jobs"
)

// URL is the page of a sheet.
func URL(id int64) string { return Path + "/" + strconv.FormatInt(id, 10) }

// Answer sends the ente's answer to the sheet's partner search. It is refused when the search is
// closed, when the ente is the sheet's own, and when the ente has answered already; the caller
// has checked that who may act for the ente.
func (s *Service) Answer(ctx context.Context, who Actor, sheetID, enteID int64, message string) (*Answer, error) {
	sh, err := s.Get(ctx, sheetID)
	if err != nil {
		return nil, err
	}
	message = strings.TrimSpace(message)
	switch {
	case !sh.SearchOpen(s.Today()):
		return nil, Refused("project.error.closed")
	case enteID == sh.EnteID:
		return nil, Refused("project.error.own")
	case message == "":
		return nil, Invalid{"message": "project.error.message"}
	case len(message) > MaxMessage:
		return nil, Invalid{"message": "project.error.too_long"}
	}
	a := &Answer{ProjectID: sh.ID, EnteID: enteID, UserID: who.UserID, Author: who.Name, Message: message, Status: AnswerSent, CreatedAt: s.now().UTC()}
	err = s.db.InTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		if _, err := tx.NewInsert().Model(a).Returning("id").Exec(ctx); err != nil {
			return db.Map(err)
		}
		return s.record(ctx, tx, who, "project.answer", sh, Changed{Sheet: sh.ID, Answer: a.ID, Step: StepAnswered})
	})
	if errors.Is(err, db.ErrConflict) {
		return nil, Refused("project.error.answered")
	}
	return a, err
}

// Decide accepts or declines an answer to the sheet's partner search, with a reply for the ente
// that answered; a decided answer stays decided.
func (s *Service) Decide(ctx context.Context, who Actor, sheetID, answerID int64, accept bool, reply string) error {
	sh, err := s.Get(ctx, sheetID)
	if err != nil {
		return err
	}
	reply = strings.TrimSpace(reply)
	if len(reply) > MaxMessage {
		return Invalid{"reply": "project.error.too_long"}
	}
	status := AnswerDeclined
	if accept {
		status = AnswerAccepted
	}
	return s.db.InTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		res, err := tx.NewUpdate().Model((*Answer)(nil)).Set("status = ?", status).Set("reply = ?", reply).Set("decided_at = ?", s.now().UTC()).
			Where("id = ?", answerID).Where("project_id = ?", sh.ID).Where("status = ?", AnswerSent).Exec(ctx)
		if err != nil {
			return db.Map(err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			var exists bool
			if exists, err = tx.NewSelect().Model((*Answer)(nil)).Where("id = ?", answerID).Where("project_id = ?", sh.ID).Exists(ctx); err != nil {
				return db.Map(err)
			}
			if !exists {
				return db.ErrNotFound
			}
			return Refused("project.error.decided")
		}
		return s.record(ctx, tx, who, "project."+status, sh, Changed{Sheet: sh.ID, Answer: answerID, Step: StepDecided})
	})
}

// Answers lists the answers to the sheet, oldest first; only those of the enti given when enti
// is not nil.
func (s *Service) Answers(ctx context.Context, sheetID int64, enti []int64) ([]Answer, error) {
	var out []Answer
	q := s.db.NewSelect().Model(&out).Relation("Ente").Where("answer.project_id = ?", sheetID)
	if enti != nil {
		if len(enti) == 0 {
			return nil, nil
		}
		q = q.Where("answer.ente_id IN (?)", bun.In(enti))
	}
	if err := q.Order("answer.created_at", "answer.id").Scan(ctx); err != nil {
		return nil, db.Map(err)
	}
	return out, nil
}

func (s *Service) answer(ctx context.Context, id int64) (*Answer, error) {
	var a Answer
	if err := s.db.NewSelect().Model(&a).Where("id = ?", id).Scan(ctx); err != nil {
		return nil, db.Map(err)
	}
	return &a, nil
}

// Listen registers the notices of the partner searches: the sheet's ente hears of each answer,
// the person who answered hears of the decision.
func (s *Service) Listen(d *event.Dispatcher) {
	event.On(d, "notify", func(ctx context.Context, ev Changed) error {
		if s.Notices == nil || ev.Answer == 0 {
			return nil
		}
		a, err := s.answer(ctx, ev.Answer)
		if errors.Is(err, db.ErrNotFound) {
			return nil // the sheet was deleted since
		}
		if err != nil {
			return err
		}
		sh, err := s.Get(ctx, ev.Sheet)
		if err != nil {
			return err
		}
		key := jobs.WithEventKey(ctx, "project."+ev.Step+":"+strconv.FormatInt(a.ID, 10))
		switch ev.Step {
		case StepAnswered:
			members, err := s.enti.Members(ctx, sh.EnteID)
			if err != nil {
				return err
			}
			return s.Notices.Notify(key, enabled(members), KindAnswer, sh.Title, URL(sh.ID)+"#risposte")
		case StepDecided:
			return s.Notices.Notify(key, []int64{a.UserID}, KindDecision, sh.Title, URL(sh.ID)+"#risposta")
		}
		return nil
	})
}

func enabled(members []ente.Member) []int64 {
	var out []int64
	for _, m := range members {
		if m.Enabled {
			out = append(out, m.UserID)
		}
	}
	return out
}
