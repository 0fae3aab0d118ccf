package helpdesk

import (
	"context"
	"errors"
	"strconv"
	"strings"

	"passhub/app/db"
	"passhub/app/event"
	"passhub/app/search"
)

// Types of the tickets in the site search: the desk's view of a ticket (every message, the
// internal notes included, for those who work the tickets) and the requester's (their thread
// without the notes, for the requester's account alone).
const (
	TypeTicket     = "ticket"
	TypeTicketMine = "ticket_mine"
)

// Refs are the site search's items of a ticket.
func Refs(ticketID int64) []string {
	return []string{search.Ref(TypeTicket, ticketID), search.Ref(TypeTicketMine, ticketID)}
}

// IndexIn puts the tickets in the site search: each ticket twice, private, as the desk sees it
// (search.DeskAccess, its queue page) and, when the requester has an account, as they see it
// (search.RequesterAccess, their page); a ticket merged into another is in no index (its thread
// is the other's now). Every change of a ticket queues both; a merge queues the surviving ticket
// too.
func (s *Service) IndexIn(d *event.Dispatcher, x *search.Index) {
	x.AddKind(TypeTicket, searchSource{s: s, desk: true})
	x.AddKind(TypeTicketMine, searchSource{s: s})
	event.On(d, "search", func(ctx context.Context, ev Changed) error {
		refs := Refs(ev.Ticket)
		if ev.Step == StepMerged {
			t, err := s.Get(ctx, ev.Ticket)
			if err != nil && !errors.Is(err, db.ErrNotFound) {
				return err
			}
			if err == nil && t.MergedInto != 0 {
				refs = append(refs, Refs(t.MergedInto)...)
			}
		}
		return x.Queue(ctx, refs...)
	})
}

type searchSource struct {
	s    *Service
	desk bool
}

// Load is the search doc of a ticket: for the desk with the requester and every message but the
// desk's own lines, for the requester with the public messages only. A merged ticket, and the
// requester's doc of a ticket without a requester account, are not indexed.
func (src searchSource) Load(ctx context.Context, id int64, full bool) (search.Doc, error) {
	t, err := src.s.Get(ctx, id)
	if err != nil {
		return search.Doc{}, err
	}
	if t.MergedInto != 0 || !src.desk && t.RequesterID == 0 {
		return search.Doc{}, db.ErrNotFound
	}
	d := search.Doc{Title: t.Subject, Private: true, Year: t.CreatedAt.Year(), Updated: t.UpdatedAt}
	num := strconv.FormatInt(t.ID, 10)
	var body []string
	if src.desk {
		d.ID, d.Type, d.URL, d.Ente = search.Ref(TypeTicket, t.ID), TypeTicket, Queue+"/"+num, search.DeskAccess
		body = append(body, t.RequesterName, t.RequesterEmail, t.EnteName)
	} else {
		d.ID, d.Type, d.URL, d.Ente = search.Ref(TypeTicketMine, t.ID), TypeTicketMine, Reserved+"/"+num, search.RequesterAccess(t.RequesterID)
	}
	if full {
		thread, err := src.s.Thread(ctx, t.ID, src.desk)
		if err != nil {
			return search.Doc{}, err
		}
		var texts []string
		for _, m := range thread {
			if m.Kind != KindSystem { // the desk's lines are message ids, not words
				texts = append(texts, m.Body)
			}
		}
		body = append(body, searchText(texts, MaxSearchText)...)
	}
	d.Body = strings.Join(nonEmpty(body), "\n\n")
	return d, nil
}

// MaxSearchText bounds the bytes of a thread that go into a ticket's search doc: a thread of
// a thousand messages is indexed (and scanned for legal references) again at every new message.
const MaxSearchText = 16 << 10

// searchText keeps the first message (the question) and then the newest ones, as many as fit in
// max bytes, in the thread's order.
func searchText(msgs []string, max int) []string {
	if len(msgs) == 0 {
		return nil
	}
	first := msgs[0]
	if len(first) >= max {
		return []string{strings.ToValidUTF8(first[:max], "")}
	}
	left := max - len(first)
	start := len(msgs)
	for start > 1 && len(msgs[start-1]) <= left {
		start--
		left -= len(msgs[start])
	}
	return append([]string{first}, msgs[start:]...)
}

// IDs lists the tickets not merged after after (for the requester's kind, those with a requester
// account).
func (src searchSource) IDs(ctx context.Context, after int64, n int) ([]int64, error) {
	var ids []int64
	q := src.s.db.NewSelect().TableExpr("helpdesk_tickets").Column("id").Where("merged_into IS NULL").Where("id > ?", after).
		Order("id").Limit(int64(n))
	if !src.desk {
		q = q.Where("requester_id IS NOT NULL")
	}
	if err := q.Scan(ctx, &ids); err != nil {
		return nil, db.Map(err)
	}
	return ids, nil
}

func nonEmpty(parts []string) []string {
	out := parts[:0]
	for _, p := range parts {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}
