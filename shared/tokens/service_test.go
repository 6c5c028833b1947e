package tokens_test

import (
	"bytes"
	"context"
	"log/slog"
	"maps"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/latchkey/latchkey/shared/fakeclock"
	"github.com/latchkey/latchkey/shared/oauth"
	"github.com/latchkey/latchkey/shared/password"
	"github.com/latchkey/latchkey/shared/signing"
	"github.com/latchkey/latchkey/shared/store/memstore"
	"github.com/latchkey/latchkey/shared/tokens"
)

// The behaviour tests of the core: every Service method called directly,
// on the in-memory store (whose semantics the storetest suite pins to
// DynamoDB's) with real ES256 keys and one fake clock. What is about
// DynamoDB itself (request budgets on the wire, faults, soak) stays in
// shared/app on DynamoDB Local.

// start is where every rig's clock starts: a fixed instant, so expiry
// arithmetic is reproducible.
var start = time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC)

const (
	issuer       = "https://auth.test"
	testUser     = "alice"
	testPassword = "correct horse battery"
	otherUser    = "bob"
)

// kek is the rig's key-encryption key: the refresh and cursor keys are
// derived from it as production derives them.
var kek = bytes.Repeat([]byte{7}, 32)

// cheapPasswords hashes with argon2id at a cost fit for tests only.
var cheapPasswords = password.Argon2id{MemoryKiB: 64, Time: 1, Threads: 1}

// rig is one Service on its own memory store and clock.
type rig struct {
	t     testing.TB
	ctx   context.Context
	svc   *tokens.Service
	store *memstore.Store
	clock *fakeclock.Clock
	keys  *signing.Keys
	logs  *syncBuffer
}

// newRig builds a Service as shared/app wires it, with options adjusted
// by opts. The signing key set exists before it returns and the store's
// call counts are zero.
func newRig(t testing.TB, opts ...func(*tokens.Options)) *rig {
	t.Helper()
	clock := fakeclock.New(start)
	store := memstore.New(clock.Now)
	keys, err := signing.New(signing.Options{
		Store: store, KEK: kek, Issuer: issuer, MaxTokenLifetime: tokens.MaxAccessTokenTTL, Now: clock.Now,
	})
	if err != nil {
		t.Fatalf("signing.New: %v", err)
	}
	refreshKey, err := signing.RefreshKey(kek)
	if err != nil {
		t.Fatal(err)
	}
	cursorKey, err := signing.CursorKey(kek)
	if err != nil {
		t.Fatal(err)
	}
	logs := &syncBuffer{}
	o := tokens.Options{
		Store: store, Verifier: keys, Signer: keys, Passwords: cheapPasswords,
		RefreshKey: refreshKey, CursorKey: cursorKey, Issuer: issuer,
		MaxLongLivedTTL: 365 * 24 * time.Hour, Now: clock.Now,
		Log: slog.New(slog.NewJSONHandler(logs, nil)),
	}
	for _, f := range opts {
		f(&o)
	}
	ctx := context.Background()
	if _, err := keys.JWKS(ctx); err != nil { // creates the key set
		t.Fatalf("JWKS: %v", err)
	}
	store.ResetOps()
	return &rig{t: t, ctx: ctx, svc: tokens.New(o), store: store, clock: clock, keys: keys, logs: logs}
}

// on returns the rig reporting to t: a subtest's helpers fail the subtest.
func (r *rig) on(t testing.TB) *rig {
	c := *r
	c.t = t
	return &c
}

// client is a registered client and the credentials it authenticates with.
type client struct {
	tokens.Client
	secret string
}

// auth returns the client's credentials as a request presents them.
func (c client) auth() tokens.ClientAuth {
	if c.secret == "" {
		return tokens.ClientAuth{ID: c.ID, Method: oauth.AuthNone}
	}
	return tokens.ClientAuth{ID: c.ID, Secret: c.secret, Method: oauth.AuthClientSecretBasic}
}

// client registers a client from spec; an empty name is "test".
func (r *rig) client(spec tokens.ClientSpec) client {
	r.t.Helper()
	if spec.Name == "" {
		spec.Name = "test"
	}
	c, secret, err := r.svc.CreateClient(r.ctx, spec)
	if err != nil {
		r.t.Fatalf("CreateClient(%+v): %v", spec, err)
	}
	return client{Client: c, secret: secret}
}

// firstParty registers a confidential client for the password,
// refresh_token and client_credentials grants, with scopes read and write
// and offline access; spec's other fields are kept.
func (r *rig) firstParty(spec tokens.ClientSpec) client {
	r.t.Helper()
	spec.Grants = []string{oauth.GrantPassword, oauth.GrantRefreshToken, oauth.GrantClientCredentials}
	spec.Scopes = []string{"read", "write"}
	spec.AllowOfflineAccess = true
	return r.client(spec)
}

// user registers a user with testPassword.
func (r *rig) user(username string) tokens.User {
	r.t.Helper()
	u, err := r.svc.CreateUser(r.ctx, username, testPassword)
	if err != nil {
		r.t.Fatalf("CreateUser(%s): %v", username, err)
	}
	return u
}

// passwordGrant runs the password grant for username.
func (r *rig) passwordGrant(c client, username, pw, scope string) (oauth.TokenResponse, error) {
	return r.svc.Token(r.ctx, tokens.TokenRequest{
		Client: c.auth(), GrantType: oauth.GrantPassword, Username: username, Password: pw, Scope: scope,
	})
}

