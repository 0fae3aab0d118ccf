package ente

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect"

	"passhub/app/db"
)

// Store owns the queries on enti, registrations, memberships and invitations.
type Store struct{}

// Ente returns the ente with id.
func (Store) Ente(ctx context.Context, idb bun.IDB, id int64) (*Ente, error) {
	e := new(Ente)
	if err := idb.NewSelect().Model(e).Where("id = ?", id).Scan(ctx); err != nil {
		return nil, fmt.Errorf("ente: %d: %w", id, db.Map(err))
	}
	return e, nil
}

// Search returns enti whose name or ISTAT code contains q, at most limit: the exact name or
// code first, then names starting with q, then the others, each group by name. "Comune di" before
// a comune's name is ignored, as the registry names comuni by their name alone.
func (Store) Search(ctx context.Context, idb bun.IDB, q string, limit int) ([]Ente, error) {
	var out []Ente
	sel := idb.NewSelect().Model(&out).Limit(int64(limit))
	if q = strings.Join(strings.Fields(strings.ToLower(q)), " "); q != "" {
		q = strings.NewReplacer("%", "", "_", "").Replace(q)
		if rest, ok := strings.CutPrefix(q, "comune di "); ok && rest != "" {
			q = rest
		}
		sel = sel.Where("(LOWER(name) LIKE ? OR istat_code LIKE ?)", "%"+q+"%", "%"+q+"%").
			OrderExpr("CASE WHEN LOWER(name) = ? OR istat_code = ? THEN 0 WHEN LOWER(name) LIKE ? THEN 1 ELSE 2 END", q, q, q+"%")
	}
	if err := sel.Order("name").Scan(ctx); err != nil {
		return nil, fmt.Errorf("ente: search: %w", db.Map(err))
	}
	return out, nil
}

// ApprovedRegistration returns the ente's most recently approved registration, or
// db.ErrNotFound.
func (Store) ApprovedRegistration(ctx context.Context, idb bun.IDB, enteID int64) (*Registration, error) {
	r := new(Registration)
	err := idb.NewSelect().Model(r).Relation("Ente").Where("registration.ente_id = ?", enteID).Where("registration.status = ?", RegApproved).
		Order("registration.decided_at DESC", "registration.id DESC").Limit(1).Scan(ctx)
	if err != nil {
		return nil, fmt.Errorf("ente: approved registration of %d: %w", enteID, db.Map(err))
	}
	return r, nil
}

// Count returns how many enti the registry holds.
func (Store) Count(ctx context.Context, idb bun.IDB) (int, error) {
	n, err := idb.NewSelect().Model((*Ente)(nil)).Count(ctx)
	return int(n), db.Map(err)
}

// SaveEnte inserts e or updates the registry fields of the ente with its ISTAT code.
func (Store) SaveEnte(ctx context.Context, idb bun.IDB, e *Ente) error {
	_, err := idb.NewInsert().Model(e).On("CONFLICT (istat_code) DO UPDATE").
		Set("name = EXCLUDED.name").Set("kind = EXCLUDED.kind").Set("province = EXCLUDED.province").
		Set("region = EXCLUDED.region").Set("updated_at = EXCLUDED.updated_at").Returning("id").Exec(ctx)
	if err != nil {
		return fmt.Errorf("ente: save %s: %w", e.ISTAT, db.Map(err))
	}
	return nil
}

// SetStatus changes an ente's registration status.
func (Store) SetStatus(ctx context.Context, idb bun.IDB, id int64, status string, now time.Time) error {
	_, err := idb.NewUpdate().Model((*Ente)(nil)).Set("status = ?", status).Set("updated_at = ?", now).Where("id = ?", id).Exec(ctx)
	return db.Map(err)
}

// UpdateEnte saves e.
func (Store) UpdateEnte(ctx context.Context, idb bun.IDB, e *Ente) error {
	_, err := idb.NewUpdate().Model(e).WherePK().Exec(ctx)
	return db.Map(err)
}

