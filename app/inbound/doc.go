// Package inbound is the help desk's inbound e-mail: an SMTP (or LMTP)
// server that receives the mail a front MTA relays for the help desk's
// domain, decodes each message within fixed limits and hands it to a
// Handler.
//
// The server offers no authentication and no TLS. It listens on loopback
// (or a Unix socket) and refuses any other TCP address unless
// Config.Public is set. It advertises 8BITMIME, SMTPUTF8, CHUNKING, SIZE
// and PIPELINING.
//
// # What a message becomes
//
// Parse turns the raw message into a Message: the From address (required,
// exactly one), Reply-To, the decoded Subject, the thread ids, the Date,
// one readable Text and the Attachments.
//
//   - Text is the text/plain body, preferred in multipart/alternative; an
//     HTML-only body is converted to plain text; further plain texts of a
//     multipart/mixed are appended. Charsets are decoded to UTF-8 (an
//     unknown or missing charset: UTF-8 if valid, else Windows-1252);
//     format=flowed is joined. Text longer than MaxText is cut and ends
//     with TruncatedMarker. Message.NewText drops the quoted previous
//     message, for threading a reply into a ticket.
//   - Attachments are the parts with a file name or an attachment
//     disposition, and any non-text part, including those inside the
//     HTML alternative. A message/rfc822 part is kept whole as a .eml
//     attachment, not parsed. Signatures of multipart/signed are dropped.
//     Names lose any path and control character; a part without a name
//     gets one ("allegato-2.pdf"). ContentType is the declared type: the
//     caller checks the content.
//   - Auto is set for Auto-Submitted other than "no"; Precedence bulk,
//     junk, list or auto_reply; X-Autoreply, X-Autorespond or List-Id; a
//     multipart/report; an empty envelope sender or MAILER-DAEMON. The
//     help desk must not answer such a message.
//
// Undecodable base64 or quoted-printable in any part refuses the whole
// message (554 5.6.0, naming the part): the sender gets a bounce saying
// why, rather than a ticket silently missing a file. Whitespace and
// missing padding in base64 are tolerated, and so is a multipart body cut
// before its closing boundary.
//
// # Limits and answers
//
// Defaults in brackets; each is a field of Config (of its Limits for the
// parser alone).
//
//	unknown recipient (Handler.Accept)          550 5.1.1
//	more than MaxRecipients [10]                 452 4.5.3 at the extra RCPT TO
//	more than MaxMessageBytes [10 MiB]           552 5.3.4 (SIZE= over it: at MAIL FROM)
//	header section over MaxHeaderBytes [64 KiB]  552 5.3.4
//	no From, several From, a From of several
//	  addresses, a duplicate Sender, Reply-To,
//	  Subject, Date, Message-ID, In-Reply-To or
//	  References, broken MIME structure,
//	  undecodable base64/quoted-printable        554 5.6.0 Malformed message: <reason>
//	more than MaxParts [50] MIME parts,
//	  nesting deeper than MaxDepth [5],
//	  more than MaxAttachments [10]              554 5.6.0 Message too complex: <reason>
//	a line over 2000 bytes                       500 5.5.2, then the connection is closed
//	Handler.Deliver returns a *Rejected          its code (5xx) and text
//	Handler.Deliver returns another error        451 4.3.0 (the MTA retries)
//	client silent for ReadTimeout [60s]          connection closed, nothing delivered
//	delivered                                    250 2.0.0
//
// ReadTimeout bounds each command and the whole DATA transfer of a
// message; WriteTimeout [60s] each reply; DeliverTimeout [30s] each call to
// the Handler. At most MaxConnections [20] connections are served at once;
// others wait in the listen queue. MaxText [256 KiB] bounds the body text
// kept; the subject keeps 256 runes, In-Reply-To and References 100 ids.
//
// Every message gets one log line (envelope, recipients, size, outcome,
// code, header From, Message-ID), never its content.
package inbound
