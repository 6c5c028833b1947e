package app_test

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/latchkey/latchkey/shared/app/apptest"
	"github.com/latchkey/latchkey/shared/oauth"
	"github.com/latchkey/latchkey/shared/tokens"
)

// Resource indicators (RFC 8707) at the token endpoint, in introspection,
// on the sessions page and for minted tokens.

const (
	resourceA = "https://a.api.example"
	resourceB = "https://b.api.example/v1"
	resourceC = "https://c.api.example"
)

// audOf returns a JWT's aud as a list (RFC 7519 §4.1.3: a string when
// there is one).
func audOf(token string) []string {
	switch aud := jwtPayload(token)["aud"].(type) {
	case string:
		return []string{aud}
	case []any:
		return toStrings(aud)
	}
	return nil
}

// writes counts the store's writes since the last ResetOps.
func writes(h *apptest.Harness) int {
	n := 0
	for op, count := range h.Mem.Ops() {
		if !strings.HasPrefix(op, "Get") && !strings.HasPrefix(op, "List") && op != "AccessState" && op != "ActiveSessions" {
			n += count
		}
	}
	return n
}

func TestResourceClientCredentials(t *testing.T) {
	t.Parallel()
	h := apptest.New(t)
	c, secret := h.Client(tokens.ClientSpec{Grants: []string{oauth.GrantClientCredentials}, Scopes: []string{"read"},
		Resources: []string{resourceA, resourceB}})
	ref, refSecret := h.Client(tokens.ClientSpec{Grants: []string{oauth.GrantClientCredentials}, Scopes: []string{"read"},
		Resources: []string{resourceA}, AccessTokenFormat: tokens.FormatReference})
	introspect := introspector(h)
	for _, tc := range []struct {
		name      string
		id, sec   string
		resources []string
		want      []string
		code      string
	}{
		{"none: the issuer", c.ID, secret, nil, []string{h.App.Config.Issuer}, ""},
		{"one", c.ID, secret, []string{resourceA}, []string{resourceA}, ""},
		{"two", c.ID, secret, []string{resourceB, resourceA}, []string{resourceB, resourceA}, ""},
		{"reference token", ref.ID, refSecret, []string{resourceA}, []string{resourceA}, ""},
		{"not registered", c.ID, secret, []string{resourceC}, nil, oauth.CodeInvalidTarget},
		{"one of two not registered", c.ID, secret, []string{resourceA, resourceC}, nil, oauth.CodeInvalidTarget},
		{"fragment", c.ID, secret, []string{resourceA + "#x"}, nil, oauth.CodeInvalidTarget},
		{"relative", c.ID, secret, []string{"a.api.example"}, nil, oauth.CodeInvalidTarget},
		{"registered for another client", ref.ID, refSecret, []string{resourceB}, nil, oauth.CodeInvalidTarget},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h.Mem.ResetOps()
			r := h.Token(tc.id, tc.sec, url.Values{"grant_type": {"client_credentials"}, "resource": tc.resources})
			if tc.code != "" {
				if r.Status != 400 || r.Str("error") != tc.code || r.Str("access_token") != "" || writes(h) != 0 {
					t.Fatalf("token = %d %s, %d writes; want 400 %s, no token, nothing written", r.Status, r.Body, writes(h), tc.code)
				}
				return
			}
			if r.Status != 200 {
				t.Fatalf("token = %d %s; want 200", r.Status, r.Body)
			}
			if !strings.HasPrefix(r.Str("access_token"), tokens.ReferenceTokenPrefix) && !slices.Equal(audOf(r.Str("access_token")), tc.want) {
				t.Errorf("JWT aud = %v; want %v", audOf(r.Str("access_token")), tc.want)
			}
			if got := toStrings(introspect(r.Str("access_token")).JSON["aud"]); !slices.Equal(got, tc.want) {
				t.Errorf("introspection aud = %v; want %v", got, tc.want)
			}
		})
	}
}

