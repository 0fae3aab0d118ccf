package inbound

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// htmlToText renders an HTML body as plain text: block elements break
// lines, list items get a dash, quoted blocks a ">", links keep their
// address, scripts and styles are skipped. The result stops a little past limit bytes, and then
// reports it was cut.
func htmlToText(src string, limit int) (string, bool) {
	t := textWriter{limit: limit}
	z := html.NewTokenizer(strings.NewReader(src))
	skip := 0  // inside script, style, title...
	pre := 0   // inside pre
	href := "" // of the open link
	start := 0 // t.b.Len() when the link opened
	for !t.full() {
		tt := z.Next()
		switch tt {
		case html.ErrorToken:
			return t.b.String(), false
		case html.TextToken:
			if skip == 0 {
				t.text(string(z.Text()), pre > 0)
			}
		case html.StartTagToken, html.SelfClosingTagToken, html.EndTagToken:
			name, hasAttr := z.TagName()
			a := atom.Lookup(name)
			end := tt == html.EndTagToken
			switch a {
			case atom.Script, atom.Style, atom.Title, atom.Template, atom.Noscript, atom.Head:
				if tt == html.StartTagToken && a != atom.Head {
					skip++
				} else if end && skip > 0 && a != atom.Head {
					skip--
				}
			case atom.Br:
				t.addBreak()
			case atom.P, atom.H1, atom.H2, atom.H3, atom.H4, atom.H5, atom.H6, atom.Table, atom.Ul, atom.Ol:
				t.breakLine(2)
			case atom.Div, atom.Tr, atom.Section, atom.Article, atom.Header, atom.Footer, atom.Hr, atom.Dt, atom.Dd, atom.Address:
				t.breakLine(1)
			case atom.Blockquote:
				t.breakLine(2)
				if end {
					t.quote = max(t.quote-1, 0)
				} else if tt == html.StartTagToken {
					t.quote++
				}
			case atom.Pre:
				t.breakLine(2)
				if end {
					if pre > 0 {
						pre--
					}
				} else if tt == html.StartTagToken {
					pre++
				}
			case atom.Li:
				t.breakLine(1)
				if !end {
					t.raw("- ")
				}
			case atom.Td, atom.Th:
				if !end {
					t.space()
				}
			case atom.A:
				if end {
					if href != "" && !strings.Contains(t.b.String()[start:], strings.TrimPrefix(href, "mailto:")) {
						t.text(" ("+href+")", false)
					}
					href = ""
				} else if hasAttr {
					href, start = linkTarget(z), t.b.Len()
				}
			}
		}
	}
	return t.b.String(), true
}

// linkTarget returns the href of the current tag when it is a web or mail
// address.
func linkTarget(z *html.Tokenizer) string {
	for {
		k, v, more := z.TagAttr()
		if string(k) == "href" {
			h := strings.TrimSpace(string(v))
			l := strings.ToLower(h)
			if strings.HasPrefix(l, "http://") || strings.HasPrefix(l, "https://") || strings.HasPrefix(l, "mailto:") {
				return h
			}
			return ""
		}
		if !more {
			return ""
		}
	}
}

// textWriter builds text with collapsed whitespace, at most two line
// breaks in a row, and quoted lines prefixed with ">".
type textWriter struct {
	b       strings.Builder
	limit   int
	breaks  int  // line breaks pending
	spacing bool // a space is pending
	quote   int  // blockquote depth
	midLine bool // the current line has text
}

func (t *textWriter) full() bool { return t.b.Len() > t.limit }

func (t *textWriter) breakLine(n int) {
	if t.b.Len() > 0 && n > t.breaks {
		t.breaks = n
	}
}

// addBreak adds one line break to those pending, as <br> does.
func (t *textWriter) addBreak() {
	if t.b.Len() > 0 {
		t.breaks = min(t.breaks+1, 2)
	}
}

func (t *textWriter) space() {
	if t.b.Len() > 0 {
		t.spacing = true
	}
}

// flush writes the pending break or space, and the quote prefix of a new
// line.
func (t *textWriter) flush() {
	if t.breaks > 0 {
		t.b.WriteString("\n\n"[:t.breaks])
		t.midLine = false
	} else if t.spacing && t.midLine {
		t.b.WriteByte(' ')
	}
	if !t.midLine && t.quote > 0 {
		t.b.WriteString(strings.Repeat(">", min(t.quote, 10)) + " ")
	}
	t.breaks, t.spacing, t.midLine = 0, false, true
}

// raw writes s as it is.
func (t *textWriter) raw(s string) {
	t.flush()
	t.b.WriteString(s)
}

// text writes s, collapsing its whitespace unless pre is set.
func (t *textWriter) text(s string, pre bool) {
	if pre {
		if room := t.limit + 1 - t.b.Len(); len(s) > room {
			s = s[:max(room, 0)]
		}
		t.raw(s)
		return
	}
	for len(s) > 0 && !t.full() {
		r, n := utf8.DecodeRuneInString(s)
		if unicode.IsSpace(r) {
			t.space()
			s = s[n:]
			continue
		}
		end := strings.IndexFunc(s, unicode.IsSpace)
		if end < 0 {
			end = len(s)
		}
		t.flush()
		t.b.WriteString(s[:end])
		s = s[end:]
	}
}
