package extract

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/ledongthuc/pdf"
)

// Reasons the reader stops early; the text read until then is kept.
var (
	errInflated = errors.New("extract: decoded stream bytes past the limit")
	errParents  = errors.New("extract: a page's /Parent chain does not end")
)

// maxDepth bounds the depth of the page tree and the length of a page's /Parent chain; real
// files stay under ten.
const maxDepth = 64

// pdfText reads the text of a PDF page by page, in document order, within l: at most l.Pages
// pages found by visiting at most l.Nodes nodes of the page tree, whatever /Count declares;
// streams of page contents and font maps decoded through the library's own filters and counted
// against l.Inflated before the page is read; at most l.Text bytes of text. It runs inside the
// reader process, whose own limits stop what it cannot (a loop or an allocation inside the
// library).
func pdfText(data []byte, l Limits) (text string, err error) {
	defer func() {
		if p := recover(); p != nil {
			text, err = "", fmt.Errorf("extract: malformed PDF: %v", p)
		}
	}()
	r, err := pdf.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return "", err
	}
	var out strings.Builder
	budget := l.Inflated
	fonts := make(map[string]*pdf.Font)
	stop := errors.New("done")
	err = walkPages(r.Trailer().Key("Root").Key("Pages"), l, func(page pdf.Value) error {
		if err := parentsEnd(page); err != nil {
			return err
		}
		p := pdf.Page{V: page}
		var fresh []string
		if err := safely(func() {
			budget -= decoded(page.Key("Contents"), budget)
			for _, name := range p.Fonts() {
				if _, ok := fonts[name]; !ok {
					fresh = append(fresh, name)
					budget -= decoded(p.Font(name).V.Key("ToUnicode"), budget)
				}
			}
		}); err != nil {
			return nil // a page the library cannot read adds nothing
		}
		if budget < 0 {
			return errInflated
		}
		for _, name := range fresh {
			f := p.Font(name)
			fonts[name] = &f
		}
		t, perr := p.GetPlainText(fonts)
		if perr == nil {
			out.WriteString(t)
		}
		if out.Len() >= l.Text {
			return stop
		}
		return nil
	})
	if errors.Is(err, stop) {
		err = nil
	}
	return clip(out.String(), l.Text), err
}

// walkPages calls fn with each page of the tree under root, in order, visiting at most l.Nodes
// nodes, l.Pages pages and maxDepth levels; it stops at fn's first error.
func walkPages(root pdf.Value, l Limits, fn func(page pdf.Value) error) error {
	type node struct {
		v     pdf.Value
		depth int
	}
	stack := []node{{root, 0}}
	nodes, pages := 0, 0
	for len(stack) > 0 && nodes < l.Nodes && pages < l.Pages {
		n := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		nodes++
		var kids pdf.Value
		if err := safely(func() { kids = n.v.Key("Kids") }); err != nil {
			continue
		}
		if kids.Kind() != pdf.Array { // a leaf: a page
			if n.v.Kind() == pdf.Dict {
				pages++
				if err := fn(n.v); err != nil {
					return err
				}
			}
			continue
		}
		if n.depth >= maxDepth {
			continue
		}
		// Push the kids in reverse so the first is visited first, never more than the nodes
		// left to visit.
		count := min(kids.Len(), l.Nodes-nodes-len(stack))
		for i := count - 1; i >= 0; i-- {
			var kid pdf.Value
			if safely(func() { kid = kids.Index(i) }) == nil {
				stack = append(stack, node{kid, n.depth + 1})
			}
		}
	}
	return nil
}

// parentsEnd checks that a page's /Parent chain, which the library follows for inherited
// resources without a bound, ends within maxDepth.
func parentsEnd(page pdf.Value) error {
	v := page
	for i := 0; i <= maxDepth; i++ {
		var next pdf.Value
		if err := safely(func() { next = v.Key("Parent") }); err != nil || next.IsNull() {
			return nil
		}
		v = next
	}
	return errParents
}

// decoded returns how many bytes the stream or array of streams v decodes to, reading at most
// budget+1 of them (nothing is kept).
func decoded(v pdf.Value, budget int64) int64 {
	switch v.Kind() {
	case pdf.Stream:
		rd := v.Reader()
		defer rd.Close()
		n, _ := io.CopyN(io.Discard, rd, max(budget, 0)+1)
		return n
	case pdf.Array:
		var total int64
		for i := 0; i < v.Len() && total <= budget; i++ {
			total += decoded(v.Index(i), budget-total)
		}
		return total
	}
	return 0
}

// safely runs fn, turning the library's panics on malformed input into an error.
func safely(fn func()) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("extract: malformed PDF: %v", p)
		}
	}()
	fn()
	return nil
}

// clip cuts s to at most max bytes on a rune boundary.
func clip(s string, max int) string {
	if len(s) <= max {
		return s
	}
	s = s[:max]
	for len(s) > 0 && !utf8.ValidString(s) {
		s = s[:len(s)-1]
	}
	return s
}
