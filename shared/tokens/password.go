package tokens

import (
	"context"
	"log/slog"
	"slices"

	"github.com/latchkey/latchkey/shared/oauth"
)

// badCredentials is the one answer to every failed sign-in: it never says
// whether the user exists.
const badCredentials = "invalid username or password"

// password implements the resource owner password grant (RFC 6749 §4.3)
// for first-party clients. The answer never says whether the user exists.
func (s *Service) password(ctx context.Context, c Client, r TokenRequest) (oauth.TokenResponse, error) {
	if r.Username == "" || r.Password == "" {
		return oauth.TokenResponse{}, oauth.InvalidRequest("username and password are required")
	}
	scopes, err := grantedScopes(r.Scope, c.offlineScopes())
	if err != nil {
		return oauth.TokenResponse{}, err
	}
	resources, err := c.ResolveResources(r.Resources)
	if err != nil {
		return oauth.TokenResponse{}, err
	}
	u, err := s.checkPassword(ctx, c, r.Username, r.Password, r.IP)
	if err != nil {
		return oauth.TokenResponse{}, err
	}
	scopes = heldScopes(u, scopes)
	now := s.now()
	g := accessGrant{subject: u.Subject, scopes: scopes, resources: resources, claims: accessTokenClaims(c, u.Claims), jti: NewID()}
	idr := IDTokenRequest{Client: c, Subject: u.Subject, AuthTime: now, Claims: u.Claims, Scopes: scopes}
	var refreshToken string
	if slices.Contains(scopes, oauth.ScopeOfflineAccess) {
		sess, token, err := s.newSession(c, u.Subject, scopes, now, g.jti, r.IP, r.UserAgent)
		if err != nil {
			return oauth.TokenResponse{}, err
		}
		sess.Audience, sess.Claims = resources, sessionClaims(c, u.Claims, scopes)
		g.session, refreshToken = &sess, token
		idr = sessionIDToken(c, sess, scopes)
	}
	at, err := s.issueAccess(ctx, c, g, now)
	if err != nil {
		return oauth.TokenResponse{}, err
	}
	resp, err := s.withIDToken(ctx, at.response(scopes), idr)
	if err != nil {
		return oauth.TokenResponse{}, err
	}
	// A reference token first: without its session it is inactive, so a
	// failed session write leaves nothing usable behind.
	if err := s.persist(ctx, at); err != nil {
		return oauth.TokenResponse{}, err
	}
	if g.session != nil {
		if err := s.createSessionCapped(ctx, c, *g.session); err != nil {
			return oauth.TokenResponse{}, err
		}
	}
	s.audit(ctx, slog.LevelInfo, "token_issued", slog.String("client_id", c.ID), slog.String("sub", u.Subject),
		slog.String("sid", sessionID(g.session)), slog.String("jti", at.jti),
		slog.String("grant_type", r.GrantType), slog.String("outcome", "ok"))
	if g.session != nil {
		resp = withRefresh(resp, refreshToken, *g.session, now)
	}
	return resp, nil
}
