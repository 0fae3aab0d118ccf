package inbound

import (
	"bufio"
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/mail"
	"net/textproto"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/htmlindex"
)

// Errors returned by Parse. Each is wrapped with a short human reason, so
// errors.Is tells the kind and Error gives the reason.
var (
	// ErrMalformed reports a message that cannot be decoded: a broken
	// header, a missing or duplicated From, invalid MIME structure or
	// content transfer encoding.
	ErrMalformed = errors.New("malformed message")
	// ErrTooComplex reports a message beyond the structural limits: too many
	// MIME parts, nesting too deep, too many attachments.
	ErrTooComplex = errors.New("message too complex")
	// ErrTooBig reports a message, or its header section, beyond the size
	// limits.
	ErrTooBig = errors.New("message too big")
)

// Limits bound what Parse accepts. A zero field takes its default.
type Limits struct {
	MaxMessageBytes int64 // whole message; default 10 MiB
	MaxHeaderBytes  int   // top-level header section; default 64 KiB
	MaxParts        int   // MIME parts, containers included; default 50
	MaxDepth        int   // levels of multipart nesting; default 5
	MaxText         int   // bytes of body text kept; default 256 KiB
	MaxAttachments  int   // default 10
}

// Defaults of Limits.
const (
	DefaultMaxMessageBytes = 10 << 20
	DefaultMaxHeaderBytes  = 64 << 10
	DefaultMaxParts        = 50
	DefaultMaxDepth        = 5
	DefaultMaxText         = 256 << 10
	DefaultMaxAttachments  = 10
)

// Bounds that are not configurable.
const (
	maxSubjectRunes = 256 // longer subjects end with "…"
	maxIDs          = 100 // ids kept from In-Reply-To and References
	maxIDLen        = 250 // longer message ids are ignored
	maxNameBytes    = 200 // attachment names are shortened to this
)

// TruncatedMarker ends a body text cut at Limits.MaxText.
const TruncatedMarker = "\n\n[… testo troncato]"

func (l Limits) withDefaults() Limits {
	if l.MaxMessageBytes <= 0 {
		l.MaxMessageBytes = DefaultMaxMessageBytes
	}
	if l.MaxHeaderBytes <= 0 {
		l.MaxHeaderBytes = DefaultMaxHeaderBytes
	}
	if l.MaxParts <= 0 {
		l.MaxParts = DefaultMaxParts
	}
	if l.MaxDepth <= 0 {
		l.MaxDepth = DefaultMaxDepth
	}
	if l.MaxText <= 0 {
		l.MaxText = DefaultMaxText
	}
	if l.MaxAttachments <= 0 {
		l.MaxAttachments = DefaultMaxAttachments
	}
	return l
}

// parseError is one of the Err* kinds with the reason given to the sender.
type parseError struct {
	kind   error
	reason string
}

func (e *parseError) Error() string { return "inbound: " + e.kind.Error() + ": " + e.reason }
func (e *parseError) Unwrap() error { return e.kind }

func failf(kind error, format string, a ...any) error {
	return &parseError{kind: kind, reason: fmt.Sprintf(format, a...)}
}

// Header fields that RFC 5322 allows at most once. A duplicate is refused:
// two From or Reply-To headers are a classic forgery, two Message-ID or
// In-Reply-To an attempt to thread a message into someone else's ticket.
var singleHeaders = []string{"From", "Sender", "Reply-To", "Subject", "Date", "Message-ID", "In-Reply-To", "References"}

// Parse reads one RFC 5322 message from r and decodes it within limits.
// Envelope fields (EnvelopeFrom, Recipients) are left empty and Auto
// reflects the header only. A read error from r is returned as is; a
// refused message gives an error wrapping ErrMalformed, ErrTooComplex or
// ErrTooBig.
func Parse(r io.Reader, limits Limits) (*Message, error) {
	l := limits.withDefaults()
	data, err := io.ReadAll(io.LimitReader(r, l.MaxMessageBytes+1))
	if err != nil {
		return nil, err
	}
	if int64(len(data)) > l.MaxMessageBytes {
		return nil, failf(ErrTooBig, "more than %d bytes", l.MaxMessageBytes)
	}
	return parse(data, l)
}

