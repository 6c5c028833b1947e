package tokens

import (
	"context"
	"log/slog"
	"slices"
	"time"

	"github.com/latchkey/latchkey/shared/oauth"
)

// TokenRequest is a token endpoint request (RFC 6749 §4.3.2, §4.4.2, §6),
// already decoded from the wire.
type TokenRequest struct {
	Client       ClientAuth
	GrantType    string
	Scope        string
	Username     string
	Password     string
	RefreshToken string
	// IP and UserAgent describe the caller; a new or refreshed session
	// records them for the sessions page.
	IP        string
	UserAgent string
}

// Token implements the token endpoint (RFC 6749 §3.2) for every grant a
// client may use, refresh_token included, so any standard client works
// against /oauth2/token alone.
func (s *Service) Token(ctx context.Context, r TokenRequest) (oauth.TokenResponse, error) {
	switch r.GrantType {
	case oauth.GrantClientCredentials, oauth.GrantPassword, oauth.GrantRefreshToken:
	case "":
		return oauth.TokenResponse{}, oauth.InvalidRequest("grant_type is required")
	default:
		return oauth.TokenResponse{}, oauth.UnsupportedGrantType("grant_type " + r.GrantType + " is not supported")
	}
	c, err := s.AuthenticateClient(ctx, r.Client)
	if err != nil {
		return oauth.TokenResponse{}, err
	}
	if !c.AllowsGrant(r.GrantType) {
		return oauth.TokenResponse{}, oauth.UnauthorizedClient("the client may not use the " + r.GrantType + " grant")
	}
	switch r.GrantType {
	case oauth.GrantClientCredentials:
		return s.clientCredentials(ctx, c, r)
	case oauth.GrantPassword:
		return s.password(ctx, c, r)
	default:
		return s.refresh(ctx, &c, RefreshRequest{RefreshToken: r.RefreshToken, Scope: r.Scope, IP: r.IP, UserAgent: r.UserAgent})
	}
}

// clientCredentials implements RFC 6749 §4.4: an access token for the
// client itself, never a refresh token (§4.4.3).
func (s *Service) clientCredentials(ctx context.Context, c Client, r TokenRequest) (oauth.TokenResponse, error) {
	if c.Public() {
		return oauth.TokenResponse{}, oauth.UnauthorizedClient("a public client cannot use client_credentials")
	}
	allowed := slices.DeleteFunc(slices.Clone(c.Scopes), func(s string) bool { return s == oauth.ScopeOfflineAccess })
	scopes, err := grantedScopes(r.Scope, allowed)
	if err != nil {
		return oauth.TokenResponse{}, err
	}
	now := s.now()
	at, err := s.issueAccess(ctx, c, accessGrant{subject: c.ID, scopes: scopes, jti: NewID()}, now)
	if err != nil {
		return oauth.TokenResponse{}, err
	}
	if err := s.persist(ctx, at); err != nil {
		return oauth.TokenResponse{}, err
	}
	s.audit(ctx, slog.LevelInfo, "token_issued", slog.String("client_id", c.ID), slog.String("sub", c.ID),
		slog.String("jti", at.jti), slog.String("grant_type", oauth.GrantClientCredentials), slog.String("outcome", "ok"))
	return at.response(scopes), nil
}

// accessGrant is what one access token is issued for.
type accessGrant struct {
	subject string
	scopes  []string
	jti     string
	session *Session
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
// session's absolute expiry (DESIGN.md §3).
func (s *Service) issueAccess(ctx context.Context, c Client, g accessGrant, now time.Time) (issuedAccess, error) {
	now = now.Truncate(time.Second)
	exp := now.Add(s.accessTTL(c))
	iss := s.Issuer(ctx)
	aud := s.audience
	if len(aud) == 0 {
		aud = []string{iss}
	}
	claims := AccessClaims{
		Issuer: iss, Subject: g.subject, Audience: aud,
		IssuedAt: now, JTI: g.jti, ClientID: c.ID, Scope: g.scopes,
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
		}
		return at, nil
	}
	token, err := s.signer.Sign(ctx, claims)
	if err != nil {
		return issuedAccess{}, storeError(err)
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
	if err := s.access.CreateReferenceToken(ctx, *at.reference); err != nil {
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

// JWKS returns the public signing keys as a JSON key set (RFC 7517 §5).
func (s *Service) JWKS(ctx context.Context) ([]byte, error) {
	set, err := s.signer.JWKS(ctx)
	if err != nil {
		return nil, storeError(err)
	}
	return set, nil
}
