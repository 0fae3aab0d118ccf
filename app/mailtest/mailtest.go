// Package mailtest runs a real SMTP server in-process for tests (emersion/go-smtp on a loopback
// port) and keeps what it receives, parsed, so tests can read the messages the platform sent.
package mailtest

import (
	"bytes"
	"io"
	"mime"
	"mime/multipart"
	"net"
	"net/mail"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-smtp"
)

// Captured is one received message.
type Captured struct {
	From    string
	To      []string
	Subject string
	Text    string
	HTML    string
	Header  mail.Header
	// Attachments are the parts sent as attachments (Content-Disposition: attachment), decoded.
	Attachments []Attachment
	// Raw is the message as received.
	Raw []byte
}

// Attachment is an attached part of a received message.
type Attachment struct {
	Name        string // the file name of its Content-Disposition
	ContentType string // the media type of its Content-Type, without parameters
	Data        []byte
}

// Server is the in-process SMTP server.
type Server struct {
	srv  *smtp.Server
	addr *net.TCPAddr
	mu   sync.Mutex
	msgs []Captured
	// refused addresses get a permanent "550 no such user"; down makes every delivery fail for now.
	refused map[string]bool
	down    bool
}

// Refuse makes the server answer 550 (no such user) to address, as for a mailbox that does not exist.
func (s *Server) Refuse(address string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.refused == nil {
		s.refused = map[string]bool{}
	}
	s.refused[strings.ToLower(address)] = true
}

// Down makes the server answer 451 (try again later) to every message while down is true.
func (s *Server) Down(down bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.down = down
}

// Start listens on 127.0.0.1 until the test ends.
func Start(t testing.TB) *Server {
	t.Helper()
	s := &Server{}
	s.srv = smtp.NewServer(smtp.BackendFunc(func(*smtp.Conn) (smtp.Session, error) { return &session{s: s}, nil }))
	s.srv.Domain = "localhost"
	s.srv.AllowInsecureAuth = true
	s.srv.ReadTimeout, s.srv.WriteTimeout = 10*time.Second, 10*time.Second
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s.addr = ln.Addr().(*net.TCPAddr)
	go func() { _ = s.srv.Serve(ln) }()
	t.Cleanup(func() { _ = s.srv.Close() })
	return s
}

// Host is the server's address.
func (s *Server) Host() string { return "127.0.0.1" }

// Port is the server's port, as a string for settings.
func (s *Server) Port() string { return strconv.Itoa(s.addr.Port) }

// Messages returns what has been received so far.
func (s *Server) Messages() []Captured {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Captured(nil), s.msgs...)
}

// WaitFor waits until n messages arrived, at most timeout, and returns them.
func (s *Server) WaitFor(t testing.TB, n int, timeout time.Duration) []Captured {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		if m := s.Messages(); len(m) >= n || time.Now().After(deadline) {
			if len(m) < n {
				t.Fatalf("mailtest: %d messages received, want %d", len(m), n)
			}
			return m
		}
		time.Sleep(10 * time.Millisecond)
	}
}

type session struct {
	s    *Server
	from string
	to   []string
}

func (x *session) Reset()        { x.from, x.to = "", nil }
func (x *session) Logout() error { return nil }
func (x *session) Mail(from string, _ *smtp.MailOptions) error {
	x.from = from
	return nil
}
func (x *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	x.s.mu.Lock()
	refused, down := x.s.refused[strings.ToLower(to)], x.s.down
	x.s.mu.Unlock()
	if down {
		return &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "try again later"}
	}
	if refused {
		return &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "no such user"}
	}
	x.to = append(x.to, to)
	return nil
}

func (x *session) Data(r io.Reader) error {
	raw, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	m, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		return err
	}
	dec := new(mime.WordDecoder)
	subject, _ := dec.DecodeHeader(m.Header.Get("Subject"))
	c := Captured{From: x.from, To: x.to, Subject: subject, Header: m.Header, Raw: raw}
	readParts(m.Header, m.Body, &c)
	x.s.mu.Lock()
	x.s.msgs = append(x.s.msgs, c)
	x.s.mu.Unlock()
	return nil
}

// header is what readParts needs of a message's or a part's header.
type header interface{ Get(string) string }

// readParts fills the text and HTML bodies and the attachments from a (possibly multipart) body.
func readParts(h header, body io.Reader, c *Captured) {
	mt, params, _ := mime.ParseMediaType(h.Get("Content-Type"))
	if strings.HasPrefix(mt, "multipart/") {
		mr := multipart.NewReader(body, params["boundary"])
		for {
			p, err := mr.NextPart()
			if err != nil {
				return
			}
			readParts(p.Header, p, c)
		}
	}
	data := decode(h.Get("Content-Transfer-Encoding"), body)
	if disp, dp, err := mime.ParseMediaType(h.Get("Content-Disposition")); err == nil && disp == "attachment" {
		name, derr := new(mime.WordDecoder).DecodeHeader(dp["filename"])
		if derr != nil {
			name = dp["filename"]
		}
		c.Attachments = append(c.Attachments, Attachment{Name: name, ContentType: mt, Data: data})
		return
	}
	switch mt {
	case "text/html":
		c.HTML = string(data)
	default:
		c.Text = string(data)
	}
}

func decode(encoding string, r io.Reader) []byte {
	switch strings.ToLower(encoding) {
	case "quoted-printable":
		b, _ := io.ReadAll(qpReader(r))
		return b
	case "base64":
		b, _ := io.ReadAll(base64Reader(r))
		return b
	}
	b, _ := io.ReadAll(r)
	return b
}