// parse decodes data, already bounded by l.MaxMessageBytes; l has its
// defaults.
func parse(data []byte, l Limits) (*Message, error) {
	head, body, err := splitHeader(data, l.MaxHeaderBytes)
	if err != nil {
		return nil, err
	}
	h, err := textproto.NewReader(bufio.NewReader(bytes.NewReader(head))).ReadMIMEHeader()
	if err != nil {
		return nil, failf(ErrMalformed, "invalid header section")
	}
	for _, k := range singleHeaders {
		if len(h.Values(k)) > 1 {
			return nil, failf(ErrMalformed, "more than one %s header", k)
		}
	}

	m := &Message{Size: len(data)}
	if m.From, err = fromAddress(h); err != nil {
		return nil, err
	}
	if v := h.Get("Reply-To"); v != "" {
		if list, err := addressParser.ParseList(headerText(v)); err == nil && len(list) > 0 {
			m.ReplyTo = cleanAddress(list[0])
		}
	}
	m.Subject = cleanSubject(decodeHeader(h.Get("Subject")))
	if ids := messageIDs(h.Get("Message-ID")); len(ids) > 0 {
		m.MessageID = ids[0]
	}
	m.InReplyTo = messageIDs(h.Get("In-Reply-To"))
	m.References = messageIDs(h.Get("References"))
	if d, err := mail.ParseDate(h.Get("Date")); err == nil {
		m.Date = d
	}
	m.Auto = autoHeader(h)

	w := walker{l: l}
	root, err := w.readPart(h, bytes.NewReader(body), 0)
	if err != nil {
		return nil, err
	}
	if err := w.collect(m, root); err != nil {
		return nil, err
	}
	return m, nil
}

// splitHeader returns the header section, ending with its blank line, and
// the body.
func splitHeader(data []byte, limit int) (head, body []byte, err error) {
	if bytes.HasPrefix(data, []byte("\r\n")) || bytes.HasPrefix(data, []byte("\n")) {
		return nil, nil, failf(ErrMalformed, "no From header")
	}
	window := data[:min(len(data), limit+3)]
	end := -1 // of the header section, blank line included
	if i := bytes.Index(window, []byte("\n\r\n")); i >= 0 {
		end = i + 3
	}
	if i := bytes.Index(window, []byte("\n\n")); i >= 0 && (end < 0 || i+2 < end) {
		end = i + 2
	}
	switch {
	case end >= 0 && end-2 <= limit:
		return data[:end], data[end:], nil
	case end < 0 && len(data) <= limit:
		// A message made of headers only.
		return append(append([]byte(nil), data...), "\r\n\r\n"...), nil, nil
	}
	return nil, nil, failf(ErrTooBig, "header section over %d bytes", limit)
}

func fromAddress(h textproto.MIMEHeader) (*mail.Address, error) {
	v := strings.TrimSpace(h.Get("From"))
	if v == "" {
		return nil, failf(ErrMalformed, "no From header")
	}
	list, err := addressParser.ParseList(headerText(v))
	if err != nil {
		return nil, failf(ErrMalformed, "invalid From address")
	}
	if len(list) != 1 {
		return nil, failf(ErrMalformed, "From must hold exactly one address")
	}
	return cleanAddress(list[0]), nil
}

func cleanAddress(a *mail.Address) *mail.Address {
	return &mail.Address{Name: cleanLine(a.Name), Address: strings.TrimSpace(a.Address)}
}

// autoHeader tells whether the header marks an automatic message
// (RFC 3834 and the common vendor headers).
func autoHeader(h textproto.MIMEHeader) bool {
	if v := h.Get("Auto-Submitted"); v != "" {
		kw, _, _ := strings.Cut(v, ";")
		if !strings.EqualFold(strings.TrimSpace(kw), "no") {
			return true
		}
	}
	switch strings.ToLower(strings.TrimSpace(h.Get("Precedence"))) {
	case "bulk", "junk", "list", "auto_reply":
		return true
	}
	for _, k := range []string{"X-Autoreply", "X-Autorespond", "List-Id"} {
		if len(h.Values(k)) > 0 {
			return true
		}
	}
	mt, _, _ := mime.ParseMediaType(h.Get("Content-Type"))
	return mt == "multipart/report"
}