// A session's resources are fixed when it starts; a refresh may narrow
// its tokens to some of them, never widen, and a refused refresh spends
// nothing.
func TestResourceRefreshNarrows(t *testing.T) {
	t.Parallel()
	h := apptest.New(t)
	h.User(testUser, testPassword)
	c, secret := h.Client(tokens.ClientSpec{Grants: []string{oauth.GrantPassword, oauth.GrantRefreshToken}, Scopes: []string{"read"},
		AllowOfflineAccess: true, Resources: []string{resourceA, resourceB, resourceC}})
	r := h.Token(c.ID, secret, url.Values{"grant_type": {"password"}, "username": {testUser}, "password": {testPassword},
		"scope": {"read offline_access"}, "resource": {resourceA, resourceB}})
	if r.Status != 200 || !slices.Equal(audOf(r.Str("access_token")), []string{resourceA, resourceB}) {
		t.Fatalf("password grant = %d %s; want aud [%s %s]", r.Status, r.Body, resourceA, resourceB)
	}
	introspect := introspector(h)
	if got := toStrings(introspect(r.Str("refresh_token")).JSON["aud"]); !slices.Equal(got, []string{resourceA, resourceB}) {
		t.Errorf("introspection of the refresh token: aud = %v; want the session's resources", got)
	}
	refresh := func(rt string, resources ...string) apptest.Response {
		return h.Token(c.ID, secret, url.Values{"grant_type": {"refresh_token"}, "refresh_token": {rt}, "resource": resources})
	}
	h.Mem.ResetOps()
	if wide := refresh(r.Str("refresh_token"), resourceC); wide.Status != 400 || wide.Str("error") != oauth.CodeInvalidTarget || writes(h) != 0 {
		t.Fatalf("refresh widened to %s = %d %s, %d writes; want invalid_target and nothing written", resourceC, wide.Status, wide.Body, writes(h))
	}
	narrow := refresh(r.Str("refresh_token"), resourceB)
	if narrow.Status != 200 || !slices.Equal(audOf(narrow.Str("access_token")), []string{resourceB}) {
		t.Fatalf("refresh narrowed to %s = %d %s; want 200 with aud [%s] (the refused refresh spent nothing)", resourceB, narrow.Status, narrow.Body, resourceB)
	}
	again := refresh(narrow.Str("refresh_token"))
	if again.Status != 200 || !slices.Equal(audOf(again.Str("access_token")), []string{resourceA, resourceB}) {
		t.Errorf("refresh without resource = %d %s; want the session's resources again", again.Status, again.Body)
	}
	list := h.Do(http.MethodGet, "/sessions?subject="+url.QueryEscape(jwtPayload(r.Str("access_token"))["sub"].(string)), "", "",
		bearer(clientToken(h, tokens.ScopeAdmin)))
	rows, _ := list.JSON["sessions"].([]any)
	if len(rows) != 1 || !slices.Equal(toStrings(rows[0].(map[string]any)["resources"]), []string{resourceA, resourceB}) {
		t.Errorf("sessions page = %d %s; want one session with resources [%s %s]", list.Status, list.Body, resourceA, resourceB)
	}
}

// A long-lived token can be minted for one resource: an administrator
// for any, a user only for its client's.
func TestResourceMint(t *testing.T) {
	t.Parallel()
	h := apptest.New(t)
	admin := clientToken(h, tokens.ScopeAdmin)
	introspect := introspector(h)
	m := mint(h, admin, `{"name":"ci","subject":"usr_ci","scopes":["read"],"resource":"`+resourceA+`"}`)
	if m.Status != 201 || m.Str("resource") != resourceA {
		t.Fatalf("mint = %d %s; want 201 with resource %s", m.Status, m.Body, resourceA)
	}
	if got := toStrings(introspect(m.Str("token")).JSON["aud"]); !slices.Equal(got, []string{resourceA}) {
		t.Errorf("introspection aud = %v; want [%s]", got, resourceA)
	}
	if plain := mint(h, admin, `{"name":"plain","subject":"usr_ci","scopes":["read"]}`); plain.Status != 201 || plain.Str("resource") != "" ||
		introspect(plain.Str("token")).JSON["aud"] != nil {
		t.Errorf("mint without resource = %d %s; want no resource and no aud, as before", plain.Status, plain.Body)
	}
	if bad := mint(h, admin, `{"name":"bad","subject":"usr_ci","scopes":["read"],"resource":"`+resourceA+`#frag"}`); bad.Status != 400 || bad.Str("error") != oauth.CodeInvalidTarget {
		t.Errorf("mint with a fragment = %d %s; want 400 invalid_target", bad.Status, bad.Body)
	}
	h.User(testUser, testPassword)
	c, secret := h.Client(tokens.ClientSpec{Grants: []string{oauth.GrantPassword}, Scopes: []string{"read"}, AllowSelfMint: true,
		Resources: []string{resourceA}})
	user := h.Token(c.ID, secret, url.Values{"grant_type": {"password"}, "username": {testUser}, "password": {testPassword}}).Str("access_token")
	h.Mem.ResetOps()
	if other := mint(h, user, `{"name":"mine","scopes":["read"],"resource":"`+resourceB+`"}`); other.Status != 400 || other.Str("error") != oauth.CodeInvalidTarget || writes(h) != 0 {
		t.Errorf("self-mint for an unregistered resource = %d %s, %d writes; want 400 invalid_target and nothing written", other.Status, other.Body, writes(h))
	}
	if own := mint(h, user, `{"name":"mine","scopes":["read"],"resource":"`+resourceA+`"}`); own.Status != 201 || own.Str("resource") != resourceA {
		t.Errorf("self-mint for its client's resource = %d %s; want 201", own.Status, own.Body)
	}
}
