package tokens

import (
	"context"
	"crypto/subtle"
	"errors"
	"strings"
	"time"

	"github.com/latchkey/latchkey/shared/oauth"
)

// Introspect implements RFC 7662 §2 for an authenticated caller. A client
// may introspect the tokens issued to it; a client registered with
// Introspect (a resource server) may introspect any token. Every token
// that is bad, expired, revoked, of a revoked session or not the caller's
// to see is exactly {"active": false} (§2.2).
func (s *Service) Introspect(ctx context.Context, caller Client, token string) (oauth.IntrospectionResponse, error) {
	if caller.Public() {
		// A client_id alone proves nothing; RFC 7662 §2.1 wants the
		// caller authorized.
		return oauth.IntrospectionResponse{}, s.clientAuthFailed(ctx, caller.ID, "public_client_introspection")
	}
	info, err := s.inspect(ctx, token)
	if isInactive(err) {
		return oauth.IntrospectionResponse{}, nil
	}
	if err != nil {
		return oauth.IntrospectionResponse{}, err
	}
	if !caller.Introspect && info.ClientID != caller.ID {
		return oauth.IntrospectionResponse{}, nil
	}
	if info.Kind == KindLongLived {
		s.touchLongLived(ctx, info)
	}
	return oauth.IntrospectionResponse{
		Active: true, Scope: oauth.JoinScope(info.Scopes), ClientID: info.ClientID,
		TokenType: tokenTypeOf(info.Kind), Exp: unixOrZero(info.ExpiresAt), Iat: unixOrZero(info.IssuedAt),
		Sub: info.Subject, Aud: info.Audience, Iss: s.issuerOf(ctx, info), Jti: info.JTI, Sid: info.SessionID,
		Act: info.Act.Wire(),
	}, nil
}

// issuerOf is the iss introspection reports (RFC 7662 §2.2): a JWT's own,
// as it was signed, not the host this request reached; an opaque token
// carries none and is this deployment's.
func (s *Service) issuerOf(ctx context.Context, info TokenInfo) string {
	if info.Issuer != "" {
		return info.Issuer
	}
	return s.Issuer(ctx)
}

// tokenTypeOf names a kind in RFC 7662's token_type: access tokens are
// Bearer tokens (RFC 6750); the others say what they are.
func tokenTypeOf(kind string) string {
	if kind == KindAccess || kind == KindLongLived {
		return oauth.TokenTypeBearer
	}
	return kind
}

func unixOrZero(t interface{ Unix() int64 }) int64 {
	if u := t.Unix(); u > 0 {
		return u
	}
	return 0
}

// Token kinds, as introspection reports them in token_type.
const (
	KindAccess    = "access_token"
	KindRefresh   = "refresh_token"
	KindLongLived = "long_lived"
)

// TokenInfo is what an active token stands for.
type TokenInfo struct {
	Kind string
	// Issuer is a JWT's iss; empty for opaque tokens.
	Issuer    string
	JTI       string
	ClientID  string
	Subject   string
	Scopes    []string
	Audience  []string
	SessionID string
	IssuedAt  time.Time
	ExpiresAt time.Time
	// Act and MayAct are an access token's act and may_act (RFC 8693 §4).
	Act    *Actor
	MayAct *Actor
	// lastUsed is a long-lived token's last recorded use.
	lastUsed time.Time
}

// inspect decides whether token is active and what it stands for, with at
// most one store request. Anything bad yields errInactive(); a store
// failure yields temporarily_unavailable, never an active answer.
func (s *Service) inspect(ctx context.Context, token string) (TokenInfo, error) {
	switch {
	case token == "" || len(token) > 8192:
		return TokenInfo{}, errInactive()
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
		return TokenInfo{}, errInactive()
	}
	c, err := s.verifier.Verify(ctx, token)
	if errors.Is(err, ErrInvalidToken) {
		return TokenInfo{}, errInactive()
	}
	if err != nil {
		return TokenInfo{}, signerError(err)
	}
	state, err := s.store.AccessState(ctx, AccessStateQuery{JTI: c.JTI, SessionID: c.SessionID})
	if err != nil {
		return TokenInfo{}, storeError(err)
	}
	if state.JTIRevoked || (c.SessionID != "" && !sessionLive(state.Session, s.now())) {
		return TokenInfo{}, errInactive()
	}
	return TokenInfo{
		Kind: KindAccess, Issuer: c.Issuer, JTI: c.JTI, ClientID: c.ClientID, Subject: c.Subject, Scopes: c.Scope,
		Audience: c.Audience, SessionID: c.SessionID, IssuedAt: c.IssuedAt, ExpiresAt: c.ExpiresAt,
		Act: c.Act, MayAct: c.MayAct,
	}, nil
}

