package bleve

import (
	"path/filepath"
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

var _ = filepath.Join
