package feeds

import (
	"fmt"
	"net"
	"net/netip"
	"strings"
	"syscall"
)

// A feed URL is typed by a user, so without a guard Rapport would fetch
// whatever it names: its own admin pages on loopback, a database on the
// private network, the cloud metadata service with its credentials. The
// guard runs in the dialer's Control hook, which sees the address actually
// being connected to after DNS: a name that resolves to a public address
// when checked and a private one when used (DNS rebinding) is caught, and
// so is every redirect hop, since each hop dials anew.

var (
	cgnat     = netip.MustParsePrefix("100.64.0.0/10")
	thisNet   = netip.MustParsePrefix("0.0.0.0/8")
	reserved  = netip.MustParsePrefix("240.0.0.0/4") // includes 255.255.255.255
	siteLocal = netip.MustParsePrefix("fec0::/10")   // deprecated, still routed privately
	nat64     = netip.MustParsePrefix("64:ff9b::/96")
	sixToFour = netip.MustParsePrefix("2002::/16")
	// IPv4-compatible (::a.b.c.d, deprecated) and IPv4-translated
	// (::ffff:0:a.b.c.d) addresses carry an IPv4 address as NAT64's do.
	v4Compatible = netip.MustParsePrefix("::/96")
	v4Translated = netip.MustParsePrefix("::ffff:0:0:0/96")
	metadata     = netip.MustParseAddr("169.254.169.254")
)

// special are IANA's special-purpose blocks that no public site is on:
// whatever answers there is on the operator's own network or nowhere.
var special = []netip.Prefix{
	netip.MustParsePrefix("192.0.0.0/24"),    // IETF protocol assignments
	netip.MustParsePrefix("192.0.2.0/24"),    // documentation
	netip.MustParsePrefix("192.88.99.0/24"),  // 6to4 relay anycast, deprecated
	netip.MustParsePrefix("198.18.0.0/15"),   // benchmarking, often lab networks
	netip.MustParsePrefix("198.51.100.0/24"), // documentation
	netip.MustParsePrefix("203.0.113.0/24"),  // documentation
	netip.MustParsePrefix("64:ff9b:1::/48"),  // local-use NAT64: the site's own translator
	netip.MustParsePrefix("100::/64"),        // discard-only
	netip.MustParsePrefix("2001::/23"),       // IETF protocol assignments, Teredo among them
	netip.MustParsePrefix("2001:db8::/32"),   // documentation
	netip.MustParsePrefix("3fff::/20"),       // documentation
	netip.MustParsePrefix("5f00::/16"),       // segment routing
}

// forbiddenKind says why addr must not be fetched, as the tail of a
// sentence ("a private address"), or "" when it is a public address.
func forbiddenKind(addr netip.Addr) string {
	addr = addr.Unmap() // ::ffff:10.0.0.1 is 10.0.0.1
	// Addresses that embed an IPv4 address reach that address through a
	// translator, so they are judged by it.
	if nat64.Contains(addr) {
		b := addr.As16()
		return forbiddenKind(netip.AddrFrom4([4]byte(b[12:16])))
	}
	if sixToFour.Contains(addr) {
		b := addr.As16()
		return forbiddenKind(netip.AddrFrom4([4]byte(b[2:6])))
	}
	if (v4Compatible.Contains(addr) && addr.Compare(netip.MustParseAddr("::1")) > 0) || v4Translated.Contains(addr) {
		b := addr.As16()
		return forbiddenKind(netip.AddrFrom4([4]byte(b[12:16])))
	}
	for _, p := range special {
		if p.Contains(addr) {
			return "a special-purpose address"
		}
	}
	switch {
	case addr == metadata:
		return "the cloud metadata address"
	case addr.IsLoopback():
		return "a loopback address"
	case addr.IsPrivate() || siteLocal.Contains(addr):
		return "a private address"
	case addr.IsLinkLocalUnicast() || addr.IsLinkLocalMulticast():
		return "a link-local address"
	case addr.IsUnspecified() || thisNet.Contains(addr):
		return "an unspecified address"
	case addr.IsMulticast() || addr.IsInterfaceLocalMulticast():
		return "a multicast address"
	case cgnat.Contains(addr):
		return "a shared (carrier-grade NAT) address"
	case reserved.Contains(addr):
		return "a reserved address"
	}
	return ""
}

// RefusedError is a connection the guard refused.
type RefusedError struct {
	Host string // as written in the URL
	Addr netip.Addr
	Kind string // "a private address", …
}

func (e *RefusedError) Error() string {
	if a, err := netip.ParseAddr(strings.Trim(e.Host, "[]")); err == nil && a.Unmap() == e.Addr.Unmap() {
		return fmt.Sprintf("refused: %s is %s", e.Host, e.Kind)
	}
	return fmt.Sprintf("refused: %s resolves to %s, %s", e.Host, e.Addr, e.Kind)
}

// allowList holds the hosts an administrator let past the guard, lower
// case, as "host" or "host:port".
type allowList map[string]bool

func newAllowList(hosts []string) allowList {
	l := allowList{}
	for _, h := range hosts {
		h = strings.ToLower(strings.TrimSpace(h))
		if h == "" {
			continue
		}
		if host, port, err := net.SplitHostPort(h); err == nil {
			l[net.JoinHostPort(host, port)] = true
			continue
		}
		l[strings.Trim(h, "[]")] = true
	}
	return l
}

// allows reports whether hostport ("host:port", as a dialer gets it) is
// listed, by host alone or with its port.
func (l allowList) allows(hostport string) bool {
	host, port, err := net.SplitHostPort(strings.ToLower(hostport))
	if err != nil {
		return false
	}
	return l[host] || l[net.JoinHostPort(host, port)]
}

// guardControl returns a dialer Control hook that refuses forbidden
// addresses, naming host (the name being dialled) in its error.
func guardControl(host string) func(network, address string, c syscall.RawConn) error {
	return func(network, address string, _ syscall.RawConn) error {
		ap, err := netip.ParseAddrPort(address)
		if err != nil {
			return fmt.Errorf("refused: %s: unexpected address %q", host, address)
		}
		if kind := forbiddenKind(ap.Addr()); kind != "" {
			return &RefusedError{Host: host, Addr: ap.Addr().Unmap(), Kind: kind}
		}
		return nil
	}
}
