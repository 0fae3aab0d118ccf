package ente

import (
	"bytes"
	"errors"
)

// Errors about the uploaded protocol.
var (
	ErrProtocolMissing  = errors.New("ente: the signed protocol is missing")
	ErrProtocolTooLarge = errors.New("ente: the protocol file is too large")
	ErrProtocolType     = errors.New("ente: the protocol is not a PDF")
)

// Protocol content types.
const (
	TypePDF = "application/pdf"
	TypeP7M = "application/pkcs7-mime"
)

// CheckProtocol looks at the bytes of an uploaded protocol, never at its name: it accepts a PDF
// or a CMS envelope (.p7m, DER or Base64) up to max bytes, and says which. Whether it is signed,
// and by whom, is VerifySignature's question.
func CheckProtocol(data []byte, max int64) (contentType string, err error) {
	switch {
	case len(data) == 0:
		return "", ErrProtocolMissing
	case int64(len(data)) > max:
		return "", ErrProtocolTooLarge
	case bytes.HasPrefix(data, []byte("%PDF-")):
		if !bytes.Contains(data[max0(len(data)-2048):], []byte("%%EOF")) {
			return "", ErrProtocolType
		}
		return TypePDF, nil
	}
	if der, err := p7mDER(data); err == nil && len(der) > 4 && (der[1] == 0x80 || der[1]&0x80 != 0) &&
		bytes.Contains(der[:min(len(der), 64)], []byte{0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x02}) { // OID signedData
		return TypeP7M, nil
	}
	return "", ErrProtocolType
}

func max0(n int) int {
	if n < 0 {
		return 0
	}
	return n
}
