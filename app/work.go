package app

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"passhub/app/jobs"
	"passhub/app/storage/sweep"
)

// OpenSearch opens the search engine (once), applying its settings.
func (a *App) OpenSearch(ctx context.Context) error {
	if a.searchOpen {
		return nil
	}
	if err := a.Search.Engine.Init(ctx); err != nil {
		return fmt.Errorf("search: %s: %w", a.Config.SearchEngine, err)
	}
	a.searchOpen = true
	return a.Search.ApplySynonyms(ctx)
}

// facetName names a search facet's value: an ente by its id, a task force or a procedure by its code.
func (a *App) facetName(ctx context.Context, key, value string) string {
	if key != "ente" {
		return a.Catalogue.Title(ctx, key, value)
	}
	if id, ok := strings.CutPrefix(value, "area-"); ok { // a work area's items (search.AreaAccess)
		n, err := strconv.ParseInt(id, 10, 64)
		if err != nil {
			return ""
		}
		if ar, err := a.Areas.Get(ctx, n); err == nil {
			return ar.Name
		}
		return ""
	}
	id, err := strconv.ParseInt(value, 10, 64)
	if err != nil {
		return ""
	}
	if e, err := a.Enti.Ente(ctx, id); err == nil {
		return e.Name
	}
	return ""
}

// openJobs opens the job queue and gives it to the domains that own workers: the events'
// listeners, the notification centre (with its daily digest) and the search index.
func (a *App) openJobs(ctx context.Context) error {
	q, err := jobs.Open(ctx, a.DB, jobs.Options{Poll: a.Config.JobsPoll, RescueAfter: a.Config.JobsRescue, Log: a.Log,
		Workers: map[string]int{jobs.QueueWebhooks: a.Config.WebhooksWorkers}})
	if err != nil {
		return err
	}
	a.Jobs = q
	a.Events.Open(q)
	a.Notifications.Register(q)
	a.Requests.Register(q) // the outcome's asks and their daily six-month run
	a.Search.Register(q)
	a.Webhooks.Register(q)
	a.Content.Register(q)
	a.Monitor.Register(q)
	a.CRM.Register(q)                // the daily reminders of the follow-ups due, before the digest
	a.Funding.Register(q)            // the daily reminders and the weekly bulletin
	a.Helpdesk.Register(q, a.desk()) // the service levels' reminders, the closing of unrated tickets
	a.Sweeper = &sweep.Sweeper{DB: a.DB, Files: a.Files, Grace: a.Config.StorageGrace, Log: a.Log}
	a.Sweeper.Register(q)
	return nil
}

// StartJobs runs the job workers until Close.
func (a *App) StartJobs(ctx context.Context) error {
	if a.Jobs == nil {
		return errors.New("app: jobs: migrate first")
	}
	if err := a.OpenSearch(ctx); err != nil {
		return err
	}
	if err := a.Search.CatchUp(ctx); err != nil {
		return err
	}
	return a.Jobs.Start(context.WithoutCancel(ctx))
}
