package analysis

import (
	"bytes"
	"encoding/csv"
	"strconv"

	"github.com/xuri/excelize/v2"
)

// Content types of the exports.
const (
	CSVType  = "text/csv; charset=utf-8"
	XLSXType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
)

func (c Cell) export() string {
	if !c.Date.IsZero() {
		return c.Date.In(rome).Format("2006-01-02")
	}
	if c.IsNum {
		return strconv.FormatFloat(c.Num, 'f', -1, 64)
	}
	return safe(c.Text)
}

// CSV writes the table as CSV with a header row (UTF-8, with a byte order mark so that
// spreadsheets read the accents).
func CSV(t Table) ([]byte, error) {
	var buf bytes.Buffer
	buf.WriteString("\uFEFF")
	w := csv.NewWriter(&buf)
	head := make([]string, len(t.Head))
	for i, h := range t.Head {
		head[i] = safe(h)
	}
	if err := w.Write(head); err != nil {
		return nil, err
	}
	for _, r := range t.Rows {
		rec := make([]string, len(r))
		for i, c := range r {
			rec[i] = c.export()
		}
		if err := w.Write(rec); err != nil {
			return nil, err
		}
	}
	w.Flush()
	return buf.Bytes(), w.Error()
}

// sheetName is a valid sheet name for title: at most 31 characters, none of : \ / ? * [ ].
func sheetName(title string) string {
	out := []rune{}
	for _, r := range title {
		switch r {
		case ':', '\\', '/', '?', '*', '[', ']':
			r = ' '
		}
		out = append(out, r)
	}
	if len(out) > 31 {
		out = out[:31]
	}
	if len(out) == 0 {
		return "Dati"
	}
	return string(out)
}

// XLSX writes the table as a workbook of one sheet named after its title: the title on the first
// row, the filters on the second, the header row, then the rows, numbers as numbers.
func XLSX(t Table, filters string) ([]byte, error) {
	f := excelize.NewFile()
	defer f.Close()
	sheet := sheetName(t.Title)
	if err := f.SetSheetName("Sheet1", sheet); err != nil {
		return nil, err
	}
	set := func(col, row int, v any) error {
		cell, err := excelize.CoordinatesToCellName(col, row)
		if err != nil {
			return err
		}
		return f.SetCellValue(sheet, cell, v)
	}
	bold, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}})
	if err != nil {
		return nil, err
	}
	if err := set(1, 1, safe(t.Title)); err != nil {
		return nil, err
	}
	if err := set(1, 2, safe(filters)); err != nil {
		return nil, err
	}
	for i, h := range t.Head {
		if err := set(i+1, 3, safe(h)); err != nil {
			return nil, err
		}
	}
	last, _ := excelize.CoordinatesToCellName(max(1, len(t.Head)), 3)
	if err := f.SetCellStyle(sheet, "A1", last, bold); err != nil {
		return nil, err
	}
	for r, row := range t.Rows {
		for i, c := range row {
			var v any = safe(c.Text)
			switch {
			case !c.Date.IsZero():
				v = c.Date.In(rome).Format("2006-01-02")
			case c.IsNum:
				v = c.Num
			}
			if err := set(i+1, r+4, v); err != nil {
				return nil, err
			}
		}
	}
	if err := f.SetColWidth(sheet, "A", "A", 40); err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	if _, err := f.WriteTo(&buf); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
