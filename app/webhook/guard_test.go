package webhook

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/netip"
	"strconv"
	"sync/atomic"
	"testing"
	"time"
)

// countingListener serves HTTP on 127.0.0.1 and counts the connections it accepted.
func countingListener(t *testing.T, h http.Handler) (port string, accepted *atomic.Int32) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	accepted = &atomic.Int32{}
	srv := &http.Server{Handler: h, ConnState: func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			accepted.Add(1)
		}
	}}
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Close() })
	return strconv.Itoa(ln.Addr().(*net.TCPAddr).Port), accepted
}

// The guard checks the address actually dialled: a name that resolves to loopback, literal
// private and link-local addresses are refused before any connection is made; allowed, the
// same loopback receiver is reached.
func TestGuardRefusesTheDialledAddress(t *testing.T) {
	port, accepted := countingListener(t, http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte("ok")) }))
	client := Guard{}.Client(200*time.Millisecond, time.Second)
	for _, u := range []string{"http://localhost:" + port + "/", "http://127.0.0.1:" + port + "/", "http://10.0.0.1/",
		"http://169.254.169.254/latest/meta-data", "http://[::1]:" + port + "/", "http://0.0.0.0:" + port + "/", "http://100.64.0.1/"} {
		start := time.Now()
		res, err := client.Post(u, "application/json", nil)
		if err == nil {
			res.Body.Close()
			t.Errorf("%s: posted", u)
			continue
		}
		if !errors.Is(err, ErrAddress) {
			t.Errorf("%s: %v, want ErrAddress", u, err)
		}
		if time.Since(start) > 150*time.Millisecond {
			t.Errorf("%s: refused after %v: the refusal must come before connecting", u, time.Since(start))
		}
	}
	if n := accepted.Load(); n != 0 {
		t.Fatalf("the receiver accepted %d connections from a refused delivery", n)
	}
	allowed := Guard{Allow: []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}}.Client(200*time.Millisecond, time.Second)
	res, err := allowed.Post("http://localhost:"+port+"/", "application/json", nil)
	if err != nil {
		t.Fatalf("allowed loopback: %v", err)
	}
	res.Body.Close()
	if accepted.Load() == 0 {
		t.Fatal("the allowed receiver was not reached")
	}
}

// A redirect is an answer, never followed: the target is not contacted.
func TestGuardFollowsNoRedirect(t *testing.T) {
	targetPort, targetHits := countingListener(t, http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {}))
	port, _ := countingListener(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "http://127.0.0.1:"+targetPort+"/", http.StatusFound)
	}))
	client := Guard{Allow: []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")}}.Client(200*time.Millisecond, time.Second)
	res, err := client.Post("http://127.0.0.1:"+port+"/", "application/json", nil)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusFound || targetHits.Load() != 0 {
		t.Fatalf("status %d, target contacted %d times", res.StatusCode, targetHits.Load())
	}
}

// Registration checks the URL: its form, https in production, and every resolved address.
func TestGuardCheck(t *testing.T) {
	g := Guard{}
	ctx := context.Background()
	for raw, want := range map[string]error{
		"":                                 ErrURL,
		"/relative":                        ErrURL,
		"ftp://example.org/":               ErrURL,
		"http://user:pw@example.org/":      ErrURL,
		"http://example.org/hook":          ErrHTTPS,
		"https://localhost/hook":           ErrAddress,
		"https://10.0.0.8/hook":            ErrAddress,
		"https://192.168.1.1/hook":         ErrAddress,
		"https://169.254.169.254/":         ErrAddress,
		"https://[fe80::1]/":               ErrAddress,
		"https://[::ffff:127.0.0.1]/":      ErrAddress,
		"https://does-not-exist.invalid/x": ErrResolve,
		"https://93.184.215.14/hook":       nil,
	} {
		if _, err := g.Check(ctx, net.DefaultResolver, raw, true); !errors.Is(err, want) && !(want == nil && err == nil) {
			t.Errorf("Check(%q) = %v, want %v", raw, err, want)
		}
	}
	if _, err := (Guard{Allow: []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8")}}).Check(ctx, net.DefaultResolver, "https://10.0.0.8/hook", true); err != nil {
		t.Errorf("allowed range refused: %v", err)
	}
	if p, err := ParseAllow([]string{"10.0.0.5", "192.168.0.0/16"}); err != nil || len(p) != 2 || !p[0].Contains(netip.MustParseAddr("10.0.0.5")) {
		t.Errorf("ParseAllow = %v, %v", p, err)
	}
	if _, err := ParseAllow([]string{"nope"}); err == nil {
		t.Error("ParseAllow accepted nope")
	}
}

// Sign follows the Standard Webhooks example: the specification's own test vector.
func TestSignMatchesTheSpecification(t *testing.T) {
	sig, err := Sign("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "msg_p5jXN8AQM9LWM0D4loKWxJek", time.Unix(1614265330, 0),
		[]byte(`{"test": 2432232314}`))
	if err != nil {
		t.Fatal(err)
	}
	if want := "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="; sig != want {
		t.Fatalf("Sign = %s, want %s", sig, want)
	}
}
