package app

import (
	"context"

	"passhub/app/helpdesk"
	"passhub/app/identity"
	"passhub/app/web"
)

// desk is what the help desk's listeners and jobs need from the rest of the platform.
func (a *App) desk() helpdesk.Desk {
	return helpdesk.Desk{Post: a.Post, Notices: a.Notifications, Realtime: a.Realtime, Contacts: a.Contact,
		Operators: func(ctx context.Context) ([]int64, error) {
			return a.Identity.UserIDsWithRole(ctx, identity.RoleOperator)
		}}
}

// helpdeskHandlers are the help desk's routes, with the operators (the assignment's choices) and
// the requesters' addresses from the identity domain.
func (a *App) helpdeskHandlers(w *web.Server) *helpdesk.Handlers {
	h := helpdesk.NewHandlers(w, a.Helpdesk, a.Enti, a.Search)
	h.Operators = func(ctx context.Context) ([]helpdesk.Person, error) {
		users, err := a.Identity.UsersWithRole(ctx, identity.RoleOperator, "")
		if err != nil {
			return nil, err
		}
		out := make([]helpdesk.Person, len(users))
		for i, u := range users {
			out[i] = helpdesk.Person{ID: u.ID, Name: u.FullName()}
		}
		return out, nil
	}
	h.Contact = func(ctx context.Context, userID int64) (string, string, error) {
		u, _, err := a.Identity.User(ctx, userID)
		if err != nil {
			return "", "", err
		}
		email := u.Email
		if !u.EmailBouncedAt.IsZero() {
			email = ""
		}
		return u.FullName(), email, nil
	}
	return h
}
