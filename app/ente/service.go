package ente

import (
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/mail"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/uptrace/bun"

	"passhub/app/access"
	"passhub/app/audit"
	"passhub/app/auth"
	"passhub/app/db"
	"passhub/app/ente/devsign"
	"passhub/app/event"
	"passhub/app/form"
	"passhub/app/once"
	"passhub/app/storage"
)

// Errors of the ente service; handlers turn them into messages for people.
var (
	ErrAlreadyRegistered = errors.New("ente: the ente is already registered")
	ErrAlreadyPending    = errors.New("ente: the ente already has a registration awaiting a decision")
	ErrNotPending        = errors.New("ente: the registration was already decided")
	ErrReasonRequired    = errors.New("ente: a rejection needs a reason")
	ErrAlreadyMember     = errors.New("ente: that person is already a member of the ente")
	ErrNotDelegate       = errors.New("ente: only delegates can be enabled, disabled or removed")
	ErrTooManyPending    = errors.New("ente: the applicant already has as many registrations awaiting a decision as allowed")
)

// MaxPendingPerApplicant is how many registrations one person may have awaiting a decision at
// once: a mayor who is also the president of a province, or a commissioner of a few comuni, files
// a few; more is squatting.
const MaxPendingPerApplicant = 3

// FieldErrors lists the form fields that are wrong, by name, with a message id each.
type FieldErrors = form.Errors

// Actor is who performs an operation, for the audit log.
type Actor = audit.Actor

// Service owns the rules of enti, registrations and delegates.
type Service struct {
	db    *db.DB
	store Store
	files storage.Store
	// MaxProtocol is the largest protocol accepted, in bytes.
	MaxProtocol int64
	// InvitationTTL is how long an invitation can be accepted.
	InvitationTTL time.Duration
	// MaxPending is how many registrations one applicant may have awaiting a decision.
	MaxPending int
	// Trust is the bundle of certification authorities signatures are checked against; nil
	// when none is configured.
	Trust *Trust
	// DevSign lets the dev identity provider's personas download a protocol signed by the
	// process's own dev CA, so the registration can be tried in a browser; never in production.
	DevSign bool
	// Events records, inside the transaction, the events people must hear about, so that their
	// e-mails go out if and only if the change commits.
	Events *event.Dispatcher
	// EndSessions ends every session of a user, inside the transaction that disables them.
	EndSessions func(ctx context.Context, tx bun.IDB, userID int64) error
	now         func() time.Time
}

// NewService returns the ente service storing protocols in files.
func NewService(d *db.DB, files storage.Store) *Service {
	return &Service{db: d, files: files, MaxProtocol: 10 << 20, InvitationTTL: 14 * 24 * time.Hour, MaxPending: MaxPendingPerApplicant,
		EndSessions: func(context.Context, bun.IDB, int64) error { return nil },
		now:         func() time.Time { return time.Now().UTC() }}
}

// SetClock replaces the service's clock.
func (s *Service) SetClock(now func() time.Time) { s.now = now }

// Search finds enti of the registry by name or ISTAT code.
func (s *Service) Search(ctx context.Context, q string) ([]Ente, error) {
	return s.store.Search(ctx, s.db, q, 30)
}

// Ente returns one ente.
func (s *Service) Ente(ctx context.Context, id int64) (*Ente, error) {
	return s.store.Ente(ctx, s.db, id)
}

// Import adds enti to the registry or refreshes their names, by ISTAT code.
func (s *Service) Import(ctx context.Context, list []Ente) (int, error) {
	err := s.db.InTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		now := s.now()
		for i := range list {
			e := list[i]
			if e.Status == "" {
				e.Status = StatusUnregistered
			}
			e.CreatedAt, e.UpdatedAt = now, now
			if err := s.store.SaveEnte(ctx, tx, &e); err != nil {
				return err
			}
		}
		return nil
	})
	return len(list), err
}

// RegistrationForm is what a legal representative declares.
type RegistrationForm struct {
	EnteID int64
	Role   string
	Email  string
	PEC    string
}

