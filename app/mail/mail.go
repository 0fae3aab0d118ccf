// Package mail is the port for outgoing e-mail: messages rendered from the theme's templates in
// the recipient's language, handed to a sender plugin (SMTP in production; "log", which delivers
// nothing and only logs, by default in development).
package mail

import (
	"bytes"
	"context"
	"fmt"
	htmltemplate "html/template"
	"io/fs"
	"log/slog"
	"strings"
	texttemplate "text/template"

	"passhub/app/plugin"
)

// Message is one e-mail; From comes from the sender's configuration.
type Message struct {
	To      []string
	Subject string
	Text    string
	HTML    string
	// Threading, for the help desk's conversations: the address replies go to, the message's own
	// Message-ID (without angle brackets; the sender makes one when empty) and the ids it
	// answers (In-Reply-To is the last of References).
	ReplyTo    string
	MessageID  string
	References []string
	// Auto marks a message no one should answer automatically (Auto-Submitted: auto-replied).
	Auto bool
	// Attachments are files sent with the message (multipart/mixed), in this order.
	Attachments []Attachment
}

// Attachment is a file sent with a message: its name as the recipient sees it, its content type
// and its bytes. The bytes are held in memory: whoever builds the message bounds their total.
type Attachment struct {
	Name        string
	ContentType string
	Data        []byte
}

// BounceError is returned by a sender when the mail server refused the recipients for good (a
// permanent 5xx answer): trying again will not help.
type BounceError struct {
	Addresses []string
	Answer    string
}

func (e *BounceError) Error() string {
	return "mail: refused for good: " + strings.Join(e.Addresses, ", ") + ": " + e.Answer
}

// Sender delivers messages.
type Sender interface {
	Send(ctx context.Context, m Message) error
}

// Options configure a sender: its own settings.
type Options struct {
	Settings map[string]string
	Log      *slog.Logger
}

// Factory builds a sender.
type Factory func(Options) (Sender, error)

var senders = plugin.NewRegistry[Options, Sender]("mail", "sender")

func init() { Register("log", func(o Options) (Sender, error) { return &Log{Logger: o.Log}, nil }) }

// Register makes a sender available under name.
func Register(name string, f Factory) { senders.Register(name, f) }

// New builds the sender registered under name.
func New(name string, o Options) (Sender, error) { return senders.New(name, o) }

// Log is the development sender: it delivers nothing and logs each message, its recipients,
// subject and the names and sizes of its attachments at info level, its body only at debug level
// (bodies carry links and personal data).
type Log struct{ Logger *slog.Logger }

// Send logs m.
func (l *Log) Send(ctx context.Context, m Message) error {
	if l.Logger != nil {
		to := strings.Join(m.To, ", ")
		args := []any{"to", to, "subject", m.Subject}
		if len(m.Attachments) > 0 {
			files := make([]string, len(m.Attachments))
			for i, a := range m.Attachments {
				files[i] = fmt.Sprintf("%s (%d bytes)", a.Name, len(a.Data))
			}
			args = append(args, "attachments", strings.Join(files, ", "))
		}
		l.Logger.InfoContext(ctx, "mail not delivered (log sender)", args...)
		l.Logger.DebugContext(ctx, "mail body (log sender)", "to", to, "subject", m.Subject, "text", m.Text)
	}
	return nil
}

// Templates renders messages from mail/<name>.<lang>.txt (first line "Subject: …") and
// mail/<name>.<lang>.html in a theme, falling back to Italian.
type Templates struct{ fsys fs.FS }

// NewTemplates reads templates from fsys.
func NewTemplates(fsys fs.FS) *Templates { return &Templates{fsys: fsys} }

// Render builds the message name in lang for the recipients, with data for the templates.
func (t *Templates) Render(name, lang string, to []string, data any) (Message, error) {
	m := Message{To: to}
	read := func(ext string) (string, error) {
		for _, l := range []string{lang, "it"} {
			if b, err := fs.ReadFile(t.fsys, "mail/"+name+"."+l+"."+ext); err == nil {
				return string(b), nil
			}
		}
		return "", fmt.Errorf("mail: no template %s.%s", name, ext)
	}
	txt, err := read("txt")
	if err != nil {
		return m, err
	}
	tt, err := texttemplate.New(name).Parse(txt)
	if err != nil {
		return m, fmt.Errorf("mail: %s: %w", name, err)
	}
	var buf bytes.Buffer
	if err := tt.Execute(&buf, data); err != nil {
		return m, fmt.Errorf("mail: %s: %w", name, err)
	}
	first, rest, _ := strings.Cut(buf.String(), "\n")
	if !strings.HasPrefix(first, "Subject: ") {
		return m, fmt.Errorf("mail: %s: the text template must start with a Subject: line", name)
	}
	m.Subject, m.Text = strings.TrimSpace(strings.TrimPrefix(first, "Subject: ")), strings.TrimLeft(rest, "\n")
	if html, err := read("html"); err == nil {
		ht, err := htmltemplate.New(name).Parse(html)
		if err != nil {
			return m, fmt.Errorf("mail: %s: %w", name, err)
		}
		buf.Reset()
		if err := ht.Execute(&buf, data); err != nil {
			return m, fmt.Errorf("mail: %s: %w", name, err)
		}
		m.HTML = buf.String()
	}
	return m, nil
}
