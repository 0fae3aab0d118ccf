// Package chart draws accessible bar charts as SVG on the server.
//
// A chart is an <svg role="img"> named by its <title> and described by its <desc> (aria-labelledby
// points at both), with the value written beside every bar and the axes labelled, so that colour
// never carries meaning alone: a second series is drawn outlined rather than filled, and named in
// a legend. Every look comes from CSS classes (pc-*, in static/css/pass.css): the SVG has no style
// attribute and no <style> element, as the content security policy forbids inline styles. The SVG
// scales with its container (viewBox, width 100%); its data table belongs beside it on the page.
package chart

import (
	"fmt"
	"html/template"
	"math"
	"strconv"
	"strings"
)

// Value is one bar.
type Value struct {
	N      float64 // the bar's length; ignored when Hidden
	Text   string  // what is written beside the bar; by default N
	Hidden bool    // no bar is drawn (a suppressed or unknown value); Text is still written
}

// Chart is a set of categories, each with a value per series.
type Chart struct {
	ID           string    // unique in the page; prefixes the ids of the title and description
	Title, Desc  string    // the accessible name and description
	Axis         string    // the value axis's label, e.g. "Richieste"
	CategoryAxis string    // the category axis's label, e.g. "Mese" (vertical charts)
	Series       []string  // the series' names: one for simple bars, two for grouped or stacked
	Categories   []string  // the categories' labels, in order
	CategoryLang string    // the labels' language when it is not the page's (lang on their text)
	Values       [][]Value // Values[category][series]
	Stacked      bool      // series stacked in one bar rather than side by side
	Empty        string    // written when there is no category
}

// Text sizes and spacing, in viewBox units.
const (
	font      = 14
	smallFont = 12
	lineH     = 18
	legendH   = 26
)

func esc(s string) string { return template.HTMLEscapeString(s) }

// id keeps the letters, digits and dashes of s.
func id(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-' {
			b.WriteRune(r)
		} else {
			b.WriteByte('-')
		}
	}
	if b.Len() == 0 {
		return "chart"
	}
	return b.String()
}

func num(f float64) string { return strconv.FormatFloat(math.Round(f*10)/10, 'f', -1, 64) }

func (v Value) text() string {
	if v.Text != "" {
		return v.Text
	}
	if v.Hidden {
		return "–"
	}
	return num(v.N)
}

func (c Chart) value(i, s int) Value {
	if i < len(c.Values) && s < len(c.Values[i]) {
		return c.Values[i][s]
	}
	return Value{Hidden: true}
}

func (c Chart) series() int { return max(1, len(c.Series)) }

// max of the bars (of the stacks, when stacked).
func (c Chart) top() float64 {
	m := 0.0
	for i := range c.Categories {
		sum := 0.0
		for s := 0; s < c.series(); s++ {
			v := c.value(i, s)
			if v.Hidden {
				continue
			}
			if c.Stacked {
				sum += v.N
			} else {
				m = math.Max(m, v.N)
			}
		}
		m = math.Max(m, sum)
	}
	return m
}

// ticks returns a round upper bound of the axis and its step, in at most five steps.
func ticks(top float64) (float64, float64) {
	if top <= 0 {
		return 1, 1
	}
	raw := top / 5
	mag := math.Pow(10, math.Floor(math.Log10(raw)))
	step := mag
	for _, m := range []float64{1, 2, 5, 10} {
		if m*mag >= raw {
			step = m * mag
			break
		}
	}
	if step < 1 {
		step = 1
	}
	return math.Ceil(top/step) * step, step
}

// wrap breaks a label into lines of at most width characters.
func wrap(s string, width int) []string {
	var lines []string
	line := ""
	for _, w := range strings.Fields(s) {
		if line != "" && len([]rune(line))+1+len([]rune(w)) > width {
			lines = append(lines, line)
			line = w
			continue
		}
		if line != "" {
			line += " "
		}
		line += w
	}
	if line != "" || len(lines) == 0 {
		lines = append(lines, line)
	}
	return lines
}

type svg struct {
	strings.Builder
	c Chart
}

func (w *svg) f(format string, a ...any) { fmt.Fprintf(&w.Builder, format, a...) }

func (w *svg) open(kind string, width, height float64) {
	c := w.c
	base := id(c.ID)
	w.f(`<svg xmlns="http://www.w3.org/2000/svg" class="pass-chart pass-chart-%s" viewBox="0 0 %s %s" width="100%%" preserveAspectRatio="xMinYMin meet" role="img" aria-labelledby="%s-title %s-desc" focusable="false">`,
		kind, num(width), num(height), base, base)
	w.f(`<title id="%s-title">%s</title><desc id="%s-desc">%s</desc>`, base, esc(c.Title), base, esc(c.Desc))
}