// RolesFor lists the roles in which a legal representative may register an ente of kind: the
// head of a comune or a metropolitan city is its sindaco, of a province or a union of comuni its
// presidente; a commissario may stand in for either.
func RolesFor(kind string) []string {
	switch kind {
	case KindComune, KindCittaMetro:
		return []string{RoleSindaco, RoleCommissario}
	case KindProvincia, KindUnioneComuni:
		return []string{RolePresidente, RoleCommissario}
	}
	return []string{RoleSindaco, RolePresidente, RoleCommissario}
}

// Validate returns the fields that are wrong for an ente of kind.
func (f *RegistrationForm) Validate(kind string) FieldErrors {
	errs := FieldErrors{}
	if f.EnteID <= 0 {
		errs["ente"] = "validation.required"
	}
	switch {
	case f.Role == "":
		errs["role"] = "validation.required"
	case !slices.Contains(RolesFor(kind), f.Role):
		errs["role"] = "validation.choice"
	}
	for name, v := range map[string]string{"email": f.Email, "pec": f.PEC} {
		if v == "" {
			errs[name] = "validation.required"
		} else if a, err := mail.ParseAddress(v); err != nil || a.Address != v || utf8.RuneCountInString(v) > 254 {
			errs[name] = "validation.email"
		}
	}
	if len(errs) == 0 {
		return nil
	}
	return errs
}

// Register files a legal representative's registration of an ente with the signed protocol. An
// ente already approved goes through a handover; one with a pending registration is refused, and
// so is an applicant with MaxPending registrations awaiting a decision. The protocol must carry a
// valid digital signature of the applicant (their certificate's fiscal code is the one they
// logged in with). Nothing is stored when anything is refused.
func (s *Service) Register(ctx context.Context, who Actor, f RegistrationForm, protocolName string, protocol []byte) (*Registration, error) {
	f.Email, f.PEC = strings.TrimSpace(f.Email), strings.TrimSpace(f.PEC)
	var kind string
	if f.EnteID > 0 {
		if e, err := s.store.Ente(ctx, s.db, f.EnteID); err == nil {
			kind = e.Kind
		} else if !errors.Is(err, db.ErrNotFound) {
			return nil, fmt.Errorf("ente: register: %w", err)
		}
	}
	errs := f.Validate(kind)
	ctype, perr := CheckProtocol(protocol, s.MaxProtocol)
	var sig *Signature
	if perr == nil {
		sig, perr = VerifySignature(protocol, ctype, s.now())
		if perr == nil && sig.FiscalCode == "" {
			perr = ErrNoSignerCode
		}
	}
	if perr != nil {
		if errs == nil {
			errs = FieldErrors{}
		}
		errs["protocol"] = protocolMessage(perr)
	}
	if errs != nil {
		return nil, errs
	}
	sum := sha256.Sum256(protocol)
	hash := hex.EncodeToString(sum[:])
	ext := ".pdf"
	if ctype == TypeP7M {
		ext = ".pdf.p7m"
	}
	key := "protocols/" + hash[:2] + "/" + hash + ext
	var reg *Registration
	err := s.db.InTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		if err := once.Claim(ctx, tx); err != nil {
			return err
		}
		e, err := s.store.Ente(ctx, tx, f.EnteID)
		if err != nil {
			return err
		}
		code, err := s.store.LockApplicant(ctx, tx, who.UserID)
		if err != nil {
			return err
		}
		if code == "" || code != sig.FiscalCode {
			return FieldErrors{"protocol": "signature.protocol.other_signer"}
		}
		if n, err := s.store.PendingOf(ctx, tx, who.UserID); err != nil {
			return err
		} else if n >= s.MaxPending {
			return ErrTooManyPending
		}
		if _, err := s.store.Pending(ctx, tx, e.ID); err == nil {
			return ErrAlreadyPending
		} else if !errors.Is(err, db.ErrNotFound) {
			return err
		}
		kind := RegFirst
		if e.Status == StatusApproved {
			if m, err := s.store.MembershipOfUser(ctx, tx, e.ID, who.UserID); err == nil && m.Role == LegalRep {
				return ErrAlreadyRegistered
			}
			kind = RegHandover
		}
		now := s.now()
		reg = &Registration{EnteID: e.ID, ApplicantID: who.UserID, Kind: kind, Role: f.Role, Email: f.Email, PEC: f.PEC,
			ProtocolName: storage.CleanName(protocolName, "protocollo"+ext), ProtocolKey: key, ProtocolSHA256: hash, ProtocolSize: int64(len(protocol)),
			ProtocolType: ctype, ProtocolSigned: true, Status: RegPending, CreatedAt: now,
			SignatureFormat: sig.Format, SignerName: sig.SignerName, SignerFiscalCode: sig.FiscalCode, SignerIssuer: sig.Issuer,
			SignedAt: sig.SignedAt, SignerCerts: certsDER(sig.Certificates)}
		if err := s.store.InsertRegistration(ctx, tx, reg); err != nil {
			if errors.Is(err, db.ErrConflict) {
				return ErrAlreadyPending
			}
			return err
		}
		if err := once.Done(ctx, tx, "registration", reg.ID); err != nil {
			return err
		}
		if kind == RegFirst {
			if err := s.store.SetStatus(ctx, tx, e.ID, StatusPending, now); err != nil {
				return err
			}
		}
		if err := audit.Record(ctx, tx, audit.Entry{ActorID: who.UserID, Actor: who.Name, IP: who.IP, Action: "registration.submit",
			ObjectType: "registration", ObjectID: reg.ID, EnteID: e.ID,
			Detail: fmt.Sprintf("%s, %s, protocol %s (%d bytes, %s signed by %s, issuer %s)", kind, f.Role, hash[:12], len(protocol),
				sig.Format, sig.FiscalCode, sig.Issuer)}); err != nil {
			return err
		}
		return s.Events.InTx(ctx, tx, RegistrationSubmitted{EnteID: e.ID, RegistrationID: reg.ID})
	})
	var ferrs FieldErrors
	if errors.As(err, &ferrs) {
		return nil, ferrs
	}
	if err != nil {
		return nil, fmt.Errorf("ente: register: %w", err)
	}
	// The file is content-addressed: writing it after commit cannot leave a row pointing at
	// another file, and a failed write is reported so the applicant can retry.
	if err := s.files.Put(ctx, key, bytes.NewReader(protocol)); err != nil {
		return nil, fmt.Errorf("ente: store protocol: %w", err)
	}
	return reg, nil
}

