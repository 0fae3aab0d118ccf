package plugin

import (
	"errors"
	"strings"
	"testing"
)

func TestRegistry(t *testing.T) {
	r := NewRegistry[int, string]("search", "engine")
	r.Register("b", func(n int) (string, error) { return strings.Repeat("b", n), nil })
	r.Register("a", func(int) (string, error) { return "", errors.New("down") })
	if got, err := r.New("b", 3); err != nil || got != "bbb" {
		t.Fatalf("New(b) = %q, %v", got, err)
	}
	if _, err := r.New("a", 0); err == nil || err.Error() != "down" {
		t.Fatalf("a factory's error: %v", err)
	}
	if _, err := r.New("x", 0); err == nil || err.Error() != `search: no engine "x" (known: a, b)` {
		t.Fatalf("unknown name: %v", err)
	}
	defer func() {
		if recover() == nil {
			t.Error("a name registered twice was accepted")
		}
	}()
	r.Register("a", nil)
}
