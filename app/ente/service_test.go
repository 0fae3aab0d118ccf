package ente_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"testing"
	"time"

	"passhub/app"
	"passhub/app/apptest"
	"passhub/app/audit"
	"passhub/app/auth"
	"passhub/app/db"
	"passhub/app/ente"
	"passhub/app/ente/devsign"
	"passhub/app/event"
	"passhub/app/identity"
)

// fakePDF is the 68-byte "signed" PDF a squatter filed: it names a signature and holds none.
const fakePDF = "%PDF-1.7\n1 0 obj << /Type /Sig /ByteRange [0 1 2 3] >> endobj\n%%EOF\n"

const mayorCode, otherCode = "RSSMRA80A01F205X", "VRDLGU60B01F205O"

func code(first15 string) string { return first15 + string(auth.CheckChar(first15)) }

type world struct {
	a      *app.App
	ctx    context.Context
	comune ente.Ente
	admin  ente.Actor
}

func setup(t *testing.T) *world {
	t.Helper()
	a := apptest.New(t, apptest.NoContent)
	ctx := context.Background()
	if _, err := a.Enti.Import(ctx, []ente.Ente{{ISTAT: "013041", Name: "Cantù", Kind: ente.KindComune, Province: "CO", Region: "Lombardia"}}); err != nil {
		t.Fatal(err)
	}
	found, err := a.Enti.Search(ctx, "cant")
	if err != nil || len(found) != 1 {
		t.Fatalf("search: %v %v", found, err)
	}
	return &world{a: a, ctx: ctx, comune: found[0], admin: ente.Actor{UserID: login(t, a, code("DMNMRA70A41F205"), "Ada", "Admin"), Name: "Ada Admin"}}
}

// login signs a person in as an identity provider would, returning the user id.
func login(t *testing.T, a *app.App, fiscalCode, name, family string) int64 {
	t.Helper()
	u, _, err := a.Identity.Login(context.Background(), auth.Identity{FiscalCode: fiscalCode, Name: name, FamilyName: family, Method: "spid", Level: 2}, identity.Client{})
	if err != nil {
		t.Fatal(err)
	}
	return u.ID
}

func form(enteID int64) ente.RegistrationForm {
	return ente.RegistrationForm{EnteID: enteID, Role: ente.RoleSindaco, Email: "sindaco@comune.cantu.co.it", PEC: "comune.cantu@pec.it"}
}

func TestRegistrationNeedsAValidProtocolAndFields(t *testing.T) {
	w := setup(t)
	mayor := ente.Actor{UserID: login(t, w.a, mayorCode, "Mario", "Rossi")}
	pdf := string(apptest.Protocol(t, &w.comune, mayorCode))
	cases := []struct {
		name  string
		form  ente.RegistrationForm
		file  string
		field string
	}{
		{"no protocol", form(w.comune.ID), "", "protocol"},
		{"not a pdf", form(w.comune.ID), "\x89PNG\r\n\x1a\n", "protocol"},
		{"no role", func() ente.RegistrationForm { f := form(w.comune.ID); f.Role = ""; return f }(), pdf, "role"},
		{"bad pec", func() ente.RegistrationForm { f := form(w.comune.ID); f.PEC = "pec@"; return f }(), pdf, "pec"},
		{"no ente", form(0), pdf, "ente"},
		{"a role the kind of ente has not", func() ente.RegistrationForm { f := form(w.comune.ID); f.Role = ente.RolePresidente; return f }(), pdf, "role"},
	}
	for _, c := range cases {
		_, err := w.a.Enti.Register(w.ctx, mayor, c.form, "protocollo.pdf", []byte(c.file))
		var fe ente.FieldErrors
		if !errors.As(err, &fe) || fe[c.field] == "" {
			t.Errorf("%s: %v", c.name, err)
		}
	}
	w.a.Enti.MaxProtocol = 10
	if _, err := w.a.Enti.Register(w.ctx, mayor, form(w.comune.ID), "p.pdf", []byte(pdf)); err == nil {
		t.Error("oversized protocol accepted")
	}
	regs, _ := w.a.Enti.Registrations(w.ctx, "")
	if len(regs) != 0 {
		t.Errorf("%d registrations stored from bad input", len(regs))
	}
}

