package app

import (
	"context"
	"strconv"
	"strings"

	"passhub/app/ente"
	"passhub/app/request"
)

// notifyEnte e-mails the people an ente event concerns, after its transaction committed. Failures
// are logged: the reserved area shows the same facts, and durable delivery comes with jobs.
func (a *App) notifyEnte(ctx context.Context, ev ente.Event) {
	var name string
	var to []string
	data := map[string]any{"URL": strings.TrimSuffix(a.Config.BaseURL, "/") + "/area-riservata"}
	if ev.Ente != nil {
		data["Ente"] = ev.Ente.Name
	}
	switch ev.Kind {
	case "registration.submitted", "registration.approved", "registration.rejected":
		name = strings.ReplaceAll(strings.TrimPrefix(ev.Kind, "registration."), ".", "_")
		name = "registration_" + name
		to = []string{ev.Registration.Email}
		if u, _, err := a.Identity.User(ctx, ev.Registration.ApplicantID); err == nil {
			data["Name"] = u.FullName()
			if u.Email != "" && !strings.EqualFold(u.Email, ev.Registration.Email) {
				to = append(to, u.Email)
			}
		}
		data["Reason"] = ev.Registration.Reason
	case "delegate.invited":
		name, to = "delegate_invited", []string{ev.Invitation.Email}
		data["FiscalCode"] = strings.TrimPrefix(ev.Invitation.FiscalCode, "TINIT-")
		data["Expires"] = ev.Invitation.ExpiresAt.Format("02/01/2006")
		data["URL"] = strings.TrimSuffix(a.Config.BaseURL, "/") + "/accedi"
	default:
		return
	}
	msg, err := a.Mails.Render(name, "it", to, data)
	if err != nil {
		a.Log.Error("mail not rendered", "template", name, "err", err)
		return
	}
	if err := a.Mailer.Send(ctx, msg); err != nil {
		a.Log.Error("mail not sent", "template", name, "to", strings.Join(to, ", "), "err", err)
	}
}

// requestChanged tells the task force's project managers, by e-mail, of a request to review.
func (a *App) requestChanged(ctx context.Context, id int64, kind string) {
	if kind != "submitted" && kind != "created" {
		return
	}
	r, err := a.Requests.Get(ctx, id)
	if err != nil || r.State != request.Submitted {
		return
	}
	pms, err := a.Identity.UsersWithRole(ctx, "pm", r.TaskForce)
	if err != nil {
		a.Log.Error("request mail: project managers", "err", err)
		return
	}
	var to []string
	for _, u := range pms {
		if u.Email != "" {
			to = append(to, u.Email)
		}
	}
	if len(to) == 0 {
		return
	}
	msg, err := a.Mails.Render("request_submitted", "it", to, map[string]any{"Ente": r.EnteName, "Procedure": r.ProcedureCode + " " + r.ProcedureTitle,
		"Title": r.Title, "URL": strings.TrimSuffix(a.Config.BaseURL, "/") + "/area-riservata/richieste/" + strconv.FormatInt(r.ID, 10)})
	if err != nil {
		a.Log.Error("mail not rendered", "template", "request_submitted", "err", err)
		return
	}
	if err := a.Mailer.Send(ctx, msg); err != nil {
		a.Log.Error("mail not sent", "template", "request_submitted", "err", err)
	}
}