func (w *svg) text(x, y float64, class, anchor, s string) {
	w.f(`<text x="%s" y="%s" class="%s" text-anchor="%s">%s</text>`, num(x), num(y), class, anchor, esc(s))
}

// label writes a category's label, in the categories' language.
func (w *svg) label(x, y float64, class, anchor, s string) {
	if w.c.CategoryLang == "" {
		w.text(x, y, class, anchor, s)
		return
	}
	w.f(`<text x="%s" y="%s" class="%s" text-anchor="%s" lang="%s">%s</text>`, num(x), num(y), class, anchor, esc(w.c.CategoryLang), esc(s))
}

func (w *svg) rect(x, y, width, height float64, class string) {
	w.f(`<rect x="%s" y="%s" width="%s" height="%s" class="%s"/>`, num(x), num(y), num(math.Max(width, 0)), num(math.Max(height, 0)), class)
}

// legendRows lays the series' names out on rows no wider than maxW (one row when they fit),
// when there are two or more.
func (c Chart) legendRows(maxW float64) [][]int {
	if len(c.Series) < 2 {
		return nil
	}
	var rows [][]int
	used := maxW + 1
	for s, name := range c.Series {
		iw := 28 + float64(len([]rune(name)))*7.5
		if used+iw > maxW && used > 0 {
			rows = append(rows, nil)
			used = 0
		}
		rows[len(rows)-1] = append(rows[len(rows)-1], s)
		used += iw
	}
	return rows
}

// widestSeries is the width of the longest name in the legend.
func (c Chart) widestSeries() float64 {
	w := 0.0
	for _, name := range c.Series {
		w = math.Max(w, 28+float64(len([]rune(name)))*7.5)
	}
	return w
}

// legendHeight is the height of the legend laid out within maxW.
func (c Chart) legendHeight(maxW float64) float64 { return float64(len(c.legendRows(maxW))) * legendH }

// legend names the series, from (x, y), on rows within maxW.
func (w *svg) legend(x, y, maxW float64) {
	for r, row := range w.c.legendRows(maxW) {
		lx, ly := x, y+float64(r)*legendH
		for _, s := range row {
			name := w.c.Series[s]
			w.rect(lx, ly+3, 14, 14, "pc-bar pc-s"+strconv.Itoa(s%2))
			w.text(lx+20, ly+15, "pc-text", "start", name)
			lx += 28 + float64(len([]rune(name)))*7.5
		}
	}
}

func (w *svg) empty(y float64) {
	if len(w.c.Categories) == 0 {
		w.text(0, y, "pc-text", "start", w.c.Empty)
	}
}

// Horizontal draws a bar per category (a group or stack of bars with two series), the category's
// label above it and the value beside it, with the value axis below.
func Horizontal(c Chart) template.HTML {
	const width, valueW, barH, gap, rowGap, x0 = 316.0, 64.0, 18.0, 3.0, 12.0, 2.0
	plotW := width - valueW - x0
	topV, step := ticks(c.top())
	scale := plotW / topV
	type row struct {
		lines []string
		y     float64
	}
	legend := c.legendHeight(width)
	y := 0.0
	if legend > 0 {
		y += legend + 6
	}
	if len(c.Categories) == 0 {
		y += lineH + 6
	}
	rows := make([]row, len(c.Categories))
	bars := c.series()
	if c.Stacked {
		bars = 1
	}
	for i, cat := range c.Categories {
		rows[i] = row{lines: wrap(cat, 40), y: y}
		y += float64(len(rows[i].lines))*lineH + 4 + float64(bars)*(barH+gap) + rowGap
	}
	plotBottom := y
	height := plotBottom + 8 + smallFont + 6 + lineH
	w := &svg{c: c}
	w.open("h", width+4, height)
	w.legend(0, 0, width)
	w.empty(legend)
	for t := 0.0; t <= topV+step/2; t += step { // grid and ticks
		x := x0 + t*scale
		w.f(`<line x1="%s" y1="0" x2="%s" y2="%s" class="pc-grid"/>`, num(x), num(x), num(plotBottom))
		w.text(x, plotBottom+8+smallFont, "pc-tick", map[bool]string{true: "start", false: "middle"}[t == 0], num(t))
	}
	w.f(`<line x1="%s" y1="0" x2="%s" y2="%s" class="pc-axis"/>`, num(x0), num(x0), num(plotBottom))
	w.f(`<line x1="%s" y1="%s" x2="%s" y2="%s" class="pc-axis"/>`, num(x0), num(plotBottom), num(x0+plotW), num(plotBottom))
	w.text(x0+plotW/2, height-4, "pc-axis-title", "middle", c.Axis)
	for i, r := range rows {
		for l, line := range r.lines {
			w.label(4, r.y+float64(l+1)*lineH-4, "pc-label", "start", line)
		}
		by := r.y + float64(len(r.lines))*lineH + 4
		if c.Stacked {
			x := x0
			var texts []string
			for s := 0; s < c.series(); s++ {
				v := c.value(i, s)
				texts = append(texts, v.text())
				if !v.Hidden {
					w.rect(x, by, v.N*scale, barH, "pc-bar pc-s"+strconv.Itoa(s%2))
					x += v.N * scale
				}
			}
			w.text(x+6, by+barH-4, "pc-value", "start", strings.Join(texts, " + "))
			continue
		}
		for s := 0; s < c.series(); s++ {
			v := c.value(i, s)
			bw := 0.0
			if !v.Hidden {
				bw = v.N * scale
				w.rect(x0, by, bw, barH, "pc-bar pc-s"+strconv.Itoa(s%2))
			}
			w.text(x0+bw+6, by+barH-4, "pc-value", "start", v.text())
			by += barH + gap
		}
	}
	w.f(`</svg>`)
	return template.HTML(w.String())
}