var wordDecoder = &mime.WordDecoder{CharsetReader: charsetReader}

var addressParser = &mail.AddressParser{WordDecoder: wordDecoder}

func charsetReader(charset string, input io.Reader) (io.Reader, error) {
	enc, err := htmlindex.Get(charset)
	if err != nil {
		return nil, err
	}
	return enc.NewDecoder().Reader(input), nil
}

// headerText turns a raw header value into UTF-8: raw 8-bit text that is
// not UTF-8 is taken as Windows-1252, the usual culprit.
func headerText(v string) string {
	if utf8.ValidString(v) {
		return v
	}
	s, err := charmap.Windows1252.NewDecoder().String(v)
	if err != nil {
		return strings.ToValidUTF8(v, "\uFFFD")
	}
	return s
}

// decodeHeader decodes RFC 2047 encoded words; an undecodable value is kept
// as it is.
func decodeHeader(v string) string {
	v = headerText(v)
	if s, err := wordDecoder.DecodeHeader(v); err == nil {
		return strings.ToValidUTF8(s, "\uFFFD")
	}
	return v
}

// cleanLine collapses whitespace and drops control characters, including
// the bidirectional ones that make text display in another order.
func cleanLine(s string) string {
	s = strings.Map(func(r rune) rune {
		switch {
		case bidiControl(r):
			return -1
		case unicode.IsControl(r) || r == '\u2028' || r == '\u2029':
			return ' '
		}
		return r
	}, s)
	return strings.Join(strings.Fields(s), " ")
}

// bidiControl tells whether r is a bidirectional mark, embedding,
// override or isolate.
func bidiControl(r rune) bool {
	return r == '\u200E' || r == '\u200F' || r == '\u061C' || (r >= '\u202A' && r <= '\u202E') || (r >= '\u2066' && r <= '\u2069')
}

func cleanSubject(s string) string {
	s = cleanLine(s)
	if utf8.RuneCountInString(s) <= maxSubjectRunes {
		return s
	}
	r := []rune(s)
	return string(r[:maxSubjectRunes-1]) + "…"
}

// messageIDs returns the ids in an In-Reply-To or References value, without
// angle brackets. A value without brackets counts as one id when it is a
// single word. Beyond maxIDs, the first id and the latest ones are kept.
func messageIDs(v string) []string {
	v = strings.TrimSpace(v)
	if v == "" {
		return nil
	}
	var ids []string
	if !strings.Contains(v, "<") {
		if validID(v) {
			ids = append(ids, v)
		}
		return ids
	}
	for {
		i := strings.IndexByte(v, '<')
		if i < 0 {
			break
		}
		j := strings.IndexByte(v[i:], '>')
		if j < 0 {
			break
		}
		if id := strings.TrimSpace(v[i+1 : i+j]); validID(id) {
			ids = append(ids, id)
		}
		v = v[i+j+1:]
	}
	if len(ids) > maxIDs {
		ids = append(ids[:1], ids[len(ids)-maxIDs+1:]...)
	}
	return ids
}

func validID(id string) bool {
	if id == "" || len(id) > maxIDLen {
		return false
	}
	for _, r := range id {
		if r <= ' ' || r == 0x7f || r == '<' || r == '>' {
			return false
		}
	}
	return true
}

// part is one decoded MIME entity.
type part struct {
	mediaType  string            // lowercased, default text/plain
	params     map[string]string // Content-Type parameters
	attachment bool              // Content-Disposition: attachment
	filename   string            // as declared, decoded
	children   []*part           // for multipart/*
	data       []byte            // decoded content of a leaf
	used       bool              // taken as body text
}

func (p *part) multipart() bool { return strings.HasPrefix(p.mediaType, "multipart/") }

func (p *part) message() bool {
	return p.mediaType == "message/rfc822" || p.mediaType == "message/global"
}

// inlineText tells whether p can be the readable body.
func (p *part) inlineText() bool {
	return !p.attachment && p.filename == "" &&
		(p.mediaType == "text/plain" || p.mediaType == "text/html")
}

// walker reads the MIME tree of one message, counting parts.
type walker struct {
	l     Limits
	parts int
}

