package web

import (
	"fmt"
	"net/netip"
	"strings"

	"github.com/gofiber/fiber/v2"
)

// clientHeader carries, inside the process, the client address resolved from the trusted proxies'
// X-Forwarded-For; Fiber's c.IP() reads it, and only for requests that come from a trusted proxy,
// so a value sent by anyone else is never read.
const clientHeader = "X-Passhub-Client-Addr"

// ParseProxies reads trusted proxies given as IP addresses or CIDR ranges.
func ParseProxies(list []string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, s := range list {
		s = strings.TrimSpace(s)
		if s == "" {
			continue
		}
		if p, err := netip.ParsePrefix(s); err == nil {
			out = append(out, p.Masked())
			continue
		}
		a, err := netip.ParseAddr(s)
		if err != nil {
			return nil, fmt.Errorf("%q is neither an IP address nor a CIDR range", s)
		}
		a = a.Unmap()
		out = append(out, netip.PrefixFrom(a, a.BitLen()))
	}
	return out, nil
}

// trusted reports whether a is one of the trusted proxies.
func (s *Server) trusted(a netip.Addr) bool {
	a = a.Unmap()
	for _, p := range s.proxies {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// clientAddress resolves the client's address once per request, so that c.IP() is the address to
// count, limit and record everywhere: the peer's, unless the peer is a trusted proxy; then the
// X-Forwarded-For chain is read from the right, each trusted proxy's entry skipped, and the first
// address that is not a trusted proxy is the client (entries further left were written by the
// client itself and prove nothing).
func (s *Server) clientAddress(c *fiber.Ctx) error {
	h := &c.Request().Header
	h.Del(clientHeader)
	peer, ok := netip.AddrFromSlice(c.Context().RemoteIP())
	if !ok || !s.trusted(peer) {
		return c.Next()
	}
	client := peer.Unmap()
	var hops []string
	for _, v := range h.PeekAll(fiber.HeaderXForwardedFor) {
		hops = append(hops, strings.Split(string(v), ",")...)
	}
	for i := len(hops) - 1; i >= 0; i-- {
		a, err := parseHop(hops[i])
		if err != nil {
			break // a malformed entry: the last trusted hop's word is all there is
		}
		client = a
		if !s.trusted(a) {
			break
		}
	}
	h.Set(clientHeader, client.String())
	return c.Next()
}

// parseHop reads one X-Forwarded-For entry: an address, possibly with a port ("1.2.3.4:5678",
// "[2001:db8::1]:443").
func parseHop(s string) (netip.Addr, error) {
	s = strings.TrimSpace(s)
	if ap, err := netip.ParseAddrPort(s); err == nil {
		return ap.Addr().Unmap(), nil
	}
	a, err := netip.ParseAddr(strings.Trim(s, "[]"))
	return a.Unmap(), err
}
