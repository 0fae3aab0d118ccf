package ente

import (
	"bytes"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/base64"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"
	"os"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/digitorus/pkcs7"

	"passhub/app/auth"
)

// Errors about the protocol's digital signature.
var (
	ErrNotSigned      = errors.New("ente: the protocol carries no digital signature")
	ErrBadSignature   = errors.New("ente: the protocol's signature is not valid for its content")
	ErrNoSignerCode   = errors.New("ente: the signer's certificate carries no fiscal code")
	ErrSignerMismatch = errors.New("ente: the protocol is signed by someone else")
	ErrCertExpired    = errors.New("ente: the signer's certificate is not valid now")
)

// Signature formats.
const (
	FormatCAdES = "cades" // a .p7m envelope holding the PDF
	FormatPAdES = "pades" // a PDF with the signature inside
)

// Signature is what a protocol's verified digital signature says about who signed it.
type Signature struct {
	Format     string
	SignerName string
	FiscalCode string // "TINIT-" and the 16 characters, "" when the certificate carries none
	Issuer     string
	SignedAt   time.Time // the signing time the signature declares; zero when it declares none
	// Certificates are the signer's certificate first, then the others the signature carries.
	Certificates []*x509.Certificate
}

// Signer is the signer's certificate.
func (s *Signature) Signer() *x509.Certificate {
	if s == nil || len(s.Certificates) == 0 {
		return nil
	}
	return s.Certificates[0]
}

var oidSigningTime = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 5}

// VerifySignature checks the digital signature of a protocol of type ctype (see CheckProtocol):
// a CAdES envelope must hold a PDF and verify over it; a PAdES PDF must have a signature whose
// byte range covers the whole file but its own value and verifies over those bytes. Exactly
// one person must sign, and their certificate must be valid at now. It does not check the
// certificate's chain: see Trust.
func VerifySignature(data []byte, ctype string, now time.Time) (sig *Signature, err error) {
	defer func() {
		if r := recover(); r != nil { // a hostile envelope must never take the server down
			sig, err = nil, fmt.Errorf("%w: %v", ErrBadSignature, r)
		}
	}()
	var p7 *pkcs7.PKCS7
	format := FormatPAdES
	switch ctype {
	case TypeP7M:
		format = FormatCAdES
		der, err := p7mDER(data)
		if err != nil {
			return nil, err
		}
		if p7, err = parseCMS(der); err != nil {
			return nil, fmt.Errorf("%w: %v", ErrBadSignature, err)
		}
		if !bytes.HasPrefix(p7.Content, []byte("%PDF-")) {
			return nil, fmt.Errorf("%w: the envelope holds no PDF", ErrBadSignature)
		}
	case TypePDF:
		contents, signed, err := padesParts(data)
		if err != nil {
			return nil, err
		}
		if p7, err = parseCMS(contents); err != nil {
			return nil, fmt.Errorf("%w: %v", ErrBadSignature, err)
		}
		p7.Content = signed
	default:
		return nil, ErrNotSigned
	}
	if len(p7.Signers) != 1 {
		return nil, fmt.Errorf("%w: %d signers", ErrBadSignature, len(p7.Signers))
	}
	if err := p7.Verify(); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrBadSignature, err)
	}
	cert := p7.GetOnlySigner()
	if cert == nil {
		return nil, fmt.Errorf("%w: no certificate for the signer", ErrBadSignature)
	}
	if now.Before(cert.NotBefore) || now.After(cert.NotAfter) {
		return nil, fmt.Errorf("%w: valid from %s to %s", ErrCertExpired, cert.NotBefore.Format(time.DateOnly), cert.NotAfter.Format(time.DateOnly))
	}
	sig = &Signature{Format: format, SignerName: personName(cert.Subject), FiscalCode: FiscalCodeOf(cert),
		Issuer: issuerName(cert.Issuer), Certificates: []*x509.Certificate{cert}}
	for _, c := range p7.Certificates {
		if c != cert {
			sig.Certificates = append(sig.Certificates, c)
		}
	}
	var at time.Time
	if err := p7.UnmarshalSignedAttribute(oidSigningTime, &at); err == nil {
		sig.SignedAt = at.UTC()
	}
	return sig, nil
}

