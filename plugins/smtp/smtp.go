// Package smtp sends the platform's e-mail through an SMTP server with go-mail: STARTTLS by
// default, implicit TLS on request, plain text only to a loopback server; text and HTML as
// multipart/alternative, with Message-ID and Date; attachments as base64 parts of a
// multipart/mixed message, each with its file name and content type. It registers itself as the "smtp" sender.
//
// Settings: "host" (required), "port" (default 587), "username", "password", "from" (required,
// e.g. "PAsS <noreply@pass.example.it>"), "tls" ("starttls", "tls" or "none"), "timeout"
// (default 15s).
package smtp

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"
	"time"

	gomail "github.com/wneessen/go-mail"

	"passhub/app/mail"
)

func init() { mail.Register("smtp", New) }

// Sender is an SMTP client.
type Sender struct {
	from   string
	client *gomail.Client
}

// New builds the sender from its settings.
func New(o mail.Options) (mail.Sender, error) {
	s := o.Settings
	host, from := s["host"], s["from"]
	if host == "" || from == "" {
		return nil, errors.New("smtp: host and from are required")
	}
	port := 587
	if v := s["port"]; v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 65535 {
			return nil, fmt.Errorf("smtp: port %q", v)
		}
		port = n
	}
	timeout := 15 * time.Second
	if v := s["timeout"]; v != "" {
		d, err := time.ParseDuration(v)
		if err != nil {
			return nil, fmt.Errorf("smtp: timeout %q", v)
		}
		timeout = d
	}
	opts := []gomail.Option{gomail.WithPort(port), gomail.WithTimeout(timeout)}
	var implicitTLS *tls.Config
	switch s["tls"] {
	case "", "starttls":
		opts = append(opts, gomail.WithTLSPolicy(gomail.TLSMandatory))
	case "tls":
		implicitTLS = &tls.Config{ServerName: host, MinVersion: tls.VersionTLS12}
		opts = append(opts, gomail.WithSSL())
	case "none":
		if ip := net.ParseIP(host); host != "localhost" && (ip == nil || !ip.IsLoopback()) {
			return nil, fmt.Errorf("smtp: tls=none is allowed only for a loopback server, not %s", host)
		}
		opts = append(opts, gomail.WithTLSPolicy(gomail.NoTLS))
	default:
		return nil, fmt.Errorf("smtp: tls must be starttls, tls or none, not %q", s["tls"])
	}
	opts = append(opts, gomail.WithDialContextFunc(dialer(timeout, implicitTLS)))
	if s["username"] != "" {
		opts = append(opts, gomail.WithSMTPAuth(gomail.SMTPAuthPlain), gomail.WithUsername(s["username"]), gomail.WithPassword(s["password"]))
	}
	c, err := gomail.NewClient(host, opts...)
	if err != nil {
		return nil, fmt.Errorf("smtp: %w", err)
	}
	return &Sender{from: from, client: c}, nil
}

// dialer connects within timeout and gives the connection a deadline of timeout for the greeting
// and the first commands (go-mail sets none before its own, after EHLO): a server that accepts
// and never answers costs a job at most twice the timeout, never a worker for good.
func dialer(timeout time.Duration, implicitTLS *tls.Config) gomail.DialContextFunc {
	return func(ctx context.Context, network, addr string) (net.Conn, error) {
		nd := &net.Dialer{Timeout: timeout}
		var conn net.Conn
		var err error
		if implicitTLS != nil {
			conn, err = (&tls.Dialer{NetDialer: nd, Config: implicitTLS}).DialContext(ctx, network, addr)
		} else {
			conn, err = nd.DialContext(ctx, network, addr)
		}
		if err != nil {
			return nil, err
		}
		if err := conn.SetDeadline(time.Now().Add(timeout)); err != nil {
			conn.Close()
			return nil, err
		}
		return conn, nil
	}
}

// Send delivers m.
func (s *Sender) Send(ctx context.Context, m mail.Message) error {
	msg := gomail.NewMsg()
	if err := msg.From(s.from); err != nil {
		return fmt.Errorf("smtp: from: %w", err)
	}
	if err := msg.To(m.To...); err != nil {
		return fmt.Errorf("smtp: to: %w", err)
	}
	msg.Subject(m.Subject)
	if m.MessageID != "" {
		msg.SetMessageIDWithValue(m.MessageID)
	} else {
		msg.SetMessageID()
	}
	if m.ReplyTo != "" {
		if err := msg.ReplyTo(m.ReplyTo); err != nil {
			return fmt.Errorf("smtp: reply-to: %w", err)
		}
	}
	if n := len(m.References); n > 0 {
		refs := make([]string, n)
		for i, r := range m.References {
			refs[i] = "<" + r + ">"
		}
		msg.SetGenHeader(gomail.HeaderInReplyTo, refs[n-1])
		msg.SetGenHeader(gomail.HeaderReferences, strings.Join(refs, " "))
	}
	if m.Auto {
		msg.SetGenHeader("Auto-Submitted", "auto-replied")
	}
	msg.SetDate()
	msg.SetBodyString(gomail.TypeTextPlain, m.Text)
	if m.HTML != "" {
		msg.AddAlternativeString(gomail.TypeTextHTML, m.HTML)
	}
	for _, a := range m.Attachments {
		ct := a.ContentType
		if ct == "" {
			ct = "application/octet-stream"
		}
		msg.AttachReadSeeker(a.Name, bytes.NewReader(a.Data), gomail.WithFileContentType(gomail.ContentType(ct)),
			gomail.WithFileEncoding(gomail.EncodingB64))
	}
	if err := s.client.DialAndSendWithContext(ctx, msg); err != nil {
		var se *gomail.SendError
		if errors.As(err, &se) && se.Reason == gomail.ErrSMTPRcptTo && !se.IsTemp() && se.ErrorCode() >= 500 {
			return fmt.Errorf("smtp: send: %w", &mail.BounceError{Addresses: m.To, Answer: se.Error()})
		}
		return fmt.Errorf("smtp: send: %w", err)
	}
	return nil
}