// InsertRegistration stores a new registration; a second pending one for the ente is ErrConflict.
func (Store) InsertRegistration(ctx context.Context, idb bun.IDB, r *Registration) error {
	if _, err := idb.NewInsert().Model(r).Returning("id").Exec(ctx); err != nil {
		return fmt.Errorf("ente: insert registration: %w", db.Map(err))
	}
	return nil
}

// Registration returns a registration with its ente.
func (Store) Registration(ctx context.Context, idb bun.IDB, id int64) (*Registration, error) {
	r := new(Registration)
	if err := idb.NewSelect().Model(r).Relation("Ente").Where("registration.id = ?", id).Scan(ctx); err != nil {
		return nil, fmt.Errorf("ente: registration %d: %w", id, db.Map(err))
	}
	return r, nil
}

// UpdateRegistration saves r.
func (Store) UpdateRegistration(ctx context.Context, idb bun.IDB, r *Registration) error {
	_, err := idb.NewUpdate().Model(r).WherePK().Exec(ctx)
	return db.Map(err)
}

// Registrations lists registrations in status (all when empty), oldest first.
func (Store) Registrations(ctx context.Context, idb bun.IDB, status string) ([]Registration, error) {
	var out []Registration
	q := idb.NewSelect().Model(&out).Relation("Ente").Order("registration.created_at", "registration.id")
	if status != "" {
		q = q.Where("registration.status = ?", status)
	}
	if err := q.Scan(ctx); err != nil {
		return nil, fmt.Errorf("ente: registrations: %w", db.Map(err))
	}
	return out, nil
}

// RegistrationsOf lists the registrations a user filed, newest first.
func (Store) RegistrationsOf(ctx context.Context, idb bun.IDB, userID int64) ([]Registration, error) {
	var out []Registration
	err := idb.NewSelect().Model(&out).Relation("Ente").Where("registration.applicant_id = ?", userID).
		Order("registration.created_at DESC", "registration.id DESC").Scan(ctx)
	if err != nil {
		return nil, fmt.Errorf("ente: registrations of %d: %w", userID, db.Map(err))
	}
	return out, nil
}

// Pending returns the ente's pending registration, or db.ErrNotFound.
func (Store) Pending(ctx context.Context, idb bun.IDB, enteID int64) (*Registration, error) {
	r := new(Registration)
	err := idb.NewSelect().Model(r).Where("ente_id = ?", enteID).Where("status = ?", RegPending).Scan(ctx)
	if err != nil {
		return nil, fmt.Errorf("ente: pending registration of %d: %w", enteID, db.Map(err))
	}
	return r, nil
}

// PendingOf counts the registrations a user filed that await a decision.
func (Store) PendingOf(ctx context.Context, idb bun.IDB, userID int64) (int, error) {
	n, err := idb.NewSelect().Model((*Registration)(nil)).Where("applicant_id = ?", userID).Where("status = ?", RegPending).Count(ctx)
	if err != nil {
		return 0, fmt.Errorf("ente: pending registrations of %d: %w", userID, db.Map(err))
	}
	return int(n), nil
}

// LockApplicant returns the fiscal code a user logged in with ("" for staff accounts) and, on
// PostgreSQL, locks the user's row until the transaction ends, so that two registrations by one
// applicant are counted one after the other (SQLite runs one writer at a time anyway).
func (Store) LockApplicant(ctx context.Context, idb bun.IDB, userID int64) (string, error) {
	var code sql.NullString
	q := idb.NewSelect().Table("users").Column("fiscal_code").Where("id = ?", userID)
	if idb.Dialect().Name() == dialect.PG {
		q = q.For("UPDATE")
	}
	if err := q.Scan(ctx, &code); err != nil {
		return "", fmt.Errorf("ente: user %d: %w", userID, db.Map(err))
	}
	return code.String, nil
}

// Memberships returns a user's memberships with their enti.
func (Store) Memberships(ctx context.Context, idb bun.IDB, userID int64) ([]Membership, error) {
	var out []Membership
	err := idb.NewSelect().Model(&out).Relation("Ente").Where("membership.user_id = ?", userID).Order("membership.id").Scan(ctx)
	if err != nil {
		return nil, fmt.Errorf("ente: memberships of %d: %w", userID, db.Map(err))
	}
	return out, nil
}

