package app_test

import (
	"context"
	"net/http"
	"net/url"
	"reflect"
	"strings"
	"testing"

	"github.com/latchkey/latchkey/shared/app/apptest"
	"github.com/latchkey/latchkey/shared/oauth"
	"github.com/latchkey/latchkey/shared/tokens"
)

// userinfoRig is a user with claims and a first-party client that may
// ask for openid, profile and email.
type userinfoRig struct {
	*apptest.Harness
	client  tokens.Client
	secret  string
	subject string
}

func newUserinfoRig(t *testing.T) userinfoRig {
	t.Helper()
	t.Parallel()
	h := apptest.New(t)
	sub := h.User(testUser, testPassword)
	if _, err := h.App.Service.SetUserClaims(context.Background(), testUser, map[string]any{
		"email": "alice@example.com", "email_verified": true, "name": "Alice", "groups": []any{"admins", "dev"},
	}); err != nil {
		t.Fatal(err)
	}
	c, secret := h.Client(tokens.ClientSpec{Grants: []string{oauth.GrantPassword, oauth.GrantRefreshToken},
		Scopes: []string{"openid", "profile", "email", "read"}, AllowOfflineAccess: true})
	return userinfoRig{Harness: h, client: c, secret: secret, subject: sub}
}

// token signs the user in with scope and returns the token response.
func (r userinfoRig) token(scope string) apptest.Response {
	r.T.Helper()
	resp := r.Token(r.client.ID, r.secret, url.Values{"grant_type": {"password"}, "username": {testUser},
		"password": {testPassword}, "scope": {scope}})
	if resp.Status != 200 {
		r.T.Fatalf("password grant = %d %s", resp.Status, resp.Body)
	}
	return resp
}

func TestUserInfo(t *testing.T) {
	r := newUserinfoRig(t)
	at := r.token("openid profile email offline_access").Str("access_token")
	want := map[string]any{"sub": r.subject, "email": "alice@example.com", "email_verified": true, "name": "Alice"}
	form := "application/x-www-form-urlencoded"
	for _, tc := range []struct {
		name        string
		method      string
		contentType string
		body        string
		header      http.Header
	}{
		{"GET with the Authorization header", http.MethodGet, "", "", bearer(at)},
		{"POST with the Authorization header", http.MethodPost, "", "", bearer(at)},
		{"POST with access_token in a form body", http.MethodPost, form, "access_token=" + url.QueryEscape(at), nil},
		{"POST with an unrelated form body and the header", http.MethodPost, form, "x=1", bearer(at)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := r.Do(tc.method, "/oauth2/userinfo", tc.contentType, tc.body, tc.header)
			if got.Status != 200 || !reflect.DeepEqual(got.JSON, want) {
				t.Errorf("userinfo = %d %s; want 200 %v", got.Status, got.Body, want)
			}
			if got.Header.Get("Cache-Control") != "no-store" {
				t.Errorf("Cache-Control = %q; want no-store", got.Header.Get("Cache-Control"))
			}
		})
	}
}

func TestUserInfoRefusals(t *testing.T) {
	r := newUserinfoRig(t)
	pair := r.token("openid email offline_access")
	noOpenID := r.token("read").Str("access_token")
	revoked := r.token("openid offline_access")
	if rv := r.PostForm("/oauth2/revoke", r.client.ID, r.secret, url.Values{"token": {revoked.Str("refresh_token")}}); rv.Status != 200 {
		t.Fatalf("revoke = %d %s", rv.Status, rv.Body)
	}
	form := "application/x-www-form-urlencoded"
	for _, tc := range []struct {
		name        string
		method      string
		target      string
		contentType string
		body        string
		header      http.Header
		status      int
		code        string
	}{
		{"no token", http.MethodGet, "", "", "", nil, 401, ""},
		{"token in the query string", http.MethodGet, "?access_token=" + pair.Str("access_token"), "", "", nil, 400, oauth.CodeInvalidRequest},
		{"header and body both", http.MethodPost, "", form, "access_token=" + pair.Str("access_token"), bearer(pair.Str("access_token")), 400, oauth.CodeInvalidRequest},
		{"garbage", http.MethodGet, "", "", "", bearer("not-a-token"), 401, oauth.CodeInvalidToken},
		{"a refresh token", http.MethodGet, "", "", "", bearer(pair.Str("refresh_token")), 401, oauth.CodeInvalidToken},
		{"a token of a revoked session", http.MethodGet, "", "", "", bearer(revoked.Str("access_token")), 401, oauth.CodeInvalidToken},
		{"a token without openid", http.MethodGet, "", "", "", bearer(noOpenID), 403, oauth.CodeInsufficientScope},
		{"another method", http.MethodDelete, "", "", "", bearer(pair.Str("access_token")), 405, oauth.CodeMethodNotAllowed},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := r.Do(tc.method, "/oauth2/userinfo"+tc.target, tc.contentType, tc.body, tc.header)
			if got.Status != tc.status || got.Str("error") != tc.code && tc.code != "" || got.JSON["sub"] != nil {
				t.Fatalf("userinfo = %d %s; want %d %s and no claims", got.Status, got.Body, tc.status, tc.code)
			}
			challenge := got.Header.Get(oauth.HeaderWWWAuthenticate)
			switch {
			case tc.status == 401 && tc.code == "" && (challenge == "" || strings.Contains(challenge, "error=")):
				t.Errorf("WWW-Authenticate = %q; want a Bearer challenge without an error code (RFC 6750 §3.1)", challenge)
			case tc.status == 401 && tc.code != "" && !strings.Contains(challenge, `error="`+tc.code+`"`):
				t.Errorf("WWW-Authenticate = %q; want error=%q", challenge, tc.code)
			case tc.status == 403 && !strings.Contains(challenge, `error="insufficient_scope"`):
				t.Errorf("WWW-Authenticate = %q; want error=\"insufficient_scope\"", challenge)
			}
		})
	}
}

