package mailtest

import (
	"net"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
)

// Stalled is an SMTP server that accepts connections and never says a word, as a hung mail
// relay does; it holds each connection open until the test ends.
type Stalled struct {
	ln    net.Listener
	conns atomic.Int64
}

// StartStalled listens on 127.0.0.1 until the test ends.
func StartStalled(t testing.TB) *Stalled {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &Stalled{ln: ln}
	var mu sync.Mutex
	var open []net.Conn
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			s.conns.Add(1)
			mu.Lock()
			open = append(open, c)
			mu.Unlock()
		}
	}()
	t.Cleanup(func() {
		_ = ln.Close()
		mu.Lock()
		defer mu.Unlock()
		for _, c := range open {
			_ = c.Close()
		}
	})
	return s
}

// Host is the server's address.
func (s *Stalled) Host() string { return "127.0.0.1" }

// Port is the server's port, as a string for settings.
func (s *Stalled) Port() string { return strconv.Itoa(s.ln.Addr().(*net.TCPAddr).Port) }

// Connections counts the connections accepted so far.
func (s *Stalled) Connections() int { return int(s.conns.Load()) }
