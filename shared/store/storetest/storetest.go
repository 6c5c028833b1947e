package storetest

import (
	"context"
	"crypto/sha256"
	"errors"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/latchkey/latchkey/shared/fakeclock"
	"github.com/latchkey/latchkey/shared/tokens"
)

// Store is what the suite tests: every storage port of the core.
type Store interface {
	tokens.Store
	tokens.KeyStore
}

// NewStore returns an empty store whose clock is now. It may skip t (no
// database) and must release what it holds when t ends.
type NewStore func(t *testing.T, now func() time.Time) Store

// Run runs the conformance suite on the stores newStore returns.
func Run(t *testing.T, newStore NewStore) {
	groups := []struct {
		name string
		run  func(*testing.T, NewStore)
	}{
		{"Client", testClients},
		{"User", testUsers},
		{"UserClaims", testUserClaims},
		{"Session", testSessions},
		{"Evict", testEvict},
		{"Index", testIndex},
		{"Access", testAccess},
		{"LongLived", testLongLived},
		{"KeySet", testKeySet},
		{"Expiry", testExpiry},
		{"Copies", testCopies},
		{"Race", testRaces},
		{"SignIn", testSignIn},
		{"LoginAttempts", testLoginAttempts},
		{"Disable", testDisable},
		{"RegisteredClients", testRegisteredClients},
		{"Devices", testDevices},
	}
	for _, g := range groups {
		t.Run(g.name, func(t *testing.T) { g.run(t, newStore) })
	}
}

// t0 is the suite's clock at the start: far from the real time and with
// nanoseconds, so that no store passes by reading the wall clock or by
// truncating times.
var t0 = time.Date(2031, 5, 6, 7, 8, 9, 123456789, time.UTC)

// fixture is a fresh store with its clock at t0.
type fixture struct {
	Store
	clock *fakeclock.Clock
	ctx   context.Context
}

func setup(t *testing.T, newStore NewStore) fixture {
	t.Helper()
	c := fakeclock.New(t0)
	return fixture{Store: newStore(t, c.Now), clock: c, ctx: context.Background()}
}

// must fails t on the first error of a setup step.
func must(t *testing.T, errs ...error) {
	t.Helper()
	for _, err := range errs {
		if err != nil {
			t.Fatalf("setup: %v", err)
		}
	}
}

// wantErr checks err against want: nil, a sentinel, or errPlain for an
// error that is none of the sentinels (invalid input, an outage).
func wantErr(t *testing.T, what string, err, want error) {
	t.Helper()
	plain := errors.Is(want, errPlain)
	switch {
	case plain && (err == nil || isSentinel(err)):
		t.Errorf("%s = %v; want an error that is not a sentinel", what, err)
	case !plain && !errors.Is(err, want):
		t.Errorf("%s = %v; want %v", what, err, want)
	}
}

// errPlain stands for "an error, but no sentinel" in test tables.
var errPlain = errors.New("an error that is no sentinel")

func isSentinel(err error) bool {
	return errors.Is(err, tokens.ErrNotFound) || errors.Is(err, tokens.ErrConflict) || errors.Is(err, tokens.ErrAlreadyExists)
}

func hash(s string) []byte {
	sum := sha256.Sum256([]byte(s))
	return sum[:]
}

// newSession is an active session of user-1 and client app created at t0
// that expires in 30 days, idle in 7.
func newSession(id string) tokens.Session {
	return sessionOf(id, "user-1", "app", t0)
}

// sessionOf is an active session of subject and client created at created,
// with every field set.
func sessionOf(id, subject, client string, created time.Time) tokens.Session {
	return tokens.Session{
		ID: id, ClientID: client, Subject: subject,
		Scopes:    []string{"openid", "offline_access"},
		Audience:  []string{"https://api.example.com"},
		CreatedAt: created, AuthTime: created.Add(-time.Minute),
		AbsoluteExpiresAt: created.Add(30 * 24 * time.Hour),
		IdleExpiresAt:     created.Add(7 * 24 * time.Hour),
		LastUsedAt:        created, Generation: 1,
		Salt: []byte("0123456789abcdef"), RotatedAt: created,
		CurrentHash: hash(id + "/1"), AccessJTI: "jti-1",
		Status: tokens.SessionActive, IP: "192.0.2.1", UserAgent: "test/1.0",
	}
}

