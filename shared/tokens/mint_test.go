package tokens_test

import (
	"maps"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/latchkey/latchkey/shared/oauth"
	"github.com/latchkey/latchkey/shared/tokens"
)

// Long-lived tokens (docs/design.md §4): who may mint what, lifetimes, the
// checksum that rejects a typo before any read, last use, revocation.

// longLivedShape is the documented format of a minted token.
var longLivedShape = regexp.MustCompile(`^lk_lt_[0-9A-Za-z]{49}$`)

// mint mints a token for subject with scopes as p, or fails the test.
func (r *rig) mint(p tokens.Principal, subject string, scopes ...string) tokens.Minted {
	r.t.Helper()
	m, err := r.svc.Mint(r.ctx, p, tokens.MintRequest{Name: "n", Subject: subject, Scopes: scopes})
	if err != nil {
		r.t.Fatalf("Mint(%v for %s as %+v): %v", scopes, subject, p, err)
	}
	return m
}

func TestMintAnswer(t *testing.T) {
	r := newRig(t)
	admin := tokens.Principal{Subject: "admin-client", ClientID: "admin-client", Scopes: []string{tokens.ScopeAdmin}}
	r.store.ResetOps()
	m, err := r.svc.Mint(r.ctx, admin, tokens.MintRequest{Name: "ci deploy", Subject: "usr_x", Scopes: []string{"read", "write"}})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := r.coreOps(), map[string]int{"CreateLongLived": 1}; !maps.Equal(got, want) {
		t.Errorf("store calls = %v; want %v (docs/design.md §6: mint is one write)", got, want)
	}
	if !longLivedShape.MatchString(m.Token) || !tokens.ValidLongLivedChecksum(m.Token) {
		t.Errorf("token %q; want %s with a valid checksum", m.Token, longLivedShape)
	}
	want := tokens.LongLivedToken{
		ID: m.ID, Hash: tokens.HashToken(m.Token), Name: "ci deploy", Subject: "usr_x", Scopes: []string{"read", "write"},
		CreatedBy: "admin-client", CreatedAt: start, ExpiresAt: start.Add(365 * 24 * time.Hour), Status: tokens.SessionActive,
	}
	stored, err := r.store.GetLongLived(r.ctx, m.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, got := range []tokens.LongLivedToken{m.LongLivedToken, stored} {
		if got.ID == "" || got.Name != want.Name || got.Subject != want.Subject || !slices.Equal(got.Scopes, want.Scopes) ||
			got.CreatedBy != want.CreatedBy || !got.CreatedAt.Equal(want.CreatedAt) || !got.ExpiresAt.Equal(want.ExpiresAt) ||
			got.Status != want.Status || string(got.Hash) != string(want.Hash) {
			t.Errorf("long-lived token = %+v; want %+v", got, want)
		}
	}
	if strings.Contains(string(stored.Hash), m.Token) || stored.ID == m.Token {
		t.Error("the store holds the token itself")
	}
}

// Who mints what (issue 11 §1): no one mints beyond what they hold.
func TestWhoMayMint(t *testing.T) {
	r := newRig(t)
	alice := r.user(testUser)
	c := r.firstParty(tokens.ClientSpec{AllowSelfMint: true})
	plain := r.firstParty(tokens.ClientSpec{})
	principal := func(token string) tokens.Principal {
		p, err := r.svc.Authenticate(r.ctx, token)
		if err != nil {
			t.Fatalf("Authenticate: %v", err)
		}
		return p
	}
	user := principal(r.login(c, "read offline_access").AccessToken)
	noSelfMint := principal(r.login(plain, "read offline_access").AccessToken)
	admin := principal(first(r.bearer(tokens.ScopeAdmin)))
	minter := principal(first(r.bearer(tokens.ScopeTokensMint, "read")))
	adminClient := admin.ClientID
	for _, tc := range []struct {
		name    string
		p       tokens.Principal
		subject string
		scopes  []string
		code    string
	}{
		{"latchkey:admin for a user", admin, alice.Subject, []string{"read"}, ""},
		{"latchkey:admin mints latchkey:admin", admin, alice.Subject, []string{tokens.ScopeAdmin}, ""},
		{"latchkey:admin for a client", admin, minter.ClientID, []string{"read"}, ""},
		{"tokens:mint its own scope for a user", minter, alice.Subject, []string{"read"}, ""},
		{"tokens:mint tokens:mint, which it holds", minter, alice.Subject, []string{tokens.ScopeTokensMint}, ""},
		{"tokens:mint for itself", minter, "", []string{"read"}, ""},
		{"tokens:mint for an unregistered subject", minter, "usr_elsewhere", []string{"read"}, ""},
		{"tokens:mint a scope it lacks", minter, alice.Subject, []string{"write"}, oauth.CodeInsufficientScope},
		{"tokens:mint latchkey:admin", minter, alice.Subject, []string{tokens.ScopeAdmin}, oauth.CodeInsufficientScope},
		{"tokens:mint latchkey:admin for itself", minter, "", []string{tokens.ScopeAdmin}, oauth.CodeInsufficientScope},
		{"tokens:mint sessions:revoke", minter, alice.Subject, []string{tokens.ScopeSessionsRevoke}, oauth.CodeInsufficientScope},
		{"tokens:mint for the admin client", minter, adminClient, []string{"read"}, oauth.CodeInsufficientScope},
		{"tokens:mint for another client", minter, c.ID, []string{"read"}, oauth.CodeInsufficientScope},
		{"self, subject implied", user, "", []string{"read"}, ""},
		{"self, subject named", user, alice.Subject, []string{"read"}, ""},
		{"self, wider scopes", user, "", []string{"read", "write"}, oauth.CodeInsufficientScope},
		{"self for another subject", user, "usr_elsewhere", []string{"read"}, oauth.CodeInsufficientScope},
		{"a client without AllowSelfMint", noSelfMint, "", []string{"read"}, oauth.CodeInsufficientScope},
		{"client_credentials without an admin scope", principal(first(r.bearer("read"))), "", []string{"read"}, oauth.CodeInsufficientScope},
		{"sessions:read is not tokens:mint", principal(first(r.bearer(tokens.ScopeSessionsRead, "read"))), alice.Subject, []string{"read"}, oauth.CodeInsufficientScope},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := r.on(t)
			r.store.ResetOps()
			m, err := r.svc.Mint(r.ctx, tc.p, tokens.MintRequest{Name: "n", Subject: tc.subject, Scopes: tc.scopes})
			if tc.code != "" {
				wantCode(t, err, tc.code)
				if w := r.writes(); len(w) != 0 {
					t.Errorf("writes = %v; want none", w)
				}
				return
			}
			wantSubject := tc.subject
			if wantSubject == "" {
				wantSubject = tc.p.Subject
			}
			if err != nil || m.Subject != wantSubject || !slices.Equal(m.Scopes, tc.scopes) {
				t.Fatalf("Mint = %+v, %v; want a token of %s with %v", m.LongLivedToken, err, wantSubject, tc.scopes)
			}
			if w := r.writes(); !maps.Equal(w, map[string]int{"CreateLongLived": 1}) {
				t.Errorf("writes = %v; want one CreateLongLived", w)
			}
		})
	}
}

