package ente

import (
	"bytes"
	"errors"
	"io"
	"net/url"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"passhub/app/access"
	"passhub/app/db"
	"passhub/app/identity"
	"passhub/app/once"
	"passhub/app/web"
)

// Handlers serve the registration, the ente's pages, the delegates and the admins' queue.
type Handlers struct {
	web *web.Server
	svc *Service
}

// NewHandlers returns the ente handlers.
func NewHandlers(w *web.Server, svc *Service) *Handlers { return &Handlers{web: w, svc: svc} }

// Mount registers the ente routes; reserved is the group that requires a login. Each route names
// the object it acts on and access.Require authorises it before the handler.
func (h *Handlers) Mount(reserved fiber.Router) {
	ente := func(c *fiber.Ctx) access.Object { return access.Object{EnteID: idParam(c, "id")} }
	reserved.Get("/area-riservata/registrazione", access.Require(access.RegisterEnte, nil), h.registerForm)
	reserved.Post("/area-riservata/registrazione", access.Require(access.RegisterEnte, nil), h.register)
	reserved.Get("/area-riservata/registrazione/modello", access.Require(access.RegisterEnte, nil), h.template)
	reserved.Get("/area-riservata/registrazione/modello-firmato-di-prova", access.Require(access.RegisterEnte, nil), h.devSigned)
	reserved.Get("/area-riservata/enti/:id", access.Require(access.ViewEnte, ente), h.ente)
	reserved.Get("/area-riservata/enti/:id/protocollo", access.Require(access.ViewEnte, ente), h.approvedProtocol)
	reserved.Get("/area-riservata/enti/:id/delegati", access.Require(access.ManageDelegates, ente), h.delegates)
	reserved.Post("/area-riservata/enti/:id/delegati", access.Require(access.ManageDelegates, ente), h.invite)
	reserved.Get("/area-riservata/enti/:id/delegati/:mid/rimuovi", access.Require(access.ManageDelegates, ente), h.confirmRemove)
	reserved.Post("/area-riservata/enti/:id/delegati/:mid/:op", access.Require(access.ManageDelegates, ente), h.delegateOp)
	reserved.Post("/area-riservata/enti/:id/inviti/:iid/revoca", access.Require(access.ManageDelegates, ente), h.revokeInvitation)
	reserved.Get("/admin/enti", access.Require(access.ManageUsers, nil), h.registry)
	reserved.Post("/admin/enti", access.Require(access.ManageUsers, nil), h.addEnte)
	reserved.Get("/admin/enti/:id", access.Require(access.ManageUsers, nil), h.adminEnte)
	reserved.Get("/admin/registrazioni", access.Require(access.ReviewRegistrations, nil), h.queue)
	reserved.Get("/admin/registrazioni/:id", access.Require(access.ReviewRegistrations, nil), h.registration)
	reserved.Get("/admin/registrazioni/:id/protocollo", access.Require(access.ReviewRegistrations, nil), h.protocol)
	reserved.Get("/admin/registrazioni/:id/:decision", access.Require(access.ReviewRegistrations, nil), h.confirmDecision)
	reserved.Post("/admin/registrazioni/:id/:decision", access.Require(access.ReviewRegistrations, nil), h.decide)
}

// errorStatus is how the ente handlers answer the errors of registrations and delegates; a form's
// field errors are answered by its handler.
func (h *Handlers) errorStatus() web.Errors {
	return web.Errors{
		ErrAlreadyPending:    {Code: fiber.StatusConflict, Message: "registration.pending_exists"},
		ErrAlreadyRegistered: {Code: fiber.StatusConflict, Message: "registration.already"},
		ErrTooManyPending:    {Code: fiber.StatusConflict, Message: "signature.too_many_pending", Args: []any{"Max", h.svc.MaxPending}},
		ErrAlreadyMember:     {Code: fiber.StatusConflict, Message: "delegates.already"},
		ErrNotDelegate:       {Code: fiber.StatusConflict, Message: "delegates.not_delegate"},
		ErrNotPending:        {Code: fiber.StatusConflict, Message: "registration.decided", Field: "decision"},
	}
}

