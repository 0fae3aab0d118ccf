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
// (signed with PAdES or not) or a CAdES envelope (.p7m) holding a PDF, up to max bytes, and tells
// whether a digital signature is present. It does not verify the signature's validity.
func CheckProtocol(data []byte, max int64) (contentType string, signed bool, err error) {
	switch {
	case len(data) == 0:
		return "", false, ErrProtocolMissing
	case int64(len(data)) > max:
		return "", false, ErrProtocolTooLarge
	case bytes.HasPrefix(data, []byte("%PDF-")):
		if !bytes.Contains(data[max0(len(data)-2048):], []byte("%%EOF")) {
			return "", false, ErrProtocolType
		}
		signed = bytes.Contains(data, []byte("/ByteRange")) &&
			(bytes.Contains(data, []byte("/adbe.pkcs7")) || bytes.Contains(data, []byte("/ETSI.CAdES")) ||
				bytes.Contains(data, []byte("/Type /Sig")) || bytes.Contains(data, []byte("/Type/Sig")))
		return TypePDF, signed, nil
	case len(data) > 4 && data[0] == 0x30 && (data[1] == 0x80 || data[1]&0x80 != 0) &&
		bytes.Contains(data, []byte{0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x02}) && // OID signedData
		bytes.Contains(data, []byte("%PDF-")):
		return TypeP7M, true, nil
	}
	return "", false, ErrProtocolType
}

func max0(n int) int {
	if n < 0 {
		return 0
	}
	return n
}