func (w *walker) readPart(h textproto.MIMEHeader, r io.Reader, depth int) (*part, error) {
	w.parts++
	if w.parts > w.l.MaxParts {
		return nil, failf(ErrTooComplex, "more than %d MIME parts", w.l.MaxParts)
	}
	p := &part{mediaType: "text/plain"}
	if v := h.Get("Content-Type"); v != "" {
		mt, params, err := mime.ParseMediaType(headerText(v))
		if err == nil || errors.Is(err, mime.ErrInvalidMediaParameter) {
			p.mediaType, p.params = mt, params
		}
	}
	var dparams map[string]string
	if v := h.Get("Content-Disposition"); v != "" {
		disp, params, err := mime.ParseMediaType(headerText(v))
		if err == nil || errors.Is(err, mime.ErrInvalidMediaParameter) {
			p.attachment = disp == "attachment"
			dparams = params
		}
	}
	p.filename = decodeHeader(dparams["filename"])
	if p.filename == "" {
		p.filename = decodeHeader(p.params["name"])
	}

	if p.multipart() {
		return p, w.readMultipart(p, r, depth)
	}
	data, err := decodeTransfer(h.Get("Content-Transfer-Encoding"), r)
	if err != nil {
		what := cleanLine(p.filename)
		if what == "" {
			what = p.mediaType
		}
		if len(what) > 60 {
			what = strings.ToValidUTF8(what[:60], "") + "…"
		}
		return nil, failf(ErrMalformed, "part %+q: %v", what, err)
	}
	p.data = data
	return p, nil
}

func (w *walker) readMultipart(p *part, r io.Reader, depth int) error {
	if depth >= w.l.MaxDepth {
		return failf(ErrTooComplex, "MIME nesting deeper than %d levels", w.l.MaxDepth)
	}
	boundary := p.params["boundary"]
	if boundary == "" {
		return failf(ErrMalformed, "%s without boundary", p.mediaType)
	}
	mr := multipart.NewReader(r, boundary)
	for {
		np, err := mr.NextRawPart()
		if errors.Is(err, io.EOF) {
			// Also a body cut before its closing boundary: the parts read
			// so far are kept.
			break
		}
		if err != nil {
			return failf(ErrMalformed, "invalid %s structure", p.mediaType)
		}
		child, err := w.readPart(np.Header, np, depth+1)
		if err != nil {
			return err
		}
		p.children = append(p.children, child)
	}
	if len(p.children) == 0 {
		return failf(ErrMalformed, "%s without parts", p.mediaType)
	}
	return nil
}

// decodeTransfer reads r and undoes its Content-Transfer-Encoding. Unknown
// encodings are read as they are. A body cut short by a missing closing
// boundary is kept.
func decodeTransfer(cte string, r io.Reader) ([]byte, error) {
	switch strings.ToLower(strings.TrimSpace(cte)) {
	case "base64":
		raw, err := readAll(r)
		if err != nil {
			return nil, err
		}
		return decodeBase64(raw)
	case "quoted-printable":
		data, err := readAll(quotedprintable.NewReader(r))
		if err != nil {
			return nil, errors.New("invalid quoted-printable")
		}
		return data, nil
	default:
		return readAll(r)
	}
}

func readAll(r io.Reader) ([]byte, error) {
	data, err := io.ReadAll(r)
	if errors.Is(err, io.ErrUnexpectedEOF) {
		err = nil
	}
	return data, err
}

// decodeBase64 ignores whitespace and missing padding, and refuses any
// other byte outside the alphabet.
func decodeBase64(raw []byte) ([]byte, error) {
	n := 0
	for _, c := range raw {
		switch c {
		case ' ', '\t', '\r', '\n':
		default:
			raw[n] = c
			n++
		}
	}
	src := bytes.TrimRight(raw[:n], "=")
	dst := make([]byte, base64.RawStdEncoding.DecodedLen(len(src)))
	m, err := base64.RawStdEncoding.Decode(dst, src)
	if err != nil {
		return nil, errors.New("invalid base64")
	}
	return dst[:m], nil
}

