package inbound_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"

	"passhub/app/inbound"
)

func ExampleParse() {
	raw := "From: =?utf-8?q?Nicol=C3=B2?= <nicolo@example.org>\r\n" +
		"Subject: =?utf-8?q?Richiesta_di_assistenza_=E2=80=93_SPID?=\r\n" +
		"In-Reply-To: <t-42@comune.example.it>\r\n" +
		"Content-Type: text/plain; charset=utf-8\r\n" +
		"\r\n" +
		"Funziona, grazie.\r\n" +
		"\r\n" +
		"Il giorno lun 3 giu 2024 alle ore 10:00 Ufficio ha scritto:\r\n" +
		"> Provi ora.\r\n"
	m, err := inbound.Parse(strings.NewReader(raw), inbound.Limits{})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(m.From.Name, m.From.Address)
	fmt.Println(m.Subject)
	fmt.Println(m.InReplyTo)
	fmt.Println(m.NewText())

	_, err = inbound.Parse(strings.NewReader("Subject: anonima\r\n\r\nx"), inbound.Limits{})
	fmt.Println(errors.Is(err, inbound.ErrMalformed), err)
	// Output:
	// Nicolò nicolo@example.org
	// Richiesta di assistenza – SPID
	// [t-42@comune.example.it]
	// Funziona, grazie.
	// true inbound: malformed message: no From header
}

// helpDesk is a Handler for the example.
type helpDesk struct{}

func (helpDesk) Accept(_ context.Context, rcpt string) error {
	if rcpt != "assistenza@comune.example.it" {
		return inbound.ErrUnknownRecipient
	}
	return nil
}

func (helpDesk) Deliver(_ context.Context, m *inbound.Message) error {
	// Open a ticket, or add m.NewText() to the one m.InReplyTo points at,
	// and acknowledge it unless m.Auto. An error makes the MTA retry.
	return nil
}

func ExampleNewServer() {
	s := inbound.NewServer(inbound.Config{Addr: "127.0.0.1:2525", Domain: "helpdesk.comune.example.it"}, helpDesk{}, slog.Default())
	go s.ListenAndServe()
	defer s.Shutdown(context.Background())
}
