package identity

import (
	"strconv"
	"time"

	"github.com/mileusna/useragent"

	"github.com/uptrace/bun"
)

// Staff roles, granted by an admin.
const (
	RoleAdmin  = "admin"
	RoleEditor = "editor"
	// RolePublisher is the caporedattore: reviews, publishes, schedules and unpublishes content.
	RolePublisher = "publisher"
	RolePM        = "pm"       // project manager of one task force
	RoleExpert    = "expert"   // expert of one task force
	RoleOperator  = "operator" // operator of the help desk
)

// User is a person who has logged in at least once, or a staff account created by an admin.
type User struct {
	bun.BaseModel `bun:"table:users"`

	ID           int64     `bun:"id,pk,autoincrement"`
	FiscalCode   string    `bun:"fiscal_code,nullzero"`
	Username     string    `bun:"username,nullzero"`
	Email        string    `bun:"email"`
	Name         string    `bun:"name"`
	FamilyName   string    `bun:"family_name"`
	PasswordHash string    `bun:"password_hash"`
	TOTPSecret   string    `bun:"totp_secret"`
	TOTPLastStep int64     `bun:"totp_last_step"`
	Disabled     bool      `bun:"disabled"`
	LastLoginAt  time.Time `bun:"last_login_at,nullzero"`
	LastMethod   string    `bun:"last_method"`
	CreatedAt    time.Time `bun:"created_at"`
	UpdatedAt    time.Time `bun:"updated_at"`

	// Lang is the language of the user's e-mails ("it" or "en").
	Lang string `bun:"lang"`
	// EmailBouncedAt is when the mail server refused the address for good; nothing is sent to it
	// until the address changes. EmailBounce is the server's answer.
	EmailBouncedAt time.Time `bun:"email_bounced_at,nullzero"`
	EmailBounce    string    `bun:"email_bounce"`
}

// FullName is the user's name as shown to people.
func (u *User) FullName() string {
	if u.Name == "" && u.FamilyName == "" {
		return u.Username
	}
	return u.Name + " " + u.FamilyName
}

// Role is a staff role of a user, scoped to a task force for PMs and experts.
type Role struct {
	bun.BaseModel `bun:"table:user_roles"`

	ID        int64     `bun:"id,pk,autoincrement"`
	UserID    int64     `bun:"user_id"`
	Role      string    `bun:"role"`
	TaskForce string    `bun:"task_force"`
	GrantedBy int64     `bun:"granted_by,nullzero"`
	CreatedAt time.Time `bun:"created_at"`
}

// Session is a logged-in browser; its ID is the SHA-256 of the cookie's token, so a leaked
// database does not leak usable sessions.
type Session struct {
	bun.BaseModel `bun:"table:sessions"`

	ID         string    `bun:"id,pk"`
	UserID     int64     `bun:"user_id"`
	Method     string    `bun:"method"`
	Level      int       `bun:"level"`
	IP         string    `bun:"ip"`
	UserAgent  string    `bun:"user_agent"`
	CreatedAt  time.Time `bun:"created_at"`
	LastSeenAt time.Time `bun:"last_seen_at"`
	ExpiresAt  time.Time `bun:"expires_at"`
}

// Viewer is who is asking: the user, their roles and their session. Nil for anonymous visitors.
type Viewer struct {
	User    *User
	Roles   []Role
	Session *Session
}

// Has reports whether the viewer holds role, for the given task force when one is named.
func (v *Viewer) Has(role string, taskForce ...string) bool {
	if v == nil {
		return false
	}
	for _, r := range v.Roles {
		if r.Role == role && (len(taskForce) == 0 || r.TaskForce == taskForce[0]) {
			return true
		}
	}
	return false
}

// IsStaff reports whether the viewer holds any staff role.
func (v *Viewer) IsStaff() bool { return v != nil && len(v.Roles) > 0 }

// TaskForces returns the task forces in which the viewer holds role.
func (v *Viewer) TaskForces(role string) []string {
	if v == nil {
		return nil
	}
	var out []string
	for _, r := range v.Roles {
		if r.Role == role && r.TaskForce != "" {
			out = append(out, r.TaskForce)
		}
	}
	return out
}

// Device is the browser and system of a session, as people name them.
type Device struct{ Browser, System string }

// Device reads the session's User-Agent ("Firefox 128", "Windows"); what cannot be recognised
// keeps the raw text, cut short.
func (s *Session) Device() Device {
	ua := useragent.Parse(s.UserAgent)
	d := Device{Browser: ua.Name, System: ua.OS}
	if d.Browser != "" && ua.VersionNo.Major > 0 {
		d.Browser += " " + strconv.Itoa(ua.VersionNo.Major)
	}
	if d.Browser == "" {
		d.Browser = s.UserAgent
		if r := []rune(d.Browser); len(r) > 40 {
			d.Browser = string(r[:40]) + "…"
		}
	}
	return d
}