// collect chooses the body text of the tree rooted at root and gathers the
// attachments into m.
func (w *walker) collect(m *Message, root *part) error {
	body := pickBody(root)
	var text strings.Builder
	cut := false
	if body != nil {
		body.used = true
		s, c := bodyText(body, w.l.MaxText)
		text.WriteString(s)
		cut = c
	}
	var walk func(p *part, parent string) error
	walk = func(p *part, parent string) error {
		for i, c := range p.children {
			if p.mediaType == "multipart/signed" && i > 0 {
				continue // the signature
			}
			if err := walk(c, p.mediaType); err != nil {
				return err
			}
		}
		if p.multipart() || p.used {
			return nil
		}
		if p.inlineText() {
			// A further text in a mixed message is part of what the
			// sender wrote; other inline texts are alternatives of the
			// body.
			if parent == "multipart/mixed" && p.mediaType == "text/plain" && body != nil && body.mediaType == "text/plain" {
				if text.Len() >= w.l.MaxText {
					cut = true
					return nil
				}
				s, c := bodyText(p, w.l.MaxText-text.Len())
				text.WriteString("\n\n")
				text.WriteString(s)
				cut = cut || c
			}
			return nil
		}
		if len(m.Attachments) >= w.l.MaxAttachments {
			return failf(ErrTooComplex, "more than %d attachments", w.l.MaxAttachments)
		}
		m.Attachments = append(m.Attachments, Attachment{
			Name:        attachmentName(p, len(m.Attachments)+1),
			ContentType: p.mediaType,
			Data:        p.data,
		})
		return nil
	}
	if err := walk(root, ""); err != nil {
		return err
	}
	m.Text = truncate(tidyText(text.String()), w.l.MaxText, cut)
	return nil
}

// pickBody returns the leaf holding the readable body: a non-empty
// text/plain preferred among alternatives, otherwise the first text found.
func pickBody(p *part) *part {
	if !p.multipart() {
		if p.inlineText() {
			return p
		}
		return nil
	}
	if p.mediaType == "multipart/alternative" {
		var html, any *part
		for _, c := range p.children {
			b := pickBody(c)
			switch {
			case b == nil:
			case len(bytes.TrimSpace(b.data)) == 0:
				if any == nil {
					any = b
				}
			case b.mediaType == "text/plain":
				return b
			case html == nil:
				html = b
			}
		}
		if html != nil {
			return html
		}
		return any
	}
	for i, c := range p.children {
		if p.mediaType == "multipart/signed" && i > 0 {
			break
		}
		if b := pickBody(c); b != nil {
			return b
		}
	}
	return nil
}

// bodyText decodes a text part to UTF-8, converting HTML to plain text,
// and tells whether it was cut short. A plain text is decoded up to twice
// budget bytes, enough for budget bytes of tidied text.
func bodyText(p *part, budget int) (string, bool) {
	data, cut := p.data, false
	if p.mediaType == "text/html" {
		return htmlToText(decodeCharset(data, p.params["charset"]), budget)
	}
	if limit := 2*budget + 1024; len(data) > limit {
		data, cut = data[:limit], true
		if i := bytes.LastIndexByte(data, '\n'); i > 0 {
			data = data[:i+1]
		}
	}
	s := decodeCharset(data, p.params["charset"])
	if strings.EqualFold(p.params["format"], "flowed") {
		s = unflow(s, strings.EqualFold(p.params["delsp"], "yes"))
	}
	return s, cut
}

// decodeCharset converts data from charset to UTF-8; invalid sequences
// become U+FFFD. Without a charset, or with an unknown one, UTF-8 is
// assumed when valid and Windows-1252 otherwise.
func decodeCharset(data []byte, charset string) string {
	cs := strings.ToLower(strings.TrimSpace(charset))
	switch cs {
	case "utf-8", "utf8":
		return strings.ToValidUTF8(string(data), "\uFFFD")
	case "", "us-ascii", "ascii":
	default:
		if enc, err := htmlindex.Get(cs); err == nil {
			if out, err := enc.NewDecoder().Bytes(data); err == nil {
				return strings.ToValidUTF8(string(out), "\uFFFD")
			}
		}
	}
	if utf8.Valid(data) {
		return string(data)
	}
	out, err := charmap.Windows1252.NewDecoder().Bytes(data)
	if err != nil {
		return strings.ToValidUTF8(string(data), "\uFFFD")
	}
	return string(out)
}

