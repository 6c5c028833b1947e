package tokens

import (
	"context"
	"log/slog"
	"slices"
	"time"

	"github.com/latchkey/latchkey/shared/oauth"
)

// DefaultMaxLongLivedTTL is the longest a minted token may live unless
// the deployment says otherwise (docs/design.md §4).
const DefaultMaxLongLivedTTL = 365 * 24 * time.Hour

type mintPolicy struct {
	maxTTL     time.Duration
	allowNever bool
}

// MintRequest asks for a long-lived token.
type MintRequest struct {
	Name    string
	Subject string
	Scopes  []string
	// Resource, when set, is the one resource (RFC 8707) the token is for.
	Resource string
	// ExpiresIn is the lifetime; nil means the maximum, 0 means never
	// (only where the deployment allows it).
	ExpiresIn *time.Duration
}

// Minted is a new long-lived token; Token is shown only this once.
type Minted struct {
	LongLivedToken
	Token string
}

// Mint creates a long-lived token for systems that cannot run OAuth.
// Who may mint what is mayMint's rule: never a scope the caller lacks.
func (s *Service) Mint(ctx context.Context, p Principal, r MintRequest) (Minted, error) {
	if err := s.mayMint(ctx, p, &r); err != nil {
		return Minted{}, err
	}
	audience, err := s.mintResource(ctx, p, r.Resource)
	if err != nil {
		return Minted{}, err
	}
	exp, err := s.mint.expiry(r.ExpiresIn, s.now())
	if err != nil {
		return Minted{}, err
	}
	token := newLongLivedToken()
	now := s.now().UTC()
	t := LongLivedToken{
		ID: longLivedID(token), Hash: HashToken(token), Name: r.Name, Subject: r.Subject,
		Scopes: r.Scopes, Audience: audience, CreatedBy: principalName(p), CreatedAt: now, ExpiresAt: exp, Status: SessionActive,
	}
	if r.Subject == p.Subject {
		t.ClientID = p.ClientID // self-minted: it dies with its client
	}
	if err := s.store.CreateLongLived(ctx, t); err != nil {
		return Minted{}, storeError(err)
	}
	s.audit(ctx, slog.LevelInfo, "long_lived_token_minted", slog.String("sub", t.Subject), slog.String("jti", t.ID),
		slog.String("client_id", p.ClientID), slog.String("outcome", "ok"))
	return Minted{LongLivedToken: t, Token: token}, nil
}

// mayMint decides whether p may mint the token r asks for (issue 11 §1).
// No one mints beyond what they hold:
//
//   - latchkey:admin mints any scope, latchkey:admin included, for any
//     subject: an administrator can do everything a minted token could,
//     so a minted admin token is a credential of the same power, not an
//     escalation;
//   - tokens:mint mints only scopes the caller holds itself, for users and
//     for itself, never for another client's id (a token with a client's
//     sub acts as that client wherever the subject decides);
//   - anyone else mints for itself alone, scopes no wider than its own,
//     when its client allows it.
func (s *Service) mayMint(ctx context.Context, p Principal, r *MintRequest) error {
	if err := validateMint(r); err != nil {
		return err
	}
	if r.Subject == "" {
		r.Subject = p.Subject
	}
	switch {
	case slices.Contains(p.Scopes, ScopeAdmin):
		return nil
	case p.Can(ScopeTokensMint):
		if err := mintableScopes(p, r.Scopes); err != nil {
			return err
		}
		return s.mayMintFor(ctx, p, r.Subject)
	case r.Subject != p.Subject:
		return oauth.InsufficientScope("minting for another subject needs " + ScopeTokensMint)
	}
	if err := mintableScopes(p, r.Scopes); err != nil {
		return err
	}
	return s.maySelfMint(ctx, p)
}

// mintableScopes refuses scopes the caller does not hold: latchkey:admin
// is never among them here, since only its holders mint it.
func mintableScopes(p Principal, scopes []string) error {
	if missing := oauth.Missing(scopes, p.Scopes); len(missing) > 0 {
		return oauth.InsufficientScope("scopes wider than the caller's: " + oauth.JoinScope(missing))
	}
	return nil
}

// mayMintFor lets a tokens:mint holder mint for itself or for a subject
// that is not a registered client: client ids and user subjects are
// disjoint (RFC 9700 §4.15), and a client's identity is latchkey:admin's
// to hand out.
func (s *Service) mayMintFor(ctx context.Context, p Principal, subject string) error {
	if subject == p.Subject {
		return nil
	}
	_, err := s.client(ctx, subject)
	switch {
	case notFound(err):
		return nil
	case err != nil:
		return storeError(err)
	}
	return oauth.InsufficientScope("minting for a client needs " + ScopeAdmin)
}

// maySelfMint lets a user mint for itself when the client its token came
// from allows it.
func (s *Service) maySelfMint(ctx context.Context, p Principal) error {
	c, err := s.client(ctx, p.ClientID)
	if err != nil && !notFound(err) {
		return storeError(err)
	}
	if err != nil || !c.AllowSelfMint {
		return oauth.InsufficientScope("the caller's client does not allow minting; an administrator needs " + ScopeTokensMint)
	}
	return nil
}

func validateMint(r *MintRequest) error {
	switch {
	case r.Name == "" || len(r.Name) > 200:
		return oauth.InvalidRequest("name is required, at most 200 characters")
	case len(r.Scopes) == 0:
		return oauth.InvalidRequest("scopes must name at least one scope")
	case r.Subject != "" && !plausibleID(r.Subject):
		return oauth.InvalidRequest("subject must be 1 to 128 printable characters")
	}
	for _, sc := range r.Scopes {
		if !oauth.ValidScopeToken(sc) {
			return oauth.InvalidRequest("scopes holds an invalid scope token")
		}
	}
	return nil
}

// expiry returns the expiry a requested lifetime gives, or the zero time
// for a token that never expires.
func (m mintPolicy) expiry(in *time.Duration, now time.Time) (time.Time, error) {
	switch {
	case in == nil:
		return now.Add(m.maxTTL).UTC(), nil
	case *in < 0:
		return time.Time{}, oauth.InvalidRequest("expires_in must not be negative")
	case *in == 0 && !m.allowNever:
		return time.Time{}, oauth.InvalidRequest("expires_in 0 (never) is not allowed by this deployment")
	case *in == 0:
		return time.Time{}, nil
	case *in > m.maxTTL:
		return time.Time{}, oauth.InvalidRequest("expires_in exceeds the maximum of " + m.maxTTL.String())
	}
	return now.Add(*in).UTC(), nil
}

func principalName(p Principal) string {
	if p.Subject != "" {
		return p.Subject
	}
	return p.ClientID
}
