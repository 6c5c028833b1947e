package tokens

import (
	"context"
	"crypto/subtle"
	"errors"
	"log/slog"
	"strings"

	"github.com/latchkey/latchkey/shared/oauth"
)

// Revoke implements RFC 7009 §2.1 for an authenticated client. Unknown,
// expired, already revoked tokens and other clients' tokens all get the
// same success (§2.2): the answer never tells whether a token exists.
//
//   - refresh token: the whole session is revoked, and with it every
//     access token of the session;
//   - JWT access token: its jti is denied until it expires; the session
//     stays alive;
//   - reference access token: revoked.
//
// The token_type_hint is not taken: every token's prefix names its kind,
// and §2.1 lets the server ignore a hint it does not understand, so an
// unknown hint is no error (issue 11 §17).
func (s *Service) Revoke(ctx context.Context, c Client, token string) error {
	var err error
	switch {
	case strings.HasPrefix(token, RefreshTokenPrefix):
		err = s.revokeRefresh(ctx, c, token)
	case strings.HasPrefix(token, ReferenceTokenPrefix):
		err = s.store.RevokeReferenceToken(ctx, HashToken(token), c.ID)
	case strings.HasPrefix(token, LongLivedPrefix):
		return nil // long-lived tokens belong to a subject, not a client: DELETE /tokens/{id}
	default:
		err = s.revokeJWT(ctx, c, token)
	}
	if err == nil {
		s.audit(ctx, slog.LevelInfo, "token_revoked", slog.String("client_id", c.ID), slog.String("outcome", "ok"))
	}
	if err == nil || isInactive(err) || notFound(err) || errors.Is(err, ErrConflict) {
		return nil
	}
	return storeError(err)
}

// revokeRefresh ends the session of a refresh token: the current one, or
// the one it just replaced (a client revoking on sign-out may hold a token
// whose rotation answer it never saw). The token is recognised by the
// hashes the session keeps, so the revoke function needs no key.
func (s *Service) revokeRefresh(ctx context.Context, c Client, token string) error {
	rt, ok := parseRefreshToken(token)
	if !ok {
		return errInactive()
	}
	sess, err := s.store.GetSession(ctx, rt.SessionID)
	if err != nil {
		return err
	}
	h := HashToken(token)
	known := subtle.ConstantTimeCompare(h, sess.CurrentHash) | subtle.ConstantTimeCompare(h, sess.PreviousHash)
	if known != 1 || sess.ClientID != c.ID {
		return errInactive()
	}
	return s.store.RevokeSession(ctx, sess.ID, ReasonRevoked, s.now())
}

func (s *Service) revokeJWT(ctx context.Context, c Client, token string) error {
	if s.verifier == nil {
		return errInactive()
	}
	claims, err := s.verifier.Verify(ctx, token)
	if err != nil && !errors.Is(err, ErrInvalidToken) {
		return signerError(err)
	}
	if err != nil || claims.ClientID != c.ID {
		return errInactive()
	}
	return s.store.RevokeJTI(ctx, claims.JTI, claims.ExpiresAt)
}

// RevokeSession revokes one session for a principal: an administrator
// (sessions:revoke) any session, a user only their own. A session the
// principal may not see is reported as not found. It returns how many
// sessions it revoked: 0 when the session already was. The subject's
// consent to the session's client is withdrawn with it (docs/design.md §10).
func (s *Service) RevokeSession(ctx context.Context, p Principal, id string) (int, error) {
	if !plausibleID(id) {
		return 0, noSuch("session")
	}
	sess, err := s.store.GetSession(ctx, id)
	switch {
	case notFound(err):
		return 0, noSuch("session")
	case err != nil:
		return 0, storeError(err)
	case !p.Can(ScopeSessionsRevoke) && sess.Subject != p.Subject:
		return 0, noSuch("session")
	case sess.Status != SessionActive:
		return 0, nil
	}
	err = s.store.RevokeSession(ctx, id, ReasonRevoked, s.now())
	if err != nil && !errors.Is(err, ErrConflict) {
		return 0, storeError(err)
	}
	if err := s.withdrawConsent(ctx, sess.Subject, sess.ClientID); err != nil {
		return 0, err
	}
	s.audit(ctx, slog.LevelInfo, "session_revoked", slog.String("sid", id), slog.String("sub", sess.Subject),
		slog.String("client_id", sess.ClientID), slog.String("outcome", "ok"))
	return 1, nil
}

