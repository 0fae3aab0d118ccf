package main

import (
	"context"
	"fmt"
	"os"

	"passhub/app/ente"
)

// entiImportCommand adds enti to the registry from "istat;name;kind;province" lines, with the
// Lombard provinces.
func entiImportCommand(ctx context.Context, e *cmdEnv) error {
	a := e.app
	if err := a.Migrate(ctx); err != nil {
		return err
	}
	f, err := os.Open(e.args[0])
	if err != nil {
		return err
	}
	defer f.Close()
	list, err := ente.ReadRegistry(f, "Lombardia")
	if err != nil {
		return err
	}
	for _, p := range ente.LombardyProvinces {
		p.Region = "Lombardia"
		list = append(list, p)
	}
	n, err := a.Enti.Import(ctx, list)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "registry: %d enti imported or refreshed\n", n)
	return nil
}
