// Package clientmetadatatest serves Client ID Metadata Documents over
// local TLS for tests: a throw-away certificate authority, a server on
// 127.0.0.1 with a certificate for made-up host names, and a resolver
// that sends those names wherever the test says.
package clientmetadatatest

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"fmt"
	"io"
	"log"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// Hosts are the names the server's certificate covers.
var Hosts = []string{"client.test", "other.test", "evil.test"}

// CA is a throw-away certificate authority.
type CA struct {
	Pool *x509.CertPool
	cert *x509.Certificate
	key  *ecdsa.PrivateKey
}

// NewCA makes a certificate authority that exists for one test.
func NewCA(t testing.TB) *CA {
	t.Helper()
	key := newKey(t)
	tpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "Latchkey test CA"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign,
	}
	der, err := x509.CreateCertificate(rand.Reader, tpl, tpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, _ := x509.ParseCertificate(der)
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	return &CA{Pool: pool, cert: cert, key: key}
}

// Leaf issues a server certificate for hosts.
func (ca *CA) Leaf(t testing.TB, hosts ...string) tls.Certificate {
	t.Helper()
	key := newKey(t)
	tpl := &x509.Certificate{
		SerialNumber: big.NewInt(time.Now().UnixNano()), Subject: pkix.Name{CommonName: hosts[0]},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		DNSNames: hosts, KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tpl, ca.cert, &key.PublicKey, ca.key)
	if err != nil {
		t.Fatal(err)
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}
}

func newKey(t testing.TB) *ecdsa.PrivateKey {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return key
}

// Server serves documents over TLS on 127.0.0.1 and counts requests.
type Server struct {
	*httptest.Server
	CA       *CA
	Port     string
	requests atomic.Int64
}

// NewServer starts handler behind a certificate of a new CA for Hosts.
func NewServer(t testing.TB, handler http.Handler) *Server {
	t.Helper()
	s := &Server{CA: NewCA(t)}
	s.Server = httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.requests.Add(1)
		handler.ServeHTTP(w, r)
	}))
	s.Config.ErrorLog = log.New(io.Discard, "", 0) // refused handshakes are what some tests want
	s.TLS = &tls.Config{Certificates: []tls.Certificate{s.CA.Leaf(t, Hosts...)}, MinVersion: tls.VersionTLS12}
	s.StartTLS()
	t.Cleanup(s.Close)
	_, s.Port, _ = net.SplitHostPort(s.Listener.Addr().String())
	return s
}

// URL is https://host:port + path on this server.
func (s *Server) URL(host, path string) string {
	return fmt.Sprintf("https://%s:%s%s", host, s.Port, path)
}

// Requests is how many requests reached the server.
func (s *Server) Requests() int64 { return s.requests.Load() }

// Resolver answers lookups from a table the test sets, in turn when a
// name has several answers queued, and counts them.
type Resolver struct {
	mu      sync.Mutex
	answers map[string][][]netip.Addr
	calls   map[string]int
}

// NewResolver returns a resolver that knows no name.
func NewResolver() *Resolver {
	return &Resolver{answers: map[string][][]netip.Addr{}, calls: map[string]int{}}
}

// Answer queues what the next lookups of host return; the last answer
// repeats.
func (r *Resolver) Answer(host string, answers ...[]netip.Addr) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.answers[host] = answers
}

// Calls is how many times host was looked up.
func (r *Resolver) Calls(host string) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.calls[host]
}

// LookupNetIP implements clientmetadata.Resolver.
func (r *Resolver) LookupNetIP(_ context.Context, _, host string) ([]netip.Addr, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.calls[host]++
	queue := r.answers[host]
	if len(queue) == 0 {
		return nil, &net.DNSError{Err: "no such host", Name: host, IsNotFound: true}
	}
	answer := queue[0]
	if len(queue) > 1 {
		r.answers[host] = queue[1:]
	}
	return answer, nil
}

// Addrs parses addresses.
func Addrs(s ...string) []netip.Addr {
	out := make([]netip.Addr, len(s))
	for i, a := range s {
		out[i] = netip.MustParseAddr(a)
	}
	return out
}
