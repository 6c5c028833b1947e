package tokens

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"github.com/latchkey/latchkey/shared/oauth"
)

// RefreshRequest is a refresh at /oauth2/refresh, or the refresh_token
// grant of the token endpoint once its client is authenticated.
type RefreshRequest struct {
	// Client is empty when a public first-party client sends only the
	// token (from its cookie); the client is then the session's.
	Client       ClientAuth
	RefreshToken string
	Scope        string
	// Resources may narrow the session's resources (RFC 8707 §2.2).
	Resources []string
	IP        string
	UserAgent string
}

const badRefreshToken = "the refresh token is invalid, expired or revoked"

// Refresh implements the rotation endpoint for first-party apps. A
// confidential client must authenticate as at the token endpoint
// (RFC 6749 §6); a public client may send the token alone.
func (s *Service) Refresh(ctx context.Context, r RefreshRequest) (oauth.TokenResponse, error) {
	if r.RefreshToken == "" {
		return oauth.TokenResponse{}, oauth.InvalidRequest("refresh_token is required")
	}
	if r.Client.ID == "" {
		return s.refresh(ctx, nil, r)
	}
	c, err := s.AuthenticateClient(ctx, r.Client)
	if err != nil {
		return oauth.TokenResponse{}, err
	}
	if !c.AllowsGrant(oauth.GrantRefreshToken) {
		return oauth.TokenResponse{}, oauth.UnauthorizedClient("the client may not use the refresh_token grant")
	}
	return s.refresh(ctx, &c, r)
}

// refresh redeems a refresh token (RFC 6749 §6) with rotation and reuse
// detection (RFC 9700 §4.14.2, RFC 6819 §5.2.2.3). authed is the
// authenticated client, or nil when the session's client must be public.
func (s *Service) refresh(ctx context.Context, authed *Client, r RefreshRequest) (oauth.TokenResponse, error) {
	if r.RefreshToken == "" {
		return oauth.TokenResponse{}, oauth.InvalidRequest("refresh_token is required")
	}
	if len(s.refreshKey) == 0 {
		return oauth.TokenResponse{}, oauth.ServerError(errNoRefreshKey)
	}
	rt, ok := parseRefreshToken(r.RefreshToken)
	if !ok {
		return oauth.TokenResponse{}, s.refreshFailed(ctx, "", "", "malformed")
	}
	sess, err := s.store.GetSession(ctx, rt.SessionID)
	if notFound(err) {
		return oauth.TokenResponse{}, s.refreshFailed(ctx, "", rt.SessionID, "unknown_session")
	}
	if err != nil {
		return oauth.TokenResponse{}, storeError(err)
	}
	// A token that is not genuine changes nothing: guessing must never
	// revoke someone else's session (docs/design.md §7.2).
	if !rt.genuine(s.refreshKey, sess.Salt) {
		return oauth.TokenResponse{}, s.refreshFailed(ctx, sess.ClientID, sess.ID, "forged")
	}
	c, err := s.sessionClient(ctx, authed, sess)
	if err != nil {
		return oauth.TokenResponse{}, err
	}
	scopes, err := narrowedScopes(r.Scope, sess.Scopes)
	if err != nil {
		return oauth.TokenResponse{}, err
	}
	resources, err := narrowedResources(r.Resources, sess.Audience)
	if err != nil {
		return oauth.TokenResponse{}, err
	}
	return s.redeem(ctx, c, sess, rt, grantOf(c, sess, scopes, resources), r, false)
}