func TestMintBadRequest(t *testing.T) {
	r := newRig(t)
	admin := tokens.Principal{Subject: "admin", Scopes: []string{tokens.ScopeAdmin}}
	for _, tc := range []struct {
		name string
		req  tokens.MintRequest
	}{
		{"no name", tokens.MintRequest{Scopes: []string{"read"}}},
		{"name too long", tokens.MintRequest{Name: strings.Repeat("n", 201), Scopes: []string{"read"}}},
		{"no scopes", tokens.MintRequest{Name: "n"}},
		{"invalid scope token", tokens.MintRequest{Name: "n", Scopes: []string{"a b"}}},
		{"empty scope token", tokens.MintRequest{Name: "n", Scopes: []string{""}}},
		{"implausible subject", tokens.MintRequest{Name: "n", Subject: strings.Repeat("s", 129), Scopes: []string{"read"}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := r.on(t)
			r.store.ResetOps()
			_, err := r.svc.Mint(r.ctx, admin, tc.req)
			wantCode(t, err, oauth.CodeInvalidRequest)
			if ops := r.coreOps(); len(ops) != 0 {
				t.Errorf("store calls = %v; want none", ops)
			}
		})
	}
}

func TestMintLifetime(t *testing.T) {
	const maxTTL = 8760 * time.Hour
	d := func(v time.Duration) *time.Duration { return &v }
	for _, tc := range []struct {
		name       string
		allowNever bool
		expiresIn  *time.Duration
		want       time.Duration
		never, bad bool
	}{
		{"omitted is the maximum", false, nil, maxTTL, false, false},
		{"one hour", false, d(time.Hour), time.Hour, false, false},
		{"exactly the maximum", false, d(maxTTL), maxTTL, false, false},
		{"negative", false, d(-time.Second), 0, false, true},
		{"longer than the maximum", false, d(maxTTL + time.Second), 0, false, true},
		{"0 where never is not allowed", false, d(0), 0, false, true},
		{"0 where never is allowed", true, d(0), 0, true, false},
		{"omitted where never is allowed", true, nil, maxTTL, false, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := newRig(t, func(o *tokens.Options) { o.MaxLongLivedTTL, o.AllowNeverExpiring = maxTTL, tc.allowNever })
			rs := r.client(tokens.ClientSpec{Grants: []string{oauth.GrantClientCredentials}, Introspect: true})
			admin := tokens.Principal{Subject: "admin", Scopes: []string{tokens.ScopeAdmin}}
			m, err := r.svc.Mint(r.ctx, admin, tokens.MintRequest{Name: "n", Subject: "usr_x", Scopes: []string{"read"}, ExpiresIn: tc.expiresIn})
			switch {
			case tc.bad:
				wantCode(t, err, oauth.CodeInvalidRequest)
				if d := oauth.As(err).Description; !strings.Contains(d, "expires_in") {
					t.Errorf("description = %q; want it to name expires_in", d)
				}
			case err != nil:
				t.Fatal(err)
			case tc.never:
				if !m.ExpiresAt.IsZero() {
					t.Errorf("expires at %v; want never (zero)", m.ExpiresAt)
				}
				r.clock.Advance(10 * maxTTL)
				if !r.active(rs, m.Token) {
					t.Error("a never-expiring token is inactive ten maximum lifetimes later")
				}
			default:
				if !m.ExpiresAt.Equal(start.Add(tc.want)) {
					t.Errorf("expires at %v; want %v", m.ExpiresAt, start.Add(tc.want))
				}
				r.clock.Advance(tc.want - time.Second)
				if !r.active(rs, m.Token) {
					t.Error("the token is inactive a second before it expires")
				}
				r.clock.Advance(time.Second)
				if r.active(rs, m.Token) {
					t.Error("the token is active at its expiry")
				}
			}
		})
	}
}

