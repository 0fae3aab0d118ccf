package ente

import (
	"strings"
	"time"

	"github.com/uptrace/bun"
)

// Kinds of ente.
const (
	KindComune         = "comune"
	KindProvincia      = "provincia"
	KindCittaMetro     = "citta_metropolitana"
	KindUnioneComuni   = "unione_comuni"
	StatusUnregistered = "unregistered"
	StatusPending      = "pending"
	StatusApproved     = "approved"
)

// Ente is a local administration of the registry.
type Ente struct {
	bun.BaseModel `bun:"table:enti"`

	ID        int64     `bun:"id,pk,autoincrement"`
	ISTAT     string    `bun:"istat_code"`
	Name      string    `bun:"name"`
	Kind      string    `bun:"kind"`
	Province  string    `bun:"province"`
	Region    string    `bun:"region"`
	Email     string    `bun:"email"`
	PEC       string    `bun:"pec"`
	Status    string    `bun:"status"`
	CreatedAt time.Time `bun:"created_at"`
	UpdatedAt time.Time `bun:"updated_at"`
}

// Registration states and kinds, and the roles a legal representative may declare.
const (
	RegPending  = "pending"
	RegApproved = "approved"
	RegRejected = "rejected"

	RegFirst    = "first"
	RegHandover = "handover"

	RoleSindaco     = "sindaco"
	RolePresidente  = "presidente"
	RoleCommissario = "commissario"
)

// Registration is a legal representative's application for an ente.
type Registration struct {
	bun.BaseModel `bun:"table:registrations"`

	ID             int64  `bun:"id,pk,autoincrement"`
	EnteID         int64  `bun:"ente_id"`
	ApplicantID    int64  `bun:"applicant_id"`
	Kind           string `bun:"kind"`
	Role           string `bun:"role"`
	Email          string `bun:"email"`
	PEC            string `bun:"pec"`
	ProtocolName   string `bun:"protocol_name"`
	ProtocolKey    string `bun:"protocol_key"`
	ProtocolSHA256 string `bun:"protocol_sha256"`
	ProtocolSize   int64  `bun:"protocol_size"`
	ProtocolType   string `bun:"protocol_type"`
	ProtocolSigned bool   `bun:"protocol_signed"`
	// What the protocol's verified signature says: CAdES or PAdES, the signer's name and fiscal
	// code, the certificate's issuer, the declared signing time and the certificates (DER).
	SignatureFormat  string    `bun:"signature_format"`
	SignerName       string    `bun:"signer_name"`
	SignerFiscalCode string    `bun:"signer_fiscal_code"`
	SignerIssuer     string    `bun:"signer_issuer"`
	SignedAt         time.Time `bun:"signed_at,nullzero"`
	SignerCerts      []byte    `bun:"signer_certs"`
	Status           string    `bun:"status"`
	Reason           string    `bun:"reason"`
	DecidedBy        int64     `bun:"decided_by,nullzero"`
	DecidedAt        time.Time `bun:"decided_at,nullzero"`
	CreatedAt        time.Time `bun:"created_at"`

	Ente *Ente `bun:"rel:belongs-to,join:ente_id=id"`
}

// Membership roles.
const (
	LegalRep = "legal_rep"
	Delegate = "delegate"
)

// Membership is a user's place in an ente.
type Membership struct {
	bun.BaseModel `bun:"table:memberships"`

	ID        int64     `bun:"id,pk,autoincrement"`
	EnteID    int64     `bun:"ente_id"`
	UserID    int64     `bun:"user_id"`
	Role      string    `bun:"role"`
	Enabled   bool      `bun:"enabled"`
	CreatedAt time.Time `bun:"created_at"`
	UpdatedAt time.Time `bun:"updated_at"`

	Ente *Ente `bun:"rel:belongs-to,join:ente_id=id"`
}

// Invitation asks the person with a fiscal code to become a delegate of an ente; it is accepted by
// logging in with that fiscal code before it expires.
type Invitation struct {
	bun.BaseModel `bun:"table:invitations"`

	ID         int64     `bun:"id,pk,autoincrement"`
	EnteID     int64     `bun:"ente_id"`
	FiscalCode string    `bun:"fiscal_code"`
	Email      string    `bun:"email"`
	InvitedBy  int64     `bun:"invited_by,nullzero"`
	ExpiresAt  time.Time `bun:"expires_at"`
	AcceptedAt time.Time `bun:"accepted_at,nullzero"`
	Revoked    bool      `bun:"revoked"`
	CreatedAt  time.Time `bun:"created_at"`
}

// Member is a membership with the person's name, for the delegates page.
type Member struct {
	Membership
	FiscalCode string `bun:"fiscal_code"`
	Name       string `bun:"name"`
	FamilyName string `bun:"family_name"`
	Email      string `bun:"email"`
}

// Applicant is the person who filed a registration, as their digital identity names them.
type Applicant struct {
	FiscalCode string `bun:"fiscal_code"`
	Name       string `bun:"name"`
	FamilyName string `bun:"family_name"`
	Email      string `bun:"email"`
}

// Code is the fiscal code without the identity provider's "TINIT-" prefix.
func (a *Applicant) Code() string { return strings.TrimPrefix(a.FiscalCode, "TINIT-") }
