package inbound

import (
	"net/mail"
	"regexp"
	"strings"
	"time"
)

// Message is one received e-mail, decoded.
type Message struct {
	EnvelopeFrom string        // MAIL FROM; "" for a bounce
	Recipients   []string      // the accepted RCPT TO addresses, lowercased, without duplicates
	From         *mail.Address // header From; always set
	ReplyTo      *mail.Address // header Reply-To (its first address); nil if absent or invalid
	Subject      string        // decoded, whitespace collapsed, at most 256 runes
	MessageID    string        // without angle brackets; "" if absent
	InReplyTo    []string      // message ids, without angle brackets
	References   []string      // message ids, without angle brackets, oldest first
	Date         time.Time     // header Date; zero if absent or invalid
	Text         string        // the readable body in UTF-8, at most Limits.MaxText bytes
	Attachments  []Attachment
	Auto         bool // an automatic message (auto-reply, bulk, list, bounce): never answer it
	Size         int  // bytes received
}

// Attachment is one attached file. Name carries no path and no control
// character; ContentType is the declared media type, unchecked.
type Attachment struct {
	Name        string
	ContentType string
	Data        []byte
}

var (
	// "On Mon, 3 Jun 2024 at 10:00, Mario Rossi <m@x.it> wrote:",
	// "Il giorno lun 3 giu 2024 alle ore 10:00 Mario Rossi ha scritto:",
	// "Il 03/06/24 10:00, Mario Rossi ha scritto:".
	attribution = regexp.MustCompile(`(?i)^(on|il|il giorno|in data)\s.*\s(wrote|ha scritto|scrive|scrisse):$`)
	// "-----Original Message-----", "----- Messaggio originale -----".
	separator = regexp.MustCompile(`(?i)^-{2,}\s*(original message|messaggio originale)\s*-{2,}$`)
	// The first two lines of an Outlook header block: "From:" then "Sent:".
	headerFrom = regexp.MustCompile(`(?i)^\*?(from|da):`)
	headerSent = regexp.MustCompile(`(?i)^\*?(sent|inviato|date|data):`)
)

// NewText returns Text without the quoted previous message: what follows a
// separator such as "-----Original Message-----", "-----Messaggio
// originale-----" or an Outlook "From:/Sent:" ("Da:/Inviato:") block, what
// follows an "On ... wrote:" or "Il giorno ... ha scritto:" line when only
// quoted lines come after it, and the quoted lines (">") at the end. It is
// "" when the message holds nothing but quoted text.
func (m *Message) NewText() string {
	return newText(m.Text)
}

func newText(text string) string {
	lines := strings.Split(text, "\n")
	cut := len(lines)
	for i := 0; i < len(lines) && cut == len(lines); i++ {
		line := strings.TrimSpace(lines[i])
		next := ""
		if i+1 < len(lines) {
			next = strings.TrimSpace(lines[i+1])
		}
		switch {
		case separator.MatchString(line):
			cut = i
		case headerFrom.MatchString(line) && headerSent.MatchString(next):
			cut = i
		case i > 0 && strings.Trim(line, "_") == "" && len(line) >= 10 && headerFrom.MatchString(next):
			cut = i
		case attribution.MatchString(line) && onlyQuoted(lines[i+1:]):
			cut = i
		case next != "" && attribution.MatchString(line+" "+next) && onlyQuoted(lines[i+2:]):
			// A long attribution wrapped on two lines.
			cut = i
		}
	}
	lines = lines[:cut]
	for len(lines) > 0 {
		last := strings.TrimSpace(lines[len(lines)-1])
		if last != "" && !strings.HasPrefix(last, ">") {
			break
		}
		lines = lines[:len(lines)-1]
	}
	return strings.TrimSpace(strings.Join(lines, "\n"))
}

// onlyQuoted tells whether lines are all blank or quoted.
func onlyQuoted(lines []string) bool {
	for _, l := range lines {
		l = strings.TrimSpace(l)
		if l != "" && !strings.HasPrefix(l, ">") {
			return false
		}
	}
	return true
}
