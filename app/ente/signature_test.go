package ente_test

import (
	"bytes"
	"errors"
	"os"
	"testing"
	"time"

	"passhub/app/ente"
	"passhub/app/ente/devsign"
)

const mario = "RSSMRA80A01H501U"

func template(t *testing.T) []byte {
	t.Helper()
	pdf, err := ente.ProtocolTemplate(&ente.Ente{Name: "Comune di Cantù", Kind: ente.KindComune, ISTAT: "013041", Province: "CO"}, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	return pdf
}

// TestVerifySignature signs real CAdES and PAdES files with certificates made now and checks
// what the verification accepts, refuses and reports.
func TestVerifySignature(t *testing.T) {
	ca, err := devsign.NewCA("Test Qualified CA")
	if err != nil {
		t.Fatal(err)
	}
	other, _ := devsign.NewCA("Another CA")
	signer, err := ca.Issue("Mario", "Rossi", mario)
	if err != nil {
		t.Fatal(err)
	}
	pdf := template(t)
	p7m, err := signer.CAdES(pdf)
	if err != nil {
		t.Fatal(err)
	}
	pades, err := signer.PAdES(pdf)
	if err != nil {
		t.Fatal(err)
	}
	trust, err := ente.ParseTrust(ca.PEM())
	if err != nil {
		t.Fatal(err)
	}
	otherTrust, _ := ente.ParseTrust(other.PEM())
	now := time.Now()
	for _, c := range []struct {
		name, ctype, format string
		data                []byte
	}{{"cades", ente.TypeP7M, ente.FormatCAdES, p7m}, {"pades", ente.TypePDF, ente.FormatPAdES, pades}} {
		typ, err := ente.CheckProtocol(c.data, 10<<20)
		if err != nil || typ != c.ctype {
			t.Fatalf("%s: type %q %v", c.name, typ, err)
		}
		sig, err := ente.VerifySignature(c.data, c.ctype, now)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if sig.Format != c.format || sig.FiscalCode != "TINIT-"+mario || sig.SignerName != "Mario Rossi" || sig.Issuer != "Test Qualified CA" {
			t.Errorf("%s: %+v", c.name, sig)
		}
		if sig.SignedAt.IsZero() || sig.SignedAt.Sub(now).Abs() > time.Minute {
			t.Errorf("%s: signed at %v", c.name, sig.SignedAt)
		}
		if !trust.Chains(sig.Certificates, now) || otherTrust.Chains(sig.Certificates, now) || (*ente.Trust)(nil).Chains(sig.Certificates, now) {
			t.Errorf("%s: chain to the trust bundle wrong", c.name)
		}
		// One byte of the signed content changed: refused.
		i := bytes.Index(c.data, []byte("/Title")) + 1
		tampered := bytes.Clone(c.data)
		tampered[i] ^= 0x20
		if _, err := ente.VerifySignature(tampered, c.ctype, now); !errors.Is(err, ente.ErrBadSignature) {
			t.Errorf("%s tampered: %v", c.name, err)
		}
	}
	// PAdES with bytes appended after the signature: not covered, refused.
	appended := append(bytes.Clone(pades), []byte("\n1 0 obj << /Evil true >> endobj\n%%EOF\n")...)
	if _, err := ente.VerifySignature(appended, ente.TypePDF, now); !errors.Is(err, ente.ErrBadSignature) {
		t.Errorf("appended: %v", err)
	}
	// An unsigned PDF and the 68-byte fake "signed" PDF: no signature.
	fake := []byte("%PDF-1.7\n1 0 obj << /Type /Sig /ByteRange [0 1 2 3] >> endobj\n%%EOF\n")
	for name, data := range map[string][]byte{"plain": pdf, "fake": fake} {
		typ, err := ente.CheckProtocol(data, 10<<20)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if _, err := ente.VerifySignature(data, typ, now); !errors.Is(err, ente.ErrNotSigned) && !errors.Is(err, ente.ErrBadSignature) {
			t.Errorf("%s: %v", name, err)
		}
	}
	// An expired certificate.
	old, _ := ca.Issue("Mario", "Rossi", mario, devsign.Options{NotBefore: now.AddDate(-3, 0, 0), NotAfter: now.AddDate(0, 0, -1)})
	if data, err := old.CAdES(pdf); err != nil {
		t.Fatal(err)
	} else if _, err := ente.VerifySignature(data, ente.TypeP7M, now); !errors.Is(err, ente.ErrCertExpired) && !errors.Is(err, ente.ErrBadSignature) {
		t.Errorf("expired: %v", err)
	}
}

func TestFiscalCodeOf(t *testing.T) {
	ca, _ := devsign.NewCA("CA")
	for serial, want := range map[string]string{
		"TINIT-" + mario:         "TINIT-" + mario,
		"IT:" + mario:            "TINIT-" + mario,
		"TIN:IT-" + mario:        "TINIT-" + mario,
		mario:                    "TINIT-" + mario,
		"tinit-rssmra80a01h501u": "TINIT-" + mario,
		"RSSMRA80A01H501X":       "", // wrong check character
		"12345678":               "",
	} {
		s, err := ca.Issue("Mario", "Rossi", mario, devsign.Options{SerialNumber: serial})
		if err != nil {
			t.Fatal(err)
		}
		if got := ente.FiscalCodeOf(s.Cert); got != want {
			t.Errorf("serialNumber %q: %q, want %q", serial, got, want)
		}
	}
	// An old smart card: the code at the start of the common name.
	s, _ := ca.Issue("Mario", "Rossi", mario, devsign.Options{SerialNumber: "7420012345", CommonName: mario + "/7420012345.abcd"})
	if got := ente.FiscalCodeOf(s.Cert); got != "TINIT-"+mario {
		t.Errorf("common name: %q", got)
	}
}

func TestLoadTrust(t *testing.T) {
	if tr, err := ente.LoadTrust(""); tr != nil || err != nil {
		t.Errorf("no path: %v %v", tr, err)
	}
	if _, err := ente.LoadTrust(t.TempDir() + "/missing.pem"); err == nil {
		t.Error("a missing bundle accepted")
	}
	if _, err := ente.ParseTrust([]byte("not a pem")); err == nil {
		t.Error("a bundle without certificates accepted")
	}
	ca, _ := devsign.NewCA("CA")
	path := t.TempDir() + "/trust.pem"
	if err := os.WriteFile(path, append(ca.PEM(), ca.PEM()...), 0o600); err != nil {
		t.Fatal(err)
	}
	if tr, err := ente.LoadTrust(path); err != nil || tr == nil {
		t.Errorf("bundle: %v", err)
	}
}

// TestVerifySignatureOnBrokenEnvelopes: truncated or corrupted envelopes are refused, never a panic.
func TestVerifySignatureOnBrokenEnvelopes(t *testing.T) {
	ca, _ := devsign.NewCA("CA")
	s, _ := ca.Issue("Mario", "Rossi", mario)
	pdf := template(t)
	p7m, err := s.CAdES(pdf)
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range []int{10, 100, len(p7m) / 2, len(p7m) - 1} {
		if _, err := ente.VerifySignature(p7m[:n], ente.TypeP7M, time.Now()); err == nil {
			t.Errorf("truncated at %d accepted", n)
		}
	}
	// Any byte of the signed content or of the signature value changed: refused. (Bytes of the
	// certificates' own signatures are only checked against a trust bundle: see Trust.)
	start := bytes.Index(p7m, pdf)
	if start < 0 {
		t.Fatal("the envelope does not hold the PDF as is")
	}
	var positions []int
	for i := start; i < start+len(pdf); i += len(pdf) / 20 {
		positions = append(positions, i)
	}
	for i := len(p7m) - 40; i < len(p7m); i += 7 {
		positions = append(positions, i)
	}
	for _, i := range positions {
		bad := bytes.Clone(p7m)
		bad[i] ^= 0xff
		if _, err := ente.VerifySignature(bad, ente.TypeP7M, time.Now()); err == nil {
			t.Errorf("byte %d of %d flipped accepted", i, len(p7m))
		}
	}
}

// TestVerifySignatureOnNestingBomb: millions of nested BER headers are refused at once, where the
// parser's recursion would exhaust the stack and end the process.
func TestVerifySignatureOnNestingBomb(t *testing.T) {
	for _, unit := range [][]byte{{0x30, 0x80}, {0xa0, 0x80}, {0x30, 0x84, 0x00, 0x98, 0x96, 0x80}} {
		bomb := append([]byte{0x30, 0x80, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x02}, bytes.Repeat(unit, (8<<20)/len(unit))...)
		start := time.Now()
		if _, err := ente.VerifySignature(bomb, ente.TypeP7M, time.Now()); !errors.Is(err, ente.ErrBadSignature) {
			t.Errorf("nesting bomb %x: %v", unit, err)
		}
		if d := time.Since(start); d > 2*time.Second {
			t.Errorf("nesting bomb %x took %v", unit, d)
		}
	}
}
