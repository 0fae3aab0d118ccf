package extract

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/hashicorp/golang-lru/v2/expirable"
)

// MaxText bounds the text taken from one file.
const MaxText = 200_000

// Limits bound one extraction. The zero value of a field means its default.
type Limits struct {
	Input    int64         // largest file read, bytes (20 MiB)
	Text     int           // largest text returned, bytes (MaxText)
	Pages    int           // pages read from a PDF (1,000)
	Nodes    int           // page-tree nodes visited (10,000)
	Inflated int64         // stream bytes decoded from a PDF, all streams together (64 MiB)
	Memory   uint64        // memory the child process may map, bytes (512 MiB)
	CPU      time.Duration // CPU time of the child process (10 s)
	Timeout  time.Duration // wall-clock time of one extraction, waiting included (20 s)
	Parallel int           // child processes at once (2)
}

// DefaultLimits are the limits in force when none are given.
var DefaultLimits = Limits{Input: 20 << 20, Text: MaxText, Pages: 1000, Nodes: 10_000, Inflated: 64 << 20,
	Memory: 512 << 20, CPU: 10 * time.Second, Timeout: 20 * time.Second, Parallel: 2}

func (l Limits) withDefaults() Limits {
	d := DefaultLimits
	if l.Input > 0 {
		d.Input = l.Input
	}
	if l.Text > 0 {
		d.Text = l.Text
	}
	if l.Pages > 0 {
		d.Pages = l.Pages
	}
	if l.Nodes > 0 {
		d.Nodes = l.Nodes
	}
	if l.Inflated > 0 {
		d.Inflated = l.Inflated
	}
	if l.Memory > 0 {
		d.Memory = l.Memory
	}
	if l.CPU > 0 {
		d.CPU = l.CPU
	}
	if l.Timeout > 0 {
		d.Timeout = l.Timeout
	}
	if l.Parallel > 0 {
		d.Parallel = l.Parallel
	}
	return d
}

// Errors of a failed extraction; the caller indexes the file without its text.
var (
	ErrTooLarge = errors.New("extract: file larger than the input limit")
	ErrTimeout  = errors.New("extract: time limit reached, reader killed")
	ErrOutput   = errors.New("extract: reader wrote more than the text limit, killed")
	ErrFailed   = errors.New("extract: reader failed")
	ErrBusy     = errors.New("extract: every reader busy until the time limit")
	// errStart is a reader that could not be started or limited: the machine's fault, not the
	// file's.
	errStart = errors.New("extract: reader not started")
)

// Extractor extracts text from files under Limits, one child process per PDF, ODT or DOCX.
type Extractor struct {
	limits Limits
	log    *slog.Logger
	slots  chan struct{}
	// failed remembers files (by SHA-256) whose extraction failed, so a hostile file costs its
	// time limit once per process, not at every refresh or rebuild.
	failed *expirable.LRU[string, error]

	exeOnce sync.Once
	exe     string
	exeErr  error
}

// New returns an extractor with limits (zero fields take DefaultLimits) that logs failures to
// log (slog.Default() when nil).
func New(limits Limits, log *slog.Logger) *Extractor {
	if log == nil {
		log = slog.Default()
	}
	l := limits.withDefaults()
	return &Extractor{limits: l, log: log, slots: make(chan struct{}, l.Parallel),
		failed: expirable.NewLRU[string, error](1024, nil, 24*time.Hour)}
}

// Limits returns the limits in force.
func (x *Extractor) Limits() Limits { return x.limits }

// Kind says how a file's text is read: "pdf", "odt", "docx", "text", or "" for files without text
// to extract. An ODT or DOCX is an archive: its name says which, its first bytes that it is one.
func Kind(name string, data []byte) string {
	lower := strings.ToLower(name)
	switch {
	case strings.HasSuffix(lower, ".pdf") || bytes.HasPrefix(data, []byte("%PDF-")):
		return "pdf"
	case strings.HasSuffix(lower, ".odt") && bytes.HasPrefix(data, []byte("PK\x03\x04")):
		return "odt"
	case strings.HasSuffix(lower, ".docx") && bytes.HasPrefix(data, []byte("PK\x03\x04")):
		return "docx"
	case strings.HasSuffix(lower, ".csv"), strings.HasSuffix(lower, ".txt"), strings.HasSuffix(lower, ".md"):
		return "text"
	}
	return ""
}

