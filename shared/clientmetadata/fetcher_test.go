package clientmetadata_test

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/latchkey/latchkey/shared/clientmetadata"
	cmt "github.com/latchkey/latchkey/shared/clientmetadata/clientmetadatatest"
	"github.com/latchkey/latchkey/shared/fakeclock"
)

var start = time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC)

// rig is a document server on local TLS, a resolver sending client.test
// to it, and a fetcher trusting its CA.
type rig struct {
	t        *testing.T
	server   *cmt.Server
	resolver *cmt.Resolver
	clock    *fakeclock.Clock
	// answer is what the server sends for each request.
	answer func(w http.ResponseWriter, r *http.Request)
}

func newRig(t *testing.T) *rig {
	t.Helper()
	r := &rig{t: t, resolver: cmt.NewResolver(), clock: fakeclock.New(start)}
	r.server = cmt.NewServer(t, http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) { r.answer(w, req) }))
	r.resolver.Answer("client.test", cmt.Addrs("127.0.0.1"))
	r.answer = r.document(r.url(), nil)
	return r
}

func (r *rig) url() string { return r.server.URL("client.test", "/oauth/client.json") }

// document answers a valid document for clientID with extra headers.
func (r *rig) document(clientID string, header http.Header) func(http.ResponseWriter, *http.Request) {
	return func(w http.ResponseWriter, _ *http.Request) {
		for k, v := range header {
			w.Header()[k] = v
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"client_id":"` + clientID + `","client_name":"Test client","redirect_uris":["http://127.0.0.1/cb"]}`))
	}
}

// fetcher returns a fetcher for the rig; loopback allowed, as for a
// Latchkey itself on loopback, unless strict.
func (r *rig) fetcher(strict bool, timeout time.Duration) *clientmetadata.Fetcher {
	return clientmetadata.New(clientmetadata.Options{
		Resolver: r.resolver, RootCAs: r.server.CA.Pool, AllowLoopback: !strict, Timeout: timeout, Now: r.clock.Now,
	})
}

// TestFetchAndCache: a valid document is returned and kept as its caching
// headers say; no header means DefaultTTL, and a day at most.
func TestFetchAndCache(t *testing.T) {
	tests := []struct {
		name   string
		header http.Header
		// kept is how long the document is served from the cache.
		kept time.Duration
	}{
		{"no caching headers", nil, clientmetadata.DefaultTTL},
		{"max-age", http.Header{"Cache-Control": {"public, max-age=60"}}, time.Minute},
		{"max-age beyond a day", http.Header{"Cache-Control": {"max-age=864000"}}, clientmetadata.MaxTTL},
		{"Expires against Date", http.Header{"Date": {"Sun, 22 Nov 2026 12:00:00 GMT"}, "Expires": {"Sun, 22 Nov 2026 12:02:00 GMT"}}, 2 * time.Minute},
		{"no-store", http.Header{"Cache-Control": {"no-store"}}, 0},
		{"no-cache", http.Header{"Cache-Control": {"max-age=60, no-cache"}}, 0},
		{"max-age=0", http.Header{"Cache-Control": {"max-age=0"}}, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := newRig(t)
			r.answer = r.document(r.url(), tc.header)
			f := r.fetcher(false, 0)
			fetch := func(want int64) {
				t.Helper()
				doc, err := f.FetchClientMetadata(context.Background(), r.url())
				if err != nil || doc.ClientID != r.url() || doc.ClientName != "Test client" {
					t.Fatalf("FetchClientMetadata = %+v, %v; want the document", doc, err)
				}
				if got := r.server.Requests(); got != want {
					t.Fatalf("requests = %d; want %d", got, want)
				}
			}
			fetch(1)
			if tc.kept > 0 {
				r.clock.Advance(tc.kept - time.Nanosecond)
				fetch(1)
				r.clock.Advance(time.Nanosecond)
			}
			fetch(2)
		})
	}
}

// TestRefusedDocuments: each answer that is no valid document is refused
// and never cached: the next fetch asks again.
func TestRefusedDocuments(t *testing.T) {
	big := strings.Repeat(" ", clientmetadata.MaxDocumentBytes)
	tests := []struct {
		name   string
		answer func(r *rig) func(http.ResponseWriter, *http.Request)
	}{
		{"client_id differs from the URL", func(r *rig) func(http.ResponseWriter, *http.Request) {
			return r.document(r.server.URL("other.test", "/oauth/client.json"), nil)
		}},
		{"client_id with another port", func(r *rig) func(http.ResponseWriter, *http.Request) {
			return r.document("https://client.test/oauth/client.json", nil)
		}},
		{"404", func(*rig) func(http.ResponseWriter, *http.Request) {
			return func(w http.ResponseWriter, req *http.Request) { http.NotFound(w, req) }
		}},
		{"redirect to another host", func(r *rig) func(http.ResponseWriter, *http.Request) {
			return func(w http.ResponseWriter, req *http.Request) {
				http.Redirect(w, req, r.server.URL("other.test", "/oauth/client.json"), http.StatusFound)
			}
		}},
		{"HTML", func(r *rig) func(http.ResponseWriter, *http.Request) {
			return func(w http.ResponseWriter, _ *http.Request) {
				w.Header().Set("Content-Type", "text/html")
				_, _ = w.Write([]byte(`{"client_id":"` + r.url() + `"}`))
			}
		}},
		{"over 5 KiB", func(r *rig) func(http.ResponseWriter, *http.Request) {
			return func(w http.ResponseWriter, _ *http.Request) {
				w.Header().Set("Content-Type", "application/json")
				_, _ = w.Write([]byte(`{"client_id":"` + r.url() + `"` + big + `}`))
			}
		}},
		{"a JSON array", func(*rig) func(http.ResponseWriter, *http.Request) {
			return func(w http.ResponseWriter, _ *http.Request) {
				w.Header().Set("Content-Type", "application/json")
				_, _ = w.Write([]byte(`[]`))
			}
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := newRig(t)
			r.answer = tc.answer(r)
			f := r.fetcher(false, 0)
			for i := range 2 {
				_, err := f.FetchClientMetadata(context.Background(), r.url())
				if !errors.Is(err, clientmetadata.ErrInvalidDocument) {
					t.Fatalf("fetch %d: error = %v; want ErrInvalidDocument", i+1, err)
				}
			}
			if got := r.server.Requests(); got != 2 {
				t.Errorf("requests = %d; want 2 (nothing cached, no redirect followed)", got)
			}
		})
	}
}

// TestSSRFGuard: a client_id whose host resolves to a special-use address
// is never fetched. The same URL is reachable — the server answers it
// when loopback is allowed — so the refusal is the guard's doing.
func TestSSRFGuard(t *testing.T) {
	r := newRig(t)
	if _, err := r.fetcher(false, 0).FetchClientMetadata(context.Background(), r.url()); err != nil || r.server.Requests() != 1 {
		t.Fatalf("with loopback allowed: %v after %d requests; want the document", err, r.server.Requests())
	}
	tests := []struct {
		name    string
		answers [][]netip.Addr
	}{
		{"loopback", [][]netip.Addr{cmt.Addrs("127.0.0.1")}},
		{"cloud metadata (link-local)", [][]netip.Addr{cmt.Addrs("169.254.169.254")}},
		{"private", [][]netip.Addr{cmt.Addrs("10.0.0.5")}},
		{"IPv6 loopback", [][]netip.Addr{cmt.Addrs("::1")}},
		{"IPv4-mapped loopback", [][]netip.Addr{cmt.Addrs("::ffff:127.0.0.1")}},
		{"IPv6 unique local", [][]netip.Addr{cmt.Addrs("fd00::1")}},
		{"shared address space", [][]netip.Addr{cmt.Addrs("100.64.0.1")}},
		{"a public address and a loopback one", [][]netip.Addr{cmt.Addrs("93.184.215.14", "127.0.0.1")}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r.resolver.Answer("client.test", tc.answers...)
			before, lookups := r.server.Requests(), r.resolver.Calls("client.test")
			_, err := r.fetcher(true, 0).FetchClientMetadata(context.Background(), r.url())
			if !errors.Is(err, clientmetadata.ErrForbiddenAddress) {
				t.Fatalf("error = %v; want ErrForbiddenAddress", err)
			}
			if r.server.Requests() != before || r.resolver.Calls("client.test") != lookups+1 {
				t.Errorf("requests %d → %d, lookups %d → %d; want no request and one lookup",
					before, r.server.Requests(), lookups, r.resolver.Calls("client.test"))
			}
		})
	}
	t.Run("an IP literal", func(t *testing.T) {
		u := "https://127.0.0.1:" + r.server.Port + "/oauth/client.json"
		if _, err := r.fetcher(true, 0).FetchClientMetadata(context.Background(), u); !errors.Is(err, clientmetadata.ErrForbiddenAddress) {
			t.Fatalf("error = %v; want ErrForbiddenAddress", err)
		}
	})
}

// TestRebindingIsNotConsulted: the host is resolved once per fetch and the
// checked address is dialled, so an answer that changes to loopback
// afterwards is never used.
func TestRebindingIsNotConsulted(t *testing.T) {
	r := newRig(t)
	r.resolver.Answer("client.test", cmt.Addrs("192.88.98.1"), cmt.Addrs("127.0.0.1"))
	_, err := r.fetcher(true, 300*time.Millisecond).FetchClientMetadata(context.Background(), r.url())
	if err == nil || errors.Is(err, clientmetadata.ErrForbiddenAddress) || r.server.Requests() != 0 || r.resolver.Calls("client.test") != 1 {
		t.Fatalf("error %v, %d requests, %d lookups; want a failed connection to the first answer, no request, one lookup",
			err, r.server.Requests(), r.resolver.Calls("client.test"))
	}
}

// TestSlowAndUntrustedServers: a server that never finishes answering is
// given up on within the timeout (an error, not a hang); one whose
// certificate no trusted CA issued is refused.
func TestSlowAndUntrustedServers(t *testing.T) {
	t.Run("slow", func(t *testing.T) {
		r := newRig(t)
		release := make(chan struct{})
		defer close(release)
		r.answer = func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			_, _ = w.Write([]byte(`{"client_id":`))
			w.(http.Flusher).Flush()
			<-release
		}
		_, err := r.fetcher(false, 200*time.Millisecond).FetchClientMetadata(context.Background(), r.url())
		var ne net.Error
		if err == nil || !(errors.As(err, &ne) && ne.Timeout() || errors.Is(err, context.DeadlineExceeded)) {
			t.Fatalf("error = %v; want a timeout", err)
		}
	})
	t.Run("untrusted certificate", func(t *testing.T) {
		r := newRig(t)
		f := clientmetadata.New(clientmetadata.Options{Resolver: r.resolver, RootCAs: cmt.NewCA(t).Pool, AllowLoopback: true})
		if _, err := f.FetchClientMetadata(context.Background(), r.url()); err == nil || r.server.Requests() != 0 {
			t.Fatalf("error = %v after %d requests; want a TLS failure and no request", err, r.server.Requests())
		}
	})
}

// TestPublic holds the address guard to RFC 6890's special-use ranges.
func TestPublic(t *testing.T) {
	for addr, want := range map[string]bool{
		"93.184.215.14": true, "8.8.8.8": true, "2606:4700:4700::1111": true,
		"127.0.0.1": false, "127.1.2.3": false, "::1": false, "169.254.169.254": false, "fe80::1": false,
		"10.1.2.3": false, "172.16.0.1": false, "192.168.1.1": false, "fc00::1": false, "100.64.0.1": false,
		"0.0.0.0": false, "::": false, "224.0.0.1": false, "ff02::1": false, "255.255.255.255": false,
		"192.0.2.1": false, "198.51.100.7": false, "203.0.113.9": false, "198.18.0.1": false, "240.0.0.1": false,
		"2001:db8::1": false, "64:ff9b::a9fe:a9fe": false, "::ffff:10.0.0.1": false, "::ffff:8.8.8.8": true,
	} {
		if got := clientmetadata.Public(netip.MustParseAddr(addr)); got != want {
			t.Errorf("Public(%s) = %v; want %v", addr, got, want)
		}
	}
}
