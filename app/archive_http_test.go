package app_test

import (
	"archive/zip"
	"bytes"
	"context"
	"strconv"
	"strings"
	"testing"

	"passhub/app/apptest"
)

// TestArchiveBombRefused: a ZIP whose entries declare gigabytes is refused at upload with a
// message saying why, and nothing is stored.
func TestArchiveBombRefused(t *testing.T) {
	t.Parallel()
	s := apptest.Start(t)
	ctx := context.Background()
	mayor := s.Login(t, "RSSMRA80A01F205X", "Mario", "Rossi")
	users, _, _ := s.Identity.Users(ctx, "rossi", 1)
	apptest.ApprovedEnte(t, s.App, "013041", "Cantù", "CO", users[0].ID)
	form := map[string]string{"procedure": "VA-01", "title": "Arretrato VIA del polo logistico",
		"description": "Quaranta istanze in attesa da mesi, un solo istruttore.", "desired_outcome": "Tempi medi sotto i 150 giorni."}
	res, _ := postMultipart(t, s, "/area-riservata/richieste/nuova", mayor, form, "attachment", "elenco.csv", []byte("pratica;giorni\n1;200\n"))
	if res.StatusCode != 303 {
		t.Fatalf("filing: %d", res.StatusCode)
	}
	page := res.Header.Get("Location")
	id, _ := strconv.ParseInt(strings.TrimPrefix(page, "/area-riservata/richieste/"), 10, 64)

	var bomb bytes.Buffer
	w := zip.NewWriter(&bomb)
	f, _ := w.CreateRaw(&zip.FileHeader{Name: "zero.bin", Method: zip.Deflate, CompressedSize64: 2, UncompressedSize64: 4 << 30})
	f.Write([]byte{3, 0})
	w.Close()
	res, body := postMultipart(t, s, page+"/messaggi", mayor, map[string]string{"body": "Ecco gli allegati."}, "file", "allegati.zip", bomb.Bytes())
	if alert := parse(t, body).Find("[role=alert]").Text(); res.StatusCode != 422 || !strings.Contains(alert, "troppo grande una volta estratto") {
		t.Errorf("zip bomb: %d %q", res.StatusCode, alert)
	}
	if docs, _ := s.Workspace.Documents(ctx, id); len(docs) != 1 {
		t.Errorf("%d documents after a refused archive", len(docs))
	}
	if msgs, _ := s.Workspace.Messages(ctx, id); len(msgs) != 0 {
		t.Errorf("%d messages stored with a refused archive", len(msgs))
	}
}