// A typo is rejected by the checksum before any read (docs/design.md §4).
func TestLongLivedChecksumTypoCostsNoRead(t *testing.T) {
	r := newRig(t)
	rs := r.client(tokens.ClientSpec{Grants: []string{oauth.GrantClientCredentials}, Introspect: true})
	token := r.mint(tokens.Principal{Subject: "admin", Scopes: []string{tokens.ScopeAdmin}}, "usr_x", "read").Token
	for _, pos := range []int{6, 20, len(token) - 7, len(token) - 1} {
		typo := []byte(token)
		typo[pos] = map[bool]byte{true: 'b', false: 'a'}[typo[pos] == 'a']
		r.store.ResetOps()
		if r.active(rs, string(typo)) {
			t.Errorf("a typo at %d is active", pos)
		}
		_, err := r.svc.Authenticate(r.ctx, string(typo))
		wantCode(t, err, oauth.CodeInvalidToken)
		if ops := r.store.Ops(); len(ops) != 0 {
			t.Errorf("a typo at %d: store calls %v; want none", pos, ops)
		}
	}
	r.store.ResetOps()
	if !r.active(rs, token) {
		t.Fatal("the real token is inactive")
	}
	if got := r.store.Ops()["GetLongLived"]; got != 1 {
		t.Errorf("introspecting the real token: GetLongLived %d; want 1", got)
	}
}

