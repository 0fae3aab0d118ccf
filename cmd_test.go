package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

// TestUsageListsEveryCommand: the usage is generated from the table, so every entry appears in it
// with its synopsis and each line of its help, in the table's order.
func TestUsageListsEveryCommand(t *testing.T) {
	var out, errOut bytes.Buffer
	if code := run(context.Background(), []string{"help"}, &out, &errOut); code != 0 {
		t.Fatalf("help: exit %d", code)
	}
	text, at := out.String(), 0
	for _, c := range commands {
		head := "passhub [-config FILE] " + strings.TrimSpace(c.name+" "+c.synopsis)
		i := strings.Index(text[at:], head)
		if i < 0 {
			t.Errorf("usage lacks %q (or has it out of order):\n%s", head, text)
			continue
		}
		at += i
		for _, l := range strings.Split(c.help, "\n") {
			if !strings.Contains(text[at:], l) {
				t.Errorf("usage lacks the help of %q: %q", c.name, l)
			}
		}
	}
	if !strings.HasPrefix(text, "passhub — PAsS") || !strings.Contains(text, "PASSHUB_* variables") {
		t.Errorf("usage head or tail lost:\n%s", text)
	}
}

// TestUnknownCommandExitsTwo: a command the table does not have, or one whose arguments do not
// fit it, exits 2 with the usage on standard error, before any configuration is read.
func TestUnknownCommandExitsTwo(t *testing.T) {
	t.Setenv("PASSHUB_ENV", "not-a-mode") // would fail with a configuration error if it were read
	for _, args := range [][]string{{"frobnicate"}, {"content"}, {"content", "export"}, {"user", "grant", "x"}, {"reindex", "now"}} {
		var out, errOut bytes.Buffer
		code := run(context.Background(), args, &out, &errOut)
		if code != 2 || !strings.Contains(errOut.String(), "unknown command") || !strings.Contains(errOut.String(), "Usage:") {
			t.Errorf("%v: exit %d, stderr %q", args, code, errOut.String())
		}
		if out.Len() != 0 {
			t.Errorf("%v: wrote to stdout: %q", args, out.String())
		}
	}
}
