package tokens_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"maps"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/latchkey/latchkey/shared/oauth"
	"github.com/latchkey/latchkey/shared/tokens"
)

// Introspection (RFC 7662): what an active token says, and that every
// other token is exactly {"active": false}.

// Each kind of token is active with its fields, for at most one read.
func TestIntrospectActiveFields(t *testing.T) {
	r := newRig(t)
	alice := r.user(testUser)
	c := r.firstParty(tokens.ClientSpec{RefreshIdleTTL: 7 * 24 * time.Hour})
	ref := r.firstParty(tokens.ClientSpec{AccessTokenFormat: tokens.FormatReference})
	login, refLogin := r.login(c, "read offline_access"), r.login(ref, "read offline_access")
	cc, _ := r.clientCredentials(c, "")
	refCC, _ := r.clientCredentials(ref, "")
	sid, refSID := sessionID(login.RefreshToken), sessionID(refLogin.RefreshToken)
	iat, exp := start.Unix(), start.Add(15*time.Minute).Unix()
	for _, tc := range []struct {
		name  string
		owner client
		token string
		want  oauth.IntrospectionResponse
		ops   map[string]int
	}{
		{"JWT of a session", c, login.AccessToken, oauth.IntrospectionResponse{
			Scope: "read offline_access", ClientID: c.ID, TokenType: oauth.TokenTypeBearer, Sub: alice.Subject, Sid: sid,
		}, map[string]int{"AccessState": 1}},
		{"JWT of client_credentials", c, cc.AccessToken, oauth.IntrospectionResponse{
			Scope: "read write", ClientID: c.ID, TokenType: oauth.TokenTypeBearer, Sub: c.ID,
		}, map[string]int{"AccessState": 1}},
		{"reference token of a session", ref, refLogin.AccessToken, oauth.IntrospectionResponse{
			Scope: "read offline_access", ClientID: ref.ID, TokenType: oauth.TokenTypeBearer, Sub: alice.Subject, Sid: refSID,
		}, map[string]int{"AccessState": 1}},
		{"reference token of client_credentials", ref, refCC.AccessToken, oauth.IntrospectionResponse{
			Scope: "read write", ClientID: ref.ID, TokenType: oauth.TokenTypeBearer, Sub: ref.ID,
		}, map[string]int{"AccessState": 1}},
		{"refresh token", c, login.RefreshToken, oauth.IntrospectionResponse{
			Active: true, Scope: "read offline_access", ClientID: c.ID, TokenType: tokens.KindRefresh, Sub: alice.Subject, Sid: sid,
			Iat: iat, Exp: start.Add(7 * 24 * time.Hour).Unix(), Iss: issuer,
		}, map[string]int{"GetSession": 1}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := r.on(t)
			want := tc.want
			if want.TokenType == oauth.TokenTypeBearer { // access tokens
				want.Active, want.Iat, want.Exp, want.Aud, want.Iss = true, iat, exp, []string{issuer}, issuer
			}
			r.store.ResetOps()
			got := r.introspect(tc.owner, tc.token)
			if ops := r.coreOps(); !maps.Equal(ops, tc.ops) {
				t.Errorf("store calls = %v; want %v (docs/design.md §6: at most one read)", ops, tc.ops)
			}
			if want.TokenType == oauth.TokenTypeBearer {
				if got.Jti == "" {
					t.Error("jti is empty")
				}
				want.Jti = got.Jti
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("introspection =\n %+v; want\n %+v", got, want)
			}
			if !strings.HasPrefix(tc.token, "lk_") && got.Jti != r.claims(tc.token).JTI {
				t.Errorf("jti = %q; the JWT says %q", got.Jti, r.claims(tc.token).JTI)
			}
		})
	}
}

