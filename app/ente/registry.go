package ente

import (
	"encoding/csv"
	"fmt"
	"io"
	"strings"
)

// LombardyProvinces are the provinces and the metropolitan city of Lombardia, with their ISTAT
// codes, added to the registry with the comuni.
var LombardyProvinces = []Ente{
	{ISTAT: "012", Name: "Provincia di Varese", Kind: KindProvincia, Province: "VA"},
	{ISTAT: "013", Name: "Provincia di Como", Kind: KindProvincia, Province: "CO"},
	{ISTAT: "014", Name: "Provincia di Sondrio", Kind: KindProvincia, Province: "SO"},
	{ISTAT: "016", Name: "Provincia di Bergamo", Kind: KindProvincia, Province: "BG"},
	{ISTAT: "017", Name: "Provincia di Brescia", Kind: KindProvincia, Province: "BS"},
	{ISTAT: "018", Name: "Provincia di Pavia", Kind: KindProvincia, Province: "PV"},
	{ISTAT: "019", Name: "Provincia di Cremona", Kind: KindProvincia, Province: "CR"},
	{ISTAT: "020", Name: "Provincia di Mantova", Kind: KindProvincia, Province: "MN"},
	{ISTAT: "097", Name: "Provincia di Lecco", Kind: KindProvincia, Province: "LC"},
	{ISTAT: "098", Name: "Provincia di Lodi", Kind: KindProvincia, Province: "LO"},
	{ISTAT: "108", Name: "Provincia di Monza e della Brianza", Kind: KindProvincia, Province: "MB"},
	{ISTAT: "215", Name: "Città metropolitana di Milano", Kind: KindCittaMetro, Province: "MI"},
}

// ReadRegistry reads enti from CSV lines "istat;name;kind;province" (a header line starting with
// "istat" is skipped); region is set on every ente. Bad lines are reported with their number.
func ReadRegistry(r io.Reader, region string) ([]Ente, error) {
	cr := csv.NewReader(r)
	cr.Comma = ';'
	cr.FieldsPerRecord = 4
	var out []Ente
	for line := 1; ; line++ {
		rec, err := cr.Read()
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return nil, fmt.Errorf("ente: registry line %d: %w", line, err)
		}
		if line == 1 && strings.EqualFold(rec[0], "istat") {
			continue
		}
		e := Ente{ISTAT: strings.TrimSpace(rec[0]), Name: strings.TrimSpace(rec[1]), Kind: strings.TrimSpace(rec[2]),
			Province: strings.ToUpper(strings.TrimSpace(rec[3])), Region: region}
		switch e.Kind {
		case KindComune, KindProvincia, KindCittaMetro, KindUnioneComuni:
		default:
			return nil, fmt.Errorf("ente: registry line %d: unknown kind %q", line, e.Kind)
		}
		if e.ISTAT == "" || e.Name == "" || len(e.ISTAT) > 10 {
			return nil, fmt.Errorf("ente: registry line %d: ISTAT code and name are required", line)
		}
		out = append(out, e)
	}
}
