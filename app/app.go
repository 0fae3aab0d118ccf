// Package app is the composition root of passhub: it opens the database, builds the domain
// services and mounts their routes on the web server.
package app

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/uptrace/bun"

	"passhub/app/access"
	"passhub/app/acts"
	"passhub/app/analysis"
	"passhub/app/api"
	"passhub/app/apitoken"
	"passhub/app/area"
	"passhub/app/audit"
	"passhub/app/auth"
	"passhub/app/catalogue"
	"passhub/app/config"
	"passhub/app/contact"
	"passhub/app/content"
	"passhub/app/crm"
	"passhub/app/db"
	"passhub/app/ente"
	"passhub/app/event"
	"passhub/app/extract"
	"passhub/app/funding"
	"passhub/app/helpdesk"
	"passhub/app/i18n"
	"passhub/app/identity"
	"passhub/app/jobs"
	"passhub/app/kb"
	"passhub/app/mail"
	"passhub/app/media"
	"passhub/app/monitor"
	"passhub/app/newsroom"
	"passhub/app/notify"
	"passhub/app/opendata"
	"passhub/app/portal"
	"passhub/app/presence"
	"passhub/app/preview"
	"passhub/app/project"
	"passhub/app/realtime"
	"passhub/app/request"
	"passhub/app/search"
	"passhub/app/stats"
	"passhub/app/storage"
	"passhub/app/storage/sweep"
	"passhub/app/tender"
	"passhub/app/territory"
	"passhub/app/web"
	"passhub/app/webhook"
	"passhub/app/workarea"
	"passhub/app/workspace"
	"passhub/static"
	"passhub/themes"
)

// App is one running passhub: configuration, database, services and web server.
type App struct {
	Config        config.Config
	DB            *db.DB
	Log           *slog.Logger
	Web           *web.Server
	Content       *content.Service
	Catalogue     *catalogue.Service
	KB            *kb.Service   // the knowledge base at /faq and its votes
	Acts          *acts.Service // the act templates at /area-riservata/modelli and their uses
	Contact       *contact.Service
	Identity      *identity.Service
	Tokens        *apitoken.Service
	Enti          *ente.Service
	Territory     *territory.Service // which province follows which comune
	CRM           *crm.Service       // the provinces' record of the comuni they follow
	Files         storage.Store
	Sweeper       *sweep.Sweeper // removes stored objects no row references
	Requests      *request.Service
	Stats         *stats.Service
	Analysis      *analysis.Service
	Monitor       *monitor.Service // the semesters' draft reports
	Workspace     *workspace.Service
	Areas         *workarea.Service // the thematic work areas
	Realtime      *realtime.Service
	Hub           *realtime.Hub
	Events        *event.Dispatcher
	Notifications *notify.Centre
	Jobs          *jobs.Queue
	Previews      *preview.Service
	Media         *media.Service
	Presence      *presence.Registry
	stopPresence  func()
	Search        *search.Index
	Webhooks      *webhook.Service
	Tenders       *tender.Service // the tender-document library
	TenderSource  *tender.Source  // the library in the search index
	Funding       *funding.Service
	Projects      *project.Service
	Helpdesk      *helpdesk.Service
	searchOpen    bool
	Mailer        mail.Sender
	Mails         *mail.Templates
	Post          *mail.Postman
	I18n          *i18n.Catalogue
}

// CacheTTL bounds how long a content change made by another instance stays unseen should the bus
// miss it (a listener reconnecting): normally every instance drops its caches as soon as the bus
// tells it of the change.
const CacheTTL = 30 * time.Second

