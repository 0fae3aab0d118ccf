package ente

import (
	"bytes"
	"fmt"
	"time"

	"github.com/go-pdf/fpdf"
)

// protocolClauses are the articles of the Protocollo di Collaborazione. The text is Italian
// only: it is a legal agreement between Italian administrations.
var protocolClauses = []struct{ Title, Text string }{
	{"Art. 1 – Oggetto", "Il presente Protocollo regola la collaborazione tra Regione Lombardia e l'Ente sottoscrittore per il supporto tecnico degli esperti del progetto PNRR «1000 esperti» sulle procedure complesse, attraverso la piattaforma PAsS."},
	{"Art. 2 – Impegni della Regione", "La Regione mette a disposizione dell'Ente, tramite le task force, gli esperti per l'analisi delle procedure, la riduzione dell'arretrato e il rafforzamento delle competenze, secondo le priorità concordate."},
	{"Art. 3 – Impegni dell'Ente", "L'Ente individua i propri referenti, abilitati come delegati nella piattaforma, fornisce agli esperti le informazioni e i documenti necessari e collabora alla misurazione dei risultati."},
	{"Art. 4 – Modalità di lavoro", "Le richieste di assistenza, i documenti, le integrazioni e gli esiti sono gestiti esclusivamente nell'area riservata della piattaforma PAsS, che ne conserva la traccia."},
	{"Art. 5 – Riservatezza e trattamento dei dati", "Le parti trattano i dati personali nel rispetto del Regolamento (UE) 2016/679 e del D.Lgs. 196/2003; gli esperti sono tenuti alla riservatezza su quanto appreso nello svolgimento dell'incarico."},
	{"Art. 6 – Durata", "Il Protocollo ha efficacia dalla data di approvazione della registrazione dell'Ente fino alla conclusione del progetto e vale per tutte le richieste di assistenza dell'Ente."},
}

// ProtocolTemplate returns the Protocollo di Collaborazione as a PDF pre-filled with the
// ente's name, kind and ISTAT code, for the legal representative to sign digitally.
func ProtocolTemplate(e *Ente, now time.Time) ([]byte, error) {
	pdf := fpdf.New("P", "mm", "A4", "")
	tr := pdf.UnicodeTranslatorFromDescriptor("") // cp1252: the core fonts' Italian letters
	title := "Protocollo di Collaborazione – " + e.Name
	pdf.SetTitle(title, true)
	pdf.SetSubject("Protocollo di Collaborazione per il supporto degli esperti PNRR – piattaforma PAsS", true)
	pdf.SetAuthor("Regione Lombardia", true)
	pdf.SetCreator("PAsS", true)
	pdf.SetLang("it-IT")
	pdf.SetCreationDate(now)
	pdf.SetModificationDate(now)
	pdf.SetMargins(20, 20, 20)
	pdf.SetAutoPageBreak(true, 20)
	pdf.AddPage()

	pdf.SetFont("Helvetica", "B", 16)
	pdf.MultiCell(0, 8, tr("Protocollo di Collaborazione"), "", "C", false)
	pdf.SetFont("Helvetica", "", 11)
	pdf.MultiCell(0, 6, tr("tra Regione Lombardia e l'Ente sotto indicato per il supporto degli esperti PNRR «1000 esperti»"), "", "C", false)
	pdf.Ln(6)

	pdf.SetFont("Helvetica", "B", 12)
	pdf.MultiCell(0, 7, tr("Ente: "+e.Name), "", "L", false)
	pdf.SetFont("Helvetica", "", 11)
	kind := map[string]string{KindComune: "Comune", KindProvincia: "Provincia", KindCittaMetro: "Città metropolitana", KindUnioneComuni: "Unione di comuni"}[e.Kind]
	line := fmt.Sprintf("Tipo: %s · Codice ISTAT: %s", kind, e.ISTAT)
	if e.Province != "" {
		line += " · Provincia: " + e.Province
	}
	pdf.MultiCell(0, 6, tr(line), "", "L", false)
	pdf.Ln(4)

	for _, c := range protocolClauses {
		pdf.SetFont("Helvetica", "B", 11)
		pdf.MultiCell(0, 6, tr(c.Title), "", "L", false)
		pdf.SetFont("Helvetica", "", 11)
		pdf.MultiCell(0, 6, tr(c.Text), "", "J", false)
		pdf.Ln(2)
	}
	pdf.Ln(6)
	pdf.MultiCell(0, 6, tr("Per l'Ente "+e.Name+", il legale rappresentante (sindaco, presidente o commissario):"), "", "L", false)
	pdf.Ln(2)
	pdf.MultiCell(0, 6, tr("Nome e cognome: ______________________________________"), "", "L", false)
	pdf.Ln(4)
	pdf.SetFont("Helvetica", "I", 10)
	pdf.MultiCell(0, 5, tr("Documento da firmare digitalmente (PAdES o CAdES) dal legale rappresentante. Una firma autografa scansionata non è valida. Non modificate il testo."), "", "L", false)
	pdf.MultiCell(0, 5, tr("Modello generato da PAsS il "+now.Format("02/01/2006")+"."), "", "L", false)

	var buf bytes.Buffer
	if err := pdf.Output(&buf); err != nil {
		return nil, fmt.Errorf("ente: protocol template: %w", err)
	}
	return buf.Bytes(), nil
}