// A client sees its own tokens; a resource server (Introspect) sees every
// token; another client sees none; a public client may not introspect.
func TestIntrospectVisibility(t *testing.T) {
	r := newRig(t)
	r.user(testUser)
	c := r.firstParty(tokens.ClientSpec{})
	ref := r.firstParty(tokens.ClientSpec{AccessTokenFormat: tokens.FormatReference})
	other := r.client(tokens.ClientSpec{Grants: []string{oauth.GrantClientCredentials}, Scopes: []string{"read"}})
	rs := r.client(tokens.ClientSpec{Grants: []string{oauth.GrantClientCredentials}, Introspect: true})
	pub := r.client(tokens.ClientSpec{Public: true, Grants: []string{oauth.GrantPassword, oauth.GrantRefreshToken}, Scopes: []string{"read"}})
	login := r.login(c, "read offline_access")
	cc, _ := r.clientCredentials(c, "")
	minted := r.mint(tokens.Principal{Subject: "admin", Scopes: []string{tokens.ScopeAdmin}}, "usr_x", "read")
	for _, tk := range []struct {
		name, token string
		owner       client
	}{
		{"JWT", login.AccessToken, c},
		{"refresh token", login.RefreshToken, c},
		{"reference token", r.login(ref, "read offline_access").AccessToken, ref},
		{"client_credentials JWT", cc.AccessToken, c},
	} {
		t.Run(tk.name, func(t *testing.T) {
			r := r.on(t)
			for _, o := range []client{other, map[bool]client{true: ref, false: c}[tk.owner.ID == c.ID]} {
				if r.active(o, tk.token) {
					t.Errorf("client %s sees another client's %s", o.ID, tk.name)
				}
			}
			if got := r.introspect(rs, tk.token); !got.Active || got.ClientID != tk.owner.ID {
				t.Errorf("resource server's introspection = %+v; want active, client_id %s", got, tk.owner.ID)
			}
			if !r.active(tk.owner, tk.token) {
				t.Errorf("the owner sees its %s inactive", tk.name)
			}
			_, err := r.svc.Introspect(r.ctx, pub.Client, tk.token)
			wantCode(t, err, oauth.CodeInvalidClient)
		})
	}
	// A long-lived token belongs to a subject, not a client: only a
	// resource server sees it.
	if got := r.introspect(rs, minted.Token); !got.Active || got.Sub != "usr_x" || got.Jti != minted.ID || got.TokenType != oauth.TokenTypeBearer {
		t.Errorf("resource server's introspection of a long-lived token = %+v; want active, sub usr_x, jti %s, Bearer", got, minted.ID)
	}
	if r.active(c, minted.Token) {
		t.Error("a client that is no resource server sees a long-lived token")
	}
}

// Every bad, expired or revoked token is exactly the zero answer, never
// an error (RFC 7662 §2.2).
func TestIntrospectInactive(t *testing.T) {
	r := newRig(t)
	r.user(testUser)
	c := r.firstParty(tokens.ClientSpec{RefreshReuseGrace: 0})
	ref := r.firstParty(tokens.ClientSpec{AccessTokenFormat: tokens.FormatReference})
	rs := r.client(tokens.ClientSpec{Grants: []string{oauth.GrantClientCredentials}, Introspect: true})
	admin := tokens.Principal{Subject: "admin", Scopes: []string{tokens.ScopeAdmin}}
	revoked := func(owner client, kind string) string {
		l := r.login(owner, "read offline_access")
		tok := map[string]string{"access": l.AccessToken, "refresh": l.RefreshToken}[kind]
		if err := r.svc.Revoke(r.ctx, owner.Client, tok); err != nil {
			t.Fatal(err)
		}
		return tok
	}
	ofRevokedSession := func(owner client) string {
		l := r.login(owner, "read offline_access")
		if _, err := r.svc.RevokeSession(r.ctx, admin, sessionID(l.RefreshToken)); err != nil {
			t.Fatal(err)
		}
		return l.AccessToken
	}
	gen1 := r.login(c, "read offline_access").RefreshToken
	r.mustRefresh(c, gen1)
	lt := r.mint(admin, "usr_x", "read")
	if err := r.svc.RevokeLongLived(r.ctx, admin, lt.ID); err != nil {
		t.Fatal(err)
	}
	refTok := r.login(ref, "read offline_access").AccessToken
	live := r.login(c, "read offline_access")
	parts := strings.Split(live.AccessToken, ".")
	for name, token := range map[string]string{
		"empty":                            "",
		"garbage":                          "hello",
		"oversized":                        strings.Repeat("a", 9000),
		"revoked JWT":                      revoked(c, "access"),
		"revoked reference token":          revoked(ref, "access"),
		"revoked refresh token":            revoked(c, "refresh"),
		"JWT of a revoked session":         ofRevokedSession(c),
		"reference token of a revoked one": ofRevokedSession(ref),
		"a spent refresh token":            gen1,
		"revoked long-lived token":         lt.Token,
		"unknown reference token":          tokens.ReferenceTokenPrefix + "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
		"reference token, session swapped": tokens.ReferenceTokenPrefix + sessionID(live.RefreshToken) + refTok[strings.IndexByte(refTok, '.'):],
		"unknown refresh token":            tokens.RefreshTokenPrefix + "nosuchsession.1.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
		"JWT signature flipped":            parts[0] + "." + parts[1] + "." + flip(parts[2]),
		"JWT claims widened":               parts[0] + "." + widened(parts[1]) + "." + parts[2],
		"JWT alg none":                     segment(map[string]any{"alg": "none", "typ": "at+jwt"}) + "." + parts[1] + ".",
		"JWT signed by another key":        signWithNewKey(parts[0] + "." + parts[1]),
		"JWT without signature":            parts[0] + "." + parts[1],
		"JWT with four segments":           live.AccessToken + ".x",
	} {
		t.Run(name, func(t *testing.T) {
			r := r.on(t)
			for _, caller := range []client{rs, c, ref} {
				if r.active(caller, token) {
					t.Errorf("introspection by %s is active", caller.Name)
				}
			}
		})
	}
	if !r.active(c, live.AccessToken) {
		t.Error("the genuine JWT is inactive after the forgeries")
	}
}