// New opens the database and builds the services; it does not migrate nor serve.
func New(ctx context.Context, cfg config.Config, log *slog.Logger) (*App, error) {
	if err := os.MkdirAll(cfg.UploadsDir(), 0o750); err != nil {
		return nil, fmt.Errorf("app: data dir: %w", err)
	}
	d, err := db.Open(ctx, cfg.DatabaseURL, cfg.SQLitePath(), db.Synchronous(cfg.SQLiteSynchronous))
	if err != nil {
		return nil, err
	}
	a := &App{Config: cfg, DB: d, Log: log, Events: event.New(log)}
	// Build the services.
	a.Realtime = realtime.Open(d, cfg.DatabaseURL, log)
	a.Hub, a.Events.Hints = a.Realtime.Hub, a.Realtime
	a.Content = content.NewService(d, log, CacheTTL)
	a.Catalogue = catalogue.NewService(d, a.Content, CacheTTL)
	a.KB = kb.NewService(d, a.Content, CacheTTL)
	a.Acts = acts.NewService(d, a.Content, CacheTTL)
	previewKey, err := preview.Key(cfg.PreviewKey, cfg.DataDir)
	if err != nil {
		return nil, err
	}
	if a.Previews, err = preview.NewService(previewKey, a.Content); err != nil {
		return nil, err
	}
	a.Contact = contact.NewService(d)
	a.Identity = identity.NewService(d, cfg.SessionIdle, cfg.SessionAbsolute)
	a.Identity.Warn = cfg.SessionWarn
	a.Tokens = apitoken.NewService(d)
	if a.Files, err = OpenStore(cfg); err != nil {
		return nil, err
	}
	a.Content.Files = a.Files
	if a.Mailer, err = mail.New(cfg.Mail, mail.Options{Log: log, Settings: map[string]string{"host": cfg.SMTPHost,
		"port": cfg.SMTPPort, "username": cfg.SMTPUsername, "password": cfg.SMTPPassword, "from": cfg.SMTPFrom, "tls": cfg.SMTPTLS}}); err != nil {
		return nil, err
	}
	a.Mails = mail.NewTemplates(a.theme())
	a.Post = &mail.Postman{Sender: a.Mailer, Templates: a.Mails, DB: d, BaseURL: cfg.BaseURL, Bounced: a.Identity.MarkBounced, Log: log}
	if a.I18n, err = i18n.Load(a.theme()); err != nil {
		return nil, err
	}
	a.Enti = ente.NewService(d, a.Files)
	if a.Enti.Trust, err = ente.LoadTrust(cfg.SignatureTrust); err != nil {
		return nil, fmt.Errorf("PASSHUB_SIGNATURE_TRUST: %w", err)
	}
	a.Enti.DevSign = !cfg.Production() && cfg.DevIdPEnabled() // the dev personas can sign a protocol
	a.Requests = request.NewService(d, a.Catalogue)
	a.Territory = territory.NewService(d, a.Enti)
	a.Territory.Changed = a.territoryChanged // the members' open pages reconnect with the new territory
	a.CRM = crm.NewService(d, a.Territory, a.Enti, a.Requests)
	a.Stats = stats.NewService(d)
	a.Stats.SetFreshness(cfg.StatsFreshness)
	a.Analysis = analysis.NewService(d, a.Stats)
	a.Monitor = a.newMonitor()
	a.Notifications = notify.NewCentre(d, a.Hub)
	a.Notifications.Mailer = notify.Mails{Users: a.Identity, Post: a.Post, I18n: a.I18n}
	a.Notifications.Accounts = a.Identity
	a.Notifications.Subjects = a.subjectByID
	a.CRM.Notices = a.Notifications // the follow-ups due: the bell and the daily digest
	a.Funding = funding.NewService(d)
	a.Funding.Notices = a.Notifications
	a.Funding.Mail = funding.Mails{Users: a.Identity, Post: a.Post}
	a.Projects = project.NewService(d, a.Funding, a.Enti)
	a.Projects.Notices = a.Notifications
	a.Workspace = workspace.NewService(d, a.Files, a.Requests)
	a.Workspace.MaxFile = cfg.UploadLimit()
	a.Areas = workarea.NewService(d, a.Workspace)
	a.Media = media.NewService(d, a.Files, cfg.UploadLimit())
	searchDir := cfg.SearchDir
	if searchDir == "" {
		searchDir = cfg.DataDir
	}
	engine, err := search.New(cfg.SearchEngine, search.Options{DataDir: searchDir, Settings: map[string]string{"url": cfg.MeiliURL, "key": cfg.MeiliKey}})
	if err != nil {
		return nil, err
	}
	a.Search = &search.Index{Engine: engine, DB: d, Files: a.Files, Requests: a.Requests, Extractor: extract.New(extract.Limits{}, log),
		Bus: a.Realtime, Log: log, EngineName: cfg.SearchEngine}
	a.Content.Events, a.Contact.Events, a.Enti.Events, a.Requests.Events = a.Events, a.Events, a.Events, a.Events
	a.newTenders()
	a.Territory.Events, a.CRM.Events = a.Events, a.Events // the search index follows the CRM's rows and links
	a.Areas.Events = a.Events
	a.Projects.Events = a.Events
	a.Helpdesk = helpdesk.NewService(d)
	a.Helpdesk.Events, a.Helpdesk.Address = a.Events, cfg.HelpdeskAddress
	a.Helpdesk.Files, a.Helpdesk.MaxFile = a.Files, cfg.UploadLimit()
	allow, err := webhook.ParseAllow(cfg.WebhooksAllowed())
	if err != nil {
		return nil, fmt.Errorf("PASSHUB_WEBHOOKS_ALLOW: %w", err)
	}
	webhookKey, err := webhook.Key(cfg.WebhookKey, cfg.DataDir)
	if err != nil {
		return nil, err
	}
	sealer, err := webhook.NewSealer(webhookKey)
	if err != nil {
		return nil, err
	}
	a.Webhooks = webhook.NewService(d, webhook.Options{Guard: webhook.Guard{Allow: allow}, HTTPSOnly: cfg.Production(), Sealer: sealer,
		ConnectTimeout: cfg.WebhooksConnectTimeout, Timeout: cfg.WebhooksTimeout, Backoff: cfg.WebhooksBackoff,
		Attempts: cfg.WebhooksAttempts, DisableAfter: cfg.WebhooksDisableAfter, PerEndpoint: cfg.WebhooksPerEndpoint, Keep: cfg.WebhooksKeep,
		MaxEndpoints: cfg.WebhooksMaxEndpoints}, log)
	a.Webhooks.Notices = a.Notifications

	// Register the listeners: each domain states its own rules.
	a.Enti.Listen(a.Events, a.Identity, a.Post)
	a.Contact.Listen(a.Events, contact.Staff{Recipients: cfg.ContactRecipients, Users: a.Identity}, a.Post)
	a.Search.Listen(a.Events, a.Realtime) // first: an index update is queued even while notifying fails
	a.Stats.Listen(a.Events, a.Realtime)  // before the notifications: a figure is kept even while notifying fails
	a.Requests.Listen(a.Events, a.Realtime, request.Audience{Staff: a.Identity, Members: a.Enti, Notices: a.Notifications})
	a.Areas.Listen(a.Events, a.Realtime, a.Notifications)
	a.Content.Listen(a.Realtime)
	a.Funding.Listen(a.Events)
	a.Funding.IndexIn(a.Events, a.Search) // published calls in the site search
	a.Projects.Listen(a.Events)
	a.Projects.IndexIn(a.Events, a.Search) // published project sheets, for the enti and the staff
	a.Acts.IndexIn(a.Search)               // published act templates, for the enti and the staff
	a.Helpdesk.Listen(a.Events, a.desk())  // contact messages become tickets; answers are mailed
	a.Helpdesk.IndexIn(a.Events, a.Search) // tickets, for the desk and for their requester
	a.Content.ListenNewsroom(a.Events, content.Audience{Staff: a.Identity, Notices: a.Notifications})
	a.Monitor.Listen(a.Events, content.Audience{Staff: a.Identity, Notices: a.Notifications})
	a.Tenders.Listen(a.Events, a.Notifications, a.TenderSource.Reindex)
	a.Acts.Listen(a.Events, a.Notifications)
	a.startPresence()
	a.Webhooks.Listen(a.Events, webhook.Sources{Requests: a.Requests, Enti: a.Enti}) // last: the domains' own rules first
	a.Enti.EndSessions = func(ctx context.Context, tx bun.IDB, userID int64) error {
		a.Hub.CloseUser(userID) // a disabled delegate's open pages stop at once
		return a.Identity.EndAllSessions(ctx, tx, userID)
	}
	a.Identity.OnAccessChange(func(ctx context.Context, userID int64) { a.accessChanged(ctx, userID) })
	a.Requests.AccessChanged = a.accessChanged
	a.Areas.AccessChanged = a.accessChanged // a member added or removed: their open pages are authorised again
	a.Realtime.Handle("access:", a.reauthorize)
	a.Identity.AfterLogin(func(ctx context.Context, tx bun.IDB, u *identity.User) error {
		return a.Enti.AcceptInvitations(ctx, tx, u.ID, u.FiscalCode)
	})
	return a, nil
}