func (s *Service) inspectReference(ctx context.Context, token string) (TokenInfo, error) {
	q := AccessStateQuery{ReferenceHash: HashToken(token), SessionID: referenceSessionID(token)}
	state, err := s.store.AccessState(ctx, q)
	if err != nil {
		return TokenInfo{}, storeError(err)
	}
	t := state.Reference
	now := s.now()
	switch {
	case t == nil || t.Revoked || !now.Before(t.ExpiresAt):
		return TokenInfo{}, errInactive()
	case t.SessionID != q.SessionID:
		return TokenInfo{}, errInactive()
	case t.SessionID != "" && !sessionLive(state.Session, now):
		return TokenInfo{}, errInactive()
	}
	return TokenInfo{
		Kind: KindAccess, JTI: t.JTI, ClientID: t.ClientID, Subject: t.Subject, Scopes: t.Scopes,
		Audience: t.Audience, SessionID: t.SessionID, IssuedAt: t.IssuedAt, ExpiresAt: t.ExpiresAt,
		Act: t.Act,
	}, nil
}

// inspectRefresh recognises a refresh token by the hash the session keeps
// of its current token: no key is needed, so read-only functions never see
// the key-encryption secret.
func (s *Service) inspectRefresh(ctx context.Context, token string) (TokenInfo, error) {
	rt, ok := parseRefreshToken(token)
	if !ok {
		return TokenInfo{}, errInactive()
	}
	sess, err := s.store.GetSession(ctx, rt.SessionID)
	if notFound(err) {
		return TokenInfo{}, errInactive()
	}
	if err != nil {
		return TokenInfo{}, storeError(err)
	}
	if subtle.ConstantTimeCompare(HashToken(token), sess.CurrentHash) != 1 || !sess.Usable(s.now()) {
		return TokenInfo{}, errInactive()
	}
	return TokenInfo{
		Kind: KindRefresh, ClientID: sess.ClientID, Subject: sess.Subject, Scopes: sess.Scopes, Audience: sess.Audience,
		SessionID: sess.ID, IssuedAt: sess.RotatedAt, ExpiresAt: sess.ExpiresAt(),
	}, nil
}

// mintingClientLive holds a self-minted token to its client (issue 11 §4):
// it is inactive once the client is disabled or gone. The client comes
// from the client cache, so in other warm containers a disable takes
// effect within the cache's TTL, as for every token of that client.
func (s *Service) mintingClientLive(ctx context.Context, t LongLivedToken) error {
	if t.ClientID == "" {
		return nil
	}
	c, err := s.client(ctx, t.ClientID)
	switch {
	case notFound(err):
		return errInactive()
	case err != nil:
		return storeError(err)
	case c.Disabled:
		return errInactive()
	}
	return nil
}

// inspectLongLived checks the checksum before any read, then the stored hash.
func (s *Service) inspectLongLived(ctx context.Context, token string) (TokenInfo, error) {
	if !ValidLongLivedChecksum(token) {
		return TokenInfo{}, errInactive()
	}
	t, err := s.store.GetLongLived(ctx, longLivedID(token))
	if notFound(err) {
		return TokenInfo{}, errInactive()
	}
	if err != nil {
		return TokenInfo{}, storeError(err)
	}
	now := s.now()
	if subtle.ConstantTimeCompare(HashToken(token), t.Hash) != 1 || t.Status != SessionActive ||
		(!t.ExpiresAt.IsZero() && !now.Before(t.ExpiresAt)) {
		return TokenInfo{}, errInactive()
	}
	if err := s.mintingClientLive(ctx, t); err != nil {
		return TokenInfo{}, err
	}
	return TokenInfo{
		Kind: KindLongLived, JTI: t.ID, ClientID: t.ClientID, Subject: t.Subject, Scopes: t.Scopes, Audience: t.Audience,
		IssuedAt: t.CreatedAt, ExpiresAt: t.ExpiresAt, lastUsed: t.LastUsedAt,
	}, nil
}