// maxBERDepth bounds how deeply a signature's encoding may nest: a CMS signature with its
// certificates nests about twenty levels; the parser recurses once per level, so a hostile
// envelope of millions of nested headers would exhaust the stack and take the process down.
const maxBERDepth = 64

// parseCMS parses a CMS SignedData after checking its nesting.
func parseCMS(der []byte) (*pkcs7.PKCS7, error) {
	if berTooDeep(der, maxBERDepth) {
		return nil, fmt.Errorf("%w: the envelope nests more than %d levels", ErrBadSignature, maxBERDepth)
	}
	return pkcs7.Parse(der)
}

// berTooDeep walks the BER headers of b without recursion and reports whether constructed
// values nest deeper than max. Malformed input is left for the parser to refuse.
func berTooDeep(b []byte, max int) bool {
	type frame struct {
		end        int
		indefinite bool
	}
	var stack []frame
	for i := 0; i < len(b); {
		for len(stack) > 0 && !stack[len(stack)-1].indefinite && i >= stack[len(stack)-1].end {
			stack = stack[:len(stack)-1]
		}
		if n := len(stack); n > 0 && stack[n-1].indefinite && i+1 < len(b) && b[i] == 0 && b[i+1] == 0 {
			stack, i = stack[:n-1], i+2 // end-of-contents
			continue
		}
		tag := b[i]
		i++
		if tag&0x1f == 0x1f { // high tag number
			for i < len(b) && b[i]&0x80 != 0 {
				i++
			}
			i++
		}
		if i >= len(b) {
			return false
		}
		l := int(b[i])
		i++
		constructed := tag&0x20 != 0
		length := l
		switch {
		case l == 0x80:
			if !constructed {
				return false
			}
			stack = append(stack, frame{indefinite: true})
		case l > 0x80:
			n := l & 0x7f
			if n > 4 || i+n > len(b) {
				return false
			}
			length = 0
			for k := 0; k < n; k++ {
				length = length<<8 | int(b[i])
				i++
			}
			fallthrough
		default:
			if constructed {
				stack = append(stack, frame{end: i + length})
			} else {
				i += length
			}
		}
		if len(stack) > max {
			return true
		}
	}
	return false
}

// p7mDER returns the DER of a .p7m, which arrives as DER (BER) or as Base64, with or without
// PEM armour.
func p7mDER(data []byte) ([]byte, error) {
	if len(data) > 0 && data[0] == 0x30 {
		return data, nil
	}
	if b, _ := pem.Decode(data); b != nil {
		return b.Bytes, nil
	}
	text := strings.Join(strings.Fields(string(data)), "")
	der, err := base64.StdEncoding.DecodeString(text)
	if err != nil || len(der) == 0 || der[0] != 0x30 {
		return nil, ErrNotSigned
	}
	return der, nil
}

var byteRange = regexp.MustCompile(`/ByteRange\s*\[\s*(\d{1,12})\s+(\d{1,12})\s+(\d{1,12})\s+(\d{1,12})\s*\]`)

// padesParts finds the PDF's signature that covers the whole file but its own value, the
// /Contents hex string, and returns the CMS it holds and the bytes it signs. A signature that
// leaves bytes out (content appended after signing) does not count.
func padesParts(data []byte) (contents, signed []byte, err error) {
	n := int64(len(data))
	for _, m := range byteRange.FindAllSubmatch(data, 16) {
		var br [4]int64
		for i := range br {
			br[i], _ = strconv.ParseInt(string(m[i+1]), 10, 64)
		}
		if br[0] != 0 || br[1] < 2 || br[2] <= br[1]+1 || br[2]+br[3] != n {
			continue
		}
		gap := data[br[1]:br[2]]
		if gap[0] != '<' || gap[len(gap)-1] != '>' {
			continue
		}
		raw, err := hex.DecodeString(strings.Join(strings.Fields(string(gap[1:len(gap)-1])), ""))
		if err != nil {
			continue
		}
		signed = make([]byte, 0, br[1]+br[3])
		signed = append(append(signed, data[:br[1]]...), data[br[2]:]...)
		return raw, signed, nil
	}
	if byteRange.Match(data) {
		return nil, nil, fmt.Errorf("%w: the signature does not cover the whole file", ErrBadSignature)
	}
	return nil, nil, ErrNotSigned
}

