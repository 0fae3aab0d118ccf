package inbound

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"strconv"
	"strings"
	"time"

	"github.com/emersion/go-smtp"
	"golang.org/x/net/netutil"
)

// ErrUnknownRecipient is returned by Handler.Accept, possibly wrapped, for
// an address the help desk does not serve.
var ErrUnknownRecipient = errors.New("inbound: unknown recipient")

// ErrNotLoopback is returned by Serve and ListenAndServe for a TCP address
// other than loopback when Config.Public is not set.
var ErrNotLoopback = errors.New("inbound: refusing to listen on a non-loopback address (set Config.Public)")

// Handler is the help desk's side of the server.
type Handler interface {
	// Accept is asked at RCPT TO with the lowercased address: nil accepts
	// it, ErrUnknownRecipient (or an error wrapping it) refuses it with
	// 550 5.1.1, a *Rejected with its code, any other error with 451 4.3.0.
	Accept(ctx context.Context, rcpt string) error
	// Deliver is called once per message with every accepted recipient,
	// after DATA is fully read and parsed. The message is acknowledged
	// (250) only when it returns nil, so nothing acknowledged is lost. A
	// *Rejected error refuses it permanently with its code and text; any
	// other error gives 451 4.3.0 and the sending MTA retries later.
	Deliver(ctx context.Context, m *Message) error
}

// Rejected is a permanent refusal returned by a Handler. Code is a 5xx
// reply code (554 if not), Enhanced an RFC 3463 code such as "5.7.1", Text
// a single line for the sender.
type Rejected struct {
	Code     int
	Enhanced string
	Text     string
}

func (r *Rejected) Error() string {
	return fmt.Sprintf("inbound: rejected %d %s %s", r.Code, r.Enhanced, r.Text)
}

// Config configures a Server. A zero field takes its default.
type Config struct {
	Network string // "tcp" (default) or "unix"
	Addr    string // address to listen on; default "127.0.0.1:2525"
	Domain  string // the server's host name in the greeting; default "localhost"
	LMTP    bool   // speak LMTP (RFC 2033) instead of SMTP
	// Public allows a TCP address other than loopback. The server offers
	// no authentication and no TLS: it is meant to sit behind an MTA
	// that filters and relays on loopback.
	Public bool

	MaxRecipients  int           // per message; default 10
	MaxConnections int           // served at once, others wait; default 20
	ReadTimeout    time.Duration // per command and for the whole DATA; default 60s
	WriteTimeout   time.Duration // per reply; default 60s
	DeliverTimeout time.Duration // for each Accept and Deliver call; default 30s

	Limits // of each message
}

func (c Config) withDefaults() Config {
	if c.Network == "" {
		c.Network = "tcp"
	}
	if c.Addr == "" {
		c.Addr = "127.0.0.1:2525"
	}
	if c.Domain == "" {
		c.Domain = "localhost"
	}
	if c.MaxRecipients <= 0 {
		c.MaxRecipients = 10
	}
	if c.MaxConnections <= 0 {
		c.MaxConnections = 20
	}
	if c.ReadTimeout <= 0 {
		c.ReadTimeout = 60 * time.Second
	}
	if c.WriteTimeout <= 0 {
		c.WriteTimeout = 60 * time.Second
	}
	if c.DeliverTimeout <= 0 {
		c.DeliverTimeout = 30 * time.Second
	}
	c.Limits = c.Limits.withDefaults()
	return c
}

// Server receives mail over SMTP or LMTP and hands it to a Handler.
type Server struct {
	cfg    Config
	h      Handler
	log    *slog.Logger
	smtp   *smtp.Server
	ctx    context.Context // cancelled by Close
	cancel context.CancelFunc
}

// NewServer returns a server for cfg that delivers to h and logs to log
// (slog.Default() if nil).
func NewServer(cfg Config, h Handler, log *slog.Logger) *Server {
	if log == nil {
		log = slog.Default()
	}
	s := &Server{cfg: cfg.withDefaults(), h: h, log: log}
	s.ctx, s.cancel = context.WithCancel(context.Background())
	ss := smtp.NewServer(smtp.BackendFunc(s.newSession))
	ss.Network = s.cfg.Network
	ss.Addr = s.cfg.Addr
	ss.Domain = s.cfg.Domain
	ss.LMTP = s.cfg.LMTP
	// go-smtp refuses a message that reaches its limit; one byte more
	// lets a message of exactly MaxMessageBytes through.
	ss.MaxMessageBytes = s.cfg.MaxMessageBytes + 1
	ss.MaxRecipients = s.cfg.MaxRecipients
	ss.ReadTimeout = s.cfg.ReadTimeout
	ss.WriteTimeout = s.cfg.WriteTimeout
	ss.EnableSMTPUTF8 = true
	ss.ErrorLog = slogPrinter{log}
	s.smtp = ss
	return s
}