// protocolMessage is the message id telling the applicant why their protocol was refused.
func protocolMessage(err error) string {
	switch {
	case errors.Is(err, ErrProtocolMissing):
		return "registration.protocol.missing"
	case errors.Is(err, ErrProtocolTooLarge):
		return "registration.protocol.large"
	case errors.Is(err, ErrProtocolType):
		return "registration.protocol.type"
	case errors.Is(err, ErrNotSigned):
		return "signature.protocol.unsigned"
	case errors.Is(err, ErrCertExpired):
		return "signature.protocol.expired"
	case errors.Is(err, ErrNoSignerCode):
		return "signature.protocol.no_code"
	}
	return "signature.protocol.bad_signature"
}

// SignatureChains reports whether a registration's signer certificate chains to the configured
// trust bundle at the time it was filed; configured is false when no bundle is configured.
func (s *Service) SignatureChains(r *Registration) (chains, configured bool) {
	if s.Trust == nil {
		return false, false
	}
	certs, err := x509.ParseCertificates(r.SignerCerts)
	if err != nil {
		return false, true
	}
	return s.Trust.Chains(certs, r.CreatedAt), true
}

// ErrDevOnly refuses the dev signing helper outside the dev mode.
var ErrDevOnly = errors.New("ente: test-signed protocols exist only in dev mode")

// Template returns the ente's Protocollo di Collaborazione to sign, pre-filled with its name.
func (s *Service) Template(ctx context.Context, enteID int64) (*Ente, []byte, error) {
	e, err := s.store.Ente(ctx, s.db, enteID)
	if err != nil {
		return nil, nil, err
	}
	pdf, err := ProtocolTemplate(e, s.now())
	return e, pdf, err
}

