package identity

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/uptrace/bun"

	"passhub/app/audit"
	"passhub/app/auth"
	"passhub/app/db"
)

// Errors of the identity service.
var (
	ErrDisabled  = errors.New("identity: the account is disabled")
	ErrNoSession = errors.New("identity: no valid session")
)

// Service owns logins and sessions.
type Service struct {
	db    *db.DB
	store Store
	// Idle ends a session not used for this long; Absolute ends any session this long after login.
	Idle, Absolute time.Duration
	// Warn is how long before a timeout pages warn that the session is about to end.
	Warn time.Duration
	// touchEvery throttles the last-seen updates.
	touchEvery time.Duration
	now        func() time.Time
	afterLogin []func(ctx context.Context, tx bun.IDB, u *User) error
	changed    []func(ctx context.Context, userID int64)
}

// OnAccessChange registers fn to run after a change of what a user may do commits: a staff role
// granted or revoked, a logout, a session ended (open websockets re-authorise this way).
func (s *Service) OnAccessChange(fn func(ctx context.Context, userID int64)) {
	s.changed = append(s.changed, fn)
}

func (s *Service) accessChanged(ctx context.Context, err error, userID int64) error {
	if err == nil {
		for _, fn := range s.changed {
			fn(ctx, userID)
		}
	}
	return err
}

// AfterLogin registers fn to run inside every login's transaction, once the user is stored (the
// ente domain accepts pending invitations this way).
func (s *Service) AfterLogin(fn func(ctx context.Context, tx bun.IDB, u *User) error) {
	s.afterLogin = append(s.afterLogin, fn)
}

// NewService returns the identity service with the given session timeouts.
func NewService(d *db.DB, idle, absolute time.Duration) *Service {
	return &Service{db: d, Idle: idle, Absolute: absolute, Warn: min(5*time.Minute, idle/2), touchEvery: time.Minute, now: func() time.Time { return time.Now().UTC() }}
}

// SetClock replaces the service's clock (tests move time forward with it).
func (s *Service) SetClock(now func() time.Time) { s.now = now }

// Client describes where a request comes from, for sessions and the audit log.
type Client struct{ IP, UserAgent string }

// Login records a proved identity: it creates the user on first access, refreshes their
// attributes, and opens a new session, returning the session token for the cookie.
func (s *Service) Login(ctx context.Context, id auth.Identity, from Client) (*User, string, error) {
	code, err := auth.NormalizeFiscalCode(id.FiscalCode)
	if err != nil {
		return nil, "", err
	}
	var user *User
	var token string
	err = s.db.InTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		now := s.now()
		u, err := s.store.UserByFiscalCode(ctx, tx, code)
		switch {
		case errors.Is(err, db.ErrNotFound):
			u = &User{FiscalCode: code, CreatedAt: now}
		case err != nil:
			return err
		case u.Disabled:
			user = u
			return ErrDisabled
		}
		u.Name, u.FamilyName = id.Name, id.FamilyName
		if id.Email != "" && !strings.EqualFold(id.Email, u.Email) {
			u.Email, u.EmailBouncedAt, u.EmailBounce = id.Email, time.Time{}, "" // a new address gets a new chance
		}
		if u.Lang == "" {
			u.Lang = "it"
		}
		u.LastLoginAt, u.LastMethod, u.UpdatedAt = now, id.Method, now
		if u.ID == 0 {
			err = s.store.InsertUser(ctx, tx, u)
		} else {
			err = s.store.UpdateUser(ctx, tx, u)
		}
		if err != nil {
			return err
		}
		for _, fn := range s.afterLogin {
			if err := fn(ctx, tx, u); err != nil {
				return err
			}
		}
		token, err = s.openSession(ctx, tx, u.ID, id.Method, id.Level, from)
		if err != nil {
			return err
		}
		user = u
		return audit.Record(ctx, tx, audit.Entry{ActorID: u.ID, Actor: u.FullName(), Action: "login",
			ObjectType: "user", ObjectID: u.ID, IP: from.IP, Detail: fmt.Sprintf("%s level %d via %s", id.Method, id.Level, id.Issuer)})
	})
	if errors.Is(err, ErrDisabled) {
		_ = audit.Record(ctx, s.db, audit.Entry{ActorID: user.ID, Actor: user.FullName(), Action: "login.refused",
			ObjectType: "user", ObjectID: user.ID, IP: from.IP, Detail: "account disabled"})
	}
	if err != nil {
		return nil, "", fmt.Errorf("identity: login: %w", err)
	}
	return user, token, nil
}