// Serve accepts connections on l until Close or Shutdown.
func (s *Server) Serve(l net.Listener) error {
	if a, ok := l.Addr().(*net.TCPAddr); ok && !a.IP.IsLoopback() && !s.cfg.Public {
		return ErrNotLoopback
	}
	return s.smtp.Serve(netutil.LimitListener(l, s.cfg.MaxConnections))
}

// ListenAndServe listens on Config.Network and Config.Addr and serves.
func (s *Server) ListenAndServe() error {
	l, err := net.Listen(s.cfg.Network, s.cfg.Addr)
	if err != nil {
		return err
	}
	if err := s.Serve(l); err != nil {
		l.Close()
		return err
	}
	return nil
}

// Close closes the listeners and every connection at once; messages not yet
// acknowledged are left to the sending MTA.
func (s *Server) Close() error {
	s.cancel()
	return s.smtp.Close()
}

// Shutdown closes the listeners and waits for the open connections to end,
// or for ctx.
func (s *Server) Shutdown(ctx context.Context) error {
	defer s.cancel()
	return s.smtp.Shutdown(ctx)
}

func (s *Server) newSession(c *smtp.Conn) (smtp.Session, error) {
	return &session{srv: s, conn: c}, nil
}

// session is one SMTP connection's transaction state.
type session struct {
	srv   *Server
	conn  *smtp.Conn
	from  string
	rcpts []string
}

func (ss *session) Reset() {
	ss.from, ss.rcpts = "", nil
}

func (ss *session) Logout() error { return nil }

func (ss *session) Mail(from string, _ *smtp.MailOptions) error {
	ss.from, ss.rcpts = from, nil
	return nil
}

func (ss *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	rcpt := strings.ToLower(to)
	ctx, cancel := context.WithTimeout(ss.srv.ctx, ss.srv.cfg.DeliverTimeout)
	defer cancel()
	err := ss.srv.h.Accept(ctx, rcpt)
	if err == nil {
		for _, r := range ss.rcpts {
			if r == rcpt {
				return nil
			}
		}
		ss.rcpts = append(ss.rcpts, rcpt)
		return nil
	}
	reply := handlerReply(err)
	if errors.Is(err, ErrUnknownRecipient) {
		reply = &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "No such recipient here"}
	}
	ss.srv.log.Debug("inbound recipient refused", "from", ss.from, "rcpt", rcpt, "code", reply.Code, "error", err)
	return reply
}

func (ss *session) Data(r io.Reader) error {
	start := time.Now()
	var buf bytes.Buffer
	_, err := buf.ReadFrom(r)
	size := buf.Len()
	if err != nil {
		var se *smtp.SMTPError
		if errors.Is(err, smtp.ErrTooLongLine) {
			// go-smtp stops reading and closes after this reply: take in
			// what the client still sends, so that the reply reaches it.
			drainData(ss.conn.Conn(), ss.srv.cfg.MaxMessageBytes, min(time.Second, ss.srv.cfg.ReadTimeout))
		} else if !errors.As(err, &se) && !errors.Is(err, smtp.ErrDataReset) {
			// The client stalled or went away mid-DATA: whatever it sends
			// next cannot be trusted as commands.
			ss.conn.Close()
		}
		reply := ss.srv.dataReply(err)
		ss.logOutcome(nil, size, "aborted", reply, err, start)
		return reply
	}

	m, err := parse(buf.Bytes(), ss.srv.cfg.Limits)
	buf = bytes.Buffer{} // the message holds no reference to it
	if err != nil {
		reply := parseReply(err)
		ss.logOutcome(nil, size, "refused", reply, err, start)
		return reply
	}
	m.EnvelopeFrom = ss.from
	m.Recipients = append([]string(nil), ss.rcpts...)
	if ss.from == "" || strings.HasPrefix(strings.ToLower(ss.from), "mailer-daemon@") {
		m.Auto = true
	}

	ctx, cancel := context.WithTimeout(ss.srv.ctx, ss.srv.cfg.DeliverTimeout)
	defer cancel()
	if err := ss.srv.h.Deliver(ctx, m); err != nil {
		reply := handlerReply(err)
		ss.logOutcome(m, size, "not delivered", reply, err, start)
		return reply
	}
	ss.logOutcome(m, size, "delivered", nil, nil, start)
	return nil
}