// newMonitor builds the writer of the monitoring reports: task forces named by the catalogue,
// request states by the Italian messages (the reports are Italian content).
func (a *App) newMonitor() *monitor.Service {
	m := monitor.NewService(a.Stats, a.Content)
	m.Events = a.Events
	m.TaskForce = func(ctx context.Context, code string) string { return a.Catalogue.Title(ctx, "task_force", code) }
	m.Procedures = func(ctx context.Context) ([]monitor.Procedure, error) {
		all, err := a.Catalogue.Catalogue(ctx)
		if err != nil {
			return nil, err
		}
		var out []monitor.Procedure
		for _, tf := range all {
			for _, p := range tf.Procedures {
				out = append(out, monitor.Procedure{ID: p.ID, Code: p.Code, Title: p.Title, TaskForce: tf.Code})
			}
		}
		return out, nil
	}
	m.State = func(state string) string {
		if id := "state." + state; a.I18n.Has(id) {
			return a.I18n.T("it", id)
		}
		return ""
	}
	return m
}

// OpenStore returns the store of uploaded files that cfg names (PASSHUB_STORAGE and its
// settings), as the application uses it.
func OpenStore(cfg config.Config) (storage.Store, error) {
	return storage.New(cfg.Storage, storage.Options{DataDir: cfg.DataDir, Settings: cfg.StorageSettings()})
}

