package inbound

import (
	"errors"
	"strings"
	"testing"
	"unicode/utf8"
)

func parseSample(t *testing.T, msg string, l Limits) (*Message, error) {
	t.Helper()
	return Parse(strings.NewReader(crlf(msg)), l)
}

func TestParseErrors(t *testing.T) {
	for _, tc := range []struct {
		name string
		msg  string
		l    Limits
		kind error
	}{
		{"no From", noFromMsg, Limits{}, ErrMalformed},
		{"two From", twoFromMsg, Limits{}, ErrMalformed},
		{"two Message-ID", "Message-ID: <a@x>\nMessage-ID: <b@x>\n" + plainMsg, Limits{}, ErrMalformed},
		{"two addresses in From", "From: a@example.org, b@example.org\n\nx\n", Limits{}, ErrMalformed},
		{"invalid From", "From: not an address\n\nx\n", Limits{}, ErrMalformed},
		{"broken base64", brokenBase64Msg, Limits{}, ErrMalformed},
		{"multipart without boundary", "From: a@example.org\nContent-Type: multipart/mixed\n\nx\n", Limits{}, ErrMalformed},
		{"multipart without parts", "From: a@example.org\nContent-Type: multipart/mixed; boundary=z\n\nx\n", Limits{}, ErrMalformed},
		{"header line without colon", "From: a@example.org\nnot a header\n\nx\n", Limits{}, ErrMalformed},
		{"too deep", nested(3), Limits{MaxDepth: 2}, ErrTooComplex},
		{"too many parts", manyParts(10), Limits{MaxParts: 10}, ErrTooComplex},
		{"too many attachments", pdfMsg, Limits{MaxAttachments: 1}, ErrTooComplex},
		{"too big", plainMsg, Limits{MaxMessageBytes: 100}, ErrTooBig},
		{"header too big", "X-Long: " + strings.Repeat("a", 300) + "\n" + plainMsg, Limits{MaxHeaderBytes: 256}, ErrTooBig},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m, err := parseSample(t, tc.msg, tc.l)
			if !errors.Is(err, tc.kind) {
				t.Fatalf("Parse = %+v, %v; want %v", m, err, tc.kind)
			}
		})
	}
}

func TestParseLimitsAtTheBoundary(t *testing.T) {
	if _, err := parseSample(t, manyParts(9), Limits{MaxParts: 10}); err != nil {
		t.Errorf("10 parts with MaxParts 10: %v", err)
	}
	if _, err := parseSample(t, nested(2), Limits{MaxDepth: 2}); err != nil {
		t.Errorf("depth 2 with MaxDepth 2: %v", err)
	}
	if _, err := parseSample(t, pdfMsg, Limits{MaxAttachments: 2}); err != nil {
		t.Errorf("2 attachments with MaxAttachments 2: %v", err)
	}
	msg := crlf(plainMsg)
	if _, err := Parse(strings.NewReader(msg), Limits{MaxMessageBytes: int64(len(msg))}); err != nil {
		t.Errorf("message of exactly MaxMessageBytes: %v", err)
	}
}

func TestParseTruncatesText(t *testing.T) {
	long := strings.Replace(plainMsg, "Grazie", strings.Repeat("àèìòù ", 500), 1)
	m, err := parseSample(t, long, Limits{MaxText: 1000})
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Text) > 1000 || !strings.HasSuffix(m.Text, TruncatedMarker) || !utf8.ValidString(m.Text) {
		t.Errorf("Text: %d bytes, ends %q", len(m.Text), m.Text[len(m.Text)-40:])
	}
}

func TestParseSubjectBounded(t *testing.T) {
	msg := strings.Replace(plainMsg, "Subject: Problema   con", "Subject: "+strings.Repeat("é", 1000), 1)
	m, err := parseSample(t, msg, Limits{})
	if err != nil {
		t.Fatal(err)
	}
	if n := utf8.RuneCountInString(m.Subject); n != maxSubjectRunes || !strings.HasSuffix(m.Subject, "…") {
		t.Errorf("Subject of %d runes", n)
	}
}

