package resourceserver

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"
)

// introspector asks the authorization server about tokens (RFC 7662 §2)
// and keeps each answer for a short while, keyed by the token's SHA-256
// so no token is held in memory longer than its request.
type introspector struct {
	cfg    Introspection
	client *http.Client
	now    func() time.Time

	mu    sync.Mutex
	cache map[[sha256.Size]byte]introspected
}

type introspected struct {
	resp  introspectionResponse
	until time.Time
}

// introspectionResponse is RFC 7662 §2.2's answer; aud may be a string
// or an array (RFC 7519 §4.1.3).
type introspectionResponse struct {
	Active    bool     `json:"active"`
	Scope     string   `json:"scope"`
	ClientID  string   `json:"client_id"`
	TokenType string   `json:"token_type"`
	Exp       int64    `json:"exp"`
	Iat       int64    `json:"iat"`
	Nbf       int64    `json:"nbf"`
	Sub       string   `json:"sub"`
	Aud       audience `json:"aud"`
	Iss       string   `json:"iss"`
	Jti       string   `json:"jti"`
	Sid       string   `json:"sid"`
}

type audience []string

func (a *audience) UnmarshalJSON(b []byte) error {
	var one string
	if json.Unmarshal(b, &one) == nil {
		*a = audience{one}
		return nil
	}
	var many []string
	if err := json.Unmarshal(b, &many); err != nil {
		return fmt.Errorf("aud is neither a string nor an array of strings")
	}
	*a = many
	return nil
}

func newIntrospector(c Config) *introspector {
	return &introspector{cfg: *c.Introspection, client: c.HTTPClient, now: c.Now, cache: map[[sha256.Size]byte]introspected{}}
}

// introspect returns the server's answer about token, from the cache
// when it is younger than CacheTTL. A transport or server failure is an
// error (the guard answers 503), never an inactive token.
func (in *introspector) introspect(ctx context.Context, token string) (introspectionResponse, error) {
	key := sha256.Sum256([]byte(token))
	now := in.now()
	if r, ok := in.cached(key, now); ok {
		return r, nil
	}
	r, err := in.ask(ctx, token)
	if err != nil {
		return introspectionResponse{}, err
	}
	in.store(key, r, now)
	return r, nil
}

func (in *introspector) cached(key [sha256.Size]byte, now time.Time) (introspectionResponse, bool) {
	in.mu.Lock()
	defer in.mu.Unlock()
	c, ok := in.cache[key]
	if !ok || !now.Before(c.until) {
		return introspectionResponse{}, false
	}
	return c.resp, true
}

// store keeps r until CacheTTL from now, or the token's exp if sooner. A
// full cache first drops what has expired, then everything: the cache is
// an optimisation, never a source of truth.
func (in *introspector) store(key [sha256.Size]byte, r introspectionResponse, now time.Time) {
	until := now.Add(in.cfg.CacheTTL)
	if r.Exp > 0 && time.Unix(r.Exp, 0).Before(until) {
		until = time.Unix(r.Exp, 0)
	}
	in.mu.Lock()
	defer in.mu.Unlock()
	if len(in.cache) >= maxIntrospectCacheEntries {
		for k, c := range in.cache {
			if !now.Before(c.until) {
				delete(in.cache, k)
			}
		}
	}
	if len(in.cache) >= maxIntrospectCacheEntries {
		clear(in.cache)
	}
	in.cache[key] = introspected{resp: r, until: until}
}

// ask posts the token to the introspection endpoint with
// client_secret_basic (RFC 7662 §2.1, RFC 6749 §2.3.1).
func (in *introspector) ask(ctx context.Context, token string) (introspectionResponse, error) {
	form := url.Values{"token": {token}}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, in.cfg.URL, strings.NewReader(form.Encode()))
	if err != nil {
		return introspectionResponse{}, err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	req.SetBasicAuth(url.QueryEscape(in.cfg.ClientID), url.QueryEscape(in.cfg.ClientSecret))
	res, err := in.client.Do(req)
	if err != nil {
		return introspectionResponse{}, fmt.Errorf("resourceserver: introspect: %w", err)
	}
	body, err := readBounded(res)
	if err != nil {
		return introspectionResponse{}, fmt.Errorf("resourceserver: introspect: %w", err)
	}
	var r introspectionResponse
	if err := json.Unmarshal(body, &r); err != nil {
		return introspectionResponse{}, fmt.Errorf("resourceserver: introspect: %w", err)
	}
	return r, nil
}

// accept holds an active answer to what the guard wants of any token:
// a Bearer access token (never a refresh token), of this issuer, for this
// resource, within its lifetime.
func (g *Guard) accept(r introspectionResponse) (Token, error) {
	now := g.cfg.Now()
	aud := []string(r.Aud)
	noAudience := len(aud) == 0 && g.cfg.Introspection.AcceptNoAudience
	switch {
	case !r.Active:
		return Token{}, fmt.Errorf("%w: inactive", ErrInvalidToken)
	case !strings.EqualFold(r.TokenType, "Bearer"):
		return Token{}, fmt.Errorf("%w: token_type %q is not Bearer", ErrInvalidToken, r.TokenType)
	case r.Iss != "" && r.Iss != g.cfg.Issuer:
		return Token{}, fmt.Errorf("%w: another issuer", ErrInvalidToken)
	case !slices.Contains(aud, g.cfg.Resource) && !noAudience:
		return Token{}, fmt.Errorf("%w: not for this resource", ErrInvalidToken)
	case r.Exp > 0 && expired(time.Unix(r.Exp, 0), now, g.cfg.Leeway):
		return Token{}, fmt.Errorf("%w: expired", ErrInvalidToken)
	case r.Nbf > 0 && now.Add(g.cfg.Leeway).Before(time.Unix(r.Nbf, 0)):
		return Token{}, fmt.Errorf("%w: not yet valid", ErrInvalidToken)
	}
	return Token{
		Subject: r.Sub, ClientID: r.ClientID, Scopes: strings.Fields(r.Scope), Audience: aud,
		Issuer: r.Iss, ID: r.Jti, SessionID: r.Sid, IssuedAt: unixTime(r.Iat), ExpiresAt: unixTime(r.Exp),
		Introspected: true,
	}, nil
}

func unixTime(s int64) time.Time {
	if s <= 0 {
		return time.Time{}
	}
	return time.Unix(s, 0).UTC()
}