// Close stops the job workers and the event listener, and releases the database.
func (a *App) Close() error {
	var err error
	if a.Jobs != nil {
		ctx, cancel := context.WithTimeout(context.Background(), a.Config.ShutdownTimeout)
		err = a.Jobs.Stop(ctx)
		cancel()
	}
	if a.stopPresence != nil {
		a.stopPresence()
	}
	a.Realtime.Close()
	if a.searchOpen {
		err = errors.Join(err, a.Search.Engine.Close())
	}
	return errors.Join(err, a.DB.Close())
}

// Migrate applies pending migrations, the job queue's included, and opens the queue.
func (a *App) Migrate(ctx context.Context) error {
	n, err := a.DB.Migrate(ctx)
	if err != nil {
		return err
	}
	if n > 0 {
		a.Log.Info("migrations applied", "count", n)
	}
	// content attachments kept as database blobs before they moved to the store
	if moved, err := a.Content.MoveAttachmentBlobs(ctx); err != nil {
		return err
	} else if moved > 0 {
		a.Log.Info("content attachments moved to the store", "count", moved)
	}
	// requests filed before the statistics were kept
	if counted, err := a.Stats.Backfill(ctx); err != nil {
		return err
	} else if counted > 0 {
		a.Log.Info("statistics rebuilt from the requests", "count", counted)
	}
	// webhook secrets stored in clear before they were encrypted
	if sealed, _, err := a.Webhooks.SealSecrets(ctx); err != nil {
		return err
	} else if sealed > 0 {
		a.Log.Info("webhook secrets encrypted", "count", sealed)
	}
	if a.Jobs == nil {
		return a.openJobs(ctx)
	}
	return nil
}

// ImportContent imports the content directory and logs what happened.
func (a *App) ImportContent(ctx context.Context, dir string) (*content.ImportReport, error) {
	rep, err := a.Content.Import(ctx, dir)
	if err != nil {
		return nil, err
	}
	a.Log.Info("content imported", "dir", dir, "created", rep.Created, "updated", rep.Updated,
		"unchanged", rep.Unchanged, "conflicts", len(rep.Conflicts), "errors", len(rep.Errors))
	for _, c := range rep.Conflicts {
		a.Log.Warn("content conflict: edited in the database since the last import, file not imported", "file", c)
	}
	for _, e := range rep.Errors {
		for _, p := range e.All() {
			a.Log.Warn("content file not imported", "file", p.Path, "line", p.Line, "problem", p.Msg)
		}
	}
	return rep, nil
}

