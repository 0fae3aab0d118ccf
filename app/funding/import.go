package funding

import (
	"bufio"
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"

	"github.com/uptrace/bun"

	"passhub/app/db"
)

// Columns of an import file, Italian first; the English names are accepted too.
var columns = map[string]string{
	"codice": "code", "code": "code",
	"titolo": "title", "title": "title",
	"programma": "programme", "programme": "programme", "program": "programme",
	"autorita": "authority", "autorità": "authority", "authority": "authority",
	"sintesi": "summary", "summary": "summary",
	"budget": "budget", "dotazione": "budget",
	"cofinanziamento": "co_funding", "co_funding": "co_funding",
	"beneficiari": "beneficiaries", "beneficiaries": "beneficiaries",
	"temi": "topics", "topics": "topics",
	"link": "url", "url": "url",
	"apertura": "opens_on", "opens_on": "opens_on",
	"scadenze": "deadlines", "deadlines": "deadlines",
	"stato": "forced_status", "status": "forced_status",
	"pubblicato": "published", "published": "published",
}

// RowError is one refused row of an import: its number (the file's line for CSV, the header
// being row 1; the object's position for JSON, from 1), the field and the message id.
type RowError struct {
	Row     int
	Field   string
	Message string
}

// ImportReport tells what an import did.
type ImportReport struct {
	Created, Updated int
	Errors           []RowError
}

// ErrFormat is a file that is neither CSV with a header nor a JSON array of objects.
var ErrFormat = errors.New("funding: import: not a CSV with a header nor a JSON array of calls")

// MaxImport bounds the rows of one import file.
const MaxImport = 100000

type row struct {
	n      int
	fields map[string]string
}

// Import loads calls from a CSV file (comma or semicolon separated, with a header) or a JSON
// array of objects, the same columns either way. Each row is matched on its code: a known code
// updates its call (its slug stays), a new one creates it. Each row is all or nothing; refused
// rows are reported and the others imported. A new call is published unless the row says
// "pubblicato: no"; a known one changes its publication only when the row says.
func (s *Service) Import(ctx context.Context, who Actor, r io.Reader) (*ImportReport, error) {
	data, err := io.ReadAll(io.LimitReader(r, 64<<20))
	if err != nil {
		return nil, err
	}
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	var rows []row
	if t := bytes.TrimSpace(data); len(t) > 0 && t[0] == '[' {
		rows, err = jsonRows(t)
	} else {
		rows, err = csvRows(data)
	}
	if err != nil {
		return nil, err
	}
	if len(rows) > MaxImport {
		return nil, fmt.Errorf("%w: more than %d rows", ErrFormat, MaxImport)
	}
	rep := &ImportReport{}
	for _, rw := range rows {
		created, bad, err := s.importRow(ctx, who, rw)
		switch {
		case err != nil:
			return rep, err
		case bad != nil:
			fields := make([]string, 0, len(bad))
			for f := range bad {
				fields = append(fields, f)
			}
			sort.Strings(fields)
			for _, f := range fields {
				rep.Errors = append(rep.Errors, RowError{Row: rw.n, Field: f, Message: bad[f]})
			}
		case created:
			rep.Created++
		default:
			rep.Updated++
		}
	}
	return rep, nil
}

func csvRows(data []byte) ([]row, error) {
	first, _, _ := bufio.NewReader(bytes.NewReader(data)).ReadLine()
	cr := csv.NewReader(bytes.NewReader(data))
	if bytes.Count(first, []byte(";")) > bytes.Count(first, []byte(",")) {
		cr.Comma = ';'
	}
	cr.FieldsPerRecord = -1
	header, err := cr.Read()
	if err != nil {
		return nil, ErrFormat
	}
	names := make([]string, len(header))
	known := 0
	for i, h := range header {
		names[i] = columns[strings.ToLower(strings.TrimSpace(h))]
		if names[i] != "" {
			known++
		}
	}
	if known == 0 {
		return nil, ErrFormat
	}
	var out []row
	for line := 2; ; line++ {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			out = append(out, row{n: line, fields: map[string]string{"!": "funding.import.error.csv"}})
			continue
		}
		f := map[string]string{}
		empty := true
		for i, v := range rec {
			if i < len(names) && names[i] != "" {
				f[names[i]] = v
				empty = empty && strings.TrimSpace(v) == ""
			}
		}
		if !empty {
			out = append(out, row{n: line, fields: f})
		}
	}
}

func jsonRows(data []byte) ([]row, error) {
	var objs []map[string]json.RawMessage
	if err := json.Unmarshal(data, &objs); err != nil {
		return nil, ErrFormat
	}
	out := make([]row, 0, len(objs))
	for i, o := range objs {
		f := map[string]string{}
		for k, raw := range o {
			name := columns[strings.ToLower(k)]
			if name == "" {
				continue
			}
			v, ok := jsonValue(name, raw)
			if !ok {
				f["!"+name] = "funding.import.error.json"
				continue
			}
			f[name] = v
		}
		out = append(out, row{n: i + 1, fields: f})
	}
	return out, nil
}