// idParam reads a numeric route parameter, 0 when it is not one: the route-level access.Require
// refuses an ente 0, and the services answer a missing one with a 404.
func idParam(c *fiber.Ctx, name string) int64 { return web.IDOrZero(c, name) }

func actor(c *fiber.Ctx) Actor { return Actor(web.ActorOf(c)) }

// messages translates field errors into the request's language.
func (h *Handlers) messages(c *fiber.Ctx, errs FieldErrors) map[string]string {
	return h.web.Messages(c, errs)
}

func (h *Handlers) registerForm(c *fiber.Ctx) error {
	f := RegistrationForm{}
	if v := identity.ViewerOf(c); v != nil {
		f.Email = v.User.Email // the address the identity provider gave, to confirm or change
	}
	return h.renderRegister(c, f, nil, "")
}

func (h *Handlers) renderRegister(c *fiber.Ctx, f RegistrationForm, errs map[string]string, alert string) error {
	h.web.CSRFToken(c)
	ctx := c.UserContext()
	q := strings.TrimSpace(c.Query("q"))
	var found []Ente
	var chosen *Ente
	var err error
	if f.EnteID > 0 {
		chosen, _ = h.svc.Ente(ctx, f.EnteID)
	} else if id, _ := strconv.ParseInt(c.Query("ente"), 10, 64); id > 0 {
		chosen, _ = h.svc.Ente(ctx, id)
		f.EnteID = id
	}
	if chosen == nil && len([]rune(q)) >= 2 {
		if found, err = h.svc.Search(ctx, q); err != nil {
			return err
		}
	}
	uid := access.Of(c).UserID
	regs, err := h.svc.RegistrationsOf(ctx, uid)
	if err != nil {
		return err
	}
	pending, err := h.svc.PendingOf(ctx, uid)
	if err != nil {
		return err
	}
	var roles []string
	var isRep bool
	if chosen != nil {
		roles = RolesFor(chosen.Kind)
		m, ok := access.Of(c).Member(chosen.ID)
		isRep = ok && m.Role == LegalRep
	}
	return h.web.Page(c, "ente/register", fiber.Map{
		"Title": h.web.T(c, "registration.title"), "Query": q, "Found": found, "Chosen": chosen, "Form": f, "Roles": roles,
		"Errors": errs, "Alert": alert, "Mine": regs, "MaxMB": h.svc.MaxProtocol >> 20,
		"AtLimit": pending >= h.svc.MaxPending, "MaxPending": h.svc.MaxPending, "DevSign": h.svc.DevSign, "IsLegalRep": isRep,
	})
}

// template sends the chosen ente's protocol to sign, pre-filled with its name.
func (h *Handlers) template(c *fiber.Ctx) error {
	id, _ := strconv.ParseInt(c.Query("ente"), 10, 64)
	e, pdf, err := h.svc.Template(c.UserContext(), id)
	if err != nil {
		return err
	}
	return sendFile(c, TypePDF, "protocollo-collaborazione-"+e.ISTAT+".pdf", pdf)
}

// devSigned sends, in dev mode only, the template signed for the logged-in persona by the dev CA.
func (h *Handlers) devSigned(c *fiber.Ctx) error {
	v := identity.ViewerOf(c)
	if !h.svc.DevSign || v == nil || v.User.FiscalCode == "" {
		return fiber.ErrNotFound
	}
	id, _ := strconv.ParseInt(c.Query("ente"), 10, 64)
	format := FormatPAdES
	if c.Query("formato") == FormatCAdES {
		format = FormatCAdES
	}
	e, data, err := h.svc.DevSignedTemplate(c.UserContext(), id, v.User.FiscalCode, v.User.Name, v.User.FamilyName, format)
	if err != nil {
		return err
	}
	if format == FormatCAdES {
		return sendFile(c, TypeP7M, "protocollo-"+e.ISTAT+"-firmato-di-prova.pdf.p7m", data)
	}
	return sendFile(c, TypePDF, "protocollo-"+e.ISTAT+"-firmato-di-prova.pdf", data)
}

// approvedProtocol sends the protocol in force of the ente, the one of its approved registration.
func (h *Handlers) approvedProtocol(c *fiber.Ctx) error {
	r, err := h.svc.ApprovedProtocol(c.UserContext(), idParam(c, "id"))
	if err != nil {
		return err
	}
	return h.sendProtocol(c, r)
}

