package app_test

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"github.com/latchkey/latchkey/shared/app/apptest"
	"github.com/latchkey/latchkey/shared/oauth"
	"github.com/latchkey/latchkey/shared/tokens"
)

// OpenID Connect with a relying-party library nobody here wrote:
// github.com/coreos/go-oidc/v3 discovers the provider from the issuer,
// fetches the JWKS it names, and verifies every ID token (signature, iss,
// aud, expiry; the test compares nonce, at_hash and sid as an RP does).

// toServer sends every request to the test server, whatever host it
// names: the issuer is https://auth.test, the server a local one.
type toServer struct{ base *url.URL }

func (t toServer) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.URL.Scheme, r.URL.Host = t.base.Scheme, t.base.Host
	return http.DefaultTransport.RoundTrip(r)
}

// rp is a relying party's view of the harness: go-oidc's provider, on
// the harness clock.
type rp struct {
	s        *signin
	ctx      context.Context
	provider *oidc.Provider
}

func newRP(t *testing.T, s *signin) rp {
	t.Helper()
	base, err := url.Parse(s.Server.URL)
	if err != nil {
		t.Fatal(err)
	}
	ctx := oidc.ClientContext(context.Background(), &http.Client{Transport: toServer{base}})
	p, err := oidc.NewProvider(ctx, s.App.Config.Issuer)
	if err != nil {
		t.Fatalf("go-oidc discovery of %s: %v", s.App.Config.Issuer, err)
	}
	return rp{s: s, ctx: ctx, provider: p}
}

// verify checks an ID token for client c as go-oidc does.
func (r rp) verify(c tokens.Client, raw string) (*oidc.IDToken, error) {
	return r.provider.Verifier(&oidc.Config{ClientID: c.ID, Now: r.s.Clock.Now}).Verify(r.ctx, raw)
}

// idClaims are the claims an RP reads beyond go-oidc's fields.
type idClaims struct {
	SID      string   `json:"sid"`
	AuthTime int64    `json:"auth_time"`
	AZP      string   `json:"azp"`
	Email    string   `json:"email"`
	Name     string   `json:"name"`
	Groups   []string `json:"groups"`
}

func claimsOf(t *testing.T, idt *oidc.IDToken) idClaims {
	t.Helper()
	var c idClaims
	if err := idt.Claims(&c); err != nil {
		t.Fatal(err)
	}
	return c
}

// withClaims gives the test user claims.
func (s *signin) withClaims(t *testing.T, claims map[string]any) {
	t.Helper()
	if _, err := s.App.Service.SetUserClaims(context.Background(), testUser, claims); err != nil {
		t.Fatalf("SetUserClaims: %v", err)
	}
}

func TestIDTokenVerifiedByGoOIDC(t *testing.T) {
	s := newSignin(t)
	s.withClaims(t, map[string]any{"email": "alice@example.com", "email_verified": true, "name": "Alice"})
	mail, _ := s.Client(tokens.ClientSpec{Name: "Mail App", Public: true, FirstParty: true, AllowOfflineAccess: true,
		Grants: []string{oauth.GrantAuthorizationCode, oauth.GrantRefreshToken}, Scopes: []string{"openid", "profile", "email"},
		RedirectURIs: []string{callback}})
	relying := newRP(t, s)
	signedIn := s.Clock.Now()
	code := s.codeOf(s.browser.LogIn(s.loginForm(s.browser, mail, "scope", "openid email offline_access", "nonce", "n-go-oidc"), testUser, testPassword))
	s.Clock.Advance(5 * time.Second)
	r := s.redeem(mail, "", code, s.verifier)
	if r.Status != 200 || r.Str("id_token") == "" {
		t.Fatalf("redeem = %d %s; want tokens with an id_token", r.Status, r.Body)
	}
	idt, err := relying.verify(mail, r.Str("id_token"))
	if err != nil {
		t.Fatalf("go-oidc Verify: %v", err)
	}
	c := claimsOf(t, idt)
	switch {
	case idt.Issuer != s.App.Config.Issuer || idt.Subject != s.subject || !slices.Equal(idt.Audience, []string{mail.ID}):
		t.Errorf("iss, sub, aud = %s, %s, %v; want %s, %s, [%s]", idt.Issuer, idt.Subject, idt.Audience, s.App.Config.Issuer, s.subject, mail.ID)
	case idt.Nonce != "n-go-oidc":
		t.Errorf("nonce = %q; want the request's n-go-oidc", idt.Nonce)
	case c.AuthTime != signedIn.Unix():
		t.Errorf("auth_time = %d; want the login time %d, not the redemption's", c.AuthTime, signedIn.Unix())
	case c.SID == "" || c.Email != "alice@example.com" || c.Name != "":
		t.Errorf("sid, email, name = %q, %q, %q; want a sid, the email (scope email) and no name (no profile scope)", c.SID, c.Email, c.Name)
	case c.AZP != "":
		t.Errorf("azp = %q; want none: aud is the client alone", c.AZP)
	}
	if err := idt.VerifyAccessToken(r.Str("access_token")); err != nil {
		t.Errorf("at_hash does not match the access token: %v", err)
	}
	if _, err := relying.verify(s.web, r.Str("id_token")); err == nil {
		t.Error("Verify for another client succeeded; want an audience error")
	}
	s.Clock.Advance(s.App.Config.AccessTokenTTL + time.Second)
	var expired *oidc.TokenExpiredError
	if _, err := relying.verify(mail, r.Str("id_token")); !errors.As(err, &expired) {
		t.Errorf("Verify after exp = %v; want TokenExpiredError", err)
	}
}