func (s *Service) openSession(ctx context.Context, tx bun.IDB, userID int64, method string, level int, from Client) (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	token := base64.RawURLEncoding.EncodeToString(b)
	now := s.now()
	ua := from.UserAgent
	if len(ua) > 300 {
		ua = ua[:300]
	}
	sess := &Session{ID: hashToken(token), UserID: userID, Method: method, Level: level, IP: from.IP, UserAgent: ua,
		CreatedAt: now, LastSeenAt: now, ExpiresAt: now.Add(s.Absolute)}
	return token, s.store.InsertSession(ctx, tx, sess)
}

func hashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// ExpiredError is the ErrNoSession of a session that ended by a timeout less than KeepExpired
// ago: it names the user, so what they were sending can be kept for them until they log in again.
type ExpiredError struct{ UserID int64 }

func (e *ExpiredError) Error() string        { return ErrNoSession.Error() + " (expired)" }
func (e *ExpiredError) Is(target error) bool { return target == ErrNoSession }

// KeepExpired is how long an expired session is remembered (never usable) before it is deleted.
const KeepExpired = time.Hour

// Authenticate returns the viewer of a session token and counts the request as activity, which
// extends the idle timeout; ErrNoSession when the token is unknown, expired (an *ExpiredError
// for a recent expiry), idle too long, or its user disabled.
func (s *Service) Authenticate(ctx context.Context, token string) (*Viewer, error) {
	return s.authenticate(ctx, token, true)
}

// Check is Authenticate for requests the browser makes by itself (the bell's poll, live updates):
// they do not count as activity, so an open page left alone still ends its session.
func (s *Service) Check(ctx context.Context, token string) (*Viewer, error) {
	return s.authenticate(ctx, token, false)
}

// Extend counts now as activity of the viewer's session, which moves its idle timeout.
func (s *Service) Extend(ctx context.Context, v *Viewer) error {
	now := s.now()
	if err := s.store.TouchSession(ctx, s.db, v.Session.ID, now); err != nil {
		return err
	}
	v.Session.LastSeenAt = now
	return nil
}

// Expiry returns when the viewer's session ends if left idle, and when it ends anyway.
func (s *Service) Expiry(v *Viewer) (idle, absolute time.Time) {
	idle = v.Session.LastSeenAt.Add(s.Idle)
	if idle.After(v.Session.ExpiresAt) {
		idle = v.Session.ExpiresAt
	}
	return idle, v.Session.ExpiresAt
}

// Now is the service's clock.
func (s *Service) Now() time.Time { return s.now() }

func (s *Service) authenticate(ctx context.Context, token string, touch bool) (*Viewer, error) {
	if token == "" || len(token) > 100 {
		return nil, ErrNoSession
	}
	sess, err := s.store.Session(ctx, s.db, hashToken(token))
	if errors.Is(err, db.ErrNotFound) {
		return nil, ErrNoSession
	} else if err != nil {
		return nil, err
	}
	now := s.now()
	if now.After(sess.ExpiresAt) || now.Sub(sess.LastSeenAt) > s.Idle {
		ended := sess.LastSeenAt.Add(s.Idle)
		if sess.ExpiresAt.Before(ended) {
			ended = sess.ExpiresAt
		}
		if now.Sub(ended) < KeepExpired {
			return nil, &ExpiredError{UserID: sess.UserID}
		}
		_, _ = s.store.DeleteSession(ctx, s.db, sess.UserID, sess.ID)
		return nil, ErrNoSession
	}
	u, err := s.store.User(ctx, s.db, sess.UserID)
	if err != nil {
		return nil, err
	}
	if u.Disabled {
		return nil, ErrNoSession
	}
	roles, err := s.store.Roles(ctx, s.db, u.ID)
	if err != nil {
		return nil, err
	}
	if touch && now.Sub(sess.LastSeenAt) > s.touchEvery {
		if err := s.store.TouchSession(ctx, s.db, sess.ID, now); err != nil {
			return nil, err
		}
		sess.LastSeenAt = now
	}
	return &Viewer{User: u, Roles: roles, Session: sess}, nil
}

// Logout ends the viewer's current session.
func (s *Service) Logout(ctx context.Context, v *Viewer, from Client) error {
	return s.accessChanged(ctx, s.logout(ctx, v, from), v.User.ID)
}

