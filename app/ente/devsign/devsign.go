// Package devsign makes throw-away certification authorities and signature certificates that
// carry an Italian fiscal code, and signs protocols with them in CAdES (.p7m) and PAdES. Tests
// use it to build real signed files, and the dev mode to let its personas register an ente in a
// browser; production never does.
package devsign

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/pem"
	"fmt"
	"math/big"
	"strings"
	"sync"
	"time"

	"github.com/digitorus/pdf"
	"github.com/digitorus/pdfsign/sign"
	"github.com/digitorus/pkcs7"
)

// CA is a certification authority.
type CA struct {
	Cert *x509.Certificate
	Key  crypto.Signer
}

var serial struct {
	sync.Mutex
	n int64
}

func nextSerial() *big.Int {
	serial.Lock()
	defer serial.Unlock()
	serial.n++
	return big.NewInt(time.Now().UnixNano()/1000 + serial.n)
}

// NewCA makes a self-signed certification authority named name, valid for ten years.
func NewCA(name string) (*CA, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	now := time.Now()
	tpl := &x509.Certificate{SerialNumber: nextSerial(), Subject: pkix.Name{CommonName: name, Organization: []string{name}, Country: []string{"IT"}},
		NotBefore: now.Add(-time.Hour), NotAfter: now.AddDate(10, 0, 0), IsCA: true, BasicConstraintsValid: true,
		KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageCRLSign}
	der, err := x509.CreateCertificate(rand.Reader, tpl, tpl, &key.PublicKey, key)
	if err != nil {
		return nil, err
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, err
	}
	return &CA{Cert: cert, Key: key}, nil
}

// PEM is the CA's certificate in PEM, as a trust bundle holds it.
func (ca *CA) PEM() []byte {
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: ca.Cert.Raw})
}

// Signer is a person's signature certificate and key.
type Signer struct {
	Cert  *x509.Certificate
	Key   crypto.Signer
	Chain []*x509.Certificate // the issuing CA
}

// Options change the certificate Issue makes.
type Options struct {
	NotBefore, NotAfter time.Time // default: valid from an hour ago for two years
	// SerialNumber is the subject's serialNumber; default "TINIT-" and the fiscal code.
	SerialNumber string
	// CommonName is the subject's common name; default "given family".
	CommonName string
}

// Issue makes a signature certificate for a person with the fiscal code (bare or "TINIT-…").
func (ca *CA) Issue(given, family, fiscalCode string, o ...Options) (*Signer, error) {
	var opt Options
	if len(o) > 0 {
		opt = o[0]
	}
	now := time.Now()
	if opt.NotBefore.IsZero() {
		opt.NotBefore = now.Add(-time.Hour)
	}
	if opt.NotAfter.IsZero() {
		opt.NotAfter = now.AddDate(2, 0, 0)
	}
	if opt.SerialNumber == "" {
		opt.SerialNumber = "TINIT-" + strings.TrimPrefix(strings.ToUpper(fiscalCode), "TINIT-")
	}
	if opt.CommonName == "" {
		opt.CommonName = given + " " + family
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	subject := pkix.Name{Country: []string{"IT"}, CommonName: opt.CommonName, SerialNumber: opt.SerialNumber,
		ExtraNames: []pkix.AttributeTypeAndValue{
			{Type: asn1.ObjectIdentifier{2, 5, 4, 42}, Value: given},
			{Type: asn1.ObjectIdentifier{2, 5, 4, 4}, Value: family},
		}}
	tpl := &x509.Certificate{SerialNumber: nextSerial(), Subject: subject, NotBefore: opt.NotBefore, NotAfter: opt.NotAfter,
		KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageContentCommitment}
	der, err := x509.CreateCertificate(rand.Reader, tpl, ca.Cert, &key.PublicKey, ca.Key)
	if err != nil {
		return nil, err
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, err
	}
	return &Signer{Cert: cert, Key: key, Chain: []*x509.Certificate{ca.Cert}}, nil
}

// CAdES wraps content in a CMS SignedData envelope (.p7m, DER) signed by s, with the signing
// time and the certificates.
func (s *Signer) CAdES(content []byte) ([]byte, error) {
	sd, err := pkcs7.NewSignedData(content)
	if err != nil {
		return nil, err
	}
	sd.SetDigestAlgorithm(pkcs7.OIDDigestAlgorithmSHA256)
	if err := sd.AddSignerChain(s.Cert, s.Key, s.Chain, pkcs7.SignerInfoConfig{}); err != nil {
		return nil, fmt.Errorf("devsign: cades: %w", err)
	}
	return sd.Finish()
}

// PAdES signs a PDF with s, returning the PDF with the signature inside.
func (s *Signer) PAdES(pdfData []byte) ([]byte, error) {
	rdr, err := pdf.NewReader(bytes.NewReader(pdfData), int64(len(pdfData)))
	if err != nil {
		return nil, fmt.Errorf("devsign: pades: %w", err)
	}
	var out bytes.Buffer
	err = sign.Sign(bytes.NewReader(pdfData), &out, rdr, int64(len(pdfData)), sign.SignData{
		Signature: sign.SignDataSignature{Info: sign.SignDataSignatureInfo{Name: s.Cert.Subject.CommonName,
			Reason: "Protocollo di Collaborazione", Date: time.Now()}, CertType: sign.ApprovalSignature},
		Signer: s.Key, DigestAlgorithm: crypto.SHA256, Certificate: s.Cert,
		CertificateChains: [][]*x509.Certificate{append([]*x509.Certificate{s.Cert}, s.Chain...)},
	})
	if err != nil {
		return nil, fmt.Errorf("devsign: pades: %w", err)
	}
	return out.Bytes(), nil
}

var dev struct {
	once sync.Once
	ca   *CA
	err  error
}

// DevCA is the process's own certification authority for the dev mode, made at first use.
func DevCA() (*CA, error) {
	dev.once.Do(func() { dev.ca, dev.err = NewCA("PAsS dev CA (non valida)") })
	return dev.ca, dev.err
}