// OpenID Connect Core §12.2: a refresh returns a new ID token with the
// same iss, sub, aud, sid and auth_time, no nonce, bound to the new
// access token.
func TestRefreshReturnsIDToken(t *testing.T) {
	s := newSignin(t)
	relying := newRP(t, s)
	first := s.redeem(s.first, "", s.signIn(s.browser, "scope", "openid read offline_access"), s.verifier)
	before, err := relying.verify(s.first, first.Str("id_token"))
	if err != nil {
		t.Fatalf("first ID token: %v", err)
	}
	s.Clock.Advance(time.Minute)
	r := s.PostForm("/oauth2/token", "", "", url.Values{"grant_type": {"refresh_token"}, "client_id": {s.first.ID},
		"refresh_token": {first.Str("refresh_token")}})
	after, err := relying.verify(s.first, r.Str("id_token"))
	if r.Status != 200 || err != nil {
		t.Fatalf("refresh = %d %s, ID token %v; want a verified id_token", r.Status, r.Body, err)
	}
	b, a := claimsOf(t, before), claimsOf(t, after)
	if after.Subject != before.Subject || a.SID != b.SID || a.AuthTime != b.AuthTime || after.Nonce != "" {
		t.Errorf("refreshed sub %s sid %s auth_time %d nonce %q; want %s %s %d and no nonce",
			after.Subject, a.SID, a.AuthTime, after.Nonce, before.Subject, b.SID, b.AuthTime)
	}
	if !after.IssuedAt.After(before.IssuedAt) {
		t.Errorf("refreshed iat %v; want after %v", after.IssuedAt, before.IssuedAt)
	}
	if err := after.VerifyAccessToken(r.Str("access_token")); err != nil {
		t.Errorf("refreshed at_hash: %v", err)
	}
	narrowed := s.PostForm("/oauth2/token", "", "", url.Values{"grant_type": {"refresh_token"}, "client_id": {s.first.ID},
		"refresh_token": {r.Str("refresh_token")}, "scope": {"read"}})
	if narrowed.Status != 200 || narrowed.Str("id_token") != "" {
		t.Errorf("refresh narrowed to read = %d %s; want tokens without an id_token", narrowed.Status, narrowed.Body)
	}
}

// A client registered with --id-token-alg ES256 gets ES256 ID tokens,
// still verified through discovery and the JWKS.
func TestIDTokenES256(t *testing.T) {
	s := newSignin(t)
	es, _ := s.Client(tokens.ClientSpec{Name: "ES App", Public: true, FirstParty: true, IDTokenAlg: tokens.AlgES256,
		Grants: []string{oauth.GrantAuthorizationCode}, Scopes: []string{"openid"}, RedirectURIs: []string{callback}})
	code := s.codeOf(s.browser.LogIn(s.loginForm(s.browser, es, "scope", "openid"), testUser, testPassword))
	r := s.redeem(es, "", code, s.verifier)
	if r.Status != 200 {
		t.Fatalf("redeem = %d %s", r.Status, r.Body)
	}
	if alg := jwtSegment(strings.Split(r.Str("id_token"), ".")[0])["alg"]; alg != "ES256" {
		t.Errorf("ID token alg = %v; want ES256", alg)
	}
	if _, err := newRP(t, s).verify(es, r.Str("id_token")); err != nil {
		t.Errorf("go-oidc Verify of an ES256 ID token: %v", err)
	}
	if alg := jwtSegment(strings.Split(s.redeemFirst(t), ".")[0])["alg"]; alg != "RS256" {
		t.Errorf("default ID token alg = %v; want RS256", alg)
	}
}

// redeemFirst signs in with the first-party client and returns its ID token.
func (s *signin) redeemFirst(t *testing.T) string {
	t.Helper()
	b := s.Browser()
	r := s.redeem(s.first, "", s.signIn(b), s.verifier)
	if r.Str("id_token") == "" {
		t.Fatalf("redeem = %d %s; want an id_token", r.Status, r.Body)
	}
	return r.Str("id_token")
}