func (s *Service) logout(ctx context.Context, v *Viewer, from Client) error {
	return s.db.InTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		if _, err := s.store.DeleteSession(ctx, tx, v.User.ID, v.Session.ID); err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Entry{ActorID: v.User.ID, Actor: v.User.FullName(), Action: "logout",
			ObjectType: "user", ObjectID: v.User.ID, IP: from.IP})
	})
}

// LogoutEverywhere ends every session of the viewer, on every device.
func (s *Service) LogoutEverywhere(ctx context.Context, v *Viewer, from Client) (int, error) {
	var n int
	err := s.db.InTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		var err error
		if n, err = s.store.DeleteSessions(ctx, tx, v.User.ID); err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Entry{ActorID: v.User.ID, Actor: v.User.FullName(), Action: "logout.everywhere",
			ObjectType: "user", ObjectID: v.User.ID, IP: from.IP, Detail: fmt.Sprintf("%d sessions", n)})
	})
	return n, s.accessChanged(ctx, err, v.User.ID)
}

// Sessions lists the viewer's active sessions.
func (s *Service) Sessions(ctx context.Context, v *Viewer) ([]Session, error) {
	all, err := s.store.Sessions(ctx, s.db, v.User.ID)
	if err != nil {
		return nil, err
	}
	now := s.now()
	out := all[:0]
	for _, sess := range all {
		if now.Before(sess.ExpiresAt) && now.Sub(sess.LastSeenAt) <= s.Idle {
			out = append(out, sess)
		}
	}
	return out, nil
}

// EndSession ends one of the viewer's sessions; another user's session is db.ErrNotFound.
func (s *Service) EndSession(ctx context.Context, v *Viewer, sessionID string, from Client) error {
	return s.accessChanged(ctx, s.endSession(ctx, v, sessionID, from), v.User.ID)
}

func (s *Service) endSession(ctx context.Context, v *Viewer, sessionID string, from Client) error {
	return s.db.InTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		ok, err := s.store.DeleteSession(ctx, tx, v.User.ID, sessionID)
		if err != nil {
			return err
		}
		if !ok {
			return fmt.Errorf("identity: session: %w", db.ErrNotFound)
		}
		return audit.Record(ctx, tx, audit.Entry{ActorID: v.User.ID, Actor: v.User.FullName(), Action: "session.end",
			ObjectType: "user", ObjectID: v.User.ID, IP: from.IP})
	})
}

// EndAllSessions ends every session of a user (a disabled delegate, a revoked account).
func (s *Service) EndAllSessions(ctx context.Context, idb bun.IDB, userID int64) error {
	_, err := s.store.DeleteSessions(ctx, idb, userID)
	return err
}

// PurgeExpired deletes expired sessions and returns how many.
func (s *Service) PurgeExpired(ctx context.Context) (int, error) {
	return s.store.DeleteExpiredSessions(ctx, s.db, s.now(), s.Idle)
}

// Roles a staff member may hold; PMs and experts hold theirs in a task force.
var staffRoles = map[string]bool{RoleAdmin: false, RoleEditor: false, RolePublisher: false, RolePM: true, RoleExpert: true, RoleOperator: false}

// ErrBadRole is returned for an unknown role, or a task force given or missing where it must not
// or must be.
var ErrBadRole = errors.New("identity: unknown role, or task force missing")

// Grant gives a user a staff role (in taskForce for PMs and experts).
func (s *Service) Grant(ctx context.Context, by Actor, userID int64, role, taskForce string) error {
	needsTF, ok := staffRoles[role]
	if !ok || needsTF != (taskForce != "") {
		return ErrBadRole
	}
	return s.accessChanged(ctx, s.db.InTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		if _, err := s.store.User(ctx, tx, userID); err != nil {
			return err
		}
		if err := s.store.InsertRole(ctx, tx, &Role{UserID: userID, Role: role, TaskForce: taskForce, GrantedBy: by.UserID, CreatedAt: s.now()}); err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Entry{ActorID: by.UserID, Actor: by.Name, IP: by.IP, Action: "role.grant",
			ObjectType: "user", ObjectID: userID, Detail: strings.TrimSpace(role + " " + taskForce)})
	}), userID)
}

// Revoke takes a staff role away.
func (s *Service) Revoke(ctx context.Context, by Actor, userID int64, role, taskForce string) error {
	return s.accessChanged(ctx, s.db.InTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		ok, err := s.store.DeleteRole(ctx, tx, userID, role, taskForce)
		if err != nil {
			return err
		}
		if !ok {
			return fmt.Errorf("identity: role %s: %w", role, db.ErrNotFound)
		}
		return audit.Record(ctx, tx, audit.Entry{ActorID: by.UserID, Actor: by.Name, IP: by.IP, Action: "role.revoke",
			ObjectType: "user", ObjectID: userID, Detail: strings.TrimSpace(role + " " + taskForce)})
	}), userID)
}

