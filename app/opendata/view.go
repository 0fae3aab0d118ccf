package opendata

import (
	"html/template"
	"strconv"
	"strings"

	"passhub/app/chart"
	"passhub/app/i18n"
)

// Cell is a cell of a page's table, as shown.
type Cell struct {
	Text   string
	URL    string // a link, for row headers
	Lang   string // the text's language when it is not the page's (catalogue titles are Italian)
	Header bool   // a row header (<th scope="row">)
	Num    bool   // a number, aligned right
	Chart  string // the label in the chart, when shorter than Text
}

// Download is a link to a dataset in one format.
type Download struct{ Format, URL string }

// Section is a chart of the page with its data table and its dataset.
type Section struct {
	ID, Title, Lead string
	Chart           template.HTML
	Vertical        bool
	Head            []string
	Rows            [][]Cell
	Suppressed      bool   // some cell is suppressed: the table explains "< 3" and "n.d."
	Missing         string // why there is no chart and no table (the enti's answers not there yet)
	Dataset         string
	Downloads       []Download
}

// Headline is a figure at the top of the page.
type Headline struct {
	Key, Label, Value, Note string
	Suppressed, Missing     bool
}

// show writes v for people in lang.
func show(tr *i18n.Catalogue, lang string, kind string, v Value) string {
	switch {
	case kind == KindText || kind == KindMonth:
		return v.Text
	case v.Suppressed && kind == KindCount:
		return "< 3"
	case v.Suppressed:
		return tr.T(lang, "dati.suppressed.short")
	case !v.Known:
		return "–"
	}
	s := machine(v)
	if lang == "it" {
		s = strings.Replace(s, ".", ",", 1)
	}
	if kind == KindPercent {
		s += " %"
	}
	return s
}

// series is one series of a chart: its name and a value per category.
type series struct {
	name   string
	kind   string
	values []Value
}

// build makes a section's chart and table from categories and series.
func build(tr *i18n.Catalogue, lang string, s *Section, vertical bool, cats []Cell, catHead, axis string, ser []series) {
	c := chart.Chart{ID: "chart-" + s.ID, Title: s.Title, Desc: s.Lead, Axis: axis, Empty: tr.T(lang, "dati.empty")}
	if vertical {
		c.CategoryAxis = catHead
	}
	s.Vertical = vertical
	s.Head = []string{catHead}
	for _, x := range ser {
		c.Series = append(c.Series, x.name)
		s.Head = append(s.Head, x.name)
	}
	for i, cat := range cats {
		if cat.Lang != "" && cat.Lang != lang {
			c.CategoryLang = cat.Lang
		}
		label := cat.Text
		if cat.Chart != "" {
			label = cat.Chart
		}
		c.Categories = append(c.Categories, label)
		row := []Cell{cat}
		var vals []chart.Value
		for _, x := range ser {
			v := x.values[i]
			txt := show(tr, lang, x.kind, v)
			s.Suppressed = s.Suppressed || v.Suppressed
			vals = append(vals, chart.Value{N: v.Num, Text: txt, Hidden: !v.Known})
			row = append(row, Cell{Text: txt, Num: true})
		}
		c.Values = append(c.Values, vals)
		s.Rows = append(s.Rows, row)
	}
	if len(cats) > 0 {
		parts := []string{}
		for i, cat := range cats {
			var vs []string
			for j, x := range ser {
				vs = append(vs, x.name+" "+s.Rows[i][j+1].Text)
			}
			parts = append(parts, cat.Text+": "+strings.Join(vs, ", "))
		}
		if len(parts) <= 12 {
			c.Desc = strings.TrimSpace(c.Desc + " " + strings.Join(parts, "; ") + ".")
		} else {
			c.Desc = strings.TrimSpace(c.Desc + " " + tr.T(lang, "dati.chart.seetable"))
		}
	}
	if vertical {
		s.Chart = chart.Vertical(c)
	} else {
		s.Chart = chart.Horizontal(c)
	}
}

// monthLabel writes "2026-01" as "gennaio 2026".
func monthLabel(tr *i18n.Catalogue, lang, m string) string {
	if len(m) != 7 {
		return m
	}
	n, err := strconv.Atoi(m[5:])
	if err != nil {
		return m
	}
	return tr.T(lang, "month."+strconv.Itoa(n)) + " " + m[:4]
}
