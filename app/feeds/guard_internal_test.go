package feeds

import (
	"net/netip"
	"testing"
)

func TestForbiddenKind(t *testing.T) {
	tests := []struct{ addr, want string }{
		{"127.0.0.1", "a loopback address"},
		{"127.8.9.10", "a loopback address"},
		{"::1", "a loopback address"},
		{"::ffff:127.0.0.1", "a loopback address"},
		{"10.0.0.5", "a private address"},
		{"172.16.4.4", "a private address"},
		{"192.168.1.1", "a private address"},
		{"fd12:3456::1", "a private address"},
		{"::ffff:192.168.0.1", "a private address"},
		{"169.254.169.254", "the cloud metadata address"},
		{"::ffff:169.254.169.254", "the cloud metadata address"},
		{"169.254.1.1", "a link-local address"},
		{"fe80::1", "a link-local address"},
		{"0.0.0.0", "an unspecified address"},
		{"0.1.2.3", "an unspecified address"},
		{"::", "an unspecified address"},
		{"224.0.0.1", "a link-local address"},
		{"239.1.2.3", "a multicast address"},
		{"ff02::1", "a link-local address"},
		{"ff05::1", "a multicast address"},
		{"100.64.0.1", "a shared (carrier-grade NAT) address"},
		{"100.127.255.254", "a shared (carrier-grade NAT) address"},
		{"255.255.255.255", "a reserved address"},
		{"64:ff9b::a00:5", "a private address"},      // NAT64 of 10.0.0.5
		{"2002:7f00:1::1", "a loopback address"},     // 6to4 of 127.0.0.1
		{"::10.0.0.5", "a private address"},          // IPv4-compatible
		{"::ffff:0:127.0.0.1", "a loopback address"}, // IPv4-translated
		{"::ffff:0:169.254.169.254", "the cloud metadata address"},
		{"64:ff9b:1::a00:5", "a special-purpose address"}, // local-use NAT64
		{"198.18.0.1", "a special-purpose address"},       // benchmarking
		{"198.19.255.254", "a special-purpose address"},
		{"192.0.0.170", "a special-purpose address"},
		{"192.0.2.1", "a special-purpose address"},
		{"2001:0:4136:e378::1", "a special-purpose address"}, // Teredo
		{"2001:db8::1", "a special-purpose address"},
		{"93.184.215.14", ""},        // public
		{"198.20.0.1", ""},           // just past benchmarking
		{"::5db8:d70e", ""},          // IPv4-compatible, public
		{"100.128.0.1", ""},          // just past CGNAT
		{"2606:4700:4700::1111", ""}, // public v6
		{"64:ff9b::5db8:d70e", ""},   // NAT64 of a public address
	}
	for _, tt := range tests {
		if got := forbiddenKind(netip.MustParseAddr(tt.addr)); got != tt.want {
			t.Errorf("forbiddenKind(%s) = %q, want %q", tt.addr, got, tt.want)
		}
	}
}

func TestAllowList(t *testing.T) {
	l := newAllowList([]string{"Feeds.Local", "127.0.0.1:8081", "[::1]:9000", " "})
	tests := []struct {
		hostport string
		want     bool
	}{
		{"feeds.local:443", true},
		{"FEEDS.LOCAL:80", true},
		{"127.0.0.1:8081", true},
		{"127.0.0.1:8082", false},
		{"[::1]:9000", true},
		{"[::1]:9001", false},
		{"other.local:443", false},
	}
	for _, tt := range tests {
		if got := l.allows(tt.hostport); got != tt.want {
			t.Errorf("allows(%s) = %v, want %v", tt.hostport, got, tt.want)
		}
	}
}
