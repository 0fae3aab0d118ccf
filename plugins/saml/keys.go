package saml

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"os"
	"path/filepath"
	"time"
)

// LoadOrCreateKeyPair reads a PEM key and certificate; when both paths are empty and create is
// true, it makes a self-signed pair once under dir and reuses it afterwards.
func LoadOrCreateKeyPair(keyFile, certFile, dir, commonName string, create bool) (*rsa.PrivateKey, *x509.Certificate, error) {
	if keyFile == "" && certFile == "" {
		if !create {
			return nil, nil, errors.New("a key file and a certificate file are required")
		}
		keyFile, certFile = filepath.Join(dir, "key.pem"), filepath.Join(dir, "cert.pem")
		if _, err := os.Stat(keyFile); errors.Is(err, os.ErrNotExist) {
			if err := generate(keyFile, certFile, commonName); err != nil {
				return nil, nil, err
			}
		}
	}
	keyPEM, err := os.ReadFile(keyFile)
	if err != nil {
		return nil, nil, err
	}
	certPEM, err := os.ReadFile(certFile)
	if err != nil {
		return nil, nil, err
	}
	kb, _ := pem.Decode(keyPEM)
	cb, _ := pem.Decode(certPEM)
	if kb == nil || cb == nil {
		return nil, nil, fmt.Errorf("%s or %s is not PEM", keyFile, certFile)
	}
	var key *rsa.PrivateKey
	if k, err := x509.ParsePKCS8PrivateKey(kb.Bytes); err == nil {
		var ok bool
		if key, ok = k.(*rsa.PrivateKey); !ok {
			return nil, nil, errors.New("the key is not RSA")
		}
	} else if key, err = x509.ParsePKCS1PrivateKey(kb.Bytes); err != nil {
		return nil, nil, fmt.Errorf("%s: %w", keyFile, err)
	}
	cert, err := x509.ParseCertificate(cb.Bytes)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", certFile, err)
	}
	return key, cert, nil
}

func generate(keyFile, certFile, cn string) error {
	if err := os.MkdirAll(filepath.Dir(keyFile), 0o700); err != nil {
		return err
	}
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return err
	}
	serial, _ := rand.Int(rand.Reader, big.NewInt(1<<62))
	tmpl := &x509.Certificate{SerialNumber: serial, Subject: pkix.Name{CommonName: cn, Organization: []string{"PAsS"}, Country: []string{"IT"}},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().AddDate(5, 0, 0),
		KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return err
	}
	kder, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return err
	}
	if err := os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: kder}), 0o600); err != nil {
		return err
	}
	return os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o644)
}