var (
	oidSerialNumber = asn1.ObjectIdentifier{2, 5, 4, 5}
	oidCommonName   = asn1.ObjectIdentifier{2, 5, 4, 3}
	fiscalInText    = regexp.MustCompile(`[A-Z]{6}[0-9LMNPQRSTUV]{2}[A-Z][0-9LMNPQRSTUV]{2}[A-Z][0-9LMNPQRSTUV]{3}[A-Z]`)
)

// FiscalCodeOf returns the fiscal code a signature certificate carries, normalised to
// "TINIT-…", or "". Italian qualified certificates put it in the subject's serialNumber, as
// "TINIT-<code>" (ETSI EN 319 412-1), "IT:<code>", "TIN:IT-<code>" or the bare code; older
// smart cards put it at the start of the common name ("<code>/<card id>").
func FiscalCodeOf(cert *x509.Certificate) string {
	var candidates []string
	for _, oid := range []asn1.ObjectIdentifier{oidSerialNumber, oidCommonName} {
		for _, a := range cert.Subject.Names {
			if a.Type.Equal(oid) {
				if s, ok := a.Value.(string); ok {
					candidates = append(candidates, s)
				}
			}
		}
	}
	for _, c := range candidates {
		for _, m := range fiscalInText.FindAllString(strings.ToUpper(c), -1) {
			if code, err := auth.NormalizeFiscalCode(m); err == nil {
				return code
			}
		}
	}
	return ""
}

var (
	oidGivenName = asn1.ObjectIdentifier{2, 5, 4, 42}
	oidSurname   = asn1.ObjectIdentifier{2, 5, 4, 4}
)

// personName is "given name surname" from a subject, or its common name.
func personName(n pkix.Name) string {
	var given, sur string
	for _, a := range n.Names {
		s, _ := a.Value.(string)
		switch {
		case a.Type.Equal(oidGivenName):
			given = s
		case a.Type.Equal(oidSurname):
			sur = s
		}
	}
	if name := strings.TrimSpace(given + " " + sur); name != "" {
		return name
	}
	return n.CommonName
}

// issuerName is the issuer's common name and organisation.
func issuerName(n pkix.Name) string {
	parts := []string{}
	if n.CommonName != "" {
		parts = append(parts, n.CommonName)
	}
	if len(n.Organization) > 0 && n.Organization[0] != n.CommonName {
		parts = append(parts, n.Organization[0])
	}
	if len(parts) == 0 {
		return n.String()
	}
	return strings.Join(parts, ", ")
}

// Trust is the bundle of certification authorities signatures are checked against. The nil
// Trust is "no trust list configured".
type Trust struct {
	pool *x509.CertPool
	n    int
}

// LoadTrust reads a PEM bundle of CA certificates; an empty path is no trust list.
func LoadTrust(path string) (*Trust, error) {
	if path == "" {
		return nil, nil
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("ente: signature trust bundle: %w", err)
	}
	return ParseTrust(data)
}

// ParseTrust reads a PEM bundle of CA certificates; a bundle with none is an error.
func ParseTrust(pemData []byte) (*Trust, error) {
	t := &Trust{pool: x509.NewCertPool()}
	for {
		var b *pem.Block
		b, pemData = pem.Decode(pemData)
		if b == nil {
			break
		}
		if b.Type != "CERTIFICATE" {
			continue
		}
		c, err := x509.ParseCertificate(b.Bytes)
		if err != nil {
			return nil, fmt.Errorf("ente: signature trust bundle: %w", err)
		}
		t.pool.AddCert(c)
		t.n++
	}
	if t.n == 0 {
		return nil, errors.New("ente: signature trust bundle: no certificate in the file")
	}
	return t, nil
}

// Chains reports whether the first of certs chains to the bundle at time at, with the others as
// intermediates.
func (t *Trust) Chains(certs []*x509.Certificate, at time.Time) bool {
	if t == nil || len(certs) == 0 {
		return false
	}
	inter := x509.NewCertPool()
	for _, c := range certs[1:] {
		inter.AddCert(c)
	}
	_, err := certs[0].Verify(x509.VerifyOptions{Roots: t.pool, Intermediates: inter, CurrentTime: at,
		KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageAny}})
	return err == nil
}

// certsDER concatenates certificates' DER, as x509.ParseCertificates reads them back.
func certsDER(certs []*x509.Certificate) []byte {
	var b []byte
	for _, c := range certs {
		b = append(b, c.Raw...)
	}
	return b
}
