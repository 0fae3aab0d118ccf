package main

import (
	"context"
	"fmt"
	"os"

	"passhub/app/funding"
)

// bandiImportCommand loads calls for funding from a CSV or JSON file: a row whose code is known
// updates its call, a new code creates one; refused rows are listed (row, field, message in
// Italian and English) and make the command end with an error, the other rows imported.
func bandiImportCommand(ctx context.Context, e *cmdEnv) error {
	a := e.app
	if err := a.Migrate(ctx); err != nil {
		return err
	}
	f, err := os.Open(e.args[0])
	if err != nil {
		return err
	}
	defer f.Close()
	rep, err := a.Funding.Import(ctx, funding.Actor{Name: "passhub bandi import"}, f)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "bandi: %d creati, %d aggiornati, %d righe scartate (created %d, updated %d, rows refused %d)\n",
		rep.Created, rep.Updated, len(rep.Errors), rep.Created, rep.Updated, len(rep.Errors))
	for _, x := range rep.Errors {
		fmt.Fprintf(e.stdout, "riga %d, %s: %s (row %d, %s: %s)\n", x.Row, x.Field, a.I18n.T("it", x.Message), x.Row, x.Field, a.I18n.T("en", x.Message))
	}
	if len(rep.Errors) > 0 {
		return fmt.Errorf("bandi import: %d rows refused", len(rep.Errors))
	}
	return nil
}
