package mail

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"testing"
)

func TestLogSenderKeepsBodiesForDebug(t *testing.T) {
	m := Message{To: []string{"sindaco@comune.example.it"}, Subject: "Registrazione ricevuta", Text: "Apri https://pass/area-riservata?token=segreto"}
	for level, wantBody := range map[slog.Level]bool{slog.LevelInfo: false, slog.LevelDebug: true} {
		var buf bytes.Buffer
		s := &Log{Logger: slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: level}))}
		if err := s.Send(context.Background(), m); err != nil {
			t.Fatal(err)
		}
		out := buf.String()
		if !strings.Contains(out, "Registrazione ricevuta") || strings.Contains(out, "segreto") != wantBody {
			t.Errorf("level %v: %s", level, out)
		}
	}
}

func TestLogSenderNamesAttachmentsOnly(t *testing.T) {
	m := Message{To: []string{"giulia@comune.example.it"}, Subject: "Re: [Assistenza #7]", Text: "t",
		Attachments: []Attachment{{Name: "verbale.pdf", ContentType: "application/pdf", Data: []byte("%PDF-contenuto-riservato")}}}
	var buf bytes.Buffer
	s := &Log{Logger: slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))}
	if err := s.Send(context.Background(), m); err != nil {
		t.Fatal(err)
	}
	if out := buf.String(); !strings.Contains(out, "verbale.pdf (24 bytes)") || strings.Contains(out, "contenuto-riservato") {
		t.Errorf("log: %s", out)
	}
}
