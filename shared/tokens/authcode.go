package tokens

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"log/slog"
	"time"

	"github.com/latchkey/latchkey/shared/oauth"
)

// Authorization codes (docs/design.md §10): 256 random bits, stored as
// SHA-256, redeemable for 60 seconds, once.
const (
	CodeTTL    = 60 * time.Second
	CodePrefix = "lk_ac_"
	maxCodeLen = 128
)

// ReasonCodeReuse is recorded on a session revoked because the code it
// was issued from was presented again (RFC 6749 §4.1.2).
const ReasonCodeReuse = "authorization_code_reuse_detected"

// AuthCode is an authorization code as stored: everything its redemption
// is checked against and everything the tokens it buys are made of.
type AuthCode struct {
	Hash          []byte
	ClientID      string
	RedirectURI   string
	CodeChallenge string
	Subject       string
	Scopes        []string
	Resources     []string
	Nonce         string
	// AuthTime is when the user signed in; LoginID names the login
	// session (the sid of an ID token).
	AuthTime time.Time
	LoginID  string
	IssuedAt time.Time
	// ExpiresAt is when the code stops being redeemable (its ttl); once
	// redeemed, when its record goes (CodeRedemption.KeepUntil).
	ExpiresAt time.Time
	// RedeemedAt and SessionID are set by the redemption: the session
	// they name holds every token the code bought.
	RedeemedAt time.Time
	SessionID  string
}

// CodeRedemption is one attempt to redeem a code: what the code must be
// bound to, and what the redemption writes on it.
type CodeRedemption struct {
	Hash          []byte
	ClientID      string
	RedirectURI   string
	CodeChallenge string
	At            time.Time
	// SessionID is the session the tokens will live in, chosen before the
	// write so that a replay can find it.
	SessionID string
	// KeepUntil is the redeemed code's new ttl: as long as its session
	// can live, so a replay at any time ends that session.
	KeepUntil time.Time
}

