package extract

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"passhub/app/extract/extracttest"
)

// peakRSS is the largest resident set of this process so far, in bytes (Linux); 0 elsewhere.
func peakRSS(t *testing.T) int64 {
	t.Helper()
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "VmHWM:"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			return kb << 10
		}
	}
	return 0
}

// maxParentRSS bounds this test process: the hostile files, read here, would take gigabytes.
const maxParentRSS = 256 << 20

func TestNormalPDFYieldsItsText(t *testing.T) {
	x := New(Limits{}, nil)
	text, err := x.Text(context.Background(), "delibera.pdf", extracttest.TextPDF("Deliberazione della giunta comunale", "Seconda pagina del verbale"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"Deliberazione della giunta comunale", "Seconda pagina del verbale"} {
		if !strings.Contains(text, want) {
			t.Errorf("text %q lacks %q", text, want)
		}
	}
}

// TestHostilePDFsEndQuickly runs each hostile file through the reader process with the default
// limits: each must end within seconds, and this process must stay small.
func TestHostilePDFsEndQuickly(t *testing.T) {
	cases := []struct {
		name   string
		data   []byte
		want   error         // nil, ErrFailed (the reader stopped or died by its own limits) or ErrTimeout (killed by the parent)
		within time.Duration // what it may take
		limits Limits
	}{
		{"page tree declaring 4e18 pages, cyclic kids", extracttest.PageTreeBomb(), nil, 10 * time.Second, Limits{}},
		{"flate stream inflating to 2 GiB", extracttest.InflationBomb(2 << 30), ErrFailed, 10 * time.Second, Limits{}},
		{"nested flate streams inflating to 4 GiB", extracttest.NestedInflationBomb(4 << 30), ErrFailed, 10 * time.Second, Limits{}},
		{"page naming itself as its parent", extracttest.CyclicParent(), ErrFailed, 10 * time.Second, Limits{}},
		{"100,000 references to one content stream", extracttest.RepeatedContents(), ErrFailed, 10 * time.Second, Limits{}},
		{"cross-reference table of 4e9 entries", extracttest.HugeXref(), ErrFailed, 10 * time.Second, Limits{}},
		// Past the byte budget only the memory limit of the process stops the reader.
		{"2 GiB stream, byte budget off", extracttest.InflationBomb(2 << 30), ErrFailed, time.Minute, Limits{Inflated: 1 << 40, Memory: 128 << 20, Timeout: time.Minute}},
		// A loop inside the library: only the time limits stop it.
		{"cross-reference chain naming itself", extracttest.LoopingXref(), ErrTimeout, 6 * time.Second, Limits{CPU: time.Minute, Timeout: 3 * time.Second}},
		// The same loop with a long wall-clock limit: the CPU limit of the process kills it (2 s
		// of CPU, which a loaded machine may spread over many more seconds).
		{"cross-reference chain, CPU limit", extracttest.LoopingXref(), ErrFailed, 2 * time.Minute, Limits{CPU: time.Second, Timeout: 2 * time.Minute}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			x := New(c.limits, nil)
			start := time.Now()
			text, err := x.Text(context.Background(), "bomba.pdf", c.data)
			took := time.Since(start)
			t.Logf("%d-byte file: %v in %v, %d bytes of text, parent peak RSS %d MiB", len(c.data), err, took.Round(time.Millisecond), len(text), peakRSS(t)>>20)
			if took > c.within {
				t.Errorf("took %v, more than %v", took, c.within)
			}
			if !errors.Is(err, c.want) || err != nil && text != "" || c.want == nil && err != nil {
				t.Errorf("got %q, %v; want %v", text, err, c.want)
			}
			if rss := peakRSS(t); rss > maxParentRSS {
				t.Errorf("parent peak RSS %d MiB", rss>>20)
			}
			// A file that failed once fails at once afterwards.
			if err != nil {
				start = time.Now()
				if _, again := x.Text(context.Background(), "bomba.pdf", c.data); !errors.Is(again, err) && again.Error() != err.Error() || time.Since(start) > 100*time.Millisecond {
					t.Errorf("second extraction: %v in %v", again, time.Since(start))
				}
			}
		})
	}
}

