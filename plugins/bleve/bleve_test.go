package bleve

import (
	"testing"

	"passhub/app/search"
	"passhub/app/search/searchtest"
)

func TestContract(t *testing.T) {
	searchtest.Run(t, func(t *testing.T) search.Engine {
		e, err := search.New("bleve", search.Options{DataDir: t.TempDir()})
		if err != nil {
			t.Fatal(err)
		}
		return e
	})
}

func TestContractInMemory(t *testing.T) {
	searchtest.Run(t, func(t *testing.T) search.Engine {
		e, err := search.New("bleve", search.Options{Settings: map[string]string{"memory": "1"}})
		if err != nil {
			t.Fatal(err)
		}
		return e
	})
}

func TestOneEdit(t *testing.T) {
	for _, c := range []struct {
		a, b string
		want bool
	}{{"bonific", "bonfic", true}, {"bonific", "bonific", true}, {"bonific", "bonifiv", true}, {"bonific", "bonifica", true},
		{"bonific", "bonf", false}, {"abc", "bca", false}, {"", "a", true}, {"attività", "attivita", true}, {"ab", "ba", false}} {
		if got := oneEdit(c.a, c.b); got != c.want {
			t.Errorf("oneEdit(%q, %q) = %v", c.a, c.b, got)
		}
	}
}