// Handler builds the web server with every route mounted.
func (a *App) Handler() (*web.Server, error) {
	theme := a.theme()
	w, err := web.New(web.Options{
		Production: a.Config.Production(), BaseURL: a.Config.BaseURL, BodyLimit: a.Config.BodyLimit,
		MaxUpload:     a.Config.UploadLimit(),
		HeaderTimeout: a.Config.HeaderTimeout, BodyMinRate: a.Config.UploadMinRate,
		Theme: theme, Static: static.FS, Log: a.Log, PageCache: a.Config.PageCache, SessionCookie: identity.CookieName,
		TrustedProxies: a.Config.TrustedProxies,
		RequestTimeout: a.Config.RequestTimeout,
	})
	if err != nil {
		return nil, err
	}
	if w.Pages != nil {
		a.Content.OnChange(w.Pages.Clear)
		a.Realtime.Handle(search.CacheTopic, func(string) { w.Pages.DropPath("/cerca") }) // the index changed after the content
		a.Stats.OnForget(func() { w.Pages.DropPath("/dati") })                            // the figures changed: the public pages made of them too
		event.OnCommit(a.Events, func(context.Context, funding.Changed) { w.Pages.DropPath("/bandi") })
	}
	w.App.Get("/healthz", func(c *fiber.Ctx) error { return c.JSON(fiber.Map{"status": "ok"}) })
	w.App.Get("/readyz", a.ready)
	providers, err := a.providers(w)
	if err != nil {
		return nil, err
	}
	var buttons []auth.Button
	for _, p := range providers {
		buttons = append(buttons, p.Buttons()...)
		if e, ok := p.(auth.CSRFExempter); ok {
			for _, path := range e.CSRFExempt() {
				w.ExemptFromCSRF(path)
			}
		}
	}
	ident := identity.NewHandlers(w, a.Identity, buttons, a.Config.Production())
	ident.Background = background
	w.App.Use(ident.Identify)
	w.App.Use(a.subject)
	w.App.Use(a.Notifications.Bell)
	tokens := apitoken.NewHandlers(w, a.Tokens)
	w.App.Use("/api/v1", tokens.Authenticate) // a Bearer token is the subject of an API request
	for _, p := range providers {
		if err := p.Mount(w.App, ident); err != nil {
			return nil, fmt.Errorf("app: identity provider %s: %w", p.Name(), err)
		}
	}
	ident.Mount(w.App)
	ident.MountStaff(w.App)
	w.App.Get("/ws", a.Hub.Handler(a.Config.BaseURL, follow{a}))
	w.App.Use("/area-riservata", identity.RequireLogin)
	w.App.Use("/admin", identity.RequireLogin)
	w.App.Use("/redazione", identity.RequireLogin)
	w.App.Use("/area-riservata", area.Menu(a.Enti))
	w.App.Use("/admin", area.Menu(a.Enti))
	w.App.Use("/redazione", area.Menu(a.Enti))
	area.NewHandlers(w, area.Services{Enti: a.Enti, Requests: a.Requests, Catalogue: a.Catalogue, Stats: a.Stats, CRM: a.CRM, Now: a.Analysis.Now}).Mount(w.App)
	crm.NewHandlers(w, a.CRM, a.Enti).Mount(w.App)
	territory.NewHandlers(w, a.Territory).Mount(w.App)
	panel := analysis.NewHandlers(w, a.Analysis, a.Catalogue, a.Requests)
	panel.Desk = func(ctx context.Context, from, to time.Time) (analysis.Satisfaction, error) {
		s, err := a.Helpdesk.SatisfactionIn(ctx, from, to)
		return analysis.Satisfaction(s), err
	}
	panel.Mount(w.App)
	ente.NewHandlers(w, a.Enti).Mount(w.App)
	ws := workspace.NewHandlers(w, a.Workspace, a.Requests, a.Catalogue, a.hasPM)
	ws.Drafts, ws.People = kbDrafts{a}, a.requestPeople
	ws.Mount(w.App)                                                       // the /area-riservata/richieste tree
	workarea.NewHandlers(w, a.Areas, a.Config.UploadLimit()).Mount(w.App) // /area-riservata/spazi and /admin/spazi
	a.Notifications.Mount(w.App, w)
	identity.NewAdminHandlers(w, a.Identity, a.taskForceCodes).Mount(w.App)
	audit.NewHandlers(w, a.DB).Mount(w.App)
	tokens.Mount(w.App)
	api.NewHandlers(w, a.Content).Mount(w.App) // before the other /api/v1 routes: its access rule covers them
	webhook.NewHandlers(w, a.Webhooks).Mount(w.App)
	media.NewHandlers(w, a.Media).Mount(w.App) // before the newsroom: the picker's data on the entry editor's routes
	// before the newsroom: the presence box's data on the entry page's routes
	presence.NewHandlers(w, a.Presence, a.Content, a.Identity).Mount(w.App)
	newsroom.NewHandlers(w, a.Content, a.Previews).Mount(w.App)
	tenders := tender.NewHandlers(w, a.Tenders)
	tenders.Authors, tenders.Enti, tenders.Search = tenderAuthors{a}.choices, a.memberEnti, a.TenderSource
	tenders.Mount(w.App)
	search.NewHandlers(w, a.Search, a.facetName, a.Log).Mount(w.App)
	if a.Jobs != nil {
		a.Jobs.Mount(w.App, w)
	}
	acts.NewHandlers(w, a.Acts, a.Enti, a.KB).Mount(w.App)
	kb.NewHandlers(w, a.KB, a.Content).Mount(w.App) // before the portal, which would serve /faq as a plain listing
	portalHandlers := portal.NewHandlers(w, a.Content, a.Catalogue)
	portalHandlers.Mount(w.App)
	catalogue.NewHandlers(w, a.Catalogue, a.Content).Mount(w.App)
	opendata.NewHandlers(w, opendata.Sources{Stats: a.Stats, Catalogue: a.Catalogue, Enti: a.Enti},
		opendata.Publisher{Name: a.Config.DataPublisher, IPA: a.Config.DataPublisherIPA, Contact: a.Config.DataContact}, a.Config.BaseURL,
		a.Config.StatsFreshness).Mount(w.App)
	funding.NewHandlers(w, a.Funding, a.Config.BaseURL).Mount(w.App)
	project.NewHandlers(w, a.Projects, a.Funding, a.Enti).Mount(w.App)
	a.helpdeskHandlers(w).Mount(w.App)
	contact.NewHandlers(w, a.Contact, a.Content, a.Config.ContactLimit, a.Config.ContactWindow).Mount(w.App)
	preview.NewHandlers(w, a.Previews, portalHandlers.Show).Mount(w.App)
	w.App.Use(portalHandlers.Redirects) // former slugs of renamed entries, before the 404
	w.App.Use(w.NotFound)
	a.Web = w
	return w, nil
}

