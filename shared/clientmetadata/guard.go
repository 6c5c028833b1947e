package clientmetadata

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"syscall"
	"time"
)

// ErrForbiddenAddress: the document's host resolves to, or a connection
// would reach, an address Latchkey never fetches from.
var ErrForbiddenAddress = errors.New("clientmetadata: the host resolves to a special-use address")

// specialUse are the special-use ranges of RFC 6890 (and its updates)
// that the netip predicates do not already cover: shared address space,
// IETF protocol assignments, documentation, benchmarking, reserved,
// NAT64 (which would reach IPv4 addresses behind it), Teredo and ORCHID.
var specialUse = func() []netip.Prefix {
	var out []netip.Prefix
	for _, s := range []string{
		"0.0.0.0/8", "100.64.0.0/10", "192.0.0.0/24", "192.0.2.0/24", "192.88.99.0/24", "198.18.0.0/15",
		"198.51.100.0/24", "203.0.113.0/24", "240.0.0.0/4", "255.255.255.255/32",
		"64:ff9b::/96", "64:ff9b:1::/48", "100::/64", "2001::/23", "2001:db8::/32", "2002::/16", "3fff::/20", "5f00::/16",
	} {
		out = append(out, netip.MustParsePrefix(s))
	}
	return out
}()

// Public reports whether a may be fetched from: a global unicast address
// outside every special-use range (draft-ietf-oauth-client-id-metadata-
// document §8.6: no loopback, private, link-local — 169.254.169.254, the
// cloud metadata service, among them —, multicast or reserved address).
// An IPv4-mapped IPv6 address is judged as the IPv4 address it maps.
func Public(a netip.Addr) bool {
	a = a.Unmap()
	if !a.IsValid() || !a.IsGlobalUnicast() || a.IsPrivate() || a.IsLoopback() || a.IsLinkLocalUnicast() {
		return false
	}
	for _, p := range specialUse {
		if p.Contains(a) {
			return false
		}
	}
	return true
}

// Resolver looks up a host's addresses; *net.Resolver is one.
type Resolver interface {
	LookupNetIP(ctx context.Context, network, host string) ([]netip.Addr, error)
}

// dialer connects only to addresses allowed says yes to. It resolves the
// host once and dials an address it checked, so a second DNS answer
// (rebinding) is never consulted; and it checks the address again on the
// socket itself, just before connecting (Control), so no path around the
// first check reaches a forbidden address.
type dialer struct {
	resolver Resolver
	allowed  func(netip.Addr) bool
	timeout  time.Duration
}

func (d dialer) dial(ctx context.Context, network, address string) (net.Conn, error) {
	host, port, err := net.SplitHostPort(address)
	if err != nil {
		return nil, err
	}
	addrs, err := d.resolve(ctx, host)
	if err != nil {
		return nil, err
	}
	if len(addrs) == 0 {
		return nil, fmt.Errorf("clientmetadata: %s has no address", host)
	}
	for _, a := range addrs {
		if !d.allowed(a) {
			return nil, fmt.Errorf("%w: %s is %s", ErrForbiddenAddress, host, a)
		}
	}
	nd := net.Dialer{Timeout: d.timeout, Control: d.control}
	return nd.DialContext(ctx, network, net.JoinHostPort(addrs[0].Unmap().String(), port))
}

// resolve returns an IP literal as it is, and looks a name up.
func (d dialer) resolve(ctx context.Context, host string) ([]netip.Addr, error) {
	if a, err := netip.ParseAddr(host); err == nil {
		return []netip.Addr{a}, nil
	}
	addrs, err := d.resolver.LookupNetIP(ctx, "ip", host)
	if err != nil {
		return nil, fmt.Errorf("clientmetadata: resolve %s: %w", host, err)
	}
	return addrs, nil
}

// control is the last check, on the address the socket connects to.
func (d dialer) control(_, address string, _ syscall.RawConn) error {
	ap, err := netip.ParseAddrPort(address)
	if err != nil || !d.allowed(ap.Addr()) {
		return fmt.Errorf("%w: refusing to connect to %s", ErrForbiddenAddress, address)
	}
	return nil
}
