package content

import (
	"strings"
	"testing"
)

func TestParseValid(t *testing.T) {
	src := "---\ntitle: \"VIA: la procedura\"\nsummary: Sintesi\ncode: VA-01\ntask_force: VA\naccepts_requests: false\nlegal_basis:\n  - D.Lgs. 152/2006\ntags: [via, ambiente]\n---\n## Di cosa si tratta\n\nTesto.\n"
	d, err := Parse(TypeProcedure, "via", "procedure/via.md", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	if d.Front.Title != "VIA: la procedura" || d.Front.Code != "VA-01" || d.Front.TaskForce != "VA" {
		t.Errorf("front matter = %+v", d.Front)
	}
	if d.Front.AcceptsRequests == nil || *d.Front.AcceptsRequests {
		t.Errorf("accepts_requests = %v, want false", d.Front.AcceptsRequests)
	}
	if len(d.Front.LegalBasis) != 1 || len(d.Front.Tags) != 2 {
		t.Errorf("lists = %v %v", d.Front.LegalBasis, d.Front.Tags)
	}
	if d.Body != "## Di cosa si tratta\n\nTesto.\n" || d.Source != src {
		t.Errorf("body = %q", d.Body)
	}
}

// TestParseInvalid checks that each bad file is reported with its path, its line and what is
// wrong, in words an editor understands.
func TestParseInvalid(t *testing.T) {
	cases := []struct {
		name, typ, slug, src string
		line                 int
		want                 string
	}{
		{"no front matter", "page", "a", "## Titolo\n", 1, "missing front matter"},
		{"unclosed", "page", "a", "---\ntitle: x\nsummary: y\n", 1, "not closed"},
		{"bad yaml", "page", "a", "---\ntitle: [x\nsummary: y\n---\nbody\n", 0, "not valid YAML"},
		{"unknown key", "news", "a", "---\ntitle: x\nsummary: y\ndate: 2024-01-02\nauthor: me\n---\n", 5, `unknown key "author"`},
		{"missing required", "news", "a", "---\ntitle: x\nsummary: y\n---\n", 0, `missing required key "date"`},
		{"bad date", "news", "a", "---\ntitle: x\nsummary: y\ndate: ieri\n---\n", 4, "YYYY-MM-DD"},
		{"wrong kind", "guide", "a", "---\ntitle: x\nsummary: y\nweight: tanto\n---\n", 4, "weight"},
		{"duplicate key", "page", "a", "---\ntitle: x\ntitle: z\nsummary: y\n---\n", 0, ""},
		{"empty title", "page", "a", "---\ntitle: \"\"\nsummary: y\n---\n", 2, "title must not be empty"},
		{"bad code", "taskforce", "a", "---\ncode: va\ntitle: x\nsummary: y\n---\n", 2, "uppercase"},
		{"bad task force", "procedure", "a", "---\ncode: VA-01\ntitle: x\nsummary: y\ntask_force: valutazioni\n---\n", 5, "task force code"},
		{"attachment path", "report", "a", "---\ntitle: x\nsummary: y\ndate: 2024-01-01\nattachments:\n  - file: ../../etc/passwd\n    title: t\n---\n", 5, "plain file name"},
		{"bad slug", "page", "Bad_Slug", "---\ntitle: x\nsummary: y\n---\n", 0, "not a valid slug"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := Parse(Type(c.typ), c.slug, "dir/"+c.slug+".md", []byte(c.src))
			if err == nil {
				t.Fatal("accepted a bad file")
			}
			fe, ok := err.(*FileError)
			if !ok {
				t.Fatalf("error %T %v is not a *FileError", err, err)
			}
			if fe.Path != "dir/"+c.slug+".md" {
				t.Errorf("path = %q", fe.Path)
			}
			if c.line > 0 && fe.Line != c.line {
				t.Errorf("line = %d, want %d (%v)", fe.Line, c.line, err)
			}
			if !strings.Contains(err.Error(), c.want) {
				t.Errorf("error %q does not say %q", err, c.want)
			}
		})
	}
}

func TestRenderIsSafeAndRich(t *testing.T) {
	md := "## Tempi e costi\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\nNota[^1] e \"virgolette\".\n\n[^1]: Fonte.\n\n<script>alert(1)</script>\n\n[x](javascript:alert(1)) <b onclick=x>y</b>\n"
	html, err := Render(md)
	if err != nil {
		t.Fatal(err)
	}
	s := string(html)
	for _, want := range []string{`<h2 id="tempi-e-costi">`, "<table>", `class="footnotes"`, "&laquo;virgolette&raquo;"} {
		if !strings.Contains(s, want) {
			t.Errorf("rendered HTML lacks %q:\n%s", want, s)
		}
	}
	for _, bad := range []string{"<script", "javascript:", "onclick", "<b "} {
		if strings.Contains(s, bad) {
			t.Errorf("rendered HTML keeps %q:\n%s", bad, s)
		}
	}
}

// TestParseCollectsEveryProblem: a file with several bad keys is reported with all of them, each
// with its key, rule and line; the error is still the first problem, as before.
func TestParseCollectsEveryProblem(t *testing.T) {
	src := "---\ntitle: \"\"\ndate: ieri\nauthor: me\n---\nTesto.\n"
	_, err := Parse(TypeNews, "a", "notizie/a.md", []byte(src))
	fe, ok := err.(*FileError)
	if !ok {
		t.Fatalf("error %T %v is not a *FileError", err, err)
	}
	type got struct {
		key, rule string
		line      int
	}
	var all []got
	for _, p := range fe.All() {
		all = append(all, got{p.Key, p.Rule, p.Line})
		if p.Path != "notizie/a.md" {
			t.Errorf("path %q", p.Path)
		}
	}
	want := []got{{"date", "date", 3}, {"", "", 4}, {"summary", "required", 0}, {"title", "empty", 2}}
	if len(all) != len(want) {
		t.Fatalf("problems %+v, want %+v", all, want)
	}
	for i := range want {
		if all[i] != want[i] {
			t.Errorf("problem %d = %+v, want %+v", i, all[i], want[i])
		}
	}
	if fe.Key != "date" || !strings.Contains(fe.Error(), "notizie/a.md:3:") {
		t.Errorf("first problem %q (%s)", fe.Error(), fe.Key)
	}
	one := &FileError{Path: "x", Msg: "y"}
	if len(one.All()) != 1 || one.All()[0] != one {
		t.Error("a single FileError is its own list")
	}
}

// TestParseEmptyFrontMatter: a file whose front matter is empty (a form sent with every field
// blank) is reported key by key, each required key missing, not as a file without front matter.
func TestParseEmptyFrontMatter(t *testing.T) {
	for _, src := range []string{"---\n---\n", "---\n---\nTesto.\n", "---\n---"} {
		_, err := Parse(TypeNews, "a", "notizie/a.md", []byte(src))
		fe, ok := err.(*FileError)
		if !ok {
			t.Fatalf("%q: error %T %v", src, err, err)
		}
		var keys []string
		for _, p := range fe.All() {
			keys = append(keys, p.Key+":"+p.Rule)
		}
		if strings.Join(keys, " ") != "title:required summary:required date:required" {
			t.Errorf("%q: problems %v", src, keys)
		}
	}
	d, err := Preview(Draft{Type: TypePage, Fields: map[string]string{"title": "T", "summary": "S"}, Body: "B\n"})
	if err != nil || d.Body != "B\n" {
		t.Errorf("a full draft: %v %q", err, d.Body)
	}
}