func sendFile(c *fiber.Ctx, ctype, name string, data []byte) error {
	return web.SendFile(c, bytes.NewReader(data), name, ctype, int64(len(data)))
}

func (h *Handlers) register(c *fiber.Ctx) error {
	f := RegistrationForm{Role: c.FormValue("role"), Email: c.FormValue("email"), PEC: c.FormValue("pec")}
	f.EnteID, _ = strconv.ParseInt(c.FormValue("ente_id"), 10, 64)
	var name string
	var data []byte
	if fh, err := c.FormFile("protocol"); err == nil {
		name = fh.Filename
		if fh.Size > h.svc.MaxProtocol {
			data = make([]byte, h.svc.MaxProtocol+1) // too large: refused by the service, never read
		} else {
			file, err := fh.Open()
			if err != nil {
				return err
			}
			data, err = io.ReadAll(io.LimitReader(file, h.svc.MaxProtocol+1))
			file.Close()
			if err != nil {
				return err
			}
		}
	}
	ctx, err := once.Bind(c.UserContext(), c.FormValue(once.Field), actor(c).UserID, "registration", func(int64) string { return "/area-riservata" })
	if err != nil {
		c.Status(fiber.StatusBadRequest)
		return h.renderRegister(c, f, nil, h.web.T(c, "once.bad"))
	}
	_, err = h.svc.Register(ctx, actor(c), f, name, data)
	var ferrs FieldErrors
	switch {
	case err == nil:
		return c.Redirect("/area-riservata", fiber.StatusSeeOther)
	case errors.As(err, &ferrs):
		c.Status(fiber.StatusUnprocessableEntity)
		return h.renderRegister(c, f, h.messages(c, ferrs), h.web.T(c, "form.errors"))
	case errors.Is(err, db.ErrNotFound):
		c.Status(fiber.StatusUnprocessableEntity)
		return h.renderRegister(c, RegistrationForm{}, map[string]string{"ente": h.web.T(c, "validation.required")}, h.web.T(c, "form.errors"))
	}
	if st, ok := h.errorStatus().Of(err); ok {
		c.Status(st.Code)
		return h.renderRegister(c, f, nil, h.web.Say(c, st))
	}
	return err
}

func (h *Handlers) ente(c *fiber.Ctx) error {
	e, err := h.svc.Ente(c.UserContext(), idParam(c, "id"))
	if err != nil {
		return err
	}
	m, _ := access.Of(c).Member(e.ID)
	approved, err := h.svc.ApprovedProtocol(c.UserContext(), e.ID)
	if err != nil && !errors.Is(err, db.ErrNotFound) {
		return err
	}
	return h.web.Page(c, "ente/ente", fiber.Map{"Title": e.Name, "Ente": e, "Membership": m, "Approved": approved,
		"CanManage": access.Of(c).Can(access.ManageDelegates, access.Object{EnteID: e.ID})})
}

func (h *Handlers) delegates(c *fiber.Ctx) error { return h.renderDelegates(c, nil, "", "", "") }

func (h *Handlers) renderDelegates(c *fiber.Ctx, errs map[string]string, alert, code, email string) error {
	h.web.CSRFToken(c)
	id := idParam(c, "id")
	e, err := h.svc.Ente(c.UserContext(), id)
	if err != nil {
		return err
	}
	members, err := h.svc.Members(c.UserContext(), id)
	if err != nil {
		return err
	}
	invs, err := h.svc.Invitations(c.UserContext(), id)
	if err != nil {
		return err
	}
	return h.web.Page(c, "ente/delegates", fiber.Map{"Title": h.web.T(c, "delegates.title"), "Ente": e, "Members": members,
		"Invitations": invs, "Errors": errs, "Alert": alert, "Code": code, "Email": email})
}