// DevSignedTemplate returns the ente's template signed, in format (FormatPAdES or FormatCAdES),
// with a certificate of the dev CA for the person named: only when DevSign is on.
func (s *Service) DevSignedTemplate(ctx context.Context, enteID int64, fiscalCode, given, family, format string) (*Ente, []byte, error) {
	if !s.DevSign {
		return nil, nil, ErrDevOnly
	}
	e, pdf, err := s.Template(ctx, enteID)
	if err != nil {
		return nil, nil, err
	}
	ca, err := devsign.DevCA()
	if err != nil {
		return nil, nil, err
	}
	signer, err := ca.Issue(given, family, fiscalCode)
	if err != nil {
		return nil, nil, err
	}
	if format == FormatCAdES {
		pdf, err = signer.CAdES(pdf)
	} else {
		pdf, err = signer.PAdES(pdf)
	}
	return e, pdf, err
}

// PendingOf counts the applicant's registrations awaiting a decision.
func (s *Service) PendingOf(ctx context.Context, userID int64) (int, error) {
	return s.store.PendingOf(ctx, s.db, userID)
}

// ApprovedProtocol returns the ente's approved registration, whose protocol is in force.
func (s *Service) ApprovedProtocol(ctx context.Context, enteID int64) (*Registration, error) {
	return s.store.ApprovedRegistration(ctx, s.db, enteID)
}

// Protocol opens the protocol file of a registration.
func (s *Service) Protocol(ctx context.Context, r *Registration) (io.ReadCloser, error) {
	return s.files.Open(ctx, r.ProtocolKey)
}

// Registration returns one registration.
func (s *Service) Registration(ctx context.Context, id int64) (*Registration, error) {
	return s.store.Registration(ctx, s.db, id)
}

// Registrations lists registrations in status (all when empty).
func (s *Service) Registrations(ctx context.Context, status string) ([]Registration, error) {
	return s.store.Registrations(ctx, s.db, status)
}

// RegistrationsOf lists the registrations a user filed.
func (s *Service) RegistrationsOf(ctx context.Context, userID int64) ([]Registration, error) {
	return s.store.RegistrationsOf(ctx, s.db, userID)
}

// Approve accepts a pending registration: the applicant becomes the ente's legal representative
// (replacing the previous one in a handover) and the ente is approved.
func (s *Service) Approve(ctx context.Context, admin Actor, regID int64) (*Registration, error) {
	var reg *Registration
	err := s.db.InTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		r, err := s.store.Registration(ctx, tx, regID)
		if err != nil {
			return err
		}
		if r.Status != RegPending {
			return ErrNotPending
		}
		now := s.now()
		r.Status, r.DecidedBy, r.DecidedAt = RegApproved, admin.UserID, now
		if err := s.store.UpdateRegistration(ctx, tx, r); err != nil {
			return err
		}
		if r.Kind == RegHandover {
			reps, err := s.store.LegalReps(ctx, tx, r.EnteID)
			if err != nil {
				return err
			}
			for _, m := range reps {
				if m.UserID == r.ApplicantID {
					continue
				}
				if err := s.store.DeleteMembership(ctx, tx, m.ID); err != nil {
					return err
				}
				if err := s.EndSessions(ctx, tx, m.UserID); err != nil {
					return err
				}
			}
		}
		m, err := s.store.MembershipOfUser(ctx, tx, r.EnteID, r.ApplicantID)
		if errors.Is(err, db.ErrNotFound) {
			m = &Membership{EnteID: r.EnteID, UserID: r.ApplicantID, CreatedAt: now}
		} else if err != nil {
			return err
		}
		m.Role, m.Enabled, m.UpdatedAt = LegalRep, true, now
		if err := s.store.SaveMembership(ctx, tx, m); err != nil {
			return err
		}
		r.Ente.Status, r.Ente.Email, r.Ente.PEC, r.Ente.UpdatedAt = StatusApproved, r.Email, r.PEC, now
		if err := s.store.UpdateEnte(ctx, tx, r.Ente); err != nil {
			return err
		}
		reg = r
		if err := audit.Record(ctx, tx, audit.Entry{ActorID: admin.UserID, Actor: admin.Name, IP: admin.IP, Action: "registration.approve",
			ObjectType: "registration", ObjectID: r.ID, EnteID: r.EnteID, Detail: r.Kind}); err != nil {
			return err
		}
		return s.Events.InTx(ctx, tx, RegistrationDecided{EnteID: r.EnteID, RegistrationID: r.ID, Approved: true})
	})
	if err != nil {
		return nil, fmt.Errorf("ente: approve %d: %w", regID, err)
	}
	return reg, nil
}

