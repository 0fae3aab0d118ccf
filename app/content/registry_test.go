package content

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
)

// TestBuiltinTypes pins what the shipped registrations decide: order, folders, routes, keys.
func TestBuiltinTypes(t *testing.T) {
	want := []struct {
		t          Type
		dir, url   string
		keys       string
		atts, srch bool
	}{
		{TypePage, "pagine", "/pagine/x", "title, summary", false, true},
		{TypeGuide, "guida", "/guida/x", "title, summary, weight", false, true},
		{TypeTaskForce, "task-force", "/task-force/x", "code, title, summary, weight", false, true},
		{TypeProcedure, "procedure", "/procedure/x", "code, title, summary, task_force, accepts_requests, office, responsible, legal_basis, duration, costs, documents, tags", false, true},
		{TypeNews, "notizie", "/notizie/x", "title, summary, date, tags", false, true},
		{TypeReport, "report", "/report/x", "title, summary, date, attachments", true, true},
	}
	got := Types()
	if len(got) < len(want) {
		t.Fatalf("types %v", got)
	}
	for i, w := range want {
		d, ok := Lookup(w.t)
		if got[i] != w.t || !ok || d.Dir != w.dir || w.t.Dir() != w.dir || w.t.URL("x") != w.url || d.FieldNames() != w.keys ||
			d.Attachments != w.atts || d.Search != w.srch {
			t.Errorf("%s: %+v", w.t, d)
		}
	}
	if Type("nope").Valid() || Type("nope").URL("x") != "/pagine/x" {
		t.Error("unknown type")
	}
}

func TestRegisterRefusesBadDefinitions(t *testing.T) {
	title := Field{Name: "title", Kind: KindString, Required: true}
	for _, c := range []struct {
		name string
		d    Definition
		want string
	}{
		{"duplicate", Definition{Name: TypeNews, Dir: "altre", Fields: []Field{title}}, "already registered"},
		{"folder taken", Definition{Name: "altro", Dir: "notizie", Fields: []Field{title}}, "folder"},
		{"route taken", Definition{Name: "altro", Dir: "altro", Route: "/guida", Fields: []Field{title}}, "route"},
		{"no title", Definition{Name: "altro", Dir: "altro"}, "title"},
		{"builtin kind", Definition{Name: "altro", Dir: "altro", Fields: []Field{title, {Name: "date", Kind: KindString}}}, "built in"},
		{"unknown kind", Definition{Name: "altro", Dir: "altro", Fields: []Field{title, {Name: "x", Kind: "colour"}}}, "unknown kind"},
		{"enum without values", Definition{Name: "altro", Dir: "altro", Fields: []Field{title, {Name: "x", Kind: KindEnum}}}, "values"},
		{"ref to nothing", Definition{Name: "altro", Dir: "altro", Fields: []Field{title, {Name: "x", Kind: KindRef, Ref: "nope"}}}, "unknown type"},
		{"attachments not accepted", Definition{Name: "altro", Dir: "altro", Fields: []Field{title, {Name: "attachments", Kind: KindAttachments}}}, "attachments"},
		{"template without route", Definition{Name: "altro", Dir: "altro", Template: "x", Fields: []Field{title}}, "route"},
	} {
		if err := Register(c.d); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v", c.name, err)
			Unregister(c.d.Name)
		}
	}
	if Type("altro").Valid() {
		t.Error("a refused type is registered")
	}
}

// TestExtraFields reads the keys a type declares beyond the built-in ones, and shows them in JSON.
func TestExtraFields(t *testing.T) {
	if err := Register(Definition{Name: "corso", Dir: "corsi", Fields: []Field{
		{Name: "title", Kind: KindString, Required: true},
		{Name: "level", Kind: KindEnum, Values: []string{"base", "avanzato"}},
		{Name: "hours", Kind: KindInt}, {Name: "online", Kind: KindBool}, {Name: "starts", Kind: KindDate},
		{Name: "teachers", Kind: KindList}, {Name: "unit", Kind: KindCode},
	}}); err != nil {
		t.Fatal(err)
	}
	defer Unregister("corso")
	src := "---\ntitle: VIA\nlevel: base\nhours: 12\nonline: true\nstarts: 2026-05-04\nteachers: [A, B]\nunit: VA-01\n---\n"
	d, err := Parse("corso", "via", "corsi/via.md", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	f := d.Front
	if f.Value("level") != "base" || f.Value("hours") != 12 || f.Value("online") != true ||
		!f.Value("starts").(time.Time).Equal(time.Date(2026, 5, 4, 0, 0, 0, 0, time.UTC)) || f.Text("teachers") != "A\nB" ||
		f.Text("starts") != "2026-05-04" || f.Text("title") != "VIA" || f.Value("nothing") != nil {
		t.Errorf("front %+v", f)
	}
	b, err := json.Marshal(f)
	if err != nil || string(b) != `{"title":"VIA","summary":"","hours":12,"level":"base","online":true,"starts":"2026-05-04","teachers":["A","B"],"unit":"VA-01"}` {
		t.Errorf("json %s %v", b, err)
	}
	if _, err := Parse("corso", "via", "corsi/via.md", []byte(strings.Replace(src, "unit: VA-01", "unit: va", 1))); err == nil ||
		!strings.Contains(err.Error(), "corsi/via.md:8: unit \"va\" must be uppercase") {
		t.Errorf("bad code: %v", err)
	}
	if b, _ := json.Marshal(Front{Title: "x"}); string(b) != `{"title":"x","summary":""}` {
		t.Errorf("json without extra keys: %s", b)
	}
}