// Actor is who performs an administrative operation, for the audit log.
type Actor = audit.Actor

// Users lists users whose name, e-mail, username or fiscal code contains q, with their roles.
func (s *Service) Users(ctx context.Context, q string, limit int) ([]User, map[int64][]Role, error) {
	var users []User
	sel := s.db.NewSelect().Model(&users).Order("family_name", "name", "id").Limit(int64(limit))
	if q = strings.ToLower(strings.TrimSpace(q)); q != "" {
		like := "%" + strings.NewReplacer("%", "", "_", "").Replace(q) + "%"
		sel = sel.Where("(LOWER(name) LIKE ? OR LOWER(family_name) LIKE ? OR LOWER(email) LIKE ? OR LOWER(COALESCE(username, '')) LIKE ? OR LOWER(COALESCE(fiscal_code, '')) LIKE ?)", like, like, like, like, like)
	}
	if err := sel.Scan(ctx); err != nil {
		return nil, nil, fmt.Errorf("identity: users: %w", db.Map(err))
	}
	roles := map[int64][]Role{}
	if len(users) > 0 {
		ids := make([]int64, len(users))
		for i, u := range users {
			ids[i] = u.ID
		}
		var all []Role
		if err := s.db.NewSelect().Model(&all).Where("user_id IN (?)", bun.In(ids)).Order("role").Scan(ctx); err != nil {
			return nil, nil, fmt.Errorf("identity: roles: %w", db.Map(err))
		}
		for _, r := range all {
			roles[r.UserID] = append(roles[r.UserID], r)
		}
	}
	return users, roles, nil
}

// User returns one user.
func (s *Service) User(ctx context.Context, id int64) (*User, []Role, error) {
	u, err := s.store.User(ctx, s.db, id)
	if err != nil {
		return nil, nil, err
	}
	roles, err := s.store.Roles(ctx, s.db, id)
	return u, roles, err
}

// LogoutAllSessions ends every session of a user, without an audit entry (seeding, cleanup).
func (s *Service) LogoutAllSessions(ctx context.Context, userID int64) error {
	_, err := s.store.DeleteSessions(ctx, s.db, userID)
	return err
}

// UserIDsWithRole lists the ids of the enabled users holding a global role.
func (s *Service) UserIDsWithRole(ctx context.Context, role string) ([]int64, error) {
	users, err := s.UsersWithRole(ctx, role, "")
	if err != nil {
		return nil, err
	}
	ids := make([]int64, len(users))
	for i, u := range users {
		ids[i] = u.ID
	}
	return ids, nil
}

// UsersWithRole lists the enabled users holding role (in taskForce when not empty).
func (s *Service) UsersWithRole(ctx context.Context, role, taskForce string) ([]User, error) {
	var out []User
	q := s.db.NewSelect().Model(&out).Join("JOIN user_roles AS ur ON ur.user_id = \"user\".id").
		Where("ur.role = ?", role).Where("\"user\".disabled = ?", false)
	if taskForce != "" {
		q = q.Where("ur.task_force = ?", taskForce)
	}
	if err := q.Scan(ctx); err != nil {
		return nil, fmt.Errorf("identity: users with role %s: %w", role, db.Map(err))
	}
	return out, nil
}

// MarkBounced records that the mail server refused address for good: the users who have it get no
// more e-mail until their address changes, and see why in their preferences.
func (s *Service) MarkBounced(ctx context.Context, address, answer string) error {
	if len(answer) > 500 {
		answer = answer[:500]
	}
	_, err := s.db.NewUpdate().Model((*User)(nil)).Set("email_bounced_at = ?", s.now()).Set("email_bounce = ?", answer).
		Where("LOWER(email) = ?", strings.ToLower(strings.TrimSpace(address))).Exec(ctx)
	return db.Map(err)
}

// SetLang sets the language of a user's e-mails.
func (s *Service) SetLang(ctx context.Context, userID int64, lang string) error {
	if lang != "it" && lang != "en" {
		return fmt.Errorf("identity: language %q: %w", lang, db.ErrNotFound)
	}
	_, err := s.db.NewUpdate().Model((*User)(nil)).Set("lang = ?", lang).Where("id = ?", userID).Exec(ctx)
	return db.Map(err)
}