// drainData reads c up to the end of DATA (CRLF.CRLF), at most limit
// bytes, until the client pauses for idle.
func drainData(c net.Conn, limit int64, idle time.Duration) {
	buf := make([]byte, 32<<10)
	tail := make([]byte, 0, 4)
	for n := int64(0); n < limit; {
		c.SetReadDeadline(time.Now().Add(idle))
		k, err := c.Read(buf)
		n += int64(k)
		chunk := append(tail, buf[:k]...)
		if bytes.Contains(chunk, []byte("\r\n.\r\n")) || err != nil {
			return
		}
		tail = append(make([]byte, 0, 4), chunk[max(0, len(chunk)-4):]...)
	}
}

// logOutcome writes the one line logged per message; never its content.
func (ss *session) logOutcome(m *Message, size int, outcome string, reply *smtp.SMTPError, err error, start time.Time) {
	code := 250
	if reply != nil {
		code = reply.Code
	}
	attrs := []any{"from", ss.from, "rcpt", ss.rcpts, "size", size, "outcome", outcome, "code", code,
		"duration", time.Since(start).Round(time.Millisecond)}
	if m != nil {
		attrs = append(attrs, "header_from", m.From.Address, "message_id", m.MessageID, "auto", m.Auto,
			"attachments", len(m.Attachments))
	}
	level := slog.LevelInfo
	if err != nil {
		attrs = append(attrs, "error", err.Error())
		level = slog.LevelWarn
	}
	ss.srv.log.Log(context.Background(), level, "inbound message", attrs...)
}

// dataReply is the answer to a DATA that could not be read.
func (s *Server) dataReply(err error) *smtp.SMTPError {
	var se *smtp.SMTPError
	switch {
	case errors.Is(err, smtp.ErrDataTooLarge):
		return &smtp.SMTPError{Code: 552, EnhancedCode: smtp.EnhancedCode{5, 3, 4},
			Message: fmt.Sprintf("Message too big: the limit is %d bytes", s.cfg.MaxMessageBytes)}
	case errors.As(err, &se):
		return se
	case errors.Is(err, smtp.ErrTooLongLine):
		return &smtp.SMTPError{Code: 500, EnhancedCode: smtp.EnhancedCode{5, 5, 2}, Message: "Line too long"}
	}
	return &smtp.SMTPError{Code: 421, EnhancedCode: smtp.EnhancedCode{4, 4, 2}, Message: "Timeout or connection error, closing"}
}

// parseReply is the answer to a message Parse refused.
func parseReply(err error) *smtp.SMTPError {
	var pe *parseError
	if !errors.As(err, &pe) {
		return &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "Temporary failure, try again later"}
	}
	switch pe.kind {
	case ErrTooBig:
		return &smtp.SMTPError{Code: 552, EnhancedCode: smtp.EnhancedCode{5, 3, 4}, Message: "Message too big: " + pe.reason}
	case ErrTooComplex:
		return &smtp.SMTPError{Code: 554, EnhancedCode: smtp.EnhancedCode{5, 6, 0}, Message: "Message too complex: " + pe.reason}
	}
	return &smtp.SMTPError{Code: 554, EnhancedCode: smtp.EnhancedCode{5, 6, 0}, Message: "Malformed message: " + pe.reason}
}

// handlerReply is the answer to an error from the Handler.
func handlerReply(err error) *smtp.SMTPError {
	var rj *Rejected
	if !errors.As(err, &rj) {
		return &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "Temporary failure, try again later"}
	}
	code := rj.Code
	if code < 500 || code > 599 {
		code = 554
	}
	text := cleanLine(rj.Text)
	if text == "" {
		text = "Message refused"
	}
	if len(text) > 200 {
		text = text[:200]
	}
	return &smtp.SMTPError{Code: code, EnhancedCode: enhancedCode(rj.Enhanced, code), Message: strings.ToValidUTF8(text, "")}
}

// enhancedCode parses "5.x.y"; anything else gives 5.0.0.
func enhancedCode(s string, code int) smtp.EnhancedCode {
	parts := strings.Split(s, ".")
	if len(parts) == 3 {
		var ec smtp.EnhancedCode
		ok := true
		for i, p := range parts {
			n, err := strconv.Atoi(p)
			if err != nil || n < 0 || n > 999 {
				ok = false
				break
			}
			ec[i] = n
		}
		if ok && ec[0] == code/100 {
			return ec
		}
	}
	return smtp.EnhancedCode{code / 100, 0, 0}
}

// slogPrinter adapts slog to go-smtp's internal error log.
type slogPrinter struct{ log *slog.Logger }

func (p slogPrinter) Printf(format string, v ...any) {
	p.log.Warn("inbound smtp", "error", fmt.Sprintf(format, v...))
}

func (p slogPrinter) Println(v ...any) {
	p.log.Warn("inbound smtp", "error", strings.TrimSpace(fmt.Sprintln(v...)))
}