// Reject refuses a pending registration with a reason the applicant will read.
func (s *Service) Reject(ctx context.Context, admin Actor, regID int64, reason string) (*Registration, error) {
	reason = strings.TrimSpace(reason)
	if reason == "" {
		return nil, FieldErrors{"reason": "validation.required"}
	}
	if utf8.RuneCountInString(reason) > 2000 {
		return nil, FieldErrors{"reason": form.TooLong(2000)}
	}
	var reg *Registration
	err := s.db.InTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		r, err := s.store.Registration(ctx, tx, regID)
		if err != nil {
			return err
		}
		if r.Status != RegPending {
			return ErrNotPending
		}
		now := s.now()
		r.Status, r.Reason, r.DecidedBy, r.DecidedAt = RegRejected, reason, admin.UserID, now
		if err := s.store.UpdateRegistration(ctx, tx, r); err != nil {
			return err
		}
		if r.Kind == RegFirst {
			if err := s.store.SetStatus(ctx, tx, r.EnteID, StatusUnregistered, now); err != nil {
				return err
			}
		}
		reg = r
		if err := audit.Record(ctx, tx, audit.Entry{ActorID: admin.UserID, Actor: admin.Name, IP: admin.IP, Action: "registration.reject",
			ObjectType: "registration", ObjectID: r.ID, EnteID: r.EnteID, Detail: reason}); err != nil {
			return err
		}
		return s.Events.InTx(ctx, tx, RegistrationDecided{EnteID: r.EnteID, RegistrationID: r.ID})
	})
	if err != nil {
		return nil, fmt.Errorf("ente: reject %d: %w", regID, err)
	}
	return reg, nil
}

// Memberships returns a user's memberships with their enti.
func (s *Service) Memberships(ctx context.Context, userID int64) ([]Membership, error) {
	return s.store.Memberships(ctx, s.db, userID)
}

// ActingFor lists the approved enti the subject acts for: those it is an enabled member of.
func (s *Service) ActingFor(ctx context.Context, subj *access.Subject) ([]*Ente, error) {
	if !subj.ApprovedMember() {
		return nil, nil
	}
	ms, err := s.Memberships(ctx, subj.UserID)
	if err != nil {
		return nil, err
	}
	var out []*Ente
	for _, m := range ms {
		if _, ok := subj.Member(m.EnteID); ok && m.Ente != nil {
			out = append(out, m.Ente)
		}
	}
	return out, nil
}

// Members lists an ente's members.
func (s *Service) Members(ctx context.Context, enteID int64) ([]Member, error) {
	return s.store.Members(ctx, s.db, enteID)
}

// Invitations lists an ente's open invitations.
func (s *Service) Invitations(ctx context.Context, enteID int64) ([]Invitation, error) {
	return s.store.OpenInvitations(ctx, s.db, enteID, s.now())
}

