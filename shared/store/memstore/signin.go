package memstore

import (
	"context"
	"slices"
	"time"

	"github.com/latchkey/latchkey/shared/tokens"
)

// signIn holds the browser sign-in's items (docs/design.md §10), each kind by
// the string of its hash, or consents by subject and client. The zero
// value is ready: maps are made on first use.
type signIn struct {
	requests map[string]tokens.AuthRequest
	codes    map[string]tokens.AuthCode
	logins   map[string]tokens.LoginSession
	consents map[consentKey]tokens.Consent
}

type consentKey struct{ subject, client string }

func (si *signIn) init() {
	if si.requests == nil {
		si.requests = map[string]tokens.AuthRequest{}
		si.codes = map[string]tokens.AuthCode{}
		si.logins = map[string]tokens.LoginSession{}
		si.consents = map[consentKey]tokens.Consent{}
	}
}

// requestRecord, codeRecord, loginRecord and consentRecord are the items
// as the DynamoDB store keeps them.
func requestRecord(r tokens.AuthRequest) tokens.AuthRequest {
	r.Hash, r.CSRFHash, r.DeviceHash = nilIfEmpty(r.Hash), nilIfEmpty(r.CSRFHash), nilIfEmpty(r.DeviceHash)
	r.Scopes, r.Resources = slices.Clone(r.Scopes), slices.Clone(r.Resources)
	r.CreatedAt, r.ExpiresAt = utc(r.CreatedAt), utc(r.ExpiresAt)
	return r
}

func codeRecord(c tokens.AuthCode) tokens.AuthCode {
	c.Hash = nilIfEmpty(c.Hash)
	c.Scopes, c.Resources = slices.Clone(c.Scopes), slices.Clone(c.Resources)
	c.AuthTime, c.IssuedAt, c.ExpiresAt, c.RedeemedAt = utc(c.AuthTime), utc(c.IssuedAt), utc(c.ExpiresAt), utc(c.RedeemedAt)
	return c
}

func loginRecord(l tokens.LoginSession) tokens.LoginSession {
	l.Hash = nilIfEmpty(l.Hash)
	l.AuthTime, l.IdleExpiresAt, l.AbsoluteExpiresAt = utc(l.AuthTime), utc(l.IdleExpiresAt), utc(l.AbsoluteExpiresAt)
	return l
}

func consentRecord(c tokens.Consent) tokens.Consent {
	c.Scopes, c.GrantedAt = slices.Clone(c.Scopes), utc(c.GrantedAt)
	return c
}

// CreateAuthRequest stores a pending request; tokens.ErrAlreadyExists if
// its hash is taken, expired or not.
func (s *Store) CreateAuthRequest(ctx context.Context, r tokens.AuthRequest) error {
	const op = "CreateAuthRequest"
	if err := s.enter(ctx, op); err != nil {
		return err
	}
	defer s.mu.Unlock()
	s.signIn.init()
	return putNew(s.signIn.requests, op, string(r.Hash), requestRecord(r))
}

// GetAuthRequest returns the pending request, or tokens.ErrNotFound when
// it is unknown or its expiry is not after the store's clock.
func (s *Store) GetAuthRequest(ctx context.Context, hash []byte) (tokens.AuthRequest, error) {
	const op = "GetAuthRequest"
	if err := s.enter(ctx, op); err != nil {
		return tokens.AuthRequest{}, err
	}
	defer s.mu.Unlock()
	s.signIn.init()
	r, ok := s.signIn.requests[string(hash)]
	if !ok || !r.ExpiresAt.After(s.now()) {
		return tokens.AuthRequest{}, fail(op, tokens.ErrNotFound)
	}
	return requestRecord(r), nil
}

// FinishAuthRequest deletes a present pending request and writes w with
// it, all or nothing, as the DynamoDB store's transaction does.
func (s *Store) FinishAuthRequest(ctx context.Context, hash []byte, w tokens.AuthWrites) error {
	const op = "FinishAuthRequest"
	if err := s.enter(ctx, op); err != nil {
		return err
	}
	defer s.mu.Unlock()
	si := &s.signIn
	si.init()
	r, ok := si.requests[string(hash)]
	if !ok || !r.ExpiresAt.After(s.now()) {
		return fail(op, tokens.ErrNotFound)
	}
	if err := s.checkFresh(op, w); err != nil {
		return err
	}
	delete(si.requests, string(hash))
	if w.Code != nil {
		si.codes[string(w.Code.Hash)] = codeRecord(*w.Code)
	}
	if w.Login != nil {
		si.logins[string(w.Login.Hash)] = loginRecord(*w.Login)
	}
	if w.Consent != nil {
		s.addConsent(*w.Consent)
	}
	return nil
}

// checkFresh fails a transaction whose new code or login would take a
// hash already taken, as the DynamoDB store's conditions do.
func (s *Store) checkFresh(op string, w tokens.AuthWrites) error {
	if w.Code != nil {
		if _, taken := s.signIn.codes[string(w.Code.Hash)]; taken {
			return fail(op, tokens.ErrAlreadyExists)
		}
	}
	if w.Login != nil {
		if _, taken := s.signIn.logins[string(w.Login.Hash)]; taken {
			return fail(op, tokens.ErrAlreadyExists)
		}
	}
	return nil
}