// An access token is active until its exp, a refresh token until its idle
// expiry; then inactive, with the injected clock.
func TestIntrospectExpiry(t *testing.T) {
	r := newRig(t)
	r.user(testUser)
	c := r.firstParty(tokens.ClientSpec{RefreshIdleTTL: time.Hour})
	ref := r.firstParty(tokens.ClientSpec{AccessTokenFormat: tokens.FormatReference, RefreshIdleTTL: time.Hour})
	login, refLogin := r.login(c, "read offline_access"), r.login(ref, "read offline_access")
	for _, step := range []struct {
		wait                         time.Duration
		access, reference, refresher bool
	}{
		{15*time.Minute - time.Second, true, true, true},
		{time.Second, false, false, true},
		{44*time.Minute + 59*time.Second, false, false, true},
		{time.Second, false, false, false},
	} {
		r.clock.Advance(step.wait)
		at := r.clock.Now().Sub(start)
		for _, tc := range []struct {
			name   string
			owner  client
			token  string
			active bool
		}{
			{"JWT", c, login.AccessToken, step.access},
			{"reference token", ref, refLogin.AccessToken, step.reference},
			{"refresh token", c, login.RefreshToken, step.refresher},
		} {
			if got := r.active(tc.owner, tc.token); got != tc.active {
				t.Errorf("%s at +%v: active %v; want %v", tc.name, at, got, tc.active)
			}
		}
	}
}

// A canceled context stands for a store that cannot be reached: the
// answer is temporarily_unavailable, never an active or inactive verdict.
func TestIntrospectStoreOutage(t *testing.T) {
	r := newRig(t)
	r.user(testUser)
	c := r.firstParty(tokens.ClientSpec{})
	login := r.login(c, "read offline_access")
	ctx, cancel := context.WithCancel(r.ctx)
	cancel()
	for _, token := range []string{login.AccessToken, login.RefreshToken} {
		_, err := r.svc.Introspect(ctx, c.Client, token)
		wantCode(t, err, oauth.CodeTemporarilyUnavailable)
	}
}

func segment(v map[string]any) string {
	b, _ := json.Marshal(v)
	return base64.RawURLEncoding.EncodeToString(b)
}

// widened returns a JWT payload segment with latchkey:admin added to its scope.
func widened(seg string) string {
	b, _ := base64.RawURLEncoding.DecodeString(seg)
	var claims map[string]any
	_ = json.Unmarshal(b, &claims)
	claims["scope"] = "read write " + tokens.ScopeAdmin
	return segment(claims)
}

// flip changes one bit in the middle of a base64url segment.
func flip(seg string) string {
	b, _ := base64.RawURLEncoding.DecodeString(seg)
	b[len(b)/2] ^= 1
	return base64.RawURLEncoding.EncodeToString(b)
}

// signWithNewKey signs a JWS signing input with a fresh P-256 key
// (RFC 7518 §3.4): a well-formed token the service never issued.
func signWithNewKey(input string) string {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		panic(err)
	}
	sum := sha256.Sum256([]byte(input))
	r, s, err := ecdsa.Sign(rand.Reader, key, sum[:])
	if err != nil {
		panic(err)
	}
	sig := make([]byte, 64)
	r.FillBytes(sig[:32])
	s.FillBytes(sig[32:])
	return input + "." + base64.RawURLEncoding.EncodeToString(sig)
}