// unflow joins the soft line breaks of RFC 3676 format=flowed text.
func unflow(s string, delsp bool) string {
	var b strings.Builder
	b.Grow(len(s))
	open, openDepth := false, 0 // a flowed line waits for its continuation
	for _, line := range strings.Split(s, "\n") {
		line = strings.TrimSuffix(line, "\r")
		depth := quoteDepth(line)
		content := strings.TrimPrefix(line[depth:], " ") // space-stuffing
		if open && depth != openDepth {
			b.WriteByte('\n')
			open = false
		}
		if !open && depth > 0 {
			b.WriteString(strings.Repeat(">", depth) + " ")
		}
		flowed := strings.HasSuffix(content, " ") && content != "-- "
		if flowed && delsp {
			content = content[:len(content)-1]
		}
		b.WriteString(content)
		if flowed {
			open, openDepth = true, depth
		} else {
			b.WriteByte('\n')
			open = false
		}
	}
	return b.String()
}

func quoteDepth(line string) int {
	n := 0
	for n < len(line) && line[n] == '>' {
		n++
	}
	return n
}

// tidyText normalises line ends, drops control characters and trailing
// spaces, and keeps at most one blank line in a row.
func tidyText(s string) string {
	s = strings.ReplaceAll(s, "\r\n", "\n")
	s = strings.ReplaceAll(s, "\r", "\n")
	s = strings.Map(func(r rune) rune {
		switch {
		case r == '\n' || r == '\t':
			return r
		case r == '\uFEFF' || unicode.IsControl(r):
			return -1
		}
		return r
	}, s)
	lines := strings.Split(s, "\n")
	out := lines[:0]
	blank := 0
	for _, line := range lines {
		line = strings.TrimRightFunc(line, unicode.IsSpace)
		if line == "" {
			blank++
			if blank > 1 {
				continue
			}
		} else {
			blank = 0
		}
		out = append(out, line)
	}
	return strings.TrimSpace(strings.Join(out, "\n"))
}

// truncate cuts s to at most limit bytes, on a rune boundary, ending with
// TruncatedMarker; with cut set, the marker is added in any case.
func truncate(s string, limit int, cut bool) string {
	if len(s) <= limit && !cut {
		return s
	}
	marker := TruncatedMarker
	if limit < 4*len(marker) {
		marker = ""
	}
	n := min(len(s), limit-len(marker))
	for n > 0 && n < len(s) && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + marker
}

// attachmentName returns the declared file name without any path, control
// or reserved character, or a made-up one when none is usable.
func attachmentName(p *part, n int) string {
	name := p.filename
	if i := strings.LastIndexAny(name, `/\`); i >= 0 {
		name = name[i+1:]
	}
	name = strings.Map(func(r rune) rune {
		switch {
		case unicode.IsControl(r), unicode.Is(unicode.Cf, r), r == '\uFFFD':
			return -1
		case strings.ContainsRune(`<>:"|?*`, r):
			return '_'
		}
		return r
	}, name)
	name = strings.TrimLeft(strings.TrimSpace(name), ". ")
	name = strings.TrimRight(name, ". ")
	if len(name) > maxNameBytes {
		ext := ""
		if i := strings.LastIndexByte(name, '.'); i >= 0 && len(name)-i <= 16 {
			ext = name[i:]
		}
		cut := maxNameBytes - len(ext)
		for cut > 0 && !utf8.RuneStart(name[cut]) {
			cut--
		}
		name = name[:cut] + ext
	}
	if name != "" {
		return name
	}
	if p.message() {
		return fmt.Sprintf("messaggio-%d.eml", n)
	}
	return fmt.Sprintf("allegato-%d%s", n, extension(p.mediaType))
}

func extension(mediaType string) string {
	switch mediaType {
	case "application/pdf":
		return ".pdf"
	case "image/jpeg":
		return ".jpg"
	case "image/png":
		return ".png"
	case "image/gif":
		return ".gif"
	case "text/plain":
		return ".txt"
	case "text/html":
		return ".html"
	case "text/calendar":
		return ".ics"
	case "message/rfc822", "message/global":
		return ".eml"
	}
	return ".bin"
}