// Membership returns one membership of an ente.
func (Store) Membership(ctx context.Context, idb bun.IDB, enteID, id int64) (*Membership, error) {
	m := new(Membership)
	if err := idb.NewSelect().Model(m).Where("id = ?", id).Where("ente_id = ?", enteID).Scan(ctx); err != nil {
		return nil, fmt.Errorf("ente: membership %d: %w", id, db.Map(err))
	}
	return m, nil
}

// MembershipOfUser returns the user's membership of an ente, or db.ErrNotFound.
func (Store) MembershipOfUser(ctx context.Context, idb bun.IDB, enteID, userID int64) (*Membership, error) {
	m := new(Membership)
	if err := idb.NewSelect().Model(m).Where("ente_id = ?", enteID).Where("user_id = ?", userID).Scan(ctx); err != nil {
		return nil, fmt.Errorf("ente: membership of %d in %d: %w", userID, enteID, db.Map(err))
	}
	return m, nil
}

// SaveMembership inserts or updates m.
func (Store) SaveMembership(ctx context.Context, idb bun.IDB, m *Membership) error {
	var err error
	if m.ID == 0 {
		_, err = idb.NewInsert().Model(m).Returning("id").Exec(ctx)
	} else {
		_, err = idb.NewUpdate().Model(m).WherePK().Exec(ctx)
	}
	if err != nil {
		return fmt.Errorf("ente: save membership: %w", db.Map(err))
	}
	return nil
}

// DeleteMembership removes a membership.
func (Store) DeleteMembership(ctx context.Context, idb bun.IDB, id int64) error {
	_, err := idb.NewDelete().Model((*Membership)(nil)).Where("id = ?", id).Exec(ctx)
	return db.Map(err)
}

// LegalReps returns the ente's legal representatives' memberships.
func (Store) LegalReps(ctx context.Context, idb bun.IDB, enteID int64) ([]Membership, error) {
	var out []Membership
	err := idb.NewSelect().Model(&out).Where("ente_id = ?", enteID).Where("role = ?", LegalRep).Scan(ctx)
	return out, db.Map(err)
}

// Members lists an ente's members with their names.
func (Store) Members(ctx context.Context, idb bun.IDB, enteID int64) ([]Member, error) {
	var out []Member
	err := idb.NewSelect().TableExpr("memberships AS m").
		ColumnExpr("m.id, m.ente_id, m.user_id, m.role, m.enabled, m.created_at, m.updated_at").
		ColumnExpr("u.fiscal_code, u.name, u.family_name, u.email").
		Join("JOIN users AS u ON u.id = m.user_id").Where("m.ente_id = ?", enteID).
		OrderExpr("m.role DESC, u.family_name, u.name").Scan(ctx, &out)
	if err != nil {
		return nil, fmt.Errorf("ente: members of %d: %w", enteID, db.Map(err))
	}
	return out, nil
}

// InsertInvitation stores an invitation.
func (Store) InsertInvitation(ctx context.Context, idb bun.IDB, inv *Invitation) error {
	if _, err := idb.NewInsert().Model(inv).Returning("id").Exec(ctx); err != nil {
		return fmt.Errorf("ente: insert invitation: %w", db.Map(err))
	}
	return nil
}

// OpenInvitations lists the ente's invitations not yet accepted, revoked or expired.
func (Store) OpenInvitations(ctx context.Context, idb bun.IDB, enteID int64, now time.Time) ([]Invitation, error) {
	var out []Invitation
	err := idb.NewSelect().Model(&out).Where("ente_id = ?", enteID).Where("accepted_at IS NULL").
		Where("revoked = ?", false).Where("expires_at > ?", now).Order("created_at").Scan(ctx)
	return out, db.Map(err)
}

// InvitationsFor lists the open invitations for a fiscal code.
func (Store) InvitationsFor(ctx context.Context, idb bun.IDB, fiscalCode string, now time.Time) ([]Invitation, error) {
	var out []Invitation
	err := idb.NewSelect().Model(&out).Where("fiscal_code = ?", fiscalCode).Where("accepted_at IS NULL").
		Where("revoked = ?", false).Where("expires_at > ?", now).Scan(ctx)
	return out, db.Map(err)
}