func (h *Handlers) invite(c *fiber.Ctx) error {
	id := idParam(c, "id")
	code, email := c.FormValue("fiscal_code"), c.FormValue("email")
	done := "/area-riservata/enti/" + strconv.FormatInt(id, 10) + "/delegati"
	ctx, err := once.Bind(c.UserContext(), c.FormValue(once.Field), actor(c).UserID, "invitation", func(int64) string { return done })
	if err != nil {
		c.Status(fiber.StatusBadRequest)
		return h.renderDelegates(c, nil, h.web.T(c, "once.bad"), code, email)
	}
	_, err = h.svc.Invite(ctx, actor(c), id, code, email)
	var ferrs FieldErrors
	switch {
	case err == nil:
		h.web.Flash(c, "delegates.done.invito")
		return c.Redirect("/area-riservata/enti/"+strconv.FormatInt(id, 10)+"/delegati", fiber.StatusSeeOther)
	case errors.As(err, &ferrs):
		c.Status(fiber.StatusUnprocessableEntity)
		return h.renderDelegates(c, h.messages(c, ferrs), h.web.T(c, "form.errors"), code, email)
	}
	if st, ok := h.errorStatus().Of(err); ok {
		c.Status(st.Code)
		return h.renderDelegates(c, nil, h.web.Say(c, st), code, email)
	}
	return err
}

func (h *Handlers) delegateOp(c *fiber.Ctx) error {
	id, mid := idParam(c, "id"), idParam(c, "mid")
	var err error
	switch c.Params("op") {
	case "abilita":
		err = h.svc.SetDelegateEnabled(c.UserContext(), actor(c), id, mid, true)
	case "disabilita":
		err = h.svc.SetDelegateEnabled(c.UserContext(), actor(c), id, mid, false)
	case "rimuovi":
		if !web.Confirmed(c) {
			return c.Redirect(c.Path(), fiber.StatusSeeOther) // its confirmation page
		}
		err = h.svc.RemoveDelegate(c.UserContext(), actor(c), id, mid)
	default:
		return fiber.ErrNotFound
	}
	if st, ok := h.errorStatus().Of(err); ok {
		c.Status(st.Code)
		return h.renderDelegates(c, nil, h.web.Say(c, st), "", "")
	}
	if err != nil {
		return err
	}
	h.web.Flash(c, "delegates.done."+c.Params("op"))
	return c.Redirect("/area-riservata/enti/"+strconv.FormatInt(id, 10)+"/delegati", fiber.StatusSeeOther)
}

// confirmRemove asks the legal representative to confirm a delegate's removal.
func (h *Handlers) confirmRemove(c *fiber.Ctx) error {
	id, mid := idParam(c, "id"), idParam(c, "mid")
	e, err := h.svc.Ente(c.UserContext(), id)
	if err != nil {
		return err
	}
	members, err := h.svc.Members(c.UserContext(), id)
	if err != nil {
		return err
	}
	for _, m := range members {
		if m.ID != mid {
			continue
		}
		if m.Role != Delegate {
			break
		}
		back := "/area-riservata/enti/" + strconv.FormatInt(id, 10) + "/delegati"
		name := m.Name + " " + m.FamilyName
		p := web.Confirmation{Title: h.web.T(c, "confirm.delegate.title", "Name", name), Subject: e.Name, Action: c.Path(),
			Submit: h.web.T(c, "confirm.delegate.submit"), Cancel: back, Danger: true,
			Crumbs: []map[string]string{{"URL": back, "Label": h.web.T(c, "delegates.title")}}}
		p.Consequences = []string{h.web.T(c, "confirm.delegate.1", "Name", name), h.web.T(c, "confirm.delegate.2")}
		return h.web.Confirm(c, p)
	}
	return fiber.ErrNotFound
}

func (h *Handlers) revokeInvitation(c *fiber.Ctx) error {
	id := idParam(c, "id")
	if err := h.svc.RevokeInvitation(c.UserContext(), actor(c), id, idParam(c, "iid")); err != nil {
		return err
	}
	h.web.Flash(c, "delegates.done.revoca")
	return c.Redirect("/area-riservata/enti/"+strconv.FormatInt(id, 10)+"/delegati", fiber.StatusSeeOther)
}

func (h *Handlers) queue(c *fiber.Ctx) error {
	status := c.Query("stato", RegPending)
	switch status {
	case RegPending, RegApproved, RegRejected:
	default:
		status = RegPending
	}
	regs, err := h.svc.Registrations(c.UserContext(), status)
	if err != nil {
		return err
	}
	return h.web.Page(c, "ente/admin_queue", fiber.Map{"Title": h.web.T(c, "admin.registrations"), "Registrations": regs, "Status": status})
}

