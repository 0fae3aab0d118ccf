package opendata

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"strconv"
	"strings"
	"time"
)

// SuppressedColumn is the last column of every dataset: the names of the row's columns whose value
// is suppressed (space separated in CSV, a list in JSON). A suppressed value is written empty (CSV)
// or null (JSON).
const SuppressedColumn = "soppressi"

// machine writes a number as datasets do: whole numbers without decimals, others with one, a dot
// for the decimal separator.
func machine(v Value) string {
	if !v.Known {
		return ""
	}
	if v.Num == float64(int64(v.Num)) {
		return strconv.FormatInt(int64(v.Num), 10)
	}
	return strconv.FormatFloat(v.Num, 'f', 1, 64)
}

func suppressedNames(ds *Dataset, row []Value) []string {
	out := []string{}
	for i, v := range row {
		if v.Suppressed {
			out = append(out, ds.Columns[i].Name)
		}
	}
	return out
}

// CSV writes the dataset's rows as RFC 4180 CSV, UTF-8, with a header row.
func (ds *Dataset) CSV(rows [][]Value) ([]byte, error) {
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	w.UseCRLF = true
	head := make([]string, 0, len(ds.Columns)+1)
	for _, c := range ds.Columns {
		head = append(head, c.Name)
	}
	if err := w.Write(append(head, SuppressedColumn)); err != nil {
		return nil, err
	}
	for _, row := range rows {
		rec := make([]string, 0, len(row)+1)
		for i, v := range row {
			if ds.Columns[i].Kind == KindText || ds.Columns[i].Kind == KindMonth {
				rec = append(rec, v.Text)
			} else {
				rec = append(rec, machine(v))
			}
		}
		if err := w.Write(append(rec, strings.Join(suppressedNames(ds, row), " "))); err != nil {
			return nil, err
		}
	}
	w.Flush()
	return b.Bytes(), w.Error()
}

// jsonColumn describes a column in the JSON document.
type jsonColumn struct {
	Name        string `json:"nome"`
	Kind        string `json:"tipo"`
	Description string `json:"descrizione"`
}

// Document is the head of a dataset's JSON document; its rows follow as "righe".
type Document struct {
	Dataset     string            `json:"dataset"`
	Title       string            `json:"titolo"`
	Description string            `json:"descrizione"`
	License     string            `json:"licenza"`
	Publisher   string            `json:"titolare"`
	Source      string            `json:"fonte"`
	Modified    string            `json:"aggiornato,omitempty"`
	Filters     map[string]string `json:"filtri"`
	MinCount    int               `json:"soglia_minima"`
	Columns     []jsonColumn      `json:"colonne"`
}

// JSON writes the document with the rows as objects whose keys follow the columns' order.
func (ds *Dataset) JSON(doc Document, rows [][]Value) ([]byte, error) {
	head, err := json.Marshal(doc)
	if err != nil {
		return nil, err
	}
	var b bytes.Buffer
	b.Write(head[:len(head)-1])
	b.WriteString(`,"righe":[`)
	for r, row := range rows {
		if r > 0 {
			b.WriteByte(',')
		}
		b.WriteByte('{')
		for i, v := range row {
			name, _ := json.Marshal(ds.Columns[i].Name)
			b.Write(name)
			b.WriteByte(':')
			switch {
			case ds.Columns[i].Kind == KindText || ds.Columns[i].Kind == KindMonth:
				s, _ := json.Marshal(v.Text)
				b.Write(s)
			case v.Known:
				b.WriteString(machine(v))
			default:
				b.WriteString("null")
			}
			b.WriteByte(',')
		}
		sup, _ := json.Marshal(suppressedNames(ds, row))
		b.WriteString(`"` + SuppressedColumn + `":`)
		b.Write(sup)
		b.WriteByte('}')
	}
	b.WriteString("]}")
	return b.Bytes(), nil
}

// isoDate writes t as a date of the catalogue.
func isoDate(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format("2006-01-02")
}