// jsonValue turns a JSON value into the text a CSV cell would hold: strings, numbers and
// booleans as they read, a list of topics joined by bars, deadlines as objects
// {"data"|"date", "ora"|"time", "etichetta"|"label"} or strings.
func jsonValue(name string, raw json.RawMessage) (string, bool) {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s, true
	}
	var n json.Number
	if json.Unmarshal(raw, &n) == nil {
		return n.String(), true
	}
	var b bool
	if json.Unmarshal(raw, &b) == nil {
		return strconv.FormatBool(b), true
	}
	if string(raw) == "null" {
		return "", true
	}
	var list []json.RawMessage
	if json.Unmarshal(raw, &list) != nil {
		return "", false
	}
	var parts []string
	for _, item := range list {
		if json.Unmarshal(item, &s) == nil {
			parts = append(parts, s)
			continue
		}
		var d map[string]string
		if name != "deadlines" || json.Unmarshal(item, &d) != nil {
			return "", false
		}
		part := strings.TrimSpace(d["data"] + d["date"] + " " + d["ora"] + d["time"])
		if l := d["etichetta"] + d["label"]; l != "" {
			part += " " + l
		}
		parts = append(parts, part)
	}
	return strings.Join(parts, " | "), true
}

// parseDeadlines reads "2027-03-15 17:00 Prima fase | 2027-06-30 Seconda fase".
func parseDeadlines(s string) []DeadlineForm {
	var out []DeadlineForm
	for _, item := range strings.Split(s, "|") {
		words := strings.Fields(item)
		if len(words) == 0 {
			continue
		}
		d := DeadlineForm{Date: words[0]}
		words = words[1:]
		if len(words) > 0 && strings.Contains(words[0], ":") {
			d.Time, words = words[0], words[1:]
		}
		d.Label = strings.Join(words, " ")
		out = append(out, d)
	}
	return out
}

func parseBool(s string) (value, given, ok bool) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "":
		return false, false, true
	case "si", "sì", "s", "yes", "y", "true", "1", "vero":
		return true, true, true
	case "no", "n", "false", "0", "falso":
		return false, true, true
	}
	return false, true, false
}

var statusWords = map[string]string{"": "", "auto": "", "automatico": "", "in arrivo": Forthcoming, "prossimo": Forthcoming, Forthcoming: Forthcoming,
	"aperto": Open, Open: Open, "chiuso": Closed, Closed: Closed}

func (s *Service) importRow(ctx context.Context, who Actor, rw row) (created bool, bad Invalid, err error) {
	f := rw.fields
	bad = Invalid{}
	for k, v := range f {
		if strings.HasPrefix(k, "!") {
			field := strings.TrimPrefix(k, "!")
			if field == "" {
				field = "row"
			}
			bad[field] = v
		}
	}
	form := Form{Code: f["code"], Title: f["title"], Programme: f["programme"], Authority: f["authority"], Summary: f["summary"],
		Budget: f["budget"], CoFunding: f["co_funding"], Beneficiaries: f["beneficiaries"], URL: f["url"], OpensOn: f["opens_on"],
		Topics: f["topics"], Deadlines: parseDeadlines(f["deadlines"])}
	status, ok := statusWords[strings.ToLower(strings.TrimSpace(f["forced_status"]))]
	if !ok {
		bad["forced_status"] = "funding.error.status"
	}
	form.ForcedStatus = status
	publish, given, ok := parseBool(f["published"])
	if !ok {
		bad["published"] = "funding.import.error.published"
	}
	if strings.TrimSpace(form.Code) == "" {
		bad["code"] = "funding.import.error.code"
	}
	c, invalid := validate(form)
	for k, v := range invalid {
		if _, seen := bad[k]; !seen {
			bad[k] = v
		}
	}
	if len(bad) > 0 {
		return false, bad, nil
	}
	err = s.db.InTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		var cur Call
		err := tx.NewSelect().Model(&cur).Where("code = ?", c.Code).Scan(ctx)
		if errors.Is(db.Map(err), db.ErrNotFound) {
			created = true
			return s.insert(ctx, tx, who, c, publish || !given)
		}
		if err != nil {
			return db.Map(err)
		}
		if err := s.update(ctx, tx, who, cur.ID, c); err != nil {
			return err
		}
		if given && publish != cur.Published() {
			q := tx.NewUpdate().Model((*Call)(nil)).Where("id = ?", cur.ID)
			ev := Changed{Calls: []int64{cur.ID}}
			if publish {
				q, ev.Published = q.Set("published_at = ?", s.now()), ev.Calls
			} else {
				q = q.Set("published_at = NULL")
			}
			if _, err := q.Exec(ctx); err != nil {
				return db.Map(err)
			}
			db.AfterCommit(ctx, func(context.Context) { s.changes.Add(1) })
			return s.Events.InTx(ctx, tx, ev)
		}
		return nil
	})
	var inv Invalid
	if errors.As(err, &inv) {
		return false, inv, nil
	}
	return created, nil, err
}
