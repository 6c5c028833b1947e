package tokens

import (
	"context"
	"crypto/subtle"
	"encoding/base64"
	"log/slog"
	"net/url"
	"strings"
	"time"

	"github.com/latchkey/latchkey/shared/oauth"
)

// Pages of the browser sign-in, named in Next.Page.
const (
	PageLogin   = "login"
	PageConsent = "consent"
)

// Next is where the browser goes after a step of the sign-in, and which
// cookies change on the way.
type Next struct {
	// Redirect is the client's redirect URI with the response parameters
	// (a code or an error, state and iss): the end of the flow.
	Redirect string
	// Page is the page the user must see next (PageLogin, PageConsent),
	// for the pending request RequestID.
	Page      string
	RequestID string
	// CSRF is a new value for the CSRF cookie; empty keeps the current one.
	CSRF string
	// Login is a new login session cookie; EndLogin clears the cookie.
	Login    *LoginCookie
	EndLogin bool
}

// LoginCookie is the value of a login session cookie and how long the
// browser keeps it: until the login session's absolute expiry.
type LoginCookie struct {
	Value  string
	MaxAge time.Duration
}

// Authorize implements the authorization endpoint (RFC 6749 §4.1.1,
// OpenID Connect Core §3.1.2). An unknown or disabled client, or a
// redirect URI not registered for it, is an error for the user to see,
// never a redirect (RFC 6749 §4.1.2.1). Every other outcome, errors
// included, goes back to the redirect URI with state and iss (RFC 9207).
func (s *Service) Authorize(ctx context.Context, r AuthorizationRequest) (Next, error) {
	c, err := s.authorizingClient(ctx, r.ClientID, r.RedirectURI)
	if err != nil {
		return Next{}, err
	}
	back := s.replyTo(ctx, r.RedirectURI, r.State)
	if len(r.State) > maxStateLen {
		back.state = ""
		return back.fail(oauth.InvalidRequest("state is longer than 1024 characters")), nil
	}
	p, err := checkAuthorization(c, r)
	if err != nil {
		return back.fail(err), nil
	}
	// A client that registered itself is never approved without asking
	// the user, however often they allowed it before (issue 13 §5).
	p.prompt.consent = p.prompt.consent || c.SelfRegistered()
	next, err := s.proceed(ctx, c, p, r)
	if err != nil {
		return s.failBack(ctx, back, next, err), nil
	}
	return next, nil
}

// authorizingClient returns the client of an authorization request when
// it exists, is enabled and registered the redirect URI.
func (s *Service) authorizingClient(ctx context.Context, id, redirectURI string) (Client, error) {
	c, err := s.knownClient(ctx, id)
	if err != nil {
		return Client{}, err
	}
	if !c.MatchRedirectURI(redirectURI) {
		s.audit(ctx, slog.LevelWarn, "authorization_refused", slog.String("client_id", c.ID), slog.String("outcome", "redirect_uri_not_registered"))
		return Client{}, oauth.InvalidRequest("the redirect_uri is not registered for this client")
	}
	return c, nil
}

// knownClient returns an enabled client named by a browser request.
func (s *Service) knownClient(ctx context.Context, id string) (Client, error) {
	if !plausibleID(id) {
		return Client{}, oauth.InvalidRequest("the request names no known client (client_id)")
	}
	c, err := s.client(ctx, id)
	switch {
	case notFound(err) || (err == nil && c.Disabled):
		return Client{}, oauth.InvalidRequest("the request names no known client (client_id)")
	case err != nil:
		return Client{}, storeError(err)
	}
	return c, nil
}

// proceed takes a checked request as far as it can go without the user:
// a code at once when a login session and consent already cover it,
// else the page the user must see (prompt=none forbids pages).
func (s *Service) proceed(ctx context.Context, c Client, p authParams, r AuthorizationRequest) (Next, error) {
	login, ended, err := s.usableLogin(ctx, r.LoginCookie, p)
	if err != nil {
		return Next{EndLogin: ended}, err
	}
	now := s.now()
	if login == nil {
		if p.prompt.none {
			return Next{EndLogin: ended}, oauth.LoginRequired("the user is not signed in")
		}
		next, err := s.ask(ctx, c, p, r, PageLogin, now)
		next.EndLogin = ended
		return next, err
	}
	if need, err := s.needsConsent(ctx, c.FirstParty, p.prompt.consent, login.Subject, c.ID, p.scopes); err != nil || need {
		if err == nil && p.prompt.none {
			err = oauth.ConsentRequired("the user has not consented to this client")
		}
		if err != nil {
			return Next{}, err
		}
		return s.ask(ctx, c, p, r, PageConsent, now)
	}
	req := pendingRequest(c, r, p, now)
	code, stored := s.newCode(req, *login, now)
	if err := s.store.CreateCode(ctx, stored); err != nil {
		return Next{}, storeError(err)
	}
	s.auditCode(ctx, stored, "single_sign_on")
	return Next{Redirect: s.replyTo(ctx, r.RedirectURI, r.State).code(code)}, nil
}