// Text returns the text of a file: PDF, ODT, DOCX, CSV and plain text; "" and no error for other
// kinds. An error means no text could be taken within the limits; it has been logged as a warning.
func (x *Extractor) Text(ctx context.Context, name string, data []byte) (string, error) {
	kind := Kind(name, data)
	switch kind {
	case "text":
		return plainText(data, x.limits.Text), nil
	case "pdf", "odt", "docx":
	default:
		return "", nil
	}
	sum := sha256.Sum256(data)
	key := hex.EncodeToString(sum[:])
	if err, ok := x.failed.Get(key); ok {
		return "", err
	}
	start := time.Now()
	text, err := x.read(ctx, kind, data)
	if err != nil {
		if ctx.Err() != nil { // the caller gave up (shutdown, job cancelled): not the file's fault
			return "", ctx.Err()
		}
		if !errors.Is(err, errStart) && !errors.Is(err, ErrBusy) { // the file's fault: not tried again for a while
			x.failed.Add(key, err)
		}
		x.log.Warn("text extraction failed: indexing the file without its text",
			"file", name, "size", len(data), "sha256", key[:16], "elapsed", time.Since(start).Round(time.Millisecond), "err", err)
	}
	return text, err
}

// plainText keeps the first max bytes of UTF-8 text, semicolons (CSV) read as spaces; text
// that is not UTF-8 gives nothing.
func plainText(data []byte, max int) string {
	if len(data) > max {
		data = data[:max]
		for len(data) > 0 && !utf8.Valid(data) && len(data) > max-utf8.UTFMax {
			data = data[:len(data)-1]
		}
	}
	if !utf8.Valid(data) {
		return ""
	}
	return strings.ReplaceAll(string(data), ";", " ")
}

// read runs the child process on data, a file of kind, and returns what it wrote.
func (x *Extractor) read(ctx context.Context, kind string, data []byte) (string, error) {
	l := x.limits
	if int64(len(data)) > l.Input {
		return "", ErrTooLarge
	}
	ctx, cancel := context.WithTimeout(ctx, l.Timeout)
	defer cancel()
	select { // at most Parallel children at once; waiting counts in the time limit
	case x.slots <- struct{}{}:
		defer func() { <-x.slots }()
	case <-ctx.Done():
		return "", ErrBusy
	}
	if ctx.Err() != nil { // the slot came free as time ran out
		return "", ErrBusy
	}
	exe, err := x.executable()
	if err != nil {
		return "", fmt.Errorf("%w: %v", errStart, err)
	}
	cmd := exec.CommandContext(ctx, exe, childCommand, kind,
		"-text", strconv.Itoa(l.Text), "-pages", strconv.Itoa(l.Pages), "-nodes", strconv.Itoa(l.Nodes),
		"-inflated", strconv.FormatInt(l.Inflated, 10), "-input", strconv.FormatInt(l.Input, 10))
	// Nothing of the parent's environment (secrets included) reaches the reader.
	cmd.Env = []string{childEnv + "=1", "GOMAXPROCS=1", "GOTRACEBACK=single",
		"GOMEMLIMIT=" + strconv.FormatUint(l.Memory/2, 10)}
	cmd.Dir = os.TempDir()
	cmd.SysProcAttr = sysProcAttr()
	cmd.WaitDelay = time.Second
	out := &capped{max: l.Text + 1, full: cancel}
	errOut := &capped{max: 2048}
	cmd.Stdout, cmd.Stderr = out, errOut
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return "", fmt.Errorf("%w: %v", errStart, err)
	}
	if err := cmd.Start(); err != nil {
		return "", fmt.Errorf("%w: %v", errStart, err)
	}
	// The limits are in force before the reader gets the first byte of the file.
	if err := limit(cmd.Process.Pid, l); err != nil {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		return "", fmt.Errorf("%w: limits: %v", errStart, err)
	}
	go func() {
		_, _ = stdin.Write(data) // fails when the reader stops early or is killed
		_ = stdin.Close()
	}()
	err = cmd.Wait()
	switch {
	case out.over:
		return "", ErrOutput
	case ctx.Err() == context.DeadlineExceeded:
		return "", ErrTimeout
	case err != nil:
		if why := firstLine(errOut.String()); why != "" {
			return "", fmt.Errorf("%w: %v: %s", ErrFailed, err, why)
		}
		return "", fmt.Errorf("%w: %v", ErrFailed, err)
	}
	return out.String(), nil
}

// executable is the binary that serves as the reader: the running one, even when its file has
// been replaced by a deployment since it started (Linux).
func (x *Extractor) executable() (string, error) {
	x.exeOnce.Do(func() {
		if x.exe = selfExe; x.exe != "" {
			return
		}
		x.exe, x.exeErr = os.Executable()
		if x.exeErr == nil {
			x.exe, x.exeErr = filepath.EvalSymlinks(x.exe)
		}
	})
	return x.exe, x.exeErr
}

// capped keeps the first max bytes written to it; past them it calls full (when set), marks
// itself over and drops the rest.
type capped struct {
	mu   sync.Mutex
	buf  bytes.Buffer
	max  int
	over bool
	full func()
}

func (c *capped) Write(p []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if room := c.max - c.buf.Len(); len(p) > room {
		c.buf.Write(p[:max(room, 0)])
		if !c.over && c.full != nil {
			c.full()
		}
		c.over = true
		return len(p), nil
	}
	c.buf.Write(p)
	return len(p), nil
}

func (c *capped) String() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.buf.String()
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(strings.TrimSpace(s), "\n")
	return s
}