func TestPagesAndTextAreBounded(t *testing.T) {
	var lines []string
	for i := 1; i <= 30; i++ {
		lines = append(lines, fmt.Sprintf("Pagina numero %d", i))
	}
	x := New(Limits{Pages: 10}, nil)
	text, err := x.Text(context.Background(), "lungo.pdf", extracttest.TextPDF(lines...))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(text, "Pagina numero 10") || strings.Contains(text, "Pagina numero 11") {
		t.Errorf("ten pages wanted, got %q", text)
	}
	x = New(Limits{Text: 100}, nil)
	text, err = x.Text(context.Background(), "lungo.pdf", extracttest.TextPDF(lines...))
	if err != nil || len(text) > 100 || !strings.Contains(text, "Pagina numero 1\n") {
		t.Errorf("100 bytes wanted, got %d: %q %v", len(text), text, err)
	}
}

func TestInputIsBounded(t *testing.T) {
	x := New(Limits{Input: 1000}, nil)
	big := append(extracttest.TextPDF("testo"), bytes.Repeat([]byte("\n"), 1000)...)
	if _, err := x.Text(context.Background(), "grande.pdf", big); !errors.Is(err, ErrTooLarge) {
		t.Errorf("a file past the input limit: %v", err)
	}
}

func TestPlainTextIsBounded(t *testing.T) {
	x := New(Limits{}, nil)
	csv := strings.Repeat("comune;provincia;abitanti\n", 100_000) // 2.6 MB
	text, err := x.Text(context.Background(), "dati.csv", []byte(csv))
	if err != nil || len(text) > MaxText || !strings.HasPrefix(text, "comune provincia abitanti\n") {
		t.Errorf("csv: %d bytes, %v", len(text), err)
	}
	// A cut in the middle of a character keeps the text before it.
	text, _ = x.Text(context.Background(), "note.txt", []byte(strings.Repeat("è", MaxText)))
	if len(text) == 0 || len(text) > MaxText || !strings.HasPrefix(text, "èè") {
		t.Errorf("txt cut inside a rune: %d bytes", len(text))
	}
	if text, _ := x.Text(context.Background(), "latin1.txt", []byte("citt\xe0")); text != "" {
		t.Errorf("text that is not UTF-8: %q", text)
	}
	if text, _ := x.Text(context.Background(), "foto.png", []byte("\x89PNG")); text != "" {
		t.Errorf("a kind without text: %q", text)
	}
}

func TestCappedOutputKillsTheWriter(t *testing.T) {
	killed := false
	c := &capped{max: 10, full: func() { killed = true }}
	c.Write([]byte("0123456789"))
	if killed || c.over {
		t.Fatal("ten bytes are within ten")
	}
	c.Write([]byte("ab"))
	if !killed || !c.over || c.String() != "0123456789" {
		t.Errorf("past the cap: killed %v, over %v, %q", killed, c.over, c.String())
	}
}

// TestCallerCancelIsNotTheFilesFault: a cancelled caller gets its context's error, and the file
// is not remembered as failed.
func TestCallerCancelIsNotTheFilesFault(t *testing.T) {
	x := New(Limits{}, nil)
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	data := extracttest.LoopingXref()
	if _, err := x.Text(ctx, "a.pdf", data); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("cancelled: %v", err)
	}
	if x.failed.Len() != 0 {
		t.Error("a file remembered as failed because its caller gave up")
	}
}

// TestWaitingForAReaderCountsInTheTimeLimit: an extraction waiting for a reader while every
// reader is busy (a stalled one holding the only slot) gives up at its own time limit, so a job
// worker is never held longer than the limit, and the file that waited is not remembered as
// failed.
func TestWaitingForAReaderCountsInTheTimeLimit(t *testing.T) {
	x := New(Limits{Parallel: 1, Timeout: time.Second}, nil)
	x.slots <- struct{}{} // the only reader is taken
	start := time.Now()
	_, err := x.Text(context.Background(), "delibera.pdf", extracttest.TextPDF("testo"))
	if !errors.Is(err, ErrBusy) {
		t.Errorf("waiting for a busy reader: %v", err)
	}
	if took := time.Since(start); took < time.Second || took > 2*time.Second {
		t.Errorf("gave up after %v, the limit is one second", took)
	}
	if n := x.failed.Len(); n != 0 {
		t.Error("a file remembered as failed for waiting")
	}
	<-x.slots
	if text, err := x.Text(context.Background(), "delibera.pdf", extracttest.TextPDF("testo")); err != nil || !strings.Contains(text, "testo") {
		t.Errorf("once the reader is free: %q %v", text, err)
	}
}
