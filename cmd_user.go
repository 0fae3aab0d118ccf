package main

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"strings"

	"passhub/app/auth"
	"passhub/app/identity"
)

// userCreateStaffCommand creates a staff account; the password comes from standard input or
// PASSHUB_STAFF_PASSWORD.
func userCreateStaffCommand(ctx context.Context, e *cmdEnv) error {
	a := e.app
	if err := a.Migrate(ctx); err != nil {
		return err
	}
	password := os.Getenv("PASSHUB_STAFF_PASSWORD")
	if password == "" {
		line, err := bufio.NewReader(os.Stdin).ReadString('\n')
		if err != nil && line == "" {
			return fmt.Errorf("give the password on standard input or in PASSHUB_STAFF_PASSWORD")
		}
		password = strings.TrimRight(line, "\r\n")
	}
	u, err := a.Identity.CreateStaff(ctx, e.args[0], e.args[1], e.args[2], e.args[3], password)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "staff account %s created (id %d)\n", u.Username, u.ID)
	return nil
}

// userGrantCommand grants a role (admin, editor, publisher, pm or expert of a task force) to a user named by
// username or fiscal code.
func userGrantCommand(ctx context.Context, e *cmdEnv) error {
	a := e.app
	u, err := a.Identity.UserByUsername(ctx, e.args[0])
	if err != nil {
		code, cerr := auth.NormalizeFiscalCode(e.args[0])
		if cerr != nil {
			return err
		}
		if u, err = a.Identity.UserByFiscalCode(ctx, code); err != nil {
			return err
		}
	}
	tf := ""
	if len(e.args) == 3 {
		tf = e.args[2]
	}
	if err := a.Identity.Grant(ctx, identity.Actor{Name: "passhub user grant"}, u.ID, e.args[1], tf); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "%s is now %s %s\n", u.FullName(), e.args[1], tf)
	return nil
}
