package search

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/uptrace/bun"

	"passhub/app/audit"
	"passhub/app/content"
	"passhub/app/db"
)

// SynonymGroup is one line of the editors' synonyms list: words and phrases that stand for each
// other in a search, typically an acronym of the field and its expansion ("SUAP, sportello unico
// per le attività produttive").
type SynonymGroup struct {
	bun.BaseModel `bun:"table:search_synonyms"`

	ID       int64  `bun:"id,pk,autoincrement"`
	Position int    `bun:"position"`
	Words    string `bun:"words"` // as the editor wrote them, separated by commas
}

// Limits of the synonyms list.
const (
	MaxSynonymGroups = 500
	MaxSynonymWords  = 10  // words and phrases in one group
	MaxSynonymRunes  = 100 // runes of one word or phrase
)

// Members returns the group's words and phrases, trimmed, in the order written.
func (g SynonymGroup) Members() []string {
	var out []string
	for _, w := range strings.Split(g.Words, ",") {
		if w = strings.Join(strings.Fields(w), " "); w != "" {
			out = append(out, w)
		}
	}
	return out
}

// synonymsTTL bounds how long another instance's edit of the list stays unseen.
const synonymsTTL = 30 * time.Second

// synonyms caches the list as a map from each lowercase single word to the other members of its
// groups.
type synonyms struct {
	mu     sync.Mutex
	byWord map[string][]string
	groups [][]string
	loaded time.Time
}

// Synonyms returns the list as a map from each single word of the list (lowercase) to the words
// and phrases that may stand for it.
func (x *Index) Synonyms(ctx context.Context) (map[string][]string, error) {
	x.syn.mu.Lock()
	defer x.syn.mu.Unlock()
	if x.syn.byWord != nil && time.Since(x.syn.loaded) < synonymsTTL {
		return x.syn.byWord, nil
	}
	groups, err := x.SynonymGroups(ctx)
	if err != nil {
		return nil, err
	}
	byWord := map[string][]string{}
	var all [][]string
	for _, g := range groups {
		members := g.Members()
		lower := make([]string, len(members))
		for i, m := range members {
			lower[i] = strings.ToLower(m)
		}
		all = append(all, lower)
		for i, m := range lower {
			if strings.Contains(m, " ") {
				continue // a phrase is found by its words; only single words are expanded
			}
			for j, other := range lower {
				if j != i && other != m && !contains(byWord[m], other) {
					byWord[m] = append(byWord[m], other)
				}
			}
		}
	}
	x.syn.byWord, x.syn.groups, x.syn.loaded = byWord, all, time.Now()
	return byWord, nil
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// SynonymGroups lists the editors' synonyms in their order.
func (x *Index) SynonymGroups(ctx context.Context) ([]SynonymGroup, error) {
	var groups []SynonymGroup
	if err := x.DB.NewSelect().Model(&groups).Order("position", "id").Scan(ctx); err != nil {
		return nil, fmt.Errorf("search: synonyms: %w", db.Map(err))
	}
	return groups, nil
}

// SynonymError says what is wrong with a line of the editors' text: Msg is a message id whose
// template takes Line and Max.
type SynonymError struct {
	Line, Max int
	Msg       string
}

func (e *SynonymError) Error() string {
	return fmt.Sprintf("search: synonyms line %d: %s", e.Line, e.Msg)
}

// ParseSynonyms reads the editors' text, one group per line with its words separated by commas;
// blank lines are skipped. The first wrong line is reported.
func ParseSynonyms(text string) ([]SynonymGroup, error) {
	var out []SynonymGroup
	for n, line := range strings.Split(strings.ReplaceAll(text, "\r\n", "\n"), "\n") {
		g := SynonymGroup{Words: strings.TrimSpace(line)}
		members := g.Members()
		bad := func(msg string, max int) error { return &SynonymError{Line: n + 1, Max: max, Msg: msg} }
		switch {
		case len(members) == 0:
			continue
		case !utf8.ValidString(line) || strings.ContainsFunc(line, unicode.IsControl):
			return nil, bad("search.synonyms.error.invalid", 0)
		case len(members) == 1:
			return nil, bad("search.synonyms.error.single", 0)
		case len(members) > MaxSynonymWords:
			return nil, bad("search.synonyms.error.many", MaxSynonymWords)
		}
		for _, m := range members {
			if utf8.RuneCountInString(m) > MaxSynonymRunes {
				return nil, bad("search.synonyms.error.long", MaxSynonymRunes)
			}
		}
		if len(out) == MaxSynonymGroups {
			return nil, bad("search.synonyms.error.groups", MaxSynonymGroups)
		}
		g.Words = strings.Join(members, ", ")
		g.Position = len(out) + 1
		out = append(out, g)
	}
	return out, nil
}

// SaveSynonyms replaces the list with groups, writes the audit entry, and makes every following
// search use it.
func (x *Index) SaveSynonyms(ctx context.Context, actor audit.Actor, groups []SynonymGroup) error {
	err := x.DB.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		if _, err := tx.NewDelete().Model((*SynonymGroup)(nil)).Where("1 = 1").Exec(ctx); err != nil {
			return db.Map(err)
		}
		if len(groups) > 0 {
			if _, err := tx.NewInsert().Model(&groups).Exec(ctx); err != nil {
				return db.Map(err)
			}
		}
		return audit.Record(ctx, tx, audit.Entry{ActorID: actor.UserID, Actor: actor.Name, IP: actor.IP,
			Action: "search.synonyms", Detail: fmt.Sprintf("%d groups", len(groups))})
	})
	if err != nil {
		return fmt.Errorf("search: save synonyms: %w", err)
	}
	x.dropSynonyms()
	if x.Bus != nil {
		// the other instances drop their copy of the list, their results and their cached pages
		for _, topic := range []string{SynonymsTopic, content.CacheTopic} {
			if err := x.Bus.Publish(context.WithoutCancel(ctx), topic); err != nil && x.Log != nil {
				x.Log.Warn("search: synonyms topic not published", "topic", topic, "err", err)
			}
		}
	}
	return x.ApplySynonyms(ctx)
}

// SynonymsTopic is the bus topic that tells every instance the editors changed the synonyms.
const SynonymsTopic = "cache:synonyms"

// dropSynonyms forgets this instance's copy of the list and the results made with it.
func (x *Index) dropSynonyms() {
	x.syn.mu.Lock()
	x.syn.byWord = nil
	x.syn.mu.Unlock()
	x.forget()
}

// ApplySynonyms hands the list to an engine that expands synonyms itself (at start and after each
// edit); other engines get them with each query.
func (x *Index) ApplySynonyms(ctx context.Context) error {
	s, ok := x.Engine.(SynonymEngine)
	if !ok {
		return nil
	}
	byWord, err := x.Synonyms(ctx)
	if err != nil {
		return err
	}
	return s.SetSynonyms(ctx, byWord)
}

// SynonymEngine is an engine that expands synonyms itself; Index hands it the list at start and
// after each edit.
type SynonymEngine interface {
	SetSynonyms(ctx context.Context, byWord map[string][]string) error
}