// Vertical draws a column per category (a group of columns, or a stack, with two series), the
// value above each column and the category's label below, with the value axis on the left.
func Vertical(c Chart) template.HTML {
	const left, plotH, barW, gap, groupGap = 36.0, 180.0, 18.0, 2.0, 14.0
	bars := c.series()
	if c.Stacked {
		bars = 1
	}
	groupW := float64(bars)*barW + float64(bars-1)*gap + groupGap
	width := math.Max(math.Max(left+float64(len(c.Categories))*groupW+8, 300), left+c.widestSeries()+8)
	top := c.legendHeight(width - left)
	top += lineH + smallFont + 10 // the value axis's label, and room for the values above the tallest column
	plotBottom := top + plotH
	height := plotBottom + 8 + smallFont + 8 + lineH
	topV, step := ticks(c.top())
	scale := plotH / topV
	w := &svg{c: c}
	// The chart never shrinks below its natural width, where its text is read at its size: its
	// container scrolls instead (a class of the theme per 40 px).
	w.open("v pass-chart-min-"+strconv.Itoa(int(math.Min(math.Ceil(width/40)*40, 1600))), width, height)
	w.legend(left, 0, width-left)
	if len(c.Categories) == 0 {
		w.text(left+8, top+lineH, "pc-text", "start", c.Empty)
	}
	for t := 0.0; t <= topV+step/2; t += step {
		y := plotBottom - t*scale
		w.f(`<line x1="%s" y1="%s" x2="%s" y2="%s" class="pc-grid"/>`, num(left), num(y), num(width), num(y))
		w.text(left-6, y+4, "pc-tick", "end", num(t))
	}
	w.f(`<line x1="%s" y1="%s" x2="%s" y2="%s" class="pc-axis"/>`, num(left), num(top-smallFont), num(left), num(plotBottom))
	w.f(`<line x1="%s" y1="%s" x2="%s" y2="%s" class="pc-axis"/>`, num(left), num(plotBottom), num(width), num(plotBottom))
	w.text(left+(width-left)/2, height-4, "pc-axis-title", "middle", c.CategoryAxis)
	w.text(0, top-smallFont-10, "pc-axis-title", "start", c.Axis)
	for i, cat := range c.Categories {
		x := left + groupGap/2 + float64(i)*groupW
		w.label(x+(groupW-groupGap)/2, plotBottom+8+smallFont, "pc-tick", "middle", cat)
		if c.Stacked {
			y := plotBottom
			var texts []string
			for s := 0; s < c.series(); s++ {
				v := c.value(i, s)
				texts = append(texts, v.text())
				if !v.Hidden {
					h := v.N * scale
					w.rect(x, y-h, barW, h, "pc-bar pc-s"+strconv.Itoa(s%2))
					y -= h
				}
			}
			w.text(x+barW/2, y-4, "pc-value", "middle", strings.Join(texts, "+"))
			continue
		}
		for s := 0; s < c.series(); s++ {
			v := c.value(i, s)
			h := 0.0
			if !v.Hidden {
				h = v.N * scale
				w.rect(x, plotBottom-h, barW, h, "pc-bar pc-s"+strconv.Itoa(s%2))
			}
			w.text(x+barW/2, plotBottom-h-4, "pc-value pc-value-v", "middle", v.text())
			x += barW + gap
		}
	}
	w.f(`</svg>`)
	return template.HTML(w.String())
}
