package main

import (
	"context"
	"fmt"

	"passhub/app"
	"passhub/app/demo"
	"passhub/plugins/devidp"
)

// demoCommand seeds personas, enti and requests in every state (dev mode only).
func demoCommand(ctx context.Context, e *cmdEnv) error {
	a := e.app
	if !a.Config.DemoEnabled() {
		return fmt.Errorf("demo data are for dev mode only (PASSHUB_DEMO is off or the mode is production)")
	}
	if err := a.Migrate(ctx); err != nil {
		return err
	}
	if _, err := a.ImportContent(ctx, a.Config.ContentDir); err != nil {
		return err
	}
	return seedDemo(ctx, a)
}

// seedDemo binds the dev identity provider's personas to enti and roles (dev mode only).
func seedDemo(ctx context.Context, a *app.App) error {
	if n, err := a.Enti.Count(ctx); err != nil || n == 0 {
		a.Log.Warn("demo data skipped: the registry of enti is empty (run `passhub enti import FILE`, as `make run` does)")
		return err
	}
	people := make([]demo.Person, len(devidp.Personas))
	for i, p := range devidp.Personas {
		people[i] = demo.Person{Key: p.Key, FiscalCode: p.FiscalCode, Name: p.Name, FamilyName: p.FamilyName, Email: p.Email}
	}
	services := demo.Services{Identity: a.Identity, Enti: a.Enti}
	if err := demo.Seed(ctx, services, people); err != nil {
		return err
	}
	if err := demo.SeedRequests(ctx, services, demo.Requests{Requests: a.Requests, Workspace: a.Workspace}, people); err != nil {
		return err
	}
	if err := demo.SeedCRM(ctx, services, demo.CRM{Territory: a.Territory, CRM: a.CRM}, people); err != nil {
		return err
	}
	if err := demo.SeedAreas(ctx, services, a.Areas, people); err != nil {
		return err
	}
	if err := demo.SeedFunding(ctx, services, demo.Funding{Calls: a.Funding, Projects: a.Projects}, people); err != nil {
		return err
	}
	if err := demo.SeedHelpdesk(ctx, services, a.Helpdesk, people); err != nil {
		return err
	}
	a.Log.Info("demo data ready: log in at /accedi with the dev identity provider", "personas", len(people))
	return nil
}