func TestParseEncodedWordInjection(t *testing.T) {
	// An encoded CR LF must not put a line break into the decoded fields.
	msg := "From: =?utf-8?q?Mario=0D=0ABcc=3A_x?= <m@example.org>\nSubject: =?utf-8?q?ciao=0D=0AX-Evil:_1?=\n\nx\n"
	m, err := parseSample(t, msg, Limits{})
	if err != nil {
		t.Fatal(err)
	}
	if strings.ContainsAny(m.Subject+m.From.Name, "\r\n") {
		t.Errorf("line break kept: %q %q", m.Subject, m.From.Name)
	}
}

func TestParseCharsets(t *testing.T) {
	for _, tc := range []struct{ name, header, body, want string }{
		{"latin1 without charset", "Content-Type: text/plain", "perch\xe9", "perché"},
		{"unknown charset, utf-8 body", "Content-Type: text/plain; charset=x-unknown", "perché", "perché"},
		{"windows-1252", "Content-Type: text/plain; charset=windows-1252", "\x93citato\x94", "“citato”"},
		{"utf-8 with invalid bytes", "Content-Type: text/plain; charset=utf-8", "ok\xff", "ok\uFFFD"},
		{"flowed", "Content-Type: text/plain; format=flowed", "una riga \nspezzata\n> citata \n> anche\n", "una riga spezzata\n> citata anche"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m, err := Parse(strings.NewReader("From: a@example.org\r\n"+tc.header+"\r\n\r\n"+tc.body), Limits{})
			if err != nil {
				t.Fatal(err)
			}
			if m.Text != tc.want {
				t.Errorf("Text = %q, want %q", m.Text, tc.want)
			}
		})
	}
}

func TestAttachmentNames(t *testing.T) {
	for raw, want := range map[string]string{
		"../../etc/passwd":                "passwd",
		`C:\Users\a\b.pdf`:                "b.pdf",
		"..":                              "allegato-1.pdf",
		".htaccess":                       "htaccess",
		"a\x00b<c>.pdf":                   "ab_c_.pdf",
		strings.Repeat("x", 300) + ".pdf": strings.Repeat("x", maxNameBytes-4) + ".pdf",
	} {
		if got := attachmentName(&part{filename: raw, mediaType: "application/pdf"}, 1); got != want {
			t.Errorf("attachmentName(%q) = %q, want %q", raw, got, want)
		}
	}
}

func TestMessageIDs(t *testing.T) {
	if got := messageIDs("<a@x> junk <b@x>\t<c d@x>"); strings.Join(got, ",") != "a@x,b@x" {
		t.Errorf("ids = %v", got)
	}
	if got := messageIDs("bare@x"); len(got) != 1 || got[0] != "bare@x" {
		t.Errorf("bare id = %v", got)
	}
	v := strings.Repeat("<r@x> ", 300) + "<last@x>"
	got := messageIDs(v)
	if len(got) != maxIDs || got[len(got)-1] != "last@x" {
		t.Errorf("%d ids, last %q", len(got), got[len(got)-1])
	}
}

func TestNewText(t *testing.T) {
	for _, tc := range []struct{ name, text, want string }{
		{"gmail italian", "Grazie, ora funziona.\n\nIl giorno lun 3 giu 2024 alle ore 10:00 Ufficio <\nassistenza@comune.example.it> ha scritto:\n\n> Provi ora.\n> Saluti",
			"Grazie, ora funziona."},
		{"thunderbird italian", "Va bene.\n\nIl 03/06/24 10:00, Ufficio ha scritto:\n> Provi ora.", "Va bene."},
		{"english", "Thanks!\n\nOn Mon, Jun 3, 2024 at 10:00 AM Help Desk <help@example.org> wrote:\n> Try again.\n>\n> Regards",
			"Thanks!"},
		{"outlook italian", "Ho allegato il file.\n\n-----Messaggio originale-----\nDa: Ufficio\nInviato: lunedì\n\nProvi ora.",
			"Ho allegato il file."},
		{"outlook english", "Attached.\n\n-----Original Message-----\nFrom: Help\nSent: Monday\nTry again.", "Attached."},
		{"outlook header block", "Fatto.\n\n________________________________\nDa: Ufficio <u@x.it>\nInviato: lunedì 3 giugno\nA: me\n\nProvi.", "Fatto."},
		{"trailing quote", "Risposta.\n> citazione\n> altra", "Risposta."},
		{"bottom posting kept", "On Mon, Help wrote:\n> Try again.\n\nIt works now.", "On Mon, Help wrote:\n> Try again.\n\nIt works now."},
		{"only quoted", "> solo citazione", ""},
		{"nothing to cut", "Testo semplice.\nSu due righe.", "Testo semplice.\nSu due righe."},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := (&Message{Text: tc.text}).NewText(); got != tc.want {
				t.Errorf("NewText = %q, want %q", got, tc.want)
			}
		})
	}
}