// Invite asks the person with fiscalCode to become a delegate of the ente.
func (s *Service) Invite(ctx context.Context, who Actor, enteID int64, fiscalCode, email string) (*Invitation, error) {
	errs := FieldErrors{}
	code, err := auth.NormalizeFiscalCode(fiscalCode)
	if err != nil {
		errs["fiscal_code"] = "validation.fiscal_code"
	}
	email = strings.TrimSpace(email)
	if email == "" {
		errs["email"] = "validation.required"
	} else if a, err := mail.ParseAddress(email); err != nil || a.Address != email {
		errs["email"] = "validation.email"
	}
	if len(errs) > 0 {
		return nil, errs
	}
	var inv *Invitation
	err = s.db.InTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		if err := once.Claim(ctx, tx); err != nil {
			return err
		}
		var uid int64
		err := tx.NewSelect().Table("users").Column("id").Where("fiscal_code = ?", code).Scan(ctx, &uid)
		if err == nil {
			if _, err := s.store.MembershipOfUser(ctx, tx, enteID, uid); err == nil {
				return ErrAlreadyMember
			}
		}
		open, err := s.store.OpenInvitations(ctx, tx, enteID, s.now())
		if err != nil {
			return err
		}
		for _, o := range open {
			if o.FiscalCode == code {
				inv = &o
				return nil // inviting twice is harmless: the open invitation stands
			}
		}
		now := s.now()
		inv = &Invitation{EnteID: enteID, FiscalCode: code, Email: email, InvitedBy: who.UserID, ExpiresAt: now.Add(s.InvitationTTL), CreatedAt: now}
		if err := s.store.InsertInvitation(ctx, tx, inv); err != nil {
			return err
		}
		if err := once.Done(ctx, tx, "invitation", inv.ID); err != nil {
			return err
		}
		if err := audit.Record(ctx, tx, audit.Entry{ActorID: who.UserID, Actor: who.Name, IP: who.IP, Action: "delegate.invite",
			ObjectType: "invitation", ObjectID: inv.ID, EnteID: enteID, Detail: code}); err != nil {
			return err
		}
		e, err := s.store.Ente(ctx, tx, enteID)
		if err != nil {
			return err
		}
		return s.Events.InTx(ctx, tx, InvitationSent{EnteID: e.ID, InvitationID: inv.ID})
	})
	if err != nil {
		return nil, fmt.Errorf("ente: invite: %w", err)
	}
	return inv, nil
}

// RevokeInvitation withdraws an open invitation.
func (s *Service) RevokeInvitation(ctx context.Context, who Actor, enteID, id int64) error {
	return s.db.InTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		ok, err := s.store.RevokeInvitation(ctx, tx, enteID, id)
		if err != nil {
			return err
		}
		if !ok {
			return fmt.Errorf("ente: invitation %d: %w", id, db.ErrNotFound)
		}
		return audit.Record(ctx, tx, audit.Entry{ActorID: who.UserID, Actor: who.Name, IP: who.IP, Action: "delegate.invite.revoke",
			ObjectType: "invitation", ObjectID: id, EnteID: enteID})
	})
}

// AcceptInvitations turns the open invitations for a user's fiscal code into delegate
// memberships; it runs inside the login transaction.
func (s *Service) AcceptInvitations(ctx context.Context, tx bun.IDB, userID int64, fiscalCode string) error {
	invs, err := s.store.InvitationsFor(ctx, tx, fiscalCode, s.now())
	if err != nil {
		return err
	}
	now := s.now()
	for _, inv := range invs {
		if _, err := s.store.MembershipOfUser(ctx, tx, inv.EnteID, userID); errors.Is(err, db.ErrNotFound) {
			m := &Membership{EnteID: inv.EnteID, UserID: userID, Role: Delegate, Enabled: true, CreatedAt: now, UpdatedAt: now}
			if err := s.store.SaveMembership(ctx, tx, m); err != nil {
				return err
			}
		}
		if err := s.store.AcceptInvitation(ctx, tx, inv.ID, now); err != nil {
			return err
		}
		if err := audit.Record(ctx, tx, audit.Entry{ActorID: userID, Action: "delegate.accept", ObjectType: "invitation",
			ObjectID: inv.ID, EnteID: inv.EnteID}); err != nil {
			return err
		}
	}
	return nil
}

