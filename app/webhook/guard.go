package webhook

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"syscall"
	"time"
)

// Guard keeps deliveries off the platform's own network: it refuses loopback, private,
// link-local, carrier-grade NAT, unspecified and multicast addresses unless Allow contains them.
// It checks the address actually dialled (net.Dialer.Control), after the name was resolved, so a
// name that resolves to a public address when checked and to a private one when dialled (DNS
// rebinding) is refused too.
type Guard struct {
	Allow []netip.Prefix
}

var cgnat = netip.MustParsePrefix("100.64.0.0/10")

// Allowed reports whether deliveries may go to a.
func (g Guard) Allowed(a netip.Addr) bool {
	a = a.Unmap()
	for _, p := range g.Allow {
		if p.Contains(a) {
			return true
		}
	}
	return a.IsValid() && !(a.IsLoopback() || a.IsPrivate() || a.IsLinkLocalUnicast() || a.IsLinkLocalMulticast() ||
		a.IsInterfaceLocalMulticast() || a.IsMulticast() || a.IsUnspecified() || cgnat.Contains(a))
}

// control refuses to connect to an address the guard does not allow: it runs after the name was
// resolved, before the connection is made, on the address that is dialled.
func (g Guard) control(network, address string, _ syscall.RawConn) error {
	host, _, err := net.SplitHostPort(address)
	if err != nil {
		return fmt.Errorf("%w: %s", ErrAddress, address)
	}
	a, err := netip.ParseAddr(host)
	if err != nil || !g.Allowed(a) {
		return fmt.Errorf("%w: %s", ErrAddress, host)
	}
	return nil
}

// Client returns the HTTP client of deliveries: connections only to allowed addresses, no proxy,
// no redirect followed (a 3xx is an answer, not a success), connect and total time bounded.
func (g Guard) Client(connect, total time.Duration) *http.Client {
	d := &net.Dialer{Timeout: connect, Control: g.control}
	tr := &http.Transport{
		Proxy: nil, DialContext: d.DialContext, TLSHandshakeTimeout: connect, ResponseHeaderTimeout: total,
		MaxIdleConnsPerHost: 2, IdleConnTimeout: 30 * time.Second, ForceAttemptHTTP2: true,
	}
	return &http.Client{Transport: tr, Timeout: total,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

// Resolver looks names up (net.DefaultResolver).
type Resolver interface {
	LookupNetIP(ctx context.Context, network, host string) ([]netip.Addr, error)
}

// Check validates an endpoint's URL when it is registered: absolute http(s) (https only when
// httpsOnly), a host, and every address the host resolves to allowed. Deliveries check again
// the address they dial.
func (g Guard) Check(ctx context.Context, r Resolver, raw string, httpsOnly bool) (*url.URL, error) {
	u, err := url.Parse(raw)
	if err != nil || !u.IsAbs() || u.Hostname() == "" || u.User != nil || (u.Scheme != "http" && u.Scheme != "https") {
		return nil, ErrURL
	}
	if httpsOnly && u.Scheme != "https" {
		return nil, ErrHTTPS
	}
	host := u.Hostname()
	if a, err := netip.ParseAddr(host); err == nil {
		if !g.Allowed(a) {
			return nil, ErrAddress
		}
		return u, nil
	}
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	addrs, err := r.LookupNetIP(ctx, "ip", host)
	if err != nil || len(addrs) == 0 {
		var dnsErr *net.DNSError
		if errors.As(err, &dnsErr) || err == nil {
			return nil, ErrResolve
		}
		return nil, fmt.Errorf("%w: %w", ErrResolve, err)
	}
	for _, a := range addrs {
		if !g.Allowed(a) {
			return nil, ErrAddress
		}
	}
	return u, nil
}

// ParseAllow reads the allowed addresses and ranges of the configuration (10.0.0.5, 10.0.0.0/8).
func ParseAllow(list []string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, s := range list {
		if s == "" {
			continue
		}
		if p, err := netip.ParsePrefix(s); err == nil {
			out = append(out, p.Masked())
			continue
		}
		a, err := netip.ParseAddr(s)
		if err != nil {
			return nil, fmt.Errorf("webhook: %q is neither an address nor a CIDR range", s)
		}
		out = append(out, netip.PrefixFrom(a, a.BitLen()))
	}
	return out, nil
}