// login runs the password grant for testUser and fails the test unless
// it succeeds with a refresh token.
func (r *rig) login(c client, scope string) oauth.TokenResponse {
	r.t.Helper()
	return r.loginAs(c, testUser, scope)
}

func (r *rig) loginAs(c client, username, scope string) oauth.TokenResponse {
	r.t.Helper()
	resp, err := r.passwordGrant(c, username, testPassword, scope)
	if err != nil || resp.RefreshToken == "" {
		r.t.Fatalf("password grant for %s = %+v, %v; want a refresh token", username, resp, err)
	}
	return resp
}

// refresh runs the refresh_token grant at the token endpoint as c.
func (r *rig) refresh(c client, token, scope string) (oauth.TokenResponse, error) {
	return r.svc.Token(r.ctx, tokens.TokenRequest{
		Client: c.auth(), GrantType: oauth.GrantRefreshToken, RefreshToken: token, Scope: scope,
	})
}

// mustRefresh refreshes and fails the test unless it succeeds.
func (r *rig) mustRefresh(c client, token string) oauth.TokenResponse {
	r.t.Helper()
	resp, err := r.refresh(c, token, "")
	if err != nil {
		r.t.Fatalf("refresh: %v", err)
	}
	return resp
}

// clientCredentials runs the client_credentials grant as c.
func (r *rig) clientCredentials(c client, scope string) (oauth.TokenResponse, error) {
	return r.svc.Token(r.ctx, tokens.TokenRequest{Client: c.auth(), GrantType: oauth.GrantClientCredentials, Scope: scope})
}

// bearer returns an access token of a new client_credentials client that
// holds scopes, and its principal.
func (r *rig) bearer(scopes ...string) (string, tokens.Principal) {
	r.t.Helper()
	c := r.client(tokens.ClientSpec{Grants: []string{oauth.GrantClientCredentials}, Scopes: scopes})
	resp, err := r.clientCredentials(c, "")
	if err != nil {
		r.t.Fatalf("client_credentials: %v", err)
	}
	return resp.AccessToken, tokens.Principal{Subject: c.ID, ClientID: c.ID, Scopes: scopes}
}

// sessionID returns the session id a refresh token names.
func sessionID(refreshToken string) string {
	sid, _, _ := strings.Cut(strings.TrimPrefix(refreshToken, tokens.RefreshTokenPrefix), ".")
	return sid
}

// session reads the session of a refresh token from the store, as stored
// (revoked included), or fails the test.
func (r *rig) session(refreshToken string) tokens.Session {
	r.t.Helper()
	s, err := r.store.GetSession(r.ctx, sessionID(refreshToken))
	if err != nil {
		r.t.Fatalf("GetSession(%s): %v", sessionID(refreshToken), err)
	}
	return s
}

// introspect introspects token as c and fails the test on an error.
func (r *rig) introspect(c client, token string) oauth.IntrospectionResponse {
	r.t.Helper()
	resp, err := r.svc.Introspect(r.ctx, c.Client, token)
	if err != nil {
		r.t.Fatalf("Introspect: %v", err)
	}
	return resp
}

// active reports whether c sees token as active; an inactive answer must
// be exactly the zero response (RFC 7662 §2.2: {"active": false}).
func (r *rig) active(c client, token string) bool {
	r.t.Helper()
	resp := r.introspect(c, token)
	if !resp.Active && !reflect.DeepEqual(resp, oauth.IntrospectionResponse{}) {
		r.t.Errorf("inactive introspection = %+v; want exactly {active: false}", resp)
	}
	return resp.Active
}

// claims verifies a JWT access token with the rig's keys.
func (r *rig) claims(token string) tokens.AccessClaims {
	r.t.Helper()
	c, err := r.keys.Verify(r.ctx, token)
	if err != nil {
		r.t.Fatalf("Verify: %v", err)
	}
	return c
}

// isRead reports whether a store method only reads: every port method
// that is not a Get, List, ActiveSessions or AccessState writes.
func isRead(method string) bool {
	for _, p := range []string{"Get", "List", "Active", "AccessState"} {
		if strings.HasPrefix(method, p) {
			return true
		}
	}
	return false
}

// coreOps returns the store calls since the last reset, without the
// signer's key set reads (its cache is shared/signing's to test).
func (r *rig) coreOps() map[string]int {
	ops := r.store.Ops()
	delete(ops, "GetKeySet")
	delete(ops, "PutKeySet")
	maps.DeleteFunc(ops, func(_ string, n int) bool { return n == 0 })
	return ops
}

// writes returns the store's write calls since the last reset.
func (r *rig) writes() map[string]int {
	ops := r.store.Ops()
	maps.DeleteFunc(ops, func(m string, n int) bool { return isRead(m) || n == 0 })
	return ops
}

// wantCode fails the test unless err is an *oauth.Error with code.
func wantCode(t testing.TB, err error, code string) {
	t.Helper()
	e := oauth.As(err)
	switch {
	case err == nil:
		t.Fatalf("err = nil; want %s", code)
	case e == nil:
		t.Fatalf("err = %v (%T); want an *oauth.Error %s", err, err, code)
	case e.Code != code:
		t.Fatalf("err = %v; want code %s", err, code)
	}
}

// logged reports whether an audit event was logged.
func (r *rig) logged(event string) bool {
	return strings.Contains(r.logs.String(), `"event":"`+event+`"`)
}

// syncBuffer is a goroutine-safe log sink.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