// SetDelegateEnabled enables or disables a delegate; a disabled delegate loses access at once,
// sessions included.
func (s *Service) SetDelegateEnabled(ctx context.Context, who Actor, enteID, membershipID int64, enabled bool) error {
	return s.db.InTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		m, err := s.store.Membership(ctx, tx, enteID, membershipID)
		if err != nil {
			return err
		}
		if m.Role != Delegate {
			return ErrNotDelegate
		}
		m.Enabled, m.UpdatedAt = enabled, s.now()
		if err := s.store.SaveMembership(ctx, tx, m); err != nil {
			return err
		}
		action := "delegate.enable"
		if !enabled {
			action = "delegate.disable"
			if err := s.EndSessions(ctx, tx, m.UserID); err != nil {
				return err
			}
		}
		return audit.Record(ctx, tx, audit.Entry{ActorID: who.UserID, Actor: who.Name, IP: who.IP, Action: action,
			ObjectType: "membership", ObjectID: m.ID, EnteID: enteID})
	})
}

// RemoveDelegate removes a delegate from the ente; they keep nothing of it.
func (s *Service) RemoveDelegate(ctx context.Context, who Actor, enteID, membershipID int64) error {
	return s.db.InTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		m, err := s.store.Membership(ctx, tx, enteID, membershipID)
		if err != nil {
			return err
		}
		if m.Role != Delegate {
			return ErrNotDelegate
		}
		if err := s.store.DeleteMembership(ctx, tx, m.ID); err != nil {
			return err
		}
		if err := s.EndSessions(ctx, tx, m.UserID); err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Entry{ActorID: who.UserID, Actor: who.Name, IP: who.IP, Action: "delegate.remove",
			ObjectType: "membership", ObjectID: m.ID, EnteID: enteID})
	})
}

// ByISTAT returns the ente with an ISTAT code.
func (s *Service) ByISTAT(ctx context.Context, istat string) (*Ente, error) {
	e := new(Ente)
	if err := s.db.NewSelect().Model(e).Where("istat_code = ?", istat).Scan(ctx); err != nil {
		return nil, fmt.Errorf("ente: %s: %w", istat, db.Map(err))
	}
	return e, nil
}

// EnsureDelegate makes a user an enabled delegate of an ente (demo data and imports).
func (s *Service) EnsureDelegate(ctx context.Context, enteID, userID int64) error {
	return s.db.InTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		m, err := s.store.MembershipOfUser(ctx, tx, enteID, userID)
		if err == nil {
			if m.Role == Delegate && !m.Enabled {
				m.Enabled = true
				return s.store.SaveMembership(ctx, tx, m)
			}
			return nil
		}
		if !errors.Is(err, db.ErrNotFound) {
			return err
		}
		now := s.now()
		return s.store.SaveMembership(ctx, tx, &Membership{EnteID: enteID, UserID: userID, Role: Delegate, Enabled: true, CreatedAt: now, UpdatedAt: now})
	})
}

// Count returns how many enti the registry holds.
func (s *Service) Count(ctx context.Context) (int, error) { return s.store.Count(ctx, s.db) }

// RegistryPageSize is how many enti a page of the registry lists.
const RegistryPageSize = 50

// RegistryPage returns page (from 1) of the registry filtered by q, and how many enti match.
func (s *Service) RegistryPage(ctx context.Context, q string, page int) ([]Ente, int, error) {
	return s.store.Page(ctx, s.db, q, (page-1)*RegistryPageSize, RegistryPageSize)
}

// RegistrationsOfEnte lists an ente's registrations, newest first.
func (s *Service) RegistrationsOfEnte(ctx context.Context, enteID int64) ([]Registration, error) {
	return s.store.RegistrationsOfEnte(ctx, s.db, enteID)
}

// Applicant returns who filed a registration.
func (s *Service) Applicant(ctx context.Context, r *Registration) (*Applicant, error) {
	return s.store.Applicant(ctx, s.db, r.ApplicantID)
}

// ProvinceCounts counts the registry's enti, and the approved ones, by province.
func (s *Service) ProvinceCounts(ctx context.Context) ([]ProvinceCount, error) {
	return s.store.ProvinceCounts(ctx, s.db)
}

// LastChange is the latest change of an ente of the registry, its status included (zero when empty).
func (s *Service) LastChange(ctx context.Context) (time.Time, error) {
	return s.store.LastChange(ctx, s.db)
}