// AcceptInvitation marks an invitation accepted.
func (Store) AcceptInvitation(ctx context.Context, idb bun.IDB, id int64, now time.Time) error {
	_, err := idb.NewUpdate().Model((*Invitation)(nil)).Set("accepted_at = ?", now).Where("id = ?", id).Exec(ctx)
	return db.Map(err)
}

// RevokeInvitation revokes an open invitation of the ente.
func (Store) RevokeInvitation(ctx context.Context, idb bun.IDB, enteID, id int64) (bool, error) {
	res, err := idb.NewUpdate().Model((*Invitation)(nil)).Set("revoked = ?", true).Where("id = ?", id).
		Where("ente_id = ?", enteID).Where("accepted_at IS NULL").Exec(ctx)
	if err != nil {
		return false, db.Map(err)
	}
	n, _ := res.RowsAffected()
	return n > 0, nil
}

// Page returns one page of the registry, by name, filtered like Search, and how many enti match.
func (Store) Page(ctx context.Context, idb bun.IDB, q string, offset, limit int) ([]Ente, int, error) {
	var out []Ente
	sel := idb.NewSelect().Model(&out).Order("name", "id").Limit(int64(limit)).Offset(int64(offset))
	if q = strings.TrimSpace(strings.ToLower(q)); q != "" {
		like := "%" + strings.NewReplacer("%", "", "_", "").Replace(q) + "%"
		sel = sel.Where("(LOWER(name) LIKE ? OR istat_code LIKE ?)", like, like)
	}
	n, err := sel.ScanAndCount(ctx)
	if err != nil {
		return nil, 0, fmt.Errorf("ente: registry page: %w", db.Map(err))
	}
	return out, int(n), nil
}

// RegistrationsOfEnte lists an ente's registrations, newest first.
func (Store) RegistrationsOfEnte(ctx context.Context, idb bun.IDB, enteID int64) ([]Registration, error) {
	var out []Registration
	if err := idb.NewSelect().Model(&out).Relation("Ente").Where("registration.ente_id = ?", enteID).
		Order("registration.created_at DESC", "registration.id DESC").Scan(ctx); err != nil {
		return nil, fmt.Errorf("ente: registrations of ente %d: %w", enteID, db.Map(err))
	}
	return out, nil
}

// Applicant returns who filed a registration, as their identity provider named them.
func (Store) Applicant(ctx context.Context, idb bun.IDB, userID int64) (*Applicant, error) {
	a := new(Applicant)
	if err := idb.NewSelect().TableExpr("users").ColumnExpr("fiscal_code, name, family_name, email").
		Where("id = ?", userID).Scan(ctx, a); err != nil {
		return nil, fmt.Errorf("ente: applicant %d: %w", userID, db.Map(err))
	}
	return a, nil
}

// ProvinceCount is how many enti of a province the registry holds, and how many are approved.
type ProvinceCount struct {
	Province string `bun:"province"`
	Total    int    `bun:"total"`
	Approved int    `bun:"approved"`
}

// ProvinceCounts counts the registry's enti by province, in the order of the codes.
func (Store) ProvinceCounts(ctx context.Context, idb bun.IDB) ([]ProvinceCount, error) {
	var out []ProvinceCount
	err := idb.NewSelect().Model((*Ente)(nil)).ColumnExpr("province, COUNT(*) AS total").
		ColumnExpr("SUM(CASE WHEN status = ? THEN 1 ELSE 0 END) AS approved", StatusApproved).
		Where("province <> ''").GroupExpr("province").OrderExpr("province").Scan(ctx, &out)
	return out, db.Map(err)
}

// LastChange is the latest change of an ente of the registry, its status included (zero when empty).
func (Store) LastChange(ctx context.Context, idb bun.IDB) (time.Time, error) {
	var at []time.Time
	err := idb.NewSelect().Model((*Ente)(nil)).Column("updated_at").OrderExpr("updated_at DESC").Limit(1).Scan(ctx, &at)
	if len(at) == 0 {
		return time.Time{}, db.Map(err)
	}
	return at[0], db.Map(err)
}