func (h *Handlers) registration(c *fiber.Ctx) error { return h.renderRegistration(c, nil, "") }

func (h *Handlers) renderRegistration(c *fiber.Ctx, errs map[string]string, reason string) error {
	h.web.CSRFToken(c)
	r, err := h.svc.Registration(c.UserContext(), idParam(c, "id"))
	if err != nil {
		return err
	}
	applicant, err := h.svc.Applicant(c.UserContext(), r)
	if err != nil {
		return err
	}
	chains, configured := h.svc.SignatureChains(r)
	return h.web.Page(c, "ente/admin_registration", fiber.Map{"Title": r.Ente.Name, "Reg": r, "Applicant": applicant, "Errors": errs, "Reason": reason,
		"Chains": chains, "TrustConfigured": configured,
		"Crumbs": []map[string]string{{"URL": "/admin/registrazioni", "Label": h.web.T(c, "admin.registrations")}}})
}

// confirmDecision shows what approving or rejecting a registration does, with the button (and,
// for a rejection, the reason) that decides.
func (h *Handlers) confirmDecision(c *fiber.Ctx) error {
	return h.renderDecision(c, "", "")
}

func (h *Handlers) renderDecision(c *fiber.Ctx, reason, problem string) error {
	decision := c.Params("decision")
	if decision != "approva" && decision != "rifiuta" {
		return fiber.ErrNotFound
	}
	r, err := h.svc.Registration(c.UserContext(), idParam(c, "id"))
	if err != nil {
		return err
	}
	back := "/admin/registrazioni/" + strconv.FormatInt(r.ID, 10)
	if r.Status != RegPending {
		return c.Redirect(back, fiber.StatusSeeOther)
	}
	p := web.Confirmation{Title: h.web.T(c, "confirm.registration."+decision+".title", "Ente", r.Ente.Name), Subject: r.Ente.Name,
		Action: back + "/" + decision, Submit: h.web.T(c, "confirm.registration."+decision+".submit"), Cancel: back, Danger: decision == "rifiuta",
		Crumbs: []map[string]string{{"URL": "/admin/registrazioni", "Label": h.web.T(c, "admin.registrations")}, {"URL": back, "Label": r.Ente.Name}}}
	for _, n := range []string{"1", "2"} {
		p.Consequences = append(p.Consequences, h.web.T(c, "confirm.registration."+decision+"."+n, "Ente", r.Ente.Name))
	}
	if decision == "rifiuta" {
		p.Field = &web.ConfirmField{Name: "reason", Label: h.web.T(c, "admin.reject.reason"), Value: reason, Error: problem, MaxLength: 2000}
	}
	return h.web.Confirm(c, p)
}

func (h *Handlers) protocol(c *fiber.Ctx) error {
	r, err := h.svc.Registration(c.UserContext(), idParam(c, "id"))
	if err != nil {
		return err
	}
	return h.sendProtocol(c, r)
}

func (h *Handlers) sendProtocol(c *fiber.Ctx, r *Registration) error {
	f, err := h.svc.Protocol(c.UserContext(), r)
	if err != nil {
		return err
	}
	return web.SendStored(c, f, r.ProtocolType, "protocollo-"+r.Ente.ISTAT+extOf(r.ProtocolType), r.ProtocolSize)
}

func extOf(ctype string) string {
	if ctype == TypeP7M {
		return ".pdf.p7m"
	}
	return ".pdf"
}