// ask stores the request as pending and sends the user to page, binding
// the request to the browser's CSRF cookie (a new one if it has none).
func (s *Service) ask(ctx context.Context, c Client, p authParams, r AuthorizationRequest, page string, now time.Time) (Next, error) {
	csrf, fresh := r.CSRFCookie, ""
	if !wellFormedSecret(csrf) {
		csrf = newSecret()
		fresh = csrf
	}
	id := newSecret()
	req := pendingRequest(c, r, p, now)
	req.Hash, req.CSRFHash = HashToken(id), HashToken(csrf)
	if err := s.store.CreateAuthRequest(ctx, req); err != nil {
		return Next{}, storeError(err)
	}
	return Next{Page: page, RequestID: id, CSRF: fresh}, nil
}

// replyTo builds the answers sent back to a validated redirect URI.
func (s *Service) replyTo(ctx context.Context, redirectURI, state string) reply {
	return reply{uri: redirectURI, state: state, iss: s.Issuer(ctx)}
}

// failBack sends err back to the client; an outage is logged first,
// because the user sees only the client's reaction to it.
func (s *Service) failBack(ctx context.Context, back reply, next Next, err error) Next {
	out := back.fail(err)
	if e := oauth.As(err); e == nil || e.Code == oauth.CodeServerError || e.Code == oauth.CodeTemporarilyUnavailable {
		s.audit(ctx, slog.LevelError, "authorization_failed", slog.String("outcome", "outage"), slog.String("cause", err.Error()))
	}
	out.EndLogin = next.EndLogin
	return out
}

// reply is a client's validated redirect URI with the state and issuer
// that every answer to it carries (RFC 6749 §4.1.2, RFC 9207 §2).
type reply struct{ uri, state, iss string }

// code is the successful answer (RFC 6749 §4.1.2).
func (b reply) code(code string) string {
	return b.with(url.Values{oauth.ParamCode: {code}})
}

// fail is the error answer (RFC 6749 §4.1.2.1). An error that is no
// OAuth error is an outage: temporarily_unavailable, without its cause.
func (b reply) fail(err error) Next {
	e := oauth.As(storeError(err))
	v := url.Values{oauth.ParamError: {e.Code}}
	if e.Description != "" {
		v.Set(oauth.ParamErrorDescription, e.Description)
	}
	return Next{Redirect: b.with(v)}
}

// with appends the parameters, state and iss to the redirect URI's query,
// keeping the query it was registered with (RFC 6749 §3.1.2).
func (b reply) with(v url.Values) string {
	if b.state != "" {
		v.Set(oauth.ParamState, b.state)
	}
	v.Set(oauth.ParamIssuer, b.iss)
	sep := "?"
	switch {
	case strings.HasSuffix(b.uri, "?") || strings.HasSuffix(b.uri, "&"):
		sep = ""
	case strings.Contains(b.uri, "?"):
		sep = "&"
	}
	return b.uri + sep + v.Encode()
}

// secretBytes is the entropy of request ids, CSRF values, login cookies
// and codes: 256 bits, well above RFC 6749 §10.10's 128.
const secretBytes = 32

// newSecret returns a random secret in base64url (43 characters).
func newSecret() string { return base64.RawURLEncoding.EncodeToString(randomBytes(secretBytes)) }

// wellFormedSecret reports whether s can be a secret newSecret made, so
// that nothing else is looked up or echoed.
func wellFormedSecret(s string) bool {
	return len(s) == 43 && pkceChars(s) && !strings.ContainsAny(s, ".~")
}

// sameHash compares SHA-256 of secret with a stored hash in constant time.
func sameHash(secret string, stored []byte) bool {
	return len(stored) > 0 && subtle.ConstantTimeCompare(HashToken(secret), stored) == 1
}