func TestParseEmptyPlainAlternative(t *testing.T) {
	msg := "From: a@example.org\nContent-Type: multipart/alternative; boundary=a\n\n--a\nContent-Type: text/plain\n\n \n--a\n" +
		"Content-Type: text/html\n\n<p>Solo qui</p>\n--a--\n"
	m, err := parseSample(t, msg, Limits{})
	if err != nil {
		t.Fatal(err)
	}
	if m.Text != "Solo qui" {
		t.Errorf("Text = %q", m.Text)
	}
}

func TestParseHugeTextBounded(t *testing.T) {
	for name, body := range map[string]string{
		"many lines":     strings.Repeat("\n", 1<<20) + "fine",
		"many words":     strings.Repeat("a ", 1<<19),
		"html words":     "<p>" + strings.Repeat("a ", 1<<19),
		"html pre":       "<pre>" + strings.Repeat("riga\n", 1<<18),
		"blank then end": strings.Repeat(" \n", 1<<19) + "fine",
	} {
		t.Run(name, func(t *testing.T) {
			ct := "text/plain"
			if strings.HasPrefix(body, "<") {
				ct = "text/html"
			}
			m, err := Parse(strings.NewReader("From: a@example.org\r\nContent-Type: "+ct+"\r\n\r\n"+body), Limits{MaxText: 4096})
			if err != nil {
				t.Fatal(err)
			}
			if len(m.Text) > 4096 || !strings.HasSuffix(m.Text, TruncatedMarker) {
				t.Errorf("Text of %d bytes, marker %v", len(m.Text), strings.HasSuffix(m.Text, TruncatedMarker))
			}
		})
	}
}

func TestParseBidiInSubject(t *testing.T) {
	m, err := Parse(strings.NewReader("From: a@example.org\r\nSubject: =?utf-8?q?urgente_=E2=80=AEfdp.exe?=\r\n\r\nx"), Limits{})
	if err != nil {
		t.Fatal(err)
	}
	if m.Subject != "urgente fdp.exe" {
		t.Errorf("Subject = %q", m.Subject)
	}
}

func TestHTMLReplyQuoted(t *testing.T) {
	body := `<div dir="ltr">Grazie, risolto.</div><br><div class="gmail_quote"><div dir="ltr" class="gmail_attr">` +
		`Il giorno lun 3 giu 2024 alle ore 10:00 Ufficio &lt;u@comune.example.it&gt; ha scritto:<br></div>` +
		`<blockquote class="gmail_quote"><div>Provi ora.</div><blockquote>Prima domanda</blockquote></blockquote></div>`
	m, err := Parse(strings.NewReader("From: a@example.org\r\nContent-Type: text/html\r\n\r\n"+body), Limits{})
	if err != nil {
		t.Fatal(err)
	}
	want := "Grazie, risolto.\n\nIl giorno lun 3 giu 2024 alle ore 10:00 Ufficio <u@comune.example.it> ha scritto:\n\n> Provi ora.\n\n>> Prima domanda"
	if m.Text != want {
		t.Errorf("Text = %q\nwant %q", m.Text, want)
	}
	if got := m.NewText(); got != "Grazie, risolto." {
		t.Errorf("NewText = %q", got)
	}
}
