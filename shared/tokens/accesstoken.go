package tokens

import (
	"context"
	"encoding/base64"
	"strings"
	"time"

	"github.com/latchkey/latchkey/shared/oauth"
)

// ReferenceTokenPrefix marks opaque access tokens (docs/design.md §4).
const ReferenceTokenPrefix = "lk_at_"

// ReferenceToken is an opaque access token as stored: its claims under
// the SHA-256 of the token, never the token itself.
type ReferenceToken struct {
	Hash      []byte
	JTI       string
	ClientID  string
	Subject   string
	Scopes    []string
	Audience  []string
	SessionID string
	AuthTime  time.Time
	IssuedAt  time.Time
	ExpiresAt time.Time
	Revoked   bool
	// Act is the delegation chain of an exchanged token (RFC 8693 §4.1).
	Act *Actor
}

// AccessStateQuery names the items that decide whether an access token is
// active. Empty fields are not read.
type AccessStateQuery struct {
	// JTI is a JWT's id, looked up in the revocation list.
	JTI string
	// ReferenceHash is the hash of a reference token.
	ReferenceHash []byte
	// SessionID is the token's session.
	SessionID string
}

// AccessState is what a store found for an AccessStateQuery. Items whose
// ttl has passed are absent.
type AccessState struct {
	JTIRevoked bool
	Reference  *ReferenceToken
	Session    *Session
}

// newReferenceToken returns a new reference token string. A session's
// tokens carry the session id, so introspection reads the token and its
// session in one request.
func newReferenceToken(sid string) string {
	secret := base64.RawURLEncoding.EncodeToString(randomBytes(32))
	if sid == "" {
		return ReferenceTokenPrefix + secret
	}
	return ReferenceTokenPrefix + sid + "." + secret
}

// referenceSessionID returns the session id a reference token names, or "".
func referenceSessionID(token string) string {
	rest := strings.TrimPrefix(token, ReferenceTokenPrefix)
	sid, _, found := strings.Cut(rest, ".")
	if !found || !plausibleID(sid) {
		return ""
	}
	return sid
}

// AccessClaims are the claims of an access token in the RFC 9068 profile.
type AccessClaims struct {
	Issuer    string
	Subject   string
	Audience  []string
	ExpiresAt time.Time
	IssuedAt  time.Time
	JTI       string
	ClientID  string
	Scope     []string
	// SessionID and AuthTime are set when the token belongs to a session.
	SessionID string
	AuthTime  time.Time
	// Extra are user claims the client asked for (Client.AccessTokenClaims),
	// already cut to its size limits; a JWT carries them, a reference
	// token does not.
	Extra map[string]any
	// Act names who acts for the subject in an exchanged token, and
	// MayAct who may (RFC 8693 §4.1, §4.4).
	Act    *Actor
	MayAct *Actor
}

// accessGrant is what one access token is issued for.
type accessGrant struct {
	subject string
	scopes  []string
	// resources are the RFC 8707 resources the token is for; none means
	// the issuer.
	resources []string
	// claims are the user claims the token carries (accessTokenClaims).
	claims  map[string]any
	jti     string
	session *Session
	// act is the delegation chain of an exchanged token (exchange.go).
	act *Actor
}

// issuedAccess is an access token and its lifetime. A reference token
// is not valid until persist has stored it.
type issuedAccess struct {
	token     string
	jti       string
	expiresIn int64
	reference *ReferenceToken
}

func (a issuedAccess) response(scopes []string) oauth.TokenResponse {
	return oauth.TokenResponse{
		AccessToken: a.token,
		TokenType:   oauth.TokenTypeBearer,
		ExpiresIn:   a.expiresIn,
		Scope:       oauth.JoinScope(scopes),
	}
}

// withRefresh adds a refresh token of sess to the response.
func withRefresh(resp oauth.TokenResponse, token string, sess Session, now time.Time) oauth.TokenResponse {
	resp.RefreshToken = token
	resp.RefreshTokenExpiresIn = int64(sess.ExpiresAt().Sub(now) / time.Second)
	return resp
}

// issueAccess signs an access token (RFC 9068). Its exp never passes the
// session's absolute expiry (docs/design.md §3).
func (s *Service) issueAccess(ctx context.Context, c Client, g accessGrant, now time.Time) (issuedAccess, error) {
	now = now.Truncate(time.Second)
	exp := now.Add(s.accessTTL(c))
	iss := s.Issuer(ctx)
	claims := AccessClaims{
		Issuer: iss, Subject: g.subject, Audience: audience(g.resources, iss),
		IssuedAt: now, JTI: g.jti, ClientID: c.ID, Scope: g.scopes, Extra: g.claims, Act: g.act,
	}
	if g.session != nil {
		if abs := g.session.AbsoluteExpiresAt.Truncate(time.Second); abs.Before(exp) {
			exp = abs
		}
		claims.SessionID, claims.AuthTime = g.session.ID, g.session.AuthTime
	}
	if !exp.After(now) {
		return issuedAccess{}, oauth.InvalidGrant("the session has expired")
	}
	claims.ExpiresAt = exp
	at := issuedAccess{jti: g.jti, expiresIn: int64(exp.Sub(now) / time.Second)}
	if c.AccessTokenFormat == FormatReference {
		at.token = newReferenceToken(claims.SessionID)
		at.reference = &ReferenceToken{
			Hash: HashToken(at.token), JTI: g.jti, ClientID: c.ID, Subject: g.subject, Scopes: g.scopes,
			Audience: claims.Audience, SessionID: claims.SessionID, AuthTime: claims.AuthTime, IssuedAt: now, ExpiresAt: exp,
			Act: g.act,
		}
		return at, nil
	}
	token, err := s.signer.Sign(ctx, claims)
	if err != nil {
		return issuedAccess{}, signerError(err)
	}
	at.token = token
	return at, nil
}

// persist stores a reference token; a JWT needs nothing. Callers persist
// after their own writes succeed, so a lost rotation leaves no live token.
func (s *Service) persist(ctx context.Context, at issuedAccess) error {
	if at.reference == nil {
		return nil
	}
	if err := s.store.CreateReferenceToken(ctx, *at.reference); err != nil {
		return storeError(err)
	}
	return nil
}

func (s *Service) accessTTL(c Client) time.Duration {
	if c.AccessTokenTTL > 0 {
		return c.AccessTokenTTL
	}
	return s.defaults.AccessTokenTTL
}