// sessionClient returns the client a refresh acts for: the authenticated
// one, which must own the session, or the session's own public client.
func (s *Service) sessionClient(ctx context.Context, authed *Client, sess Session) (Client, error) {
	if authed != nil {
		if authed.ID != sess.ClientID {
			return Client{}, s.refreshFailed(ctx, authed.ID, sess.ID, "other_client")
		}
		return *authed, nil
	}
	c, err := s.client(ctx, sess.ClientID)
	if notFound(err) {
		return Client{}, s.refreshFailed(ctx, sess.ClientID, sess.ID, "unknown_client")
	}
	if err != nil {
		return Client{}, storeError(err)
	}
	switch {
	case !c.Public():
		return Client{}, s.clientAuthFailed(ctx, c.ID, "secret_missing")
	case c.Disabled:
		return Client{}, s.clientAuthFailed(ctx, c.ID, "client_disabled")
	case !c.AllowsGrant(oauth.GrantRefreshToken):
		return Client{}, oauth.UnauthorizedClient("the client may not use the refresh_token grant")
	}
	return c, nil
}

// redeem decides what a genuine token of sess gets. retried is true after
// a lost conditional write, when sess is the state the winner left.
func (s *Service) redeem(ctx context.Context, c Client, sess Session, rt refreshToken, want accessGrant, r RefreshRequest, retried bool) (oauth.TokenResponse, error) {
	now := s.now()
	switch {
	case sess.Status != SessionActive:
		return oauth.TokenResponse{}, s.refreshFailed(ctx, c.ID, sess.ID, "session_"+sess.Status)
	case !now.Before(sess.ExpiresAt()):
		return oauth.TokenResponse{}, s.refreshFailed(ctx, c.ID, sess.ID, "expired")
	case rt.Generation == sess.Generation && !retried:
		return s.rotate(ctx, c, sess, rt, want, r, now)
	case rt.Generation == sess.Generation-1 && s.inGrace(c, sess, now):
		return s.replayInGrace(ctx, c, sess, want, now)
	case rt.Generation < sess.Generation:
		return oauth.TokenResponse{}, s.reuseDetected(ctx, c, sess, rt, now)
	}
	return oauth.TokenResponse{}, s.refreshFailed(ctx, c.ID, sess.ID, "generation_unknown")
}

// grantOf is what a refresh of sess issues: an access token for the
// session's subject with the (possibly narrowed) scopes and resources,
// and the claims the session was signed in with.
func grantOf(c Client, sess Session, scopes, resources []string) accessGrant {
	return accessGrant{subject: sess.Subject, scopes: scopes, resources: resources, claims: accessTokenClaims(c, sess.Claims), act: sess.Act}
}

func (s *Service) inGrace(c Client, sess Session, now time.Time) bool {
	return c.RefreshRotation != RotationReuse && c.RefreshReuseGrace > 0 &&
		now.Before(sess.RotatedAt.Add(c.RefreshReuseGrace))
}

// rotate spends the presented token and issues the next generation in one
// conditional write on the session item: of concurrent presentations
// exactly one wins; the others are judged again against what it wrote.
func (s *Service) rotate(ctx context.Context, c Client, sess Session, rt refreshToken, want accessGrant, r RefreshRequest, now time.Time) (oauth.TokenResponse, error) {
	next, token := s.nextGeneration(c, sess, r, now)
	// Sign, and store a reference token, before the rotation: a failure
	// there must not spend the presented token. A reference token whose
	// rotation then fails was never sent to anyone.
	g := want
	g.jti, g.session = next.AccessJTI, &next
	at, err := s.issueAccess(ctx, c, g, now)
	if err != nil {
		return oauth.TokenResponse{}, err
	}
	resp, err := s.withIDToken(ctx, at.response(want.scopes), sessionIDToken(c, next, want.scopes))
	if err != nil {
		return oauth.TokenResponse{}, err
	}
	if err := s.persist(ctx, at); err != nil {
		return oauth.TokenResponse{}, err
	}
	current, err := s.store.UpdateSession(ctx, next, sess.Generation)
	switch {
	case errors.Is(err, ErrConflict) && current.AccessJTI == next.AccessJTI && current.Generation == next.Generation:
		// This very write had landed; the SDK retried it after a lost
		// answer and the retry found its own result.
	case errors.Is(err, ErrConflict):
		return s.redeem(ctx, c, current, rt, want, r, true)
	case notFound(err):
		return oauth.TokenResponse{}, s.refreshFailed(ctx, c.ID, sess.ID, "unknown_session")
	case err != nil:
		return oauth.TokenResponse{}, storeError(err)
	}
	s.audit(ctx, slog.LevelInfo, "token_refreshed", slog.String("client_id", c.ID), slog.String("sub", sess.Subject),
		slog.String("sid", sess.ID), slog.String("jti", at.jti), slog.Int("generation", next.Generation), slog.String("outcome", "ok"))
	return withRefresh(resp, token, next, now), nil
}

