package tokens

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"github.com/latchkey/latchkey/shared/oauth"
)

// Session statuses.
const (
	SessionActive  = "active"
	SessionRevoked = "revoked"
)

// Revocation reasons recorded on a session.
const (
	ReasonReuseDetected = "refresh_token_reuse_detected"
	ReasonRevoked       = "revoked"
	ReasonEvicted       = "evicted"
)

// Session is one grant of refresh-capable tokens to one client for one
// subject (docs/design.md §3).
type Session struct {
	ID                string
	ClientID          string
	Subject           string
	Scopes            []string
	Audience          []string       // the resources granted (RFC 8707); empty: aud is the issuer
	Claims            map[string]any // the user's claims as of sign-in, for refreshes (sessionClaims)
	LoginID           string         // the login session (single sign-on) it came from, if any: its ID tokens' sid
	CreatedAt         time.Time
	AuthTime          time.Time
	AbsoluteExpiresAt time.Time
	IdleExpiresAt     time.Time
	LastUsedAt        time.Time
	// Generation is the generation of the current refresh token, from 1.
	Generation int
	// Salt is random per session and enters every refresh token's MAC.
	Salt []byte
	// RotatedAt is when the current generation replaced the previous one.
	RotatedAt time.Time
	// CurrentHash and PreviousHash are SHA-256 of the current and the
	// previous refresh token: enough to recognise them, useless to present.
	CurrentHash   []byte
	PreviousHash  []byte
	AccessJTI     string
	Status        string
	RevokedReason string
	RevokedAt     time.Time
	IP            string
	UserAgent     string
	// Act is set on a job session (exchange.go): the service acting for
	// Subject, and whom it acted for in turn (RFC 8693 §4.1). Its access
	// tokens carry it as act.
	Act *Actor
}

// ExpiresAt is when the session's refresh token stops working: the
// earlier of the absolute and the idle expiry.
func (s Session) ExpiresAt() time.Time {
	if !s.IdleExpiresAt.IsZero() && s.IdleExpiresAt.Before(s.AbsoluteExpiresAt) {
		return s.IdleExpiresAt
	}
	return s.AbsoluteExpiresAt
}

// Usable reports whether the session may be refreshed at now: it is
// active and now is before both expiries (docs/design.md §3).
func (s Session) Usable(now time.Time) bool {
	return s.Status == SessionActive && now.Before(s.ExpiresAt())
}

// IdleExpiry returns the idle expiry a use at now sets:
// min(now + idle, absolute), or absolute when idle is 0 (no idle limit).
func IdleExpiry(now time.Time, idle time.Duration, absolute time.Time) time.Time {
	if idle <= 0 {
		return absolute
	}
	if t := now.Add(idle); t.Before(absolute) {
		return t
	}
	return absolute
}

// sessionLive reports whether an access token of sess may still be used:
// the session exists, is active and has not passed its absolute expiry.
// The idle window limits refreshes, not access tokens already issued.
func sessionLive(sess *Session, now time.Time) bool {
	return sess != nil && sess.Status == SessionActive && now.Before(sess.AbsoluteExpiresAt)
}

// newSession builds a new session and its first refresh token
// (generation 1). The caller writes it with createSession.
func (s *Service) newSession(c Client, subject string, scopes []string, now time.Time, jti, ip, ua string) (Session, string, error) {
	if len(s.refreshKey) == 0 {
		return Session{}, "", oauth.ServerError(errNoRefreshKey)
	}
	abs := now.Add(s.refreshAbsoluteTTL(c))
	sess := Session{
		ID: NewID(), ClientID: c.ID, Subject: subject, Scopes: scopes,
		CreatedAt: now, AuthTime: now, AbsoluteExpiresAt: abs,
		IdleExpiresAt: IdleExpiry(now, s.refreshIdleTTL(c), abs), LastUsedAt: now,
		Generation: 1, Salt: randomBytes(16), RotatedAt: now, AccessJTI: jti,
		Status: SessionActive, IP: ip, UserAgent: ua,
	}
	token := formatRefreshToken(s.refreshKey, sess.ID, 1, sess.Salt)
	sess.CurrentHash = HashToken(token)
	return sess, token, nil
}

func (s *Service) createSession(ctx context.Context, sess Session) error {
	if err := s.store.CreateSession(ctx, sess); err != nil {
		return storeError(err)
	}
	return nil
}

func sessionID(s *Session) string {
	if s == nil {
		return ""
	}
	return s.ID
}

// createSessionCapped writes a new session, then trims the client's
// sessions for the subject to max_sessions_per_subject (docs/design.md
// §2): it reads the active ones (the one extra query) and revokes the
// oldest beyond the cap, never the new one.
//
// Creating first and trimming after makes the cap hold under concurrency
// (issue 11 §9), where checking first let 40 concurrent logins with a
// cap of 5 leave 32 to 35 active: every login's read follows its own
// write, so the login that reads last sees every session of the burst
// and leaves its own and the cap−1 newest others. Once a burst is over,
// at most the cap are active. A session of the burst may be evicted
// right after it was created, as the oldest beyond the cap. The index
// may lag on AWS, which can leave a session created a moment before the
// last read over the cap until the next login. When the read or an
// eviction fails, the new session is withdrawn again and the login
// answers 503 (invariant 4).
func (s *Service) createSessionCapped(ctx context.Context, c Client, sess Session) error {
	if err := s.createSession(ctx, sess); err != nil || c.MaxSessionsPerSubject <= 0 {
		return err
	}
	if err := s.trimSessions(ctx, c, sess); err != nil {
		s.withdrawSession(ctx, sess)
		return err
	}
	return nil
}

// trimSessions revokes the client's oldest sessions of sess's subject
// beyond the cap, never sess itself.
func (s *Service) trimSessions(ctx context.Context, c Client, sess Session) error {
	active, err := s.store.ActiveSessions(ctx, sess.Subject, c.ID)
	if err != nil {
		return storeError(err)
	}
	for _, id := range beyondCap(active, sess.ID, c.MaxSessionsPerSubject) {
		err := s.store.RevokeSession(ctx, id, ReasonEvicted, s.now())
		switch {
		case err == nil:
			s.audit(ctx, slog.LevelInfo, "session_evicted", slog.String("sid", id), slog.String("sub", sess.Subject),
				slog.String("client_id", c.ID), slog.String("outcome", ReasonEvicted))
		case !errors.Is(err, ErrConflict) && !notFound(err):
			return storeError(err)
		}
	}
	return nil
}

// withdrawSession revokes a session whose login failed after it was
// written, so that a 503 leaves no session behind (invariant 4). It runs
// even when the request's deadline has passed; should it fail too, the
// session stays, but its refresh token was never handed out.
func (s *Service) withdrawSession(ctx context.Context, sess Session) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Second)
	defer cancel()
	if err := s.store.RevokeSession(ctx, sess.ID, ReasonRevoked, s.now()); err != nil {
		s.audit(ctx, slog.LevelWarn, "session_withdraw_failed", slog.String("sid", sess.ID), slog.String("cause", err.Error()))
	}
}

// beyondCap returns the sessions to evict from active (oldest first) so
// that the new session and the cap−1 newest others remain.
func beyondCap(active []Session, newID string, limit int) []string {
	var others []string
	for _, a := range active {
		if a.ID != newID {
			others = append(others, a.ID)
		}
	}
	if n := len(others) - (limit - 1); n > 0 {
		return others[:n]
	}
	return nil
}
