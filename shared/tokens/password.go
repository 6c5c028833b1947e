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
	u, err := s.checkPassword(ctx, c, r.Username, r.Password)
	if err != nil {
		return oauth.TokenResponse{}, err
	}
	now := s.now()
	g := accessGrant{subject: u.Subject, scopes: scopes, resources: resources, jti: NewID()}
	var refreshToken string
	if slices.Contains(scopes, oauth.ScopeOfflineAccess) {
		sess, token, err := s.newSession(c, u.Subject, scopes, now, g.jti, r.IP, r.UserAgent)
		if err != nil {
			return oauth.TokenResponse{}, err
		}
		sess.Audience = resources
		g.session, refreshToken = &sess, token
	}
	at, err := s.issueAccess(ctx, c, g, now)
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
	resp := at.response(scopes)
	if g.session != nil {
		resp = withRefresh(resp, refreshToken, *g.session, now)
	}
	return resp, nil
}

// checkPassword verifies a user's password, counting failures and
// honouring the lockout (User.Locked).
func (s *Service) checkPassword(ctx context.Context, c Client, username, password string) (User, error) {
	u, err := s.getUser(ctx, username)
	switch {
	case notFound(err):
		_, _ = s.passwords.Verify(s.dummyHash(), password)
		return User{}, s.loginFailed(ctx, c, username, "unknown_user")
	case err != nil:
		return User{}, storeError(err)
	case u.Locked(s.now()):
		return User{}, s.loginFailed(ctx, c, username, "locked")
	}
	ok, err := s.passwords.Verify(u.PasswordHash, password)
	if err != nil {
		return User{}, oauth.ServerError(err)
	}
	if !ok || u.Disabled {
		return User{}, s.recordFailure(ctx, c, u)
	}
	if u.FailedLogins > 0 {
		if err := s.store.ResetLoginFailures(ctx, u.Username); err != nil {
			return User{}, storeError(err)
		}
	}
	return u, nil
}

func (s *Service) recordFailure(ctx context.Context, c Client, u User) error {
	updated, err := s.store.RecordLoginFailure(ctx, u.Username, s.now())
	if err != nil {
		return storeError(err)
	}
	if updated.Locked(s.now()) {
		s.audit(ctx, slog.LevelWarn, "account_locked", slog.String("client_id", c.ID), slog.String("sub", u.Subject),
			slog.Int("failures", updated.FailedLogins), slog.Time("locked_until", updated.LockedUntil()))
	}
	return s.loginFailed(ctx, c, u.Subject, "wrong_password")
}

func (s *Service) loginFailed(ctx context.Context, c Client, who, reason string) error {
	attr := slog.String("sub", who)
	if reason == "unknown_user" || reason == "locked" {
		attr = slog.String("username_hash", shortHash(who))
	}
	s.audit(ctx, slog.LevelWarn, "login_failed", slog.String("client_id", c.ID), attr, slog.String("outcome", reason))
	return oauth.InvalidGrant(badCredentials)
}

// dummyHash returns a valid hash of a random password, made once from the
// configured hasher: an unknown username is verified against it, so it
// costs the same time as a wrong password.
func (s *Service) dummyHash() string {
	s.dummyOnce.Do(func() {
		s.dummy, _ = s.passwords.Hash(NewID())
	})
	return s.dummy
}