// nextGeneration returns the session after a refresh at now and the
// refresh token to hand out: a new generation when rotating, the same
// token in reuse mode. The idle window slides, never past the absolute
// expiry.
func (s *Service) nextGeneration(c Client, sess Session, r RefreshRequest, now time.Time) (Session, string) {
	next := sess
	next.IdleExpiresAt = IdleExpiry(now, s.refreshIdleTTL(c), sess.AbsoluteExpiresAt)
	next.LastUsedAt, next.AccessJTI = now, NewID()
	if r.IP != "" || r.UserAgent != "" {
		next.IP, next.UserAgent = r.IP, r.UserAgent
	}
	if c.RefreshRotation == RotationReuse {
		return next, r.RefreshToken
	}
	next.Generation++
	next.RotatedAt = now
	token := formatRefreshToken(s.refreshKey, sess.ID, next.Generation, sess.Salt)
	next.PreviousHash, next.CurrentHash = sess.CurrentHash, HashToken(token)
	return next, token
}

// replayInGrace answers the previous token presented again within the
// grace window (a second tab, a retry after a lost answer): a fresh
// access token and the same current refresh token the winner got, so the
// family never forks. It writes nothing.
func (s *Service) replayInGrace(ctx context.Context, c Client, sess Session, want accessGrant, now time.Time) (oauth.TokenResponse, error) {
	token := formatRefreshToken(s.refreshKey, sess.ID, sess.Generation, sess.Salt)
	g := want
	g.jti, g.session = NewID(), &sess
	at, err := s.issueAccess(ctx, c, g, now)
	if err != nil {
		return oauth.TokenResponse{}, err
	}
	resp, err := s.withIDToken(ctx, at.response(want.scopes), sessionIDToken(c, sess, want.scopes))
	if err != nil {
		return oauth.TokenResponse{}, err
	}
	if err := s.persist(ctx, at); err != nil {
		return oauth.TokenResponse{}, err
	}
	s.audit(ctx, slog.LevelInfo, "token_refreshed", slog.String("client_id", c.ID), slog.String("sub", sess.Subject),
		slog.String("sid", sess.ID), slog.String("jti", at.jti), slog.Int("generation", sess.Generation), slog.String("outcome", "grace_replay"))
	return withRefresh(resp, token, sess, now), nil
}

// reuseDetected revokes the whole session when a spent token comes back
// outside the grace window (RFC 9700 §4.14.2): one of its holders is not
// the legitimate client. If the revocation cannot be written the answer
// is 503, so a revocation is never silently lost.
func (s *Service) reuseDetected(ctx context.Context, c Client, sess Session, rt refreshToken, now time.Time) error {
	err := s.store.RevokeSession(ctx, sess.ID, ReasonReuseDetected, now)
	if err != nil && !errors.Is(err, ErrConflict) && !notFound(err) {
		return storeError(err)
	}
	s.audit(ctx, slog.LevelWarn, ReasonReuseDetected, slog.String("client_id", c.ID), slog.String("sub", sess.Subject),
		slog.String("sid", sess.ID), slog.Int("presented_generation", rt.Generation),
		slog.Int("current_generation", sess.Generation), slog.String("outcome", "session_revoked"))
	return oauth.InvalidGrant("the refresh token was already used; the session has been revoked")
}

func (s *Service) refreshFailed(ctx context.Context, clientID, sid, reason string) error {
	s.audit(ctx, slog.LevelWarn, "refresh_failed", slog.String("client_id", clientID),
		slog.String("sid", sid), slog.String("outcome", reason))
	return oauth.InvalidGrant(badRefreshToken)
}
