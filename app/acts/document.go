package acts

import (
	"html"
	"html/template"
	"regexp"
	"strconv"
	"strings"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/text"
)

// Document is an act filled in: the blocks of text the writers (DOCX, ODT, the page's preview)
// lay out, the answers already in place. It holds text only: what the template's Markdown says
// beyond headings, paragraphs, lists and emphasis (links, tables, raw HTML) arrives as its text.
type Document struct {
	Title  string
	Blocks []Block
}

// Block is a heading, a paragraph or an item of a list.
type Block struct {
	Heading int    // 1–6 for a heading, 0 otherwise
	List    string // "bullet" or "number" for an item of a list, "" otherwise
	Depth   int    // how deep an item's list is nested, from 0
	Runs    []Run
}

// Run is a piece of a block's text in one style; a "\n" in Text breaks the line.
type Run struct {
	Text         string
	Bold, Italic bool
	// Answer is the key of the field whose answer the text is ("" for the template's own words).
	Answer string
}

// Text is the block's text, runs joined.
func (b Block) Text() string {
	var sb strings.Builder
	for _, r := range b.Runs {
		sb.WriteString(r.Text)
	}
	return sb.String()
}

// Fill lays out body (a template's Markdown) with each {{key}} replaced by answers[key], as text:
// an answer is never read as Markdown. A paragraph that is one answer alone becomes as many
// paragraphs as the answer has (blank lines between them).
func Fill(title, body string, answers map[string]string) *Document {
	// Each {{key}} is parsed as a mark no Markdown rule touches (an underscore of a key could
	// otherwise split it across two pieces of text).
	var keys []string
	body = placeholder.ReplaceAllStringFunc(body, func(m string) string {
		keys = append(keys, placeholder.FindStringSubmatch(m)[1])
		return "\uE000" + strconv.Itoa(len(keys)-1) + "\uE001"
	})
	src := []byte(body)
	root := goldmark.New().Parser().Parse(text.NewReader(src))
	b := &builder{src: src, answers: answers, keys: keys}
	b.blocks(root, "", -1)
	return &Document{Title: title, Blocks: b.out}
}

type builder struct {
	src     []byte
	answers map[string]string
	keys    []string // the placeholders' keys, by mark
	out     []Block
}

// mark is a placeholder in the parsed body: its number in keys between two private-use runes.
var mark = regexp.MustCompile("\uE000([0-9]+)\uE001")

// blocks adds the blocks under n; list and depth are those of the list n is in.
func (b *builder) blocks(n ast.Node, list string, depth int) {
	for c := n.FirstChild(); c != nil; c = c.NextSibling() {
		switch c := c.(type) {
		case *ast.Heading:
			b.add(Block{Heading: c.Level, Runs: b.inline(c, false, false)})
		case *ast.Paragraph, *ast.TextBlock:
			b.add(Block{List: list, Depth: max(depth, 0), Runs: b.inline(c, false, false)})
		case *ast.List:
			kind := "bullet"
			if c.IsOrdered() {
				kind = "number"
			}
			b.blocks(c, kind, depth+1)
		case *ast.ListItem:
			b.blocks(c, list, depth)
		case *ast.FencedCodeBlock, *ast.CodeBlock:
			b.add(Block{Runs: b.fill(strings.TrimRight(string(c.Lines().Value(b.src)), "\n"), false, false)})
		case *ast.HTMLBlock, *ast.ThematicBreak:
			// no text of its own
		default: // blockquotes, tables (GFM off: their rows are paragraphs)
			b.blocks(c, list, depth)
		}
	}
}

// add appends blk, splitting a paragraph that is one multi-paragraph answer alone.
func (b *builder) add(blk Block) {
	if len(blk.Runs) == 0 {
		return
	}
	if len(blk.Runs) == 1 && blk.Runs[0].Answer != "" && strings.Contains(blk.Runs[0].Text, "\n\n") {
		for _, p := range strings.Split(blk.Runs[0].Text, "\n\n") {
			if p = strings.TrimSpace(p); p != "" {
				one := blk
				r := blk.Runs[0]
				r.Text = p
				one.Runs = []Run{r}
				b.out = append(b.out, one)
			}
		}
		return
	}
	b.out = append(b.out, blk)
}