// rotated is s after one refresh at at.
func rotated(s tokens.Session, at time.Time) tokens.Session {
	s.Generation++
	s.PreviousHash = s.CurrentHash
	s.CurrentHash = hash(s.ID + "/" + strconv.Itoa(s.Generation))
	s.RotatedAt, s.LastUsedAt = at, at
	s.IdleExpiresAt = tokens.IdleExpiry(at, 7*24*time.Hour, s.AbsoluteExpiresAt)
	s.AccessJTI = "jti-" + at.Format(time.RFC3339Nano)
	return s
}

func newClient(id string) tokens.Client {
	return tokens.Client{
		ID: id, Name: "App " + id, SecretHash: hash("secret-" + id),
		AuthMethod:         "client_secret_basic",
		Grants:             []string{"client_credentials", "refresh_token"},
		Scopes:             []string{"read", "write", "offline_access"},
		AllowOfflineAccess: true, Introspect: true, AllowSelfMint: true,
		AccessTokenTTL: 15 * time.Minute, AccessTokenFormat: tokens.FormatJWT,
		RefreshAbsoluteTTL: 30 * 24 * time.Hour, RefreshIdleTTL: 7 * 24 * time.Hour,
		RefreshRotation: tokens.RotationRotate, RefreshReuseGrace: 1500 * time.Millisecond,
		MaxSessionsPerSubject: 50,
		ClaimSizeLimits:       map[string]int{"groups": 512},
		Resources:             []string{"https://api.example.com"},
		IDTokenAlg:            "ES256",
		AccessTokenClaims:     []string{"email", "groups"},
		CreatedAt:             t0,
	}
}

func newUser(username string) tokens.User {
	return tokens.User{
		Username: username, Subject: "sub-" + username,
		PasswordHash: "$argon2id$v=19$m=65536,t=1,p=2$c2FsdA$aGFzaA",
		Claims:       map[string]any{"email": username + "@example.com"},
		CreatedAt:    t0,
	}
}

// newReference is a reference access token of session s1 issued at t0 for
// 15 minutes.
func newReference(token string) tokens.ReferenceToken {
	return tokens.ReferenceToken{
		Hash: hash(token), JTI: "jti-" + token, ClientID: "app", Subject: "user-1",
		Scopes: []string{"read", "write"}, Audience: []string{"https://api.example.com"},
		SessionID: "s1", AuthTime: t0.Add(-time.Minute), IssuedAt: t0,
		ExpiresAt: t0.Add(15 * time.Minute),
	}
}

// newLongLived is an active long-lived token of subject created at created
// that expires a year later.
func newLongLived(id, subject string, created time.Time) tokens.LongLivedToken {
	return tokens.LongLivedToken{
		ID: id, Hash: hash("lk_lt_" + id), Name: "CI " + id, Subject: subject,
		Scopes: []string{"read"}, CreatedBy: "admin", CreatedAt: created,
		ExpiresAt: created.AddDate(1, 0, 0), Status: tokens.SessionActive,
	}
}

// sessionIDs returns the sessions' ids in order.
func sessionIDs(sessions []tokens.Session) []string {
	ids := []string{}
	for _, s := range sessions {
		ids = append(ids, s.ID)
	}
	return ids
}

// sameIDs reports a difference between two id lists.
func sameIDs(t *testing.T, what string, got, want []string) {
	t.Helper()
	if !slices.Equal(got, want) {
		t.Errorf("%s = %v (%d); want %v (%d)", what, got, len(got), want, len(want))
	}
}