// go-oidc's UserInfo (GET with the Authorization header) gets the claims
// the scopes allow; the access token carries the client's claims cut to
// their limits, userinfo in full.
func TestUserInfoThroughGoOIDC(t *testing.T) {
	s := newSignin(t)
	groups := make([]any, 40)
	for i := range groups {
		groups[i] = "group-" + strings.Repeat("x", 10) + string(rune('a'+i%26))
	}
	s.withClaims(t, map[string]any{"email": "alice@example.com", "name": "Alice", "groups": groups, "phone_number": "+1 555"})
	app, _ := s.Client(tokens.ClientSpec{Name: "Groups App", Public: true, FirstParty: true,
		Grants: []string{oauth.GrantAuthorizationCode}, Scopes: []string{"openid", "profile", "email"}, RedirectURIs: []string{callback},
		AccessTokenClaims: []string{"groups", "email"}, ClaimSizeLimits: map[string]int{"groups": 100}})
	code := s.codeOf(s.browser.LogIn(s.loginForm(s.browser, app, "scope", "openid profile"), testUser, testPassword))
	r := s.redeem(app, "", code, s.verifier)
	at := jwtPayload(r.Str("access_token"))
	cut, _ := at["groups"].([]any)
	if r.Status != 200 || len(cut) == 0 || len(cut) >= len(groups) || at["email"] != "alice@example.com" {
		t.Fatalf("access token claims = %v; want groups cut to 100 bytes and the email", at)
	}
	if got := at[tokens.ClaimLimitReached]; !slices.Equal(toStrings(got), []string{"groups"}) {
		t.Errorf("%s = %v; want [groups]", tokens.ClaimLimitReached, got)
	}
	info, err := newRP(t, s).provider.UserInfo(s.ctxFor(), oauth2.StaticTokenSource(&oauth2.Token{AccessToken: r.Str("access_token")}))
	if err != nil {
		t.Fatalf("go-oidc UserInfo: %v", err)
	}
	var got map[string]any
	if err := info.Claims(&got); err != nil {
		t.Fatal(err)
	}
	if info.Subject != s.subject || got["name"] != "Alice" || len(toStrings(got["groups"])) != len(groups) || got["email"] != "alice@example.com" {
		t.Errorf("userinfo = %v; want sub, name (profile), all %d groups and the email (the client's claims, in full)", got, len(groups))
	}
	if _, ok := got["phone_number"]; ok {
		t.Errorf("userinfo has phone_number without the phone scope: %v", got)
	}
}

func (s *signin) ctxFor() context.Context {
	base, _ := url.Parse(s.Server.URL)
	return oidc.ClientContext(context.Background(), &http.Client{Transport: toServer{base}})
}

func toStrings(v any) []string {
	list, _ := v.([]any)
	out := make([]string, 0, len(list))
	for _, e := range list {
		s, _ := e.(string)
		out = append(out, s)
	}
	return out
}

// On DynamoDB, a code redemption whose scopes ask for claims reads the
// user's claims item (USERSUB#) in the token function: the claims reach
// the ID token, and IAM must allow the read (the harness refuses what the
// function's policy does not allow).
func TestCodeRedemptionReadsClaimsOnDynamoDB(t *testing.T) {
	t.Parallel()
	h := apptest.NewDynamo(t)
	s := &signin{Harness: h, subject: h.User(testUser, testPassword), browser: h.Browser(), verifier: oauth2.GenerateVerifier()}
	s.challengeOK = tokens.S256(s.verifier)
	s.withClaims(t, map[string]any{"email": "alice@example.com"})
	mail, _ := h.Client(tokens.ClientSpec{Name: "Mail App", Public: true, FirstParty: true,
		Grants: []string{oauth.GrantAuthorizationCode}, Scopes: []string{"openid", "email"}, RedirectURIs: []string{callback}})
	code := s.codeOf(s.browser.LogIn(s.loginForm(s.browser, mail, "scope", "openid email"), testUser, testPassword))
	if _, err := h.App.Service.JWKS(context.Background()); err != nil { // the key set warm, as in a warm container
		t.Fatal(err)
	}
	h.DB.Counter.Reset()
	r := s.redeem(mail, "", code, s.verifier)
	if r.Status != 200 || jwtPayload(r.Str("id_token"))["email"] != "alice@example.com" {
		t.Fatalf("redeem = %d %s; want an ID token with the email", r.Status, r.Body)
	}
	if got := h.DB.Counter.Ops()["GetItem"]; got != 1 {
		t.Errorf("redemption GetItem calls = %d (%v); want 1, the claims (the client is cached)", got, h.DB.Counter.Ops())
	}
}