// inline returns the runs of n's inline children in the style given.
func (b *builder) inline(n ast.Node, bold, italic bool) []Run {
	var runs []Run
	for c := n.FirstChild(); c != nil; c = c.NextSibling() {
		switch c := c.(type) {
		case *ast.Text:
			runs = append(runs, b.fill(string(c.Segment.Value(b.src)), bold, italic)...)
			switch {
			case c.HardLineBreak():
				runs = append(runs, Run{Text: "\n", Bold: bold, Italic: italic})
			case c.SoftLineBreak():
				runs = append(runs, Run{Text: " ", Bold: bold, Italic: italic})
			}
		case *ast.String:
			runs = append(runs, b.fill(string(c.Value), bold, italic)...)
		case *ast.Emphasis:
			runs = append(runs, b.inline(c, bold || c.Level >= 2, italic || c.Level == 1)...)
		case *ast.CodeSpan:
			var sb strings.Builder
			for t := c.FirstChild(); t != nil; t = t.NextSibling() {
				if t, ok := t.(*ast.Text); ok {
					sb.Write(t.Segment.Value(b.src))
				}
			}
			runs = append(runs, b.fill(sb.String(), bold, italic)...)
		case *ast.AutoLink:
			runs = append(runs, Run{Text: string(c.URL(b.src)), Bold: bold, Italic: italic})
		case *ast.RawHTML:
			// markup is not text
		default: // links, images: their text
			runs = append(runs, b.inline(c, bold, italic)...)
		}
	}
	return merge(runs)
}

// fill splits s at its placeholders into the template's words and the answers.
func (b *builder) fill(s string, bold, italic bool) []Run {
	var runs []Run
	at := 0
	for _, m := range mark.FindAllStringSubmatchIndex(s, -1) {
		if m[0] > at {
			runs = append(runs, Run{Text: s[at:m[0]], Bold: bold, Italic: italic})
		}
		i, err := strconv.Atoi(s[m[2]:m[3]])
		if err != nil || i >= len(b.keys) {
			continue // a mark the template itself holds: its text, as it is
		}
		key := b.keys[i]
		runs = append(runs, Run{Text: strings.ReplaceAll(strings.TrimSpace(b.answers[key]), "\r\n", "\n"), Bold: bold, Italic: italic, Answer: key})
		at = m[1]
	}
	if at < len(s) {
		runs = append(runs, Run{Text: s[at:], Bold: bold, Italic: italic})
	}
	return runs
}

// merge joins neighbouring runs of the same style and origin.
func merge(runs []Run) []Run {
	var out []Run
	for _, r := range runs {
		if n := len(out); n > 0 && r.Answer == "" && out[n-1].Answer == "" && out[n-1].Bold == r.Bold && out[n-1].Italic == r.Italic {
			out[n-1].Text += r.Text
			continue
		}
		out = append(out, r)
	}
	return out
}

// HTML is the document as the page's preview shows it, every answer marked; all text is escaped.
func (d *Document) HTML() template.HTML {
	var sb strings.Builder
	var open []string // the lists open, innermost last
	closeTo := func(depth int) {
		for len(open) > depth {
			sb.WriteString("</" + open[len(open)-1] + ">")
			open = open[:len(open)-1]
		}
	}
	for _, b := range d.Blocks {
		if b.List == "" {
			closeTo(0)
		} else {
			tag := "ul"
			if b.List == "number" {
				tag = "ol"
			}
			closeTo(b.Depth + 1)
			if len(open) == b.Depth+1 && open[b.Depth] != tag {
				closeTo(b.Depth)
			}
			for len(open) < b.Depth+1 {
				sb.WriteString("<" + tag + ">")
				open = append(open, tag)
			}
		}
		tag := "p"
		switch {
		case b.Heading > 0:
			tag = "h" + string(rune('0'+min(b.Heading+2, 6))) // the page's own h1 and h2 come first
		case b.List != "":
			tag = "li"
		}
		sb.WriteString("<" + tag + ">")
		for _, r := range b.Runs {
			t := strings.ReplaceAll(html.EscapeString(r.Text), "\n", "<br>")
			if r.Bold {
				t = "<strong>" + t + "</strong>"
			}
			if r.Italic {
				t = "<em>" + t + "</em>"
			}
			if r.Answer != "" {
				t = `<mark data-field="` + html.EscapeString(r.Answer) + `">` + t + "</mark>"
			}
			sb.WriteString(t)
		}
		sb.WriteString("</" + tag + ">")
	}
	closeTo(0)
	return template.HTML(sb.String()) //nolint:gosec // every piece of text above is escaped
}