// Last use is written at most once a minute, however often the token is
// used.
func TestLongLivedLastUseIsThrottled(t *testing.T) {
	r := newRig(t)
	rs := r.client(tokens.ClientSpec{Grants: []string{oauth.GrantClientCredentials}, Introspect: true})
	m := r.mint(tokens.Principal{Subject: "admin", Scopes: []string{tokens.ScopeAdmin}}, "usr_x", "read")
	for _, step := range []struct {
		wait    time.Duration
		touches int
		last    time.Time
	}{
		{0, 1, start},
		{30 * time.Second, 0, start},
		{29 * time.Second, 0, start},
		{2 * time.Second, 1, start.Add(61 * time.Second)},
		{59 * time.Second, 0, start.Add(61 * time.Second)},
	} {
		r.clock.Advance(step.wait)
		r.store.ResetOps()
		r.active(rs, m.Token)
		if _, err := r.svc.Authenticate(r.ctx, m.Token); err != nil {
			t.Fatal(err)
		}
		if got := r.store.Ops()["TouchLongLived"]; got != step.touches {
			t.Errorf("at +%v: TouchLongLived %d; want %d", r.clock.Now().Sub(start), got, step.touches)
		}
		if lt, _ := r.store.GetLongLived(r.ctx, m.ID); !lt.LastUsedAt.Equal(step.last) {
			t.Errorf("at +%v: last used %v; want %v", r.clock.Now().Sub(start), lt.LastUsedAt, step.last)
		}
	}
}

// RevokeLongLived: administrators any token, the owner its own; what the
// caller may not see is not_found.
func TestRevokeLongLived(t *testing.T) {
	r := newRig(t)
	rs := r.client(tokens.ClientSpec{Grants: []string{oauth.GrantClientCredentials}, Introspect: true})
	admin := tokens.Principal{Subject: "admin", Scopes: []string{tokens.ScopeAdmin}}
	for _, tc := range []struct {
		name string
		p    tokens.Principal
		code string
	}{
		{"the owner", tokens.Principal{Subject: "usr_x"}, ""},
		{"tokens:mint", tokens.Principal{Subject: "svc", Scopes: []string{tokens.ScopeTokensMint}}, ""},
		{"sessions:revoke", tokens.Principal{Subject: "svc", Scopes: []string{tokens.ScopeSessionsRevoke}}, ""},
		{"another user", tokens.Principal{Subject: "usr_y"}, oauth.CodeNotFound},
		{"sessions:read", tokens.Principal{Subject: "svc", Scopes: []string{tokens.ScopeSessionsRead}}, oauth.CodeNotFound},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := r.on(t)
			m := r.mint(admin, "usr_x", "read")
			err := r.svc.RevokeLongLived(r.ctx, tc.p, m.ID)
			if tc.code != "" {
				wantCode(t, err, tc.code)
				if !r.active(rs, m.Token) {
					t.Error("the token is inactive; want it untouched")
				}
				return
			}
			if err != nil || r.active(rs, m.Token) {
				t.Fatalf("RevokeLongLived = %v, active %v; want success and inactive", err, r.active(rs, m.Token))
			}
			if err := r.svc.RevokeLongLived(r.ctx, tc.p, m.ID); err != nil {
				t.Errorf("RevokeLongLived again = %v; want success", err)
			}
		})
	}
	for _, id := range []string{"nosuchtoken", ""} {
		wantCode(t, r.svc.RevokeLongLived(r.ctx, admin, id), oauth.CodeNotFound)
	}
}