func TestRegistrationLifecycle(t *testing.T) {
	w := setup(t)
	mayor := ente.Actor{UserID: login(t, w.a, mayorCode, "Mario", "Rossi"), Name: "Mario Rossi"}
	var events []string
	event.OnCommit(w.a.Events, func(_ context.Context, ev ente.RegistrationSubmitted) {
		events = append(events, "registration.submitted")
	})
	event.OnCommit(w.a.Events, func(_ context.Context, ev ente.RegistrationDecided) {
		events = append(events, map[bool]string{true: "registration.approved", false: "registration.rejected"}[ev.Approved])
	})

	pdf := string(apptest.Protocol(t, &w.comune, mayorCode))
	reg, err := w.a.Enti.Register(w.ctx, mayor, form(w.comune.ID), "Protocollo firmato.pdf", []byte(pdf))
	if err != nil {
		t.Fatal(err)
	}
	if reg.Status != ente.RegPending || !reg.ProtocolSigned || reg.ProtocolType != ente.TypePDF || len(reg.ProtocolSHA256) != 64 || reg.Kind != ente.RegFirst {
		t.Fatalf("registration %+v", reg)
	}
	f, err := w.a.Enti.Protocol(w.ctx, reg)
	if err != nil {
		t.Fatal(err)
	}
	stored, _ := io.ReadAll(f)
	f.Close()
	if string(stored) != pdf {
		t.Error("protocol not stored as uploaded")
	}
	other := ente.Actor{UserID: login(t, w.a, otherCode, "Luigi", "Verdi")}
	if _, err := w.a.Enti.Register(w.ctx, other, form(w.comune.ID), "p.pdf", apptest.Protocol(t, &w.comune, otherCode)); !errors.Is(err, ente.ErrAlreadyPending) {
		t.Errorf("second pending registration: %v", err)
	}
	if _, err := w.a.Enti.Reject(w.ctx, w.admin, reg.ID, "  "); err == nil {
		t.Error("rejection without a reason accepted")
	}
	if _, err := w.a.Enti.Approve(w.ctx, w.admin, reg.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := w.a.Enti.Approve(w.ctx, w.admin, reg.ID); !errors.Is(err, ente.ErrNotPending) {
		t.Errorf("approved twice: %v", err)
	}
	ms, _ := w.a.Enti.Memberships(w.ctx, mayor.UserID)
	if len(ms) != 1 || ms[0].Role != ente.LegalRep || !ms[0].Enabled || ms[0].Ente.Status != ente.StatusApproved {
		t.Fatalf("memberships %+v", ms)
	}
	if _, err := w.a.Enti.Register(w.ctx, mayor, form(w.comune.ID), "p.pdf", []byte(pdf)); !errors.Is(err, ente.ErrAlreadyRegistered) {
		t.Errorf("legal rep registering again: %v", err)
	}

	// After an election, the new mayor's handover replaces the legal representative once approved.
	hand, err := w.a.Enti.Register(w.ctx, other, form(w.comune.ID), "p.pdf", apptest.ProtocolP7M(t, &w.comune, otherCode))
	if err != nil || hand.Kind != ente.RegHandover || hand.ProtocolType != ente.TypeP7M || hand.SignatureFormat != ente.FormatCAdES {
		t.Fatalf("handover: %+v %v", hand, err)
	}
	if _, err := w.a.Enti.Approve(w.ctx, w.admin, hand.ID); err != nil {
		t.Fatal(err)
	}
	if ms, _ := w.a.Enti.Memberships(w.ctx, mayor.UserID); len(ms) != 0 {
		t.Errorf("old legal rep kept %+v", ms)
	}
	if ms, _ := w.a.Enti.Memberships(w.ctx, other.UserID); len(ms) != 1 || ms[0].Role != ente.LegalRep {
		t.Errorf("new legal rep: %+v", ms)
	}
	want := []string{"registration.submitted", "registration.approved", "registration.submitted", "registration.approved"}
	if strings.Join(events, " ") != strings.Join(want, " ") {
		t.Errorf("events %v, want %v", events, want)
	}
	entries, n, _ := audit.List(w.ctx, w.a.DB, audit.Filter{EnteID: w.comune.ID})
	if n != 4 || entries[0].Action != "registration.approve" {
		t.Errorf("audit: %d %+v", n, entries)
	}
}

func TestRegistrationRefusesAProtocolNotSignedByTheApplicant(t *testing.T) {
	w := setup(t)
	mayor := ente.Actor{UserID: login(t, w.a, mayorCode, "Mario", "Rossi")}
	unsigned, err := ente.ProtocolTemplate(&w.comune, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	good := apptest.Protocol(t, &w.comune, mayorCode)
	tampered := bytes.Clone(good)
	tampered[bytes.Index(tampered, []byte("/Title"))+1] ^= 0x20
	cases := []struct {
		name, file, msg string
	}{
		{"unsigned PDF", string(unsigned), "signature.protocol.unsigned"},
		{"68-byte fake signed PDF", fakePDF, "signature.protocol.bad_signature"},
		{"content changed after signing", string(tampered), "signature.protocol.bad_signature"},
		{"signed by another fiscal code", string(apptest.Protocol(t, &w.comune, otherCode)), "signature.protocol.other_signer"},
		{"p7m signed by another fiscal code", string(apptest.ProtocolP7M(t, &w.comune, otherCode)), "signature.protocol.other_signer"},
	}
	for _, c := range cases {
		_, err := w.a.Enti.Register(w.ctx, mayor, form(w.comune.ID), "p.pdf", []byte(c.file))
		var fe ente.FieldErrors
		if !errors.As(err, &fe) || fe["protocol"] != c.msg {
			t.Errorf("%s: %v", c.name, err)
		}
	}
	regs, _ := w.a.Enti.Registrations(w.ctx, "")
	if e, _ := w.a.Enti.Ente(w.ctx, w.comune.ID); len(regs) != 0 || e.Status != ente.StatusUnregistered {
		t.Errorf("refused protocols stored %d registrations, ente %s", len(regs), e.Status)
	}

	// The applicant's own signature is accepted and described; its chain is checked against the
	// trust bundle when one is configured.
	reg, err := w.a.Enti.Register(w.ctx, mayor, form(w.comune.ID), "p.pdf", good)
	if err != nil {
		t.Fatal(err)
	}
	if reg.SignerFiscalCode != "TINIT-"+mayorCode || reg.SignerName != "Firmatario Di Prova" || reg.SignerIssuer != "PAsS Test Qualified CA" ||
		reg.SignatureFormat != ente.FormatPAdES || reg.SignedAt.IsZero() {
		t.Errorf("signature recorded as %+v", reg)
	}
	reg, _ = w.a.Enti.Registration(w.ctx, reg.ID)
	if chains, configured := w.a.Enti.SignatureChains(reg); chains || configured {
		t.Errorf("without a bundle: chains %v configured %v", chains, configured)
	}
	w.a.Enti.Trust, _ = ente.ParseTrust(apptest.TestCA(t).PEM())
	if chains, configured := w.a.Enti.SignatureChains(reg); !chains || !configured {
		t.Errorf("with the test CA's bundle: chains %v configured %v", chains, configured)
	}
	other, _ := devsign.NewCA("Other CA")
	w.a.Enti.Trust, _ = ente.ParseTrust(other.PEM())
	if chains, configured := w.a.Enti.SignatureChains(reg); chains || !configured {
		t.Errorf("with another bundle: chains %v configured %v", chains, configured)
	}
}

// TestPendingRegistrationsPerApplicant: one person cannot hold more than MaxPending enti waiting.
func TestPendingRegistrationsPerApplicant(t *testing.T) {
	w := setup(t)
	mayor := ente.Actor{UserID: login(t, w.a, mayorCode, "Mario", "Rossi")}
	var list []ente.Ente
	for i := 0; i <= ente.MaxPendingPerApplicant; i++ {
		list = append(list, ente.Ente{ISTAT: fmt.Sprintf("09900%d", i), Name: fmt.Sprintf("Comune %d", i), Kind: ente.KindComune, Province: "CO"})
	}
	if _, err := w.a.Enti.Import(w.ctx, list); err != nil {
		t.Fatal(err)
	}
	var regs []*ente.Registration
	for i, e := range list {
		e, _ := w.a.Enti.ByISTAT(w.ctx, e.ISTAT)
		reg, err := w.a.Enti.Register(w.ctx, mayor, form(e.ID), "p.pdf", apptest.Protocol(t, e, mayorCode))
		if i < ente.MaxPendingPerApplicant {
			if err != nil {
				t.Fatalf("registration %d: %v", i+1, err)
			}
			regs = append(regs, reg)
			continue
		}
		if !errors.Is(err, ente.ErrTooManyPending) {
			t.Fatalf("registration %d beyond the limit: %v", i+1, err)
		}
		if e, _ := w.a.Enti.Ente(w.ctx, e.ID); e.Status != ente.StatusUnregistered {
			t.Errorf("the refused ente is %s", e.Status)
		}
		// A decision frees a place.
		if _, err := w.a.Enti.Reject(w.ctx, w.admin, regs[0].ID, "Non è il legale rappresentante."); err != nil {
			t.Fatal(err)
		}
		if _, err := w.a.Enti.Register(w.ctx, mayor, form(e.ID), "p.pdf", apptest.Protocol(t, e, mayorCode)); err != nil {
			t.Errorf("after a rejection: %v", err)
		}
	}
}

func TestRejectionFreesTheEnte(t *testing.T) {
	w := setup(t)
	mayor := ente.Actor{UserID: login(t, w.a, mayorCode, "Mario", "Rossi")}
	pdf := apptest.Protocol(t, &w.comune, mayorCode)
	reg, err := w.a.Enti.Register(w.ctx, mayor, form(w.comune.ID), "p.pdf", []byte(pdf))
	if err != nil {
		t.Fatal(err)
	}
	r, err := w.a.Enti.Reject(w.ctx, w.admin, reg.ID, "Il protocollo non è firmato dal legale rappresentante.")
	if err != nil || r.Status != ente.RegRejected || r.Reason == "" {
		t.Fatalf("reject: %+v %v", r, err)
	}
	e, _ := w.a.Enti.Ente(w.ctx, w.comune.ID)
	if e.Status != ente.StatusUnregistered {
		t.Errorf("ente status %s", e.Status)
	}
	if _, err := w.a.Enti.Register(w.ctx, mayor, form(w.comune.ID), "p.pdf", []byte(pdf)); err != nil {
		t.Errorf("registering again after a rejection: %v", err)
	}
}

func TestDelegates(t *testing.T) {
	w := setup(t)
	mayor := ente.Actor{UserID: login(t, w.a, mayorCode, "Mario", "Rossi"), Name: "Mario Rossi"}
	reg, _ := w.a.Enti.Register(w.ctx, mayor, form(w.comune.ID), "p.pdf", apptest.Protocol(t, &w.comune, mayorCode))
	if _, err := w.a.Enti.Approve(w.ctx, w.admin, reg.ID); err != nil {
		t.Fatal(err)
	}
	delegateCode := code("BNCGLI75M41L219")
	if _, err := w.a.Enti.Invite(w.ctx, mayor, w.comune.ID, "BNCGLI75M41L219A", "g@comune.it"); err == nil && auth.CheckChar("BNCGLI75M41L219") != 'A' {
		t.Error("invitation with a wrong check character accepted")
	}
	inv, err := w.a.Enti.Invite(w.ctx, mayor, w.comune.ID, delegateCode, "giulia.bianchi@comune.cantu.co.it")
	if err != nil {
		t.Fatal(err)
	}
	if again, err := w.a.Enti.Invite(w.ctx, mayor, w.comune.ID, delegateCode, "x@comune.it"); err != nil || again.ID != inv.ID {
		t.Errorf("inviting twice: %v", err)
	}
	// Someone else logging in gets nothing; the invited person becomes a delegate by logging in.
	stranger := login(t, w.a, code("NRIPLA85C10F205"), "Paolo", "Neri")
	if ms, _ := w.a.Enti.Memberships(w.ctx, stranger); len(ms) != 0 {
		t.Errorf("stranger got %+v", ms)
	}
	u, tok, err := w.a.Identity.Login(w.ctx, auth.Identity{FiscalCode: delegateCode, Name: "Giulia", FamilyName: "Bianchi", Method: "spid", Level: 2}, identity.Client{})
	if err != nil {
		t.Fatal(err)
	}
	ms, _ := w.a.Enti.Memberships(w.ctx, u.ID)
	if len(ms) != 1 || ms[0].Role != ente.Delegate || !ms[0].Enabled {
		t.Fatalf("delegate memberships %+v", ms)
	}
	if open, _ := w.a.Enti.Invitations(w.ctx, w.comune.ID); len(open) != 0 {
		t.Errorf("accepted invitation still open")
	}
	if _, err := w.a.Enti.Invite(w.ctx, mayor, w.comune.ID, delegateCode, "g@comune.it"); !errors.Is(err, ente.ErrAlreadyMember) {
		t.Errorf("inviting a member: %v", err)
	}
	// Disabling ends the delegate's sessions at once.
	if err := w.a.Enti.SetDelegateEnabled(w.ctx, mayor, w.comune.ID, ms[0].ID, false); err != nil {
		t.Fatal(err)
	}
	if _, err := w.a.Identity.Authenticate(w.ctx, tok); !errors.Is(err, identity.ErrNoSession) {
		t.Errorf("disabled delegate's session still works: %v", err)
	}
	// The legal representative cannot be disabled through the delegates page.
	lr, _ := w.a.Enti.Memberships(w.ctx, mayor.UserID)
	if err := w.a.Enti.SetDelegateEnabled(w.ctx, mayor, w.comune.ID, lr[0].ID, false); !errors.Is(err, ente.ErrNotDelegate) {
		t.Errorf("disabling the legal rep: %v", err)
	}
	// A membership of another ente is not found through this one.
	if err := w.a.Enti.RemoveDelegate(w.ctx, mayor, w.comune.ID+1, ms[0].ID); !errors.Is(err, db.ErrNotFound) {
		t.Errorf("removing through another ente: %v", err)
	}
	if err := w.a.Enti.RemoveDelegate(w.ctx, mayor, w.comune.ID, ms[0].ID); err != nil {
		t.Fatal(err)
	}
	if ms, _ := w.a.Enti.Memberships(w.ctx, u.ID); len(ms) != 0 {
		t.Errorf("removed delegate kept %+v", ms)
	}
}

// TestPendingLimitUnderConcurrentUploads: uploads racing for different enti cannot together
// pass the per-applicant limit.
func TestPendingLimitUnderConcurrentUploads(t *testing.T) {
	w := setup(t)
	mayor := ente.Actor{UserID: login(t, w.a, mayorCode, "Mario", "Rossi")}
	const n = 6
	var list []ente.Ente
	for i := 0; i < n; i++ {
		list = append(list, ente.Ente{ISTAT: fmt.Sprintf("09800%d", i), Name: fmt.Sprintf("Comune %d", i), Kind: ente.KindComune, Province: "CO"})
	}
	if _, err := w.a.Enti.Import(w.ctx, list); err != nil {
		t.Fatal(err)
	}
	files := make([][]byte, n)
	ids := make([]int64, n)
	for i := range list {
		e, _ := w.a.Enti.ByISTAT(w.ctx, list[i].ISTAT)
		ids[i], files[i] = e.ID, apptest.Protocol(t, e, mayorCode)
	}
	errs := make(chan error, n)
	var wg sync.WaitGroup
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			_, err := w.a.Enti.Register(w.ctx, mayor, form(ids[i]), "p.pdf", files[i])
			errs <- err
		}(i)
	}
	wg.Wait()
	close(errs)
	ok := 0
	for err := range errs {
		switch {
		case err == nil:
			ok++
		case errors.Is(err, ente.ErrTooManyPending):
		default:
			t.Errorf("register: %v", err)
		}
	}
	if pending, _ := w.a.Enti.PendingOf(w.ctx, mayor.UserID); ok != ente.MaxPendingPerApplicant || pending != ok {
		t.Errorf("%d registrations accepted, %d pending, want %d", ok, pending, ente.MaxPendingPerApplicant)
	}
}