// background tells the requests pages make by themselves, which never extend a session: the
// bell's poll, the live updates a push asks for, the websocket and the session's own status.
func background(c *fiber.Ctx) bool {
	p := c.Path()
	return p == "/area-riservata/notifiche/conteggio" || p == "/ws" ||
		(p == "/area-riservata/sessione" && c.Method() == fiber.MethodGet) ||
		(strings.HasPrefix(p, "/area-riservata/richieste/") && strings.HasSuffix(p, "/aggiornamenti")) ||
		(strings.HasPrefix(p, "/area-riservata/spazi/") && strings.HasSuffix(p, "/aggiornamenti")) ||
		strings.HasPrefix(p, "/redazione/presenza/")
}

func (a *App) taskForceCodes(ctx context.Context) ([]string, error) {
	tfs, err := a.Catalogue.Catalogue(ctx)
	if err != nil {
		return nil, err
	}
	codes := make([]string, len(tfs))
	for i, tf := range tfs {
		codes[i] = tf.Code
	}
	return codes, nil
}

// subject tells the access policy who is asking: the viewer's staff roles and enti.
func (a *App) subject(c *fiber.Ctx) error {
	v := identity.ViewerOf(c)
	if v == nil {
		return c.Next()
	}
	s, err := a.subjectOf(c.UserContext(), v)
	if err != nil {
		return err
	}
	access.Set(c, s)
	return c.Next()
}

// theme is the default theme with the custom theme folder, if any, layered over it.
func (a *App) theme() fs.FS {
	var theme fs.FS = themes.Default()
	if a.Config.ThemeDir != "" {
		theme = web.Overlay{Upper: os.DirFS(a.Config.ThemeDir), Lower: theme}
	}
	return theme
}