// S256 is the PKCE code challenge of a verifier (RFC 7636 §4.2).
func S256(verifier string) string {
	sum := sha256.Sum256([]byte(verifier))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

// validVerifier reports whether v is a code verifier: 43 to 128
// unreserved characters (RFC 7636 §4.1).
func validVerifier(v string) bool { return len(v) >= 43 && len(v) <= 128 && pkceChars(v) }

const badCode = "the authorization code is invalid, expired, already used or was issued to another client or redirect URI"

// newCode makes the code that ends req for the user of login.
func (s *Service) newCode(req AuthRequest, login LoginSession, now time.Time) (string, AuthCode) {
	code := CodePrefix + newSecret()
	return code, AuthCode{
		Hash: HashToken(code), ClientID: req.ClientID, RedirectURI: req.RedirectURI, CodeChallenge: req.CodeChallenge,
		Subject: login.Subject, Scopes: req.Scopes, Resources: req.Resources, Nonce: req.Nonce,
		AuthTime: login.AuthTime, LoginID: login.ID, IssuedAt: now, ExpiresAt: now.Add(CodeTTL),
	}
}

// finish ends a pending request with a code for the user of login,
// writing w alongside in one request, and answers the client with it.
func (s *Service) finish(ctx context.Context, req AuthRequest, w AuthWrites, login LoginSession, via string) (Next, error) {
	code, stored := s.newCode(req, login, s.now())
	w.Code = &stored
	if err := s.store.FinishAuthRequest(ctx, req.Hash, w); err != nil {
		if notFound(err) {
			return Next{}, errRequestGone()
		}
		return Next{}, storeError(err)
	}
	s.auditCode(ctx, stored, via)
	return Next{Redirect: s.replyTo(ctx, req.RedirectURI, req.State).code(code)}, nil
}

func (s *Service) auditCode(ctx context.Context, c AuthCode, via string) {
	s.audit(ctx, slog.LevelInfo, "authorization_code_issued", slog.String("client_id", c.ClientID),
		slog.String("sub", c.Subject), slog.String("login_id", c.LoginID), slog.String("outcome", via))
}

// authorizationCode redeems a code (RFC 6749 §4.1.3, RFC 7636 §4.6): one
// conditional write checks that it is unused, unexpired and bound to this
// client, redirect URI and verifier, and marks it used. A code presented
// again revokes the session its first redemption started (§4.1.2).
func (s *Service) authorizationCode(ctx context.Context, c Client, r TokenRequest) (oauth.TokenResponse, error) {
	switch {
	case r.Code == "":
		return oauth.TokenResponse{}, oauth.InvalidRequest("code is required")
	case r.RedirectURI == "":
		return oauth.TokenResponse{}, oauth.InvalidRequest("redirect_uri is required")
	case r.CodeVerifier == "":
		return oauth.TokenResponse{}, oauth.InvalidRequest("code_verifier is required (PKCE, RFC 7636)")
	case len(r.Code) > maxCodeLen || !validVerifier(r.CodeVerifier):
		return oauth.TokenResponse{}, s.codeFailed(ctx, c, "malformed")
	}
	now := s.now()
	red := CodeRedemption{
		Hash: HashToken(r.Code), ClientID: c.ID, RedirectURI: r.RedirectURI, CodeChallenge: S256(r.CodeVerifier),
		At: now, SessionID: NewID(), KeepUntil: now.Add(s.refreshAbsoluteTTL(c)),
	}
	code, err := s.store.RedeemCode(ctx, red)
	switch {
	case errors.Is(err, ErrConflict) && code.SessionID == red.SessionID:
		// This very write had landed: the SDK retried it after a lost answer.
	case errors.Is(err, ErrConflict) && !code.RedeemedAt.IsZero():
		return oauth.TokenResponse{}, s.codeReplayed(ctx, c, code)
	case errors.Is(err, ErrConflict):
		return oauth.TokenResponse{}, s.codeFailed(ctx, c, "binding_mismatch")
	case notFound(err):
		return oauth.TokenResponse{}, s.codeFailed(ctx, c, "unknown_or_expired")
	case err != nil:
		return oauth.TokenResponse{}, storeError(err)
	}
	return s.codeTokens(ctx, c, code, r, now)
}

// codeTokens issues what a redeemed code buys: an access token in a new
// session (code.SessionID) whose auth_time is the real login time, plus a
// refresh token when offline_access was granted. Without offline_access
// the session ends with its access token, and no refresh token is sent.
// The code record carries what an ID token needs (Nonce, AuthTime,
// LoginID, Scopes).
func (s *Service) codeTokens(ctx context.Context, c Client, code AuthCode, r TokenRequest, now time.Time) (oauth.TokenResponse, error) {
	resources, err := narrowedResources(r.Resources, code.Resources)
	if err != nil {
		return oauth.TokenResponse{}, err
	}
	// Administrative scopes only for a user who holds them (heldscopes.go);
	// the user is read at most once, for them and for its claims.
	scopes, claims, err := s.userGrant(ctx, c, code.Subject, code.Scopes)
	if err != nil {
		return oauth.TokenResponse{}, err
	}
	code.Scopes = scopes
	refreshable := offline(code.Scopes) && c.AllowOfflineAccess
	sess, refreshToken, err := s.codeSession(c, code, r, refreshable, now)
	if err != nil {
		return oauth.TokenResponse{}, err
	}
	sess.Audience, sess.LoginID, sess.Claims = code.Resources, code.LoginID, sessionClaims(c, claims, code.Scopes)
	g := accessGrant{subject: code.Subject, scopes: code.Scopes, resources: resources, claims: accessTokenClaims(c, claims), jti: sess.AccessJTI, session: &sess}
	at, err := s.issueAccess(ctx, c, g, now)
	if err != nil {
		return oauth.TokenResponse{}, err
	}
	idr := sessionIDToken(c, sess, code.Scopes)
	idr.Nonce = code.Nonce
	resp, err := s.withIDToken(ctx, at.response(code.Scopes), idr)
	if err != nil {
		return oauth.TokenResponse{}, err
	}
	if err := s.persist(ctx, at); err != nil {
		return oauth.TokenResponse{}, err
	}
	if err := s.createSessionCapped(ctx, c, sess); err != nil {
		return oauth.TokenResponse{}, err
	}
	s.audit(ctx, slog.LevelInfo, "token_issued", slog.String("client_id", c.ID), slog.String("sub", code.Subject),
		slog.String("sid", sess.ID), slog.String("jti", at.jti), slog.String("grant_type", r.GrantType),
		slog.String("outcome", "ok"))
	if refreshable {
		resp = withRefresh(resp, refreshToken, sess, now)
	}
	return resp, nil
}

// codeSession builds the session a code's tokens live in, with the id the
// redemption recorded and the login's auth_time. When it may not be
// refreshed it lasts as long as its one access token.
func (s *Service) codeSession(c Client, code AuthCode, r TokenRequest, refreshable bool, now time.Time) (Session, string, error) {
	sess, _, err := s.newSession(c, code.Subject, code.Scopes, now, NewID(), r.IP, r.UserAgent)
	if err != nil {
		return Session{}, "", err
	}
	sess.ID, sess.AuthTime = code.SessionID, code.AuthTime
	if !refreshable {
		if end := now.Add(s.accessTTL(c)); end.Before(sess.AbsoluteExpiresAt) {
			sess.AbsoluteExpiresAt = end
		}
		sess.IdleExpiresAt = sess.AbsoluteExpiresAt
	}
	token := formatRefreshToken(s.refreshKey, sess.ID, 1, sess.Salt)
	sess.CurrentHash = HashToken(token)
	return sess, token, nil
}

func offline(scopes []string) bool {
	for _, sc := range scopes {
		if sc == oauth.ScopeOfflineAccess {
			return true
		}
	}
	return false
}

// codeReplayed answers a code presented after its redemption: the session
// it started is revoked, and with it every token issued from the code
// (RFC 6749 §4.1.2, RFC 9700 §4.1.1). If the revocation cannot be
// written the answer is 503, so a revocation is never silently lost.
func (s *Service) codeReplayed(ctx context.Context, c Client, code AuthCode) error {
	err := s.store.RevokeSession(ctx, code.SessionID, ReasonCodeReuse, s.now())
	if err != nil && !errors.Is(err, ErrConflict) && !notFound(err) {
		return storeError(err)
	}
	s.audit(ctx, slog.LevelWarn, ReasonCodeReuse, slog.String("client_id", c.ID), slog.String("sub", code.Subject),
		slog.String("sid", code.SessionID), slog.String("outcome", "session_revoked"))
	return oauth.InvalidGrant(badCode)
}

func (s *Service) codeFailed(ctx context.Context, c Client, reason string) error {
	s.audit(ctx, slog.LevelWarn, "code_redemption_failed", slog.String("client_id", c.ID), slog.String("outcome", reason))
	return oauth.InvalidGrant(badCode)
}