// A user whose claims were never set, or a client's own token with
// openid, gets sub alone.
func TestUserInfoSubOnly(t *testing.T) {
	t.Parallel()
	h := apptest.New(t)
	sub := h.User("bob", testPassword)
	c, secret := h.Client(tokens.ClientSpec{Grants: []string{oauth.GrantPassword}, Scopes: []string{"openid", "email"}})
	at := h.Token(c.ID, secret, url.Values{"grant_type": {"password"}, "username": {"bob"}, "password": {testPassword},
		"scope": {"openid email"}}).Str("access_token")
	if got := h.Do(http.MethodGet, "/oauth2/userinfo", "", "", bearer(at)); got.Status != 200 || !reflect.DeepEqual(got.JSON, map[string]any{"sub": sub}) {
		t.Errorf("userinfo of a user without claims = %d %s; want {\"sub\": %q}", got.Status, got.Body, sub)
	}
	cc := clientToken(h, "openid")
	if got := h.Do(http.MethodGet, "/oauth2/userinfo", "", "", bearer(cc)); got.Status != 200 || len(got.JSON) != 1 || got.Str("sub") == "" {
		t.Errorf("userinfo of a client_credentials token = %d %s; want sub alone", got.Status, got.Body)
	}
}

// The password grant with openid returns an ID token too.
func TestPasswordGrantIDToken(t *testing.T) {
	r := newUserinfoRig(t)
	resp := r.token("openid email")
	claims := jwtPayload(resp.Str("id_token"))
	if claims["sub"] != r.subject || claims["aud"] != r.client.ID || claims["email"] != "alice@example.com" || claims["at_hash"] != tokens.AccessTokenHash(resp.Str("access_token")) {
		t.Errorf("ID token claims = %v; want sub, aud the client, email and at_hash of the access token", claims)
	}
	if plain := r.token("read"); plain.Str("id_token") != "" {
		t.Errorf("without openid: id_token = %q; want none", plain.Str("id_token"))
	}
}

// Both discovery documents are one document, with what a certified
// OpenID provider lists.
func TestDiscoveryDocuments(t *testing.T) {
	t.Parallel()
	h := apptest.New(t)
	oidc := h.Do(http.MethodGet, "/.well-known/openid-configuration", "", "", nil)
	oauthMeta := h.Do(http.MethodGet, "/.well-known/oauth-authorization-server", "", "", nil)
	if oidc.Status != 200 || oidc.Body != oauthMeta.Body {
		t.Fatalf("openid-configuration = %d %s; want 200 and the RFC 8414 document %s", oidc.Status, oidc.Body, oauthMeta.Body)
	}
	iss := h.App.Config.Issuer
	for field, want := range map[string]any{
		"issuer":                                         iss,
		"authorization_endpoint":                         iss + "/oauth2/authorize",
		"token_endpoint":                                 iss + "/oauth2/token",
		"userinfo_endpoint":                              iss + "/oauth2/userinfo",
		"jwks_uri":                                       iss + "/.well-known/jwks.json",
		"end_session_endpoint":                           iss + "/oauth2/logout",
		"response_types_supported":                       []any{"code"},
		"subject_types_supported":                        []any{"public"},
		"id_token_signing_alg_values_supported":          []any{"RS256", "ES256"},
		"code_challenge_methods_supported":               []any{"S256"},
		"authorization_response_iss_parameter_supported": true,
		"request_uri_parameter_supported":                false,
	} {
		if got := oidc.JSON[field]; !reflect.DeepEqual(got, want) {
			t.Errorf("%s = %v; want %v", field, got, want)
		}
	}
	for field, member := range map[string]string{
		"scopes_supported": "offline_access", "grant_types_supported": oauth.GrantAuthorizationCode,
		"claims_supported": "email", "token_endpoint_auth_methods_supported": oauth.AuthNone,
	} {
		if list := toStrings(oidc.JSON[field]); !strings.Contains(" "+strings.Join(list, " ")+" ", " "+member+" ") {
			t.Errorf("%s = %v; want %s among them", field, list, member)
		}
	}
}

// The budget of userinfo, counted at the SDK with the client and key set
// warm: the read that authenticates the bearer JWT (its jti and session
// state) and one read of the user's claims; no writes.
func TestUserInfoRequestBudget(t *testing.T) {
	t.Parallel()
	h := apptest.NewDynamo(t)
	h.User(testUser, testPassword)
	if _, err := h.App.Service.SetUserClaims(context.Background(), testUser, map[string]any{"email": "alice@example.com"}); err != nil {
		t.Fatal(err)
	}
	c, secret := h.Client(tokens.ClientSpec{Grants: []string{oauth.GrantPassword, oauth.GrantRefreshToken},
		Scopes: []string{"openid", "email"}, AllowOfflineAccess: true})
	at := h.Token(c.ID, secret, url.Values{"grant_type": {"password"}, "username": {testUser}, "password": {testPassword},
		"scope": {"openid email offline_access"}}).Str("access_token")
	h.DB.Counter.Reset()
	r := h.Do(http.MethodGet, "/oauth2/userinfo", "", "", bearer(at))
	if r.Status != 200 || r.Str("email") != "alice@example.com" {
		t.Fatalf("userinfo = %d %s", r.Status, r.Body)
	}
	ops := h.DB.Counter.Ops()
	if ops["BatchGetItem"] != 1 || ops["GetItem"] != 1 || h.DB.Counter.Reads() != 2 || h.DB.Counter.Writes() != 0 {
		t.Errorf("userinfo calls = %v; want one BatchGetItem (token state), one GetItem (claims) and no writes", ops)
	}
}
