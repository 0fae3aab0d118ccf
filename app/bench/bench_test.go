// Package bench measures passhub under load and on large imports, each figure against a reference
// measured in the same run: every page against a static file of the same size served by the same
// process, and the import against its targets. Run it with `make bench` (SQLite), or with
// PASSHUB_TEST_DATABASE_URL set (PostgreSQL). Each benchmark prints its table as it ends and
// reports its figures as metrics; a summary of everything is printed at the end of the run.
package bench

import (
	"fmt"
	"os"
	"runtime"
	"strings"
	"sync"
	"testing"

	"passhub/app/apptest"
)

// summary collects the tables of the benchmarks that ran, printed together at the end.
var summary struct {
	sync.Mutex
	sections []string
}

func addSummary(format string, args ...any) {
	summary.Lock()
	summary.sections = append(summary.sections, fmt.Sprintf(format, args...))
	summary.Unlock()
}

func database() string {
	if apptest.OnPostgres() {
		return "PostgreSQL"
	}
	return "SQLite"
}

func TestMain(m *testing.M) {
	code := m.Run()
	if len(summary.sections) > 0 {
		fmt.Printf("\n=== passhub bench summary — database %s, %s/%s, %d CPU, %s\n%s\n", database(),
			runtime.GOOS, runtime.GOARCH, runtime.NumCPU(), runtime.Version(), strings.Join(summary.sections, "\n"))
	}
	os.Exit(code)
}
