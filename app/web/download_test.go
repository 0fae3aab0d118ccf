package web

import (
	"mime"
	"testing"

	"passhub/app/storage"
)

func TestContentDisposition(t *testing.T) {
	cases := map[string]string{
		"verbale.pdf":          `attachment; filename="verbale.pdf"`,
		"città e città.pdf":    `attachment; filename="citta e citta.pdf"; filename*=UTF-8''citt%C3%A0%20e%20citt%C3%A0.pdf`,
		"report\u202efdp.csv":  `attachment; filename="reportfdp.csv"`,
		"preventivo 100%.xlsx": `attachment; filename="preventivo 100_.xlsx"; filename*=UTF-8''preventivo%20100%25.xlsx`,
		"日本.pdf":               `attachment; filename="__.pdf"; filename*=UTF-8''%E6%97%A5%E6%9C%AC.pdf`,
		"a\\b\".txt":           `attachment; filename="b_.txt"`,
	}
	for in, want := range cases {
		got := ContentDisposition(in)
		if got != want {
			t.Errorf("ContentDisposition(%q)\n = %s\nwant %s", in, got, want)
			continue
		}
		// Go's own RFC 2231 reader finds the UTF-8 name when there is one.
		_, params, err := mime.ParseMediaType(got)
		if err != nil || params["filename"] != storage.CleanName(in, "") {
			t.Errorf("%s: unreadable: %v %v", got, params, err)
		}
	}
}
