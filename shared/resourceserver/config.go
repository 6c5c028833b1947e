package resourceserver

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// Defaults for the Config fields left zero.
const (
	DefaultLeeway              = 10 * time.Second
	DefaultJWKSCacheTTL        = 5 * time.Minute
	DefaultJWKSMinRefresh      = 10 * time.Second
	DefaultIntrospectCacheTTL  = 10 * time.Second
	DefaultHTTPTimeout         = 5 * time.Second
	maxIntrospectCacheEntries  = 10000
	maxResponseBytes           = 1 << 20
	maxTokenLen                = 8 << 10
	wellKnownProtectedResource = "/.well-known/oauth-protected-resource"
)

// Config describes one protected resource and the authorization server
// that issues tokens for it.
type Config struct {
	// Resource is this server's canonical URL, e.g.
	// https://mcp.example.com/mcp: the one audience (aud) it accepts
	// (RFC 8707 §2, RFC 9068 §4) and the resource of its metadata
	// (RFC 9728 §2). https, or http on a loopback host for development;
	// no fragment.
	Resource string
	// Issuer is the authorization server's issuer, exactly as its tokens
	// carry it in iss (required).
	Issuer string
	// JWKSURL is where the issuer publishes its keys; default
	// Issuer + "/.well-known/jwks.json".
	JWKSURL string
	// AuthorizationServers are listed in the metadata; default [Issuer].
	AuthorizationServers []string
	// ScopesSupported are listed in the metadata (RFC 9728 §2) and are
	// the scope of a challenge for a route that requires none.
	ScopesSupported []string
	// ResourceName and ResourceDocumentation are listed in the metadata.
	ResourceName          string
	ResourceDocumentation string
	// Introspection, when set, lets the guard ask the authorization
	// server about tokens it cannot verify itself (reference and
	// long-lived tokens), and about JWTs too when CheckJWTs is set.
	Introspection *Introspection
	// Leeway tolerates clocks apart when checking exp, nbf and iat;
	// default 10 s.
	Leeway time.Duration
	// JWKSCacheTTL is how long keys are reused before they are fetched
	// again (default 5 min); JWKSMinRefresh is the least time between two
	// fetches caused by a token naming an unknown kid (default 10 s), so
	// made-up kids cannot turn into requests to the issuer.
	JWKSCacheTTL   time.Duration
	JWKSMinRefresh time.Duration
	// HTTPClient fetches keys and introspects; default a client with a
	// 5 s timeout.
	HTTPClient *http.Client
	// Now is the clock; default time.Now.
	Now func() time.Time
	// Logger hears why tokens are refused (debug) and what fails (error);
	// never a token. Default: discard.
	Logger *slog.Logger
}

// Introspection configures RFC 7662 introspection.
type Introspection struct {
	// URL is the introspection endpoint (required).
	URL string
	// ClientID and ClientSecret authenticate this resource server
	// (client_secret_basic); Latchkey wants a client registered with
	// introspection rights.
	ClientID     string
	ClientSecret string
	// CheckJWTs introspects JWTs as well after verifying them, so a
	// revoked token is refused within CacheTTL instead of at its exp.
	CheckJWTs bool
	// CacheTTL is how long an answer is reused (default 10 s, never past
	// the token's exp).
	CacheTTL time.Duration
	// AcceptNoAudience accepts an active token whose introspection names
	// no audience at all (a long-lived token minted without one). Off by
	// default: a token must name this resource.
	AcceptNoAudience bool
}

// withDefaults returns c with its zero fields filled, or what is wrong.
func (c Config) withDefaults() (Config, error) {
	if err := c.check(); err != nil {
		return c, err
	}
	if c.JWKSURL == "" {
		c.JWKSURL = c.Issuer + "/.well-known/jwks.json"
	}
	if len(c.AuthorizationServers) == 0 {
		c.AuthorizationServers = []string{c.Issuer}
	}
	c.Leeway = orDefault(c.Leeway, DefaultLeeway)
	c.JWKSCacheTTL = orDefault(c.JWKSCacheTTL, DefaultJWKSCacheTTL)
	c.JWKSMinRefresh = orDefault(c.JWKSMinRefresh, DefaultJWKSMinRefresh)
	if c.HTTPClient == nil {
		c.HTTPClient = &http.Client{Timeout: DefaultHTTPTimeout}
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	if in := c.Introspection; in != nil {
		copied := *in
		copied.CacheTTL = orDefault(copied.CacheTTL, DefaultIntrospectCacheTTL)
		c.Introspection = &copied
	}
	return c, nil
}

func (c Config) check() error {
	var errs []error
	if err := checkResource(c.Resource); err != nil {
		errs = append(errs, err)
	}
	if c.Issuer == "" {
		errs = append(errs, errors.New("resourceserver: Issuer is required"))
	}
	if c.Introspection != nil && c.Introspection.URL == "" {
		errs = append(errs, errors.New("resourceserver: Introspection.URL is required"))
	}
	return errors.Join(errs...)
}

// checkResource holds the resource to RFC 8707 §2: an absolute URI
// without a fragment; and to https, which RFC 9728 §3 wants of the
// metadata URL built from it, loopback development aside.
func checkResource(s string) error {
	u, err := url.Parse(s)
	switch {
	case s == "" || err != nil || !u.IsAbs() || u.Host == "":
		return fmt.Errorf("resourceserver: Resource %q is not an absolute URL", s)
	case u.Fragment != "" || strings.Contains(s, "#"):
		return fmt.Errorf("resourceserver: Resource %q has a fragment", s)
	case u.Scheme == "https":
		return nil
	case u.Scheme == "http" && loopbackHost(u.Hostname()):
		return nil
	}
	return fmt.Errorf("resourceserver: Resource %q is neither https nor http on a loopback host", s)
}

func loopbackHost(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

func orDefault(d, def time.Duration) time.Duration {
	if d <= 0 {
		return def
	}
	return d
}