// addConsent adds c's scopes to the stored consent and sets its grant
// time. Scopes come back sorted, as the DynamoDB store's string set does.
func (s *Store) addConsent(c tokens.Consent) {
	k := consentKey{c.Subject, c.ClientID}
	scopes := append(slices.Clone(s.signIn.consents[k].Scopes), c.Scopes...)
	slices.Sort(scopes)
	c.Scopes = slices.Compact(scopes)
	if len(c.Scopes) == 0 {
		c.Scopes = nil
	}
	s.signIn.consents[k] = consentRecord(c)
}

// CreateCode stores an authorization code; tokens.ErrAlreadyExists if its
// hash is taken.
func (s *Store) CreateCode(ctx context.Context, c tokens.AuthCode) error {
	const op = "CreateCode"
	if err := s.enter(ctx, op); err != nil {
		return err
	}
	defer s.mu.Unlock()
	s.signIn.init()
	return putNew(s.signIn.codes, op, string(c.Hash), codeRecord(c))
}

// RedeemCode marks a present, unredeemed code bound to r's client,
// redirect URI and challenge redeemed, and moves its expiry to
// r.KeepUntil. A code that fails the condition is returned as stored with
// tokens.ErrConflict; a missing or expired one is tokens.ErrNotFound.
func (s *Store) RedeemCode(ctx context.Context, r tokens.CodeRedemption) (tokens.AuthCode, error) {
	const op = "RedeemCode"
	if err := s.enter(ctx, op); err != nil {
		return tokens.AuthCode{}, err
	}
	defer s.mu.Unlock()
	s.signIn.init()
	c, ok := s.signIn.codes[string(r.Hash)]
	switch {
	case !ok || !c.ExpiresAt.After(s.now()):
		return tokens.AuthCode{}, fail(op, tokens.ErrNotFound)
	case !c.RedeemedAt.IsZero() || c.ClientID != r.ClientID || c.RedirectURI != r.RedirectURI ||
		c.CodeChallenge != r.CodeChallenge:
		return codeRecord(c), fail(op, tokens.ErrConflict)
	}
	c.RedeemedAt, c.SessionID, c.ExpiresAt = r.At, r.SessionID, r.KeepUntil
	c = codeRecord(c)
	s.signIn.codes[string(r.Hash)] = c
	return codeRecord(c), nil
}

// CreateLogin stores a login session; tokens.ErrAlreadyExists if its hash
// is taken.
func (s *Store) CreateLogin(ctx context.Context, l tokens.LoginSession) error {
	const op = "CreateLogin"
	if err := s.enter(ctx, op); err != nil {
		return err
	}
	defer s.mu.Unlock()
	s.signIn.init()
	return putNew(s.signIn.logins, op, string(l.Hash), loginRecord(l))
}

// loginAt returns the login session unless it is missing or its expiry
// (the earlier of idle and absolute, its ttl) is not after now.
func (s *Store) loginAt(hash []byte, now time.Time) (tokens.LoginSession, bool) {
	l, ok := s.signIn.logins[string(hash)]
	if !ok || !l.ExpiresAt().After(now) {
		return tokens.LoginSession{}, false
	}
	return l, true
}

// GetLogin returns the login session, or tokens.ErrNotFound.
func (s *Store) GetLogin(ctx context.Context, hash []byte) (tokens.LoginSession, error) {
	const op = "GetLogin"
	if err := s.enter(ctx, op); err != nil {
		return tokens.LoginSession{}, err
	}
	defer s.mu.Unlock()
	s.signIn.init()
	l, ok := s.loginAt(hash, s.now())
	if !ok {
		return tokens.LoginSession{}, fail(op, tokens.ErrNotFound)
	}
	return loginRecord(l), nil
}

// TouchLogin moves a present login session's idle expiry.
func (s *Store) TouchLogin(ctx context.Context, hash []byte, idleExpiresAt time.Time) error {
	const op = "TouchLogin"
	if err := s.enter(ctx, op); err != nil {
		return err
	}
	defer s.mu.Unlock()
	s.signIn.init()
	l, ok := s.loginAt(hash, s.now())
	if !ok {
		return fail(op, tokens.ErrNotFound)
	}
	l.IdleExpiresAt = utc(idleExpiresAt)
	s.signIn.logins[string(hash)] = l
	return nil
}

// DeleteLogin removes a login session, present or not.
func (s *Store) DeleteLogin(ctx context.Context, hash []byte) error {
	const op = "DeleteLogin"
	if err := s.enter(ctx, op); err != nil {
		return err
	}
	defer s.mu.Unlock()
	s.signIn.init()
	delete(s.signIn.logins, string(hash))
	return nil
}

// GetConsent returns the subject's consent for the client, or
// tokens.ErrNotFound.
func (s *Store) GetConsent(ctx context.Context, subject, clientID string) (tokens.Consent, error) {
	const op = "GetConsent"
	if err := s.enter(ctx, op); err != nil {
		return tokens.Consent{}, err
	}
	defer s.mu.Unlock()
	s.signIn.init()
	c, ok := s.signIn.consents[consentKey{subject, clientID}]
	if !ok {
		return tokens.Consent{}, fail(op, tokens.ErrNotFound)
	}
	return consentRecord(c), nil
}

// DeleteConsent removes a consent, present or not.
func (s *Store) DeleteConsent(ctx context.Context, subject, clientID string) error {
	const op = "DeleteConsent"
	if err := s.enter(ctx, op); err != nil {
		return err
	}
	defer s.mu.Unlock()
	s.signIn.init()
	delete(s.signIn.consents, consentKey{subject, clientID})
	return nil
}