// RevokeSubject signs a subject out everywhere: it revokes every session
// of the subject and every long-lived token it owns, and withdraws the
// subject's consent to each client whose session it ended. Long-lived
// tokens go too, whether the subject minted them or an administrator did
// for it: "sign out everywhere" leaves no credential of the subject
// working (issue 11 §4); RevokeSubjectSessions is the opt-out. A user
// signs itself out; anyone else needs sessions:revoke. It returns how
// many sessions and tokens it revoked.
func (s *Service) RevokeSubject(ctx context.Context, p Principal, subject string) (int, error) {
	if err := maySignOut(p, subject); err != nil {
		return 0, err
	}
	return s.signOut(ctx, subject, ReasonRevoked, true)
}

// RevokeSubjectSessions is RevokeSubject that keeps the subject's
// long-lived tokens: the caller opted out (DELETE /sessions?subject=S
// &keep_long_lived=true), for a sign-out that must not break the
// subject's automation.
func (s *Service) RevokeSubjectSessions(ctx context.Context, p Principal, subject string) (int, error) {
	if err := maySignOut(p, subject); err != nil {
		return 0, err
	}
	return s.signOut(ctx, subject, ReasonRevoked, false)
}

func maySignOut(p Principal, subject string) error {
	switch {
	case subject == "":
		return oauth.InvalidRequest("subject is required")
	case !plausibleID(subject):
		return oauth.InvalidRequest("subject must be 1 to 128 printable characters")
	case !p.Can(ScopeSessionsRevoke) && subject != p.Subject:
		return oauth.InsufficientScope("revoking another subject's sessions needs " + ScopeSessionsRevoke)
	}
	return nil
}

// signOut revokes every active session of subject with reason, and its
// active long-lived tokens when withLongLived, paging through the
// subject index; it withdraws the subject's consent to each client whose
// session it ended, and returns how many it revoked.
func (s *Service) signOut(ctx context.Context, subject, reason string, withLongLived bool) (int, error) {
	q := ListQuery{Subject: subject, Type: ListTypeOAuth, ActiveOnly: true, Limit: 100}
	if withLongLived {
		q.Type = ""
	}
	revoked, clients := 0, map[string]bool{}
	for {
		page, err := s.store.ListSubject(ctx, q)
		if err != nil {
			return revoked, storeError(err)
		}
		for _, e := range page.Entries {
			n, err := s.revokeEntry(ctx, e, reason, clients)
			if err != nil {
				return revoked, err
			}
			revoked += n
		}
		if page.Next == "" {
			break
		}
		q.After = page.Next
	}
	for client := range clients {
		if err := s.withdrawConsent(ctx, subject, client); err != nil {
			return revoked, err
		}
	}
	s.audit(ctx, slog.LevelInfo, "subject_sessions_revoked", slog.String("sub", subject), slog.Int("count", revoked),
		slog.Bool("long_lived", withLongLived), slog.String("reason", reason), slog.String("outcome", "ok"))
	return revoked, nil
}

// revokeEntry revokes one session or long-lived token of a sign-out and
// notes a session's client; it returns 1, or 0 when another request
// revoked it first.
func (s *Service) revokeEntry(ctx context.Context, e ListEntry, reason string, clients map[string]bool) (int, error) {
	var err error
	if e.LongLived != nil {
		err = s.store.RevokeLongLived(ctx, e.LongLived.ID, s.now())
	} else {
		clients[e.Session.ClientID] = true
		err = s.store.RevokeSession(ctx, e.Session.ID, reason, s.now())
	}
	switch {
	case err == nil:
		return 1, nil
	case errors.Is(err, ErrConflict) || notFound(err):
		return 0, nil
	}
	return 0, storeError(err)
}

// RevokeLongLived revokes a long-lived token by id: administrators
// (tokens:mint or sessions:revoke) any token, a user its own. A token the
// principal may not see is reported as not found.
func (s *Service) RevokeLongLived(ctx context.Context, p Principal, id string) error {
	if !plausibleID(id) {
		return noSuch("token")
	}
	t, err := s.store.GetLongLived(ctx, id)
	switch {
	case notFound(err):
		return noSuch("token")
	case err != nil:
		return storeError(err)
	case t.Subject != p.Subject && !p.Can(ScopeSessionsRevoke) && !p.Can(ScopeTokensMint):
		return noSuch("token")
	}
	err = s.store.RevokeLongLived(ctx, id, s.now())
	if err != nil && !errors.Is(err, ErrConflict) {
		return storeError(err)
	}
	s.audit(ctx, slog.LevelInfo, "long_lived_token_revoked", slog.String("jti", id), slog.String("sub", t.Subject), slog.String("outcome", "ok"))
	return nil
}