func (h *Handlers) decide(c *fiber.Ctx) error {
	id := idParam(c, "id")
	var err error
	if !web.Confirmed(c) {
		switch c.Params("decision") {
		case "approva", "rifiuta":
			return c.Redirect(c.Path(), fiber.StatusSeeOther) // its confirmation page
		}
		return fiber.ErrNotFound
	}
	switch c.Params("decision") {
	case "approva":
		_, err = h.svc.Approve(c.UserContext(), actor(c), id)
	case "rifiuta":
		_, err = h.svc.Reject(c.UserContext(), actor(c), id, c.FormValue("reason"))
	default:
		return fiber.ErrNotFound
	}
	var ferrs FieldErrors
	switch {
	case errors.As(err, &ferrs):
		c.Status(fiber.StatusUnprocessableEntity)
		return h.renderDecision(c, c.FormValue("reason"), h.messages(c, ferrs)["reason"])
	case err != nil:
		if st, ok := h.errorStatus().Of(err); ok && st.Field != "" {
			c.Status(st.Code)
			return h.renderRegistration(c, map[string]string{st.Field: h.web.Say(c, st)}, "")
		}
		return err
	}
	h.web.Flash(c, "registration.flash."+c.Params("decision"))
	return c.Redirect("/admin/registrazioni", fiber.StatusSeeOther)
}

func (h *Handlers) registry(c *fiber.Ctx) error {
	return h.renderRegistry(c, Ente{}, nil, "")
}

func (h *Handlers) renderRegistry(c *fiber.Ctx, form Ente, errs map[string]string, alert string) error {
	h.web.CSRFToken(c)
	q := strings.TrimSpace(c.Query("q"))
	page, _ := strconv.Atoi(c.Query("pagina", "1"))
	if page < 1 || page > 100000 {
		page = 1
	}
	list, found, err := h.svc.RegistryPage(c.UserContext(), q, page)
	if err != nil {
		return err
	}
	pages := (found + RegistryPageSize - 1) / RegistryPageSize
	if page > 1 && page > pages {
		return fiber.ErrNotFound
	}
	n, err := h.svc.Count(c.UserContext())
	if err != nil {
		return err
	}
	return h.web.Page(c, "ente/admin_registry", fiber.Map{"Title": h.web.T(c, "admin.enti"), "Enti": list, "Query": q,
		"Total": n, "Found": found, "Pager": struct{ Page, Pages int }{page, pages}, "Form": form, "Errors": errs, "Alert": alert})
}

// adminEnte shows an admin one ente of the registry: its members and its registrations.
func (h *Handlers) adminEnte(c *fiber.Ctx) error {
	e, err := h.svc.Ente(c.UserContext(), idParam(c, "id"))
	if err != nil {
		return err
	}
	members, err := h.svc.Members(c.UserContext(), e.ID)
	if err != nil {
		return err
	}
	regs, err := h.svc.RegistrationsOfEnte(c.UserContext(), e.ID)
	if err != nil {
		return err
	}
	return h.web.Page(c, "ente/admin_ente", fiber.Map{"Title": e.Name, "Ente": e, "Members": members, "Registrations": regs,
		"Crumbs": []map[string]string{{"URL": "/admin/enti", "Label": h.web.T(c, "admin.enti")}}})
}

func (h *Handlers) addEnte(c *fiber.Ctx) error {
	e := Ente{ISTAT: strings.TrimSpace(c.FormValue("istat")), Name: strings.TrimSpace(c.FormValue("name")),
		Kind: c.FormValue("kind"), Province: strings.ToUpper(strings.TrimSpace(c.FormValue("province"))), Region: "Lombardia"}
	errs := FieldErrors{}
	if e.ISTAT == "" || len(e.ISTAT) > 10 || strings.Trim(e.ISTAT, "0123456789") != "" {
		errs["istat"] = "validation.istat"
	}
	if e.Name == "" || len(e.Name) > 200 {
		errs["name"] = "validation.required"
	}
	switch e.Kind {
	case KindComune, KindProvincia, KindCittaMetro, KindUnioneComuni:
	default:
		errs["kind"] = "validation.choice"
	}
	if len(e.Province) != 2 || strings.Trim(e.Province, "ABCDEFGHIJKLMNOPQRSTUVWXYZ") != "" {
		errs["province"] = "validation.province"
	}
	if len(errs) > 0 {
		c.Status(fiber.StatusUnprocessableEntity)
		return h.renderRegistry(c, e, h.messages(c, errs), h.web.T(c, "form.errors"))
	}
	if _, err := h.svc.Import(c.UserContext(), []Ente{e}); err != nil {
		return err
	}
	h.web.Flash(c, "admin.enti.saved")
	return c.Redirect("/admin/enti?q="+url.QueryEscape(e.Name), fiber.StatusSeeOther)
}