// providers builds the identity providers the configuration enables.
func (a *App) providers(w *web.Server) ([]auth.Provider, error) {
	c := a.Config
	opts := func(settings map[string]string) auth.Options {
		return auth.Options{BaseURL: c.BaseURL, Production: c.Production(), DataDir: c.DataDir, Settings: settings}
	}
	var out []auth.Provider
	var trusted []auth.TrustedIdP
	var dev auth.IdentityProvider
	if c.DevIdPEnabled() {
		p, err := auth.New("devidp", opts(nil))
		if err != nil {
			return nil, err
		}
		dev = p.(auth.IdentityProvider)
		trusted = append(trusted, dev.Trusted())
		out = append(out, p)
	}
	if len(trusted) > 0 || c.SAMLIdPMetadata != "" {
		o := opts(map[string]string{"key_file": c.SAMLKeyFile, "cert_file": c.SAMLCertFile, "idp_metadata": c.SAMLIdPMetadata,
			"level": strconv.Itoa(c.SPIDLevel)})
		o.Trusted = trusted
		sp, err := auth.New("saml", o)
		if err != nil {
			return nil, err
		}
		if dev != nil {
			dev.TrustServiceProvider(sp.(auth.MetadataSource).Metadata)
		}
		out = append(out, sp)
	}
	if c.OIDCIssuer != "" {
		p, err := auth.New("oidc", opts(map[string]string{"issuer": c.OIDCIssuer, "client_id": c.OIDCClientID,
			"client_secret": c.OIDCClientSecret, "fiscal_claim": c.OIDCFiscalClaim}))
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, nil
}

// Announcement is the line that says where the site is: its base URL, and the address the server
// listens on when the base URL is another host's (a reverse proxy's).
func Announcement(baseURL, listening string) string {
	if u, err := url.Parse(baseURL); err == nil && u.Port() != "" {
		if _, port, err := net.SplitHostPort(listening); err == nil && port == u.Port() {
			return "PAsS è in ascolto su " + baseURL
		}
	}
	return "PAsS è in ascolto su " + listening + ", il sito è " + baseURL
}

// ready answers 200 when the database is reachable and its schema current, 503 otherwise.
func (a *App) ready(c *fiber.Ctx) error {
	ctx, cancel := context.WithTimeout(c.UserContext(), 2*time.Second)
	defer cancel()
	checks := fiber.Map{}
	status := fiber.StatusOK
	if err := a.DB.PingContext(ctx); err != nil {
		checks["database"] = "unreachable"
		status = fiber.StatusServiceUnavailable
	} else {
		checks["database"] = "ok"
		pending, err := a.DB.Pending(ctx)
		switch {
		case err != nil:
			checks["migrations"] = "unknown"
			status = fiber.StatusServiceUnavailable
		case len(pending) > 0:
			checks["migrations"] = fmt.Sprintf("%d pending", len(pending))
			status = fiber.StatusServiceUnavailable
		default:
			checks["migrations"] = "current"
		}
	}
	// A search engine that is down makes searches fail, not the site: reported, not fatal.
	if !a.searchOpen {
		checks["search"] = "closed"
	} else if err := a.Search.Engine.Ping(ctx); err != nil {
		checks["search"] = "unreachable"
	} else {
		checks["search"] = "ok"
	}
	return c.Status(status).JSON(fiber.Map{"status": map[bool]string{true: "ok", false: "unavailable"}[status == 200], "checks": checks})
}

// Serve runs the web server until ctx is cancelled, then shuts it down gracefully. Once it
// listens, it writes one plain line to announce saying where the site is.
func (a *App) Serve(ctx context.Context, announce io.Writer) error {
	w, err := a.Handler()
	if err != nil {
		return err
	}
	if err := a.StartJobs(ctx); err != nil {
		return err
	}
	ln, err := net.Listen("tcp", a.Config.Addr)
	if err != nil {
		return fmt.Errorf("app: listen on %s: %w", a.Config.Addr, err)
	}
	stopInbound, err := a.serveInbound()
	if err != nil {
		return err
	}
	defer func() { _ = stopInbound(context.WithoutCancel(ctx)) }()
	errc := make(chan error, 1)
	go func() { errc <- w.App.Listener(ln) }()
	a.Log.Info("serving", "addr", ln.Addr().String(), "base_url", a.Config.BaseURL, "env", a.Config.Env)
	fmt.Fprintln(announce, Announcement(a.Config.BaseURL, ln.Addr().String()))
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	a.Log.Info("shutting down")
	a.Hub.Shutdown() // open pages reconnect and catch up
	if err := w.App.ShutdownWithTimeout(a.Config.ShutdownTimeout); err != nil && !errors.Is(err, context.Canceled) {
		return fmt.Errorf("app: shutdown: %w", err)
	}
	return nil
}
