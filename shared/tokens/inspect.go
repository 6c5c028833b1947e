package tokens

import (
	"context"
	"crypto/subtle"
	"errors"
	"strings"
	"time"

	"github.com/latchkey/latchkey/shared/oauth"
)

// Token kinds, as introspection reports them in token_type.
const (
	KindAccess    = "access_token"
	KindRefresh   = "refresh_token"
	KindLongLived = "long_lived"
)

// TokenInfo is what an active token stands for.
type TokenInfo struct {
	Kind      string
	JTI       string
	ClientID  string
	Subject   string
	Scopes    []string
	Audience  []string
	SessionID string
	IssuedAt  time.Time
	ExpiresAt time.Time
	// Session is set for refresh tokens: the session the token belongs to.
	Session *Session
	// lastUsed is a long-lived token's last recorded use.
	lastUsed time.Time
}

// errInactive is every reason a token is not active; the reason is not told
// to the caller (RFC 7662 §2.2).
var errInactive = oauth.InvalidToken("the token is invalid, expired or revoked")

// inspect decides whether token is active and what it stands for, with at
// most one store request. Anything bad yields errInactive; a store
// failure yields temporarily_unavailable, never an active answer.
func (s *Service) inspect(ctx context.Context, token string) (TokenInfo, error) {
	switch {
	case token == "" || len(token) > 8192:
		return TokenInfo{}, errInactive
	case strings.HasPrefix(token, RefreshTokenPrefix):
		return s.inspectRefresh(ctx, token)
	case strings.HasPrefix(token, ReferenceTokenPrefix):
		return s.inspectReference(ctx, token)
	case strings.HasPrefix(token, LongLivedPrefix):
		return s.inspectLongLived(ctx, token)
	}
	return s.inspectJWT(ctx, token)
}

func (s *Service) inspectJWT(ctx context.Context, token string) (TokenInfo, error) {
	if s.verifier == nil {
		return TokenInfo{}, errInactive
	}
	c, err := s.verifier.Verify(ctx, token)
	if errors.Is(err, ErrInvalidToken) {
		return TokenInfo{}, errInactive
	}
	if err != nil {
		return TokenInfo{}, storeError(err)
	}
	state, err := s.access.AccessState(ctx, AccessStateQuery{JTI: c.JTI, SessionID: c.SessionID})
	if err != nil {
		return TokenInfo{}, storeError(err)
	}
	if state.JTIRevoked || (c.SessionID != "" && !sessionLive(state.Session, s.now())) {
		return TokenInfo{}, errInactive
	}
	return TokenInfo{
		Kind: KindAccess, JTI: c.JTI, ClientID: c.ClientID, Subject: c.Subject, Scopes: c.Scope,
		Audience: c.Audience, SessionID: c.SessionID, IssuedAt: c.IssuedAt, ExpiresAt: c.ExpiresAt,
	}, nil
}

func (s *Service) inspectReference(ctx context.Context, token string) (TokenInfo, error) {
	q := AccessStateQuery{ReferenceHash: HashToken(token), SessionID: referenceSessionID(token)}
	state, err := s.access.AccessState(ctx, q)
	if err != nil {
		return TokenInfo{}, storeError(err)
	}
	t := state.Reference
	now := s.now()
	switch {
	case t == nil || t.Revoked || !now.Before(t.ExpiresAt):
		return TokenInfo{}, errInactive
	case t.SessionID != q.SessionID:
		return TokenInfo{}, errInactive
	case t.SessionID != "" && !sessionLive(state.Session, now):
		return TokenInfo{}, errInactive
	}
	return TokenInfo{
		Kind: KindAccess, JTI: t.JTI, ClientID: t.ClientID, Subject: t.Subject, Scopes: t.Scopes,
		Audience: t.Audience, SessionID: t.SessionID, IssuedAt: t.IssuedAt, ExpiresAt: t.ExpiresAt,
	}, nil
}

// inspectRefresh recognises a refresh token by the hash the session keeps
// of its current token: no key is needed, so read-only functions never see
// the key-encryption secret.
func (s *Service) inspectRefresh(ctx context.Context, token string) (TokenInfo, error) {
	rt, ok := parseRefreshToken(token)
	if !ok {
		return TokenInfo{}, errInactive
	}
	sess, err := s.store.GetSession(ctx, rt.SessionID)
	if notFound(err) {
		return TokenInfo{}, errInactive
	}
	if err != nil {
		return TokenInfo{}, storeError(err)
	}
	if subtle.ConstantTimeCompare(HashToken(token), sess.CurrentHash) != 1 || !sess.Usable(s.now()) {
		return TokenInfo{}, errInactive
	}
	return TokenInfo{
		Kind: KindRefresh, ClientID: sess.ClientID, Subject: sess.Subject, Scopes: sess.Scopes,
		SessionID: sess.ID, IssuedAt: sess.RotatedAt, ExpiresAt: sess.ExpiresAt(), Session: &sess,
	}, nil
}

// sessionLive reports whether an access token of sess may still be used:
// the session exists, is active and has not passed its absolute expiry.
// The idle window limits refreshes, not access tokens already issued.
func sessionLive(sess *Session, now time.Time) bool {
	return sess != nil && sess.Status == SessionActive && now.Before(sess.AbsoluteExpiresAt)
}
