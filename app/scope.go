package app

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"passhub/app/access"
	"passhub/app/ente"
	"passhub/app/identity"
	"passhub/app/request"
	"passhub/app/territory"
)

// subjectOf builds the access policy's subject of a viewer: their staff roles and enti.
func (a *App) subjectOf(ctx context.Context, v *identity.Viewer) (*access.Subject, error) {
	s := &access.Subject{UserID: v.User.ID, Name: v.User.FullName(), Method: v.Session.Method, Roles: map[string][]string{}}
	for _, r := range v.Roles {
		s.Roles[r.Role] = append(s.Roles[r.Role], r.TaskForce)
	}
	ms, err := a.Enti.Memberships(ctx, v.User.ID)
	if err != nil {
		return nil, err
	}
	var enti []int64
	for _, m := range ms {
		approved := m.Ente != nil && m.Ente.Status == ente.StatusApproved
		s.Memberships = append(s.Memberships, access.Membership{EnteID: m.EnteID, Role: m.Role, Enabled: m.Enabled, Approved: approved})
		if approved && m.Enabled {
			enti = append(enti, m.EnteID)
		}
		if approved && m.Enabled && territory.IsProvince(m.Ente.Kind) {
			s.Provinces = append(s.Provinces, m.EnteID)
		}
	}
	// the comuni the subject's provinces follow: the territorial scope of the CRM
	if s.Territory, err = a.Territory.FollowedBy(ctx, s.Provinces); err != nil {
		return nil, err
	}
	// the work areas: the person's own memberships and those of the enti they act for now
	if s.Areas, err = a.Areas.RolesOf(ctx, v.User.ID, enti); err != nil {
		return nil, err
	}
	return s, nil
}

// subjectByID builds the subject of a user who is not asking now (the recipient of a digest):
// their staff roles and enti, as at login.
func (a *App) subjectByID(ctx context.Context, userID int64) (*access.Subject, error) {
	u, roles, err := a.Identity.User(ctx, userID)
	if err != nil {
		return nil, err
	}
	return a.subjectOf(ctx, &identity.Viewer{User: u, Roles: roles, Session: &identity.Session{}})
}

// requestObject loads the access object of a request for access.Subject.MayFollow.
func (a *App) requestObject(ctx context.Context) func(id int64) (access.Object, bool) {
	return func(id int64) (access.Object, bool) {
		r, err := a.Requests.Get(ctx, id)
		if err != nil {
			return access.Object{}, false
		}
		return request.ObjectOf(r), true
	}
}

// Pass re-checks an open websocket at every push with what its owner may see now: the session is
// authenticated again (a logout, an expiry, a disabled account refuse everything) and the subject
// rebuilt from the database (a revoked role, an unassignment, a disabled delegate drop the topic).
// A check the database cannot answer now is an error, not a refusal.
func (f follow) Pass(c *fiber.Ctx) func(topic string) (bool, error) {
	token := c.Cookies(identity.CookieName)
	user := f.UserOf(c)
	return func(topic string) (bool, error) {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		v, err := f.a.Identity.Check(ctx, token)
		var expired *identity.ExpiredError
		switch {
		case errors.Is(err, identity.ErrNoSession) || errors.Is(err, identity.ErrDisabled) || errors.As(err, &expired):
			return false, nil
		case err != nil:
			return false, err
		case v.User.ID != user:
			return false, nil
		}
		s, err := f.a.subjectOf(ctx, v)
		if err != nil {
			return false, err
		}
		return s.MayFollow(topic, f.a.requestObject(ctx)), nil
	}
}

// accessTopic is the bus topic that tells every instance a user's access changed.
func accessTopic(userID int64) string { return "access:" + strconv.FormatInt(userID, 10) }

// accessChanged tells every instance that users' access changed (a role, an assignment, a
// logout): their open websockets are closed to reconnect with fresh authorisation.
func (a *App) accessChanged(ctx context.Context, users ...int64) {
	for _, u := range users {
		if err := a.Realtime.Publish(ctx, accessTopic(u)); err != nil {
			a.Log.Warn("access change not published", "user", u, "err", err)
			a.Hub.Reauthorize(u) // this instance at least
		}
	}
}

// reauthorize handles an access topic heard on the bus: the user's open websockets on this
// instance are closed, to reconnect with fresh authorisation.
func (a *App) reauthorize(topic string) {
	id, _ := strings.CutPrefix(topic, "access:")
	if n, err := strconv.ParseInt(id, 10, 64); err == nil {
		a.Hub.Reauthorize(n)
	}
}

// territoryChanged re-checks the access of the members of provinces whose followed comuni
// changed: their open websockets reconnect with the new territory.
func (a *App) territoryChanged(ctx context.Context, provinceIDs ...int64) {
	var users []int64
	for _, p := range provinceIDs {
		members, err := a.Enti.Members(ctx, p)
		if err != nil {
			a.Log.Warn("territory change: members not read", "province", p, "err", err)
			continue
		}
		for _, m := range members {
			users = append(users, m.UserID)
		}
	}
	a.accessChanged(ctx, users...)
}
