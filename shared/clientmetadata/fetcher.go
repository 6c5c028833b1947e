package clientmetadata

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net"
	"net/http"
	"net/netip"
	"strings"
	"sync"
	"time"

	"github.com/latchkey/latchkey/shared/oauth"
)

// Limits of a fetch (draft-ietf-oauth-client-id-metadata-document §8.7
// recommends reading at most 5 kilobytes).
const (
	MaxDocumentBytes = 5 << 10
	DefaultTimeout   = 5 * time.Second
	// DefaultTTL is how long a document without caching headers is kept;
	// MaxTTL bounds what headers may ask for.
	DefaultTTL = 5 * time.Minute
	MaxTTL     = 24 * time.Hour
	maxEntries = 1024
)

// ErrInvalidDocument: the answer is no usable Client ID Metadata Document
// (not 200, not JSON, too large, or its client_id is not its URL).
var ErrInvalidDocument = errors.New("clientmetadata: invalid client metadata document")

// Options configure a Fetcher; every field may be left zero.
type Options struct {
	// Resolver looks up hosts (default net.DefaultResolver); tests give
	// one that answers what they need.
	Resolver Resolver
	// RootCAs verifies the documents' servers (default: the system's).
	RootCAs *x509.CertPool
	// Timeout bounds a whole fetch (default 5 s).
	Timeout time.Duration
	// AllowLoopback lets documents be fetched from loopback addresses,
	// for a Latchkey that itself runs on one (development, tests): the
	// draft's §8.6 exception. Never in a deployment.
	AllowLoopback bool
	// Now is the clock of the cache (default time.Now).
	Now func() time.Time
}

// Fetcher fetches Client ID Metadata Documents safely: https only, from
// public addresses only (checked after resolution and again on connect),
// never following a redirect, reading at most MaxDocumentBytes within
// Timeout, and caching each valid document as its HTTP caching headers
// allow (§5.2; errors and invalid documents are never cached).
type Fetcher struct {
	client *http.Client
	now    func() time.Time

	mu    sync.Mutex
	cache map[string]cached
}

type cached struct {
	doc   oauth.ClientIDMetadataDocument
	until time.Time
}

// New returns a Fetcher for o.
func New(o Options) *Fetcher {
	if o.Resolver == nil {
		o.Resolver = net.DefaultResolver
	}
	if o.Timeout <= 0 {
		o.Timeout = DefaultTimeout
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	allowed := Public
	if o.AllowLoopback {
		allowed = func(a netip.Addr) bool { return Public(a) || a.Unmap().IsLoopback() }
	}
	d := dialer{resolver: o.Resolver, allowed: allowed, timeout: o.Timeout}
	transport := &http.Transport{
		Proxy:                  nil, // a proxy would connect where the checks cannot see
		DialContext:            d.dial,
		TLSClientConfig:        &tls.Config{RootCAs: o.RootCAs, MinVersion: tls.VersionTLS12},
		TLSHandshakeTimeout:    o.Timeout,
		ResponseHeaderTimeout:  o.Timeout,
		MaxResponseHeaderBytes: 16 << 10,
		DisableKeepAlives:      true,
	}
	client := &http.Client{
		Transport: transport, Timeout: o.Timeout,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	return &Fetcher{client: client, now: o.Now, cache: map[string]cached{}}
}

// FetchClientMetadata returns the document at clientID, from the cache
// while it is fresh. clientID must be an https URL; the document's
// client_id must be exactly clientID (§4).
func (f *Fetcher) FetchClientMetadata(ctx context.Context, clientID string) (oauth.ClientIDMetadataDocument, error) {
	now := f.now()
	if doc, ok := f.cached(clientID, now); ok {
		return doc, nil
	}
	doc, ttl, err := f.fetch(ctx, clientID, now)
	if err != nil {
		return oauth.ClientIDMetadataDocument{}, err
	}
	if ttl > 0 {
		f.store(clientID, doc, now.Add(ttl))
	}
	return doc, nil
}

// ForgetClientMetadata drops a cached document, which the caller found
// invalid: invalid documents are never kept (§5.2).
func (f *Fetcher) ForgetClientMetadata(clientID string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	delete(f.cache, clientID)
}

func (f *Fetcher) fetch(ctx context.Context, clientID string, now time.Time) (oauth.ClientIDMetadataDocument, time.Duration, error) {
	var doc oauth.ClientIDMetadataDocument
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, clientID, nil)
	if err != nil || req.URL.Scheme != "https" {
		return doc, 0, fmt.Errorf("%w: the client_id is not an https URL", ErrInvalidDocument)
	}
	req.Header.Set("Accept", "application/json")
	res, err := f.client.Do(req)
	if err != nil {
		return doc, 0, fmt.Errorf("clientmetadata: fetch: %w", err)
	}
	defer res.Body.Close()
	body, err := readDocument(res)
	if err != nil {
		return doc, 0, err
	}
	if err := decode(body, &doc); err != nil {
		return doc, 0, err
	}
	if doc.ClientID != clientID {
		return doc, 0, fmt.Errorf("%w: its client_id is not the URL it was fetched from", ErrInvalidDocument)
	}
	return doc, cacheTTL(res.Header, now), nil
}

// readDocument checks the answer (200, JSON) and reads at most
// MaxDocumentBytes of it.
func readDocument(res *http.Response) ([]byte, error) {
	if res.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("%w: status %d (redirects are not followed)", ErrInvalidDocument, res.StatusCode)
	}
	mt, _, err := mime.ParseMediaType(res.Header.Get("Content-Type"))
	if err != nil || (mt != "application/json" && !(strings.HasPrefix(mt, "application/") && strings.HasSuffix(mt, "+json"))) {
		return nil, fmt.Errorf("%w: content type %q is not JSON", ErrInvalidDocument, res.Header.Get("Content-Type"))
	}
	body, err := io.ReadAll(io.LimitReader(res.Body, MaxDocumentBytes+1))
	if err != nil {
		return nil, fmt.Errorf("clientmetadata: read: %w", err)
	}
	if len(body) > MaxDocumentBytes {
		return nil, fmt.Errorf("%w: larger than %d bytes", ErrInvalidDocument, MaxDocumentBytes)
	}
	return body, nil
}

// decode reads a JSON object; unknown members are ignored (RFC 7591 §2).
func decode(body []byte, doc *oauth.ClientIDMetadataDocument) error {
	trimmed := bytes.TrimSpace(body)
	if len(trimmed) == 0 || trimmed[0] != '{' || json.Unmarshal(trimmed, doc) != nil {
		return fmt.Errorf("%w: not a JSON object of client metadata", ErrInvalidDocument)
	}
	return nil
}

func (f *Fetcher) cached(clientID string, now time.Time) (oauth.ClientIDMetadataDocument, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	c, ok := f.cache[clientID]
	if !ok || !now.Before(c.until) {
		return oauth.ClientIDMetadataDocument{}, false
	}
	return c.doc, true
}

func (f *Fetcher) store(clientID string, doc oauth.ClientIDMetadataDocument, until time.Time) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.cache) >= maxEntries {
		clear(f.cache)
	}
	f.cache[clientID] = cached{doc: doc, until: until}
}
