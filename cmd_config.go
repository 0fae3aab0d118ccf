package main

import (
	"context"
	"fmt"
)

// configCommand prints the effective configuration, secrets masked.
func configCommand(_ context.Context, e *cmdEnv) error {
	fmt.Fprint(e.stdout, e.cfg.Masked())
	return nil
}
