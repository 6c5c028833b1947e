package resourceserver

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
)

// Guard protects the handlers of one resource: it accepts a request only
// with an access token of the configured issuer for this resource.
type Guard struct {
	cfg        Config
	keys       *keyCache
	introspect *introspector
	log        *slog.Logger
}

// New returns a Guard for cfg, or what is wrong with cfg.
func New(cfg Config) (*Guard, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	g := &Guard{cfg: cfg, keys: newKeyCache(cfg), log: cfg.Logger}
	if g.log == nil {
		g.log = slog.New(slog.DiscardHandler)
	}
	if cfg.Introspection != nil {
		g.introspect = newIntrospector(cfg)
	}
	return g, nil
}

// Require returns middleware that lets a request through to next only
// with a bearer token (RFC 6750 §2.1) that is valid for this resource and
// was granted every scope in scopes; the accepted Token is in the
// request's context (TokenFrom). Otherwise it answers 401 with a
// challenge naming the resource metadata (RFC 9728 §5.1) and the scopes,
// 403 insufficient_scope (RFC 6750 §3.1), 400 for a malformed request, or
// 503 when the keys or introspection cannot be reached.
func (g *Guard) Require(scopes ...string) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			raw, err := bearerToken(r)
			if err != nil {
				g.challenge(w, r, scopes, err)
				return
			}
			t, err := g.Verify(r.Context(), raw)
			if err != nil {
				g.challenge(w, r, scopes, err)
				return
			}
			if !t.HasScopes(scopes...) {
				g.challenge(w, r, scopes, errInsufficientScope)
				return
			}
			next.ServeHTTP(w, r.WithContext(WithToken(r.Context(), t)))
		})
	}
}

// Verify decides whether token is an access token for this resource: a
// JWT is verified with the issuer's keys (and introspected too when
// Introspection.CheckJWTs is set); any other token is introspected when
// Introspection is configured and refused when it is not. An error
// wrapping ErrInvalidToken means the token is refused; any other error
// is an outage (keys or introspection unreachable).
func (g *Guard) Verify(ctx context.Context, token string) (Token, error) {
	if token == "" || len(token) > maxTokenLen {
		return Token{}, fmt.Errorf("%w: empty or too long", ErrInvalidToken)
	}
	jwtShaped := looksLikeJWT(token)
	var t Token
	var err error
	switch {
	case jwtShaped:
		t, err = g.verifyJWT(ctx, token)
		if err == nil && g.introspect != nil && g.introspect.cfg.CheckJWTs {
			t, err = g.introspected(ctx, token)
		}
	case g.introspect != nil:
		t, err = g.introspected(ctx, token)
	default:
		err = fmt.Errorf("%w: not a JWT, and introspection is not configured", ErrInvalidToken)
	}
	if err != nil {
		return Token{}, err
	}
	return t, nil
}

func (g *Guard) introspected(ctx context.Context, token string) (Token, error) {
	r, err := g.introspect.introspect(ctx, token)
	if err != nil {
		return Token{}, err
	}
	return g.accept(r)
}

// ErrInvalidToken is wrapped by every error Verify returns for a token
// this resource refuses (RFC 6750 §3.1 invalid_token).
var ErrInvalidToken = errors.New("resourceserver: invalid token")

// errMalformed is a request RFC 6750 §3.1 calls invalid_request; errNoToken
// a request with no bearer token at all (§3: no error code).
var (
	errMalformed         = errors.New("malformed authorization")
	errNoToken           = errors.New("no bearer token")
	errInsufficientScope = errors.New("insufficient scope")
)

// bearerToken reads the token from the one Authorization header (RFC 6750
// §2.1). Tokens in a form body or the query string are not accepted
// (bearer_methods_supported is header only); a query token is refused as
// invalid_request, so it is never mistaken for an anonymous request.
func bearerToken(r *http.Request) (string, error) {
	if r.URL.Query().Has("access_token") {
		return "", errMalformed
	}
	values := r.Header.Values("Authorization")
	if len(values) == 0 {
		return "", errNoToken
	}
	if len(values) > 1 {
		return "", errMalformed
	}
	scheme, token, ok := strings.Cut(values[0], " ")
	if !strings.EqualFold(scheme, "Bearer") {
		return "", errNoToken
	}
	token = strings.TrimSpace(token)
	if !ok || token == "" || strings.ContainsAny(token, " \t,\"") {
		return "", errMalformed
	}
	return token, nil
}
