package helpdesk

import (
	"strings"
	"testing"
)

func TestSearchTextKeepsTheQuestionAndTheNewest(t *testing.T) {
	msgs := []string{"domanda", "a", "bb", "ccc", "dddd"}
	got := strings.Join(searchText(msgs, len("domanda")+7), "|")
	if got != "domanda|ccc|dddd" {
		t.Errorf("got %q, want the question and the newest that fit", got)
	}
	if got := strings.Join(searchText(msgs, 1000), "|"); got != strings.Join(msgs, "|") {
		t.Errorf("everything fits: %q", got)
	}
	long := strings.Repeat("è", 100) // two bytes each: a cut never splits one
	if got := searchText([]string{long, "x"}, 51); len(got) != 1 || len(got[0]) != 50 {
		t.Errorf("a question longer than the bound: %d parts, %d bytes", len(got), len(got[0]))
	}
	if searchText(nil, 10) != nil {
		t.Error("no messages, no text")
	}
	total := 0
	many := make([]string, 2000)
	for i := range many {
		many[i] = strings.Repeat("m", 300)
	}
	for _, p := range searchText(many, MaxSearchText) {
		total += len(p)
	}
	if total > MaxSearchText {
		t.Errorf("%d bytes kept, over %d", total, MaxSearchText)
	}
}
