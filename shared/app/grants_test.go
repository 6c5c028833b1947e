package app_test

import (
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/latchkey/latchkey/shared/app/apptest"
	"github.com/latchkey/latchkey/shared/tokens"
)

func TestScopes(t *testing.T) {
	f := newFixture(t, tokens.ClientSpec{})
	token := f.login("read write offline_access").Str("refresh_token")
	for _, tc := range []struct {
		name      string
		run       func() apptest.Response
		wantScope string
		wantErr   string
	}{
		{"client_credentials default is every allowed scope", func() apptest.Response {
			return f.Token(f.client.ID, f.secret, url.Values{"grant_type": {"client_credentials"}})
		}, "read write", ""},
		{"client_credentials narrows", func() apptest.Response {
			return f.Token(f.client.ID, f.secret, url.Values{"grant_type": {"client_credentials"}, "scope": {"write"}})
		}, "write", ""},
		{"client_credentials beyond the client", func() apptest.Response {
			return f.Token(f.client.ID, f.secret, url.Values{"grant_type": {"client_credentials"}, "scope": {"read admin"}})
		}, "", "invalid_scope"},
		{"client_credentials never offline", func() apptest.Response {
			return f.Token(f.client.ID, f.secret, url.Values{"grant_type": {"client_credentials"}, "scope": {"offline_access"}})
		}, "", "invalid_scope"},
		{"refresh downscopes", func() apptest.Response { return f.refresh(token, "scope", "read") }, "read", ""},
		{"refresh cannot widen", func() apptest.Response { return f.refresh(token, "scope", "read delete") }, "", "invalid_scope"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := tc.run()
			if tc.wantErr != "" {
				wantError(t, r, 400, tc.wantErr)
				return
			}
			if r.Status != 200 || r.Str("scope") != tc.wantScope {
				t.Errorf("answer = %d %s; want 200 scope %q", r.Status, r.Body, tc.wantScope)
			}
		})
	}
}

func TestDownscopedRefreshKeepsTheSessionScopes(t *testing.T) {
	f := newFixture(t, tokens.ClientSpec{RefreshReuseGrace: 0})
	token := f.login("read write offline_access").Str("refresh_token")
	narrow := f.refresh(token, "scope", "read")
	full := f.refresh(narrow.Str("refresh_token"))
	if full.Status != 200 || full.Str("scope") != "read write offline_access" {
		t.Errorf("refresh after downscoping = %d scope %q; want the session's full scope back (RFC 6749 §6)", full.Status, full.Str("scope"))
	}
}

// A refresh token is issued only when the client allows offline access and
// the request asks for it (docs/design.md §2).
func TestOfflineAccessGating(t *testing.T) {
	t.Parallel()
	h := apptest.New(t)
	h.User(testUser, testPassword)
	online, onlineSecret := h.Client(tokens.ClientSpec{Grants: []string{"password", "refresh_token"}, Scopes: []string{"read"}})
	offline, offlineSecret := h.Client(tokens.ClientSpec{Grants: []string{"password", "refresh_token"}, Scopes: []string{"read"}, AllowOfflineAccess: true})
	login := func(id, secret, scope string) apptest.Response {
		return h.Token(id, secret, url.Values{"grant_type": {"password"}, "username": {testUser}, "password": {testPassword}, "scope": {scope}})
	}
	for _, tc := range []struct {
		name        string
		r           apptest.Response
		wantRefresh bool
		wantErr     string
	}{
		{"offline client asking", login(offline.ID, offlineSecret, "read offline_access"), true, ""},
		{"offline client not asking", login(offline.ID, offlineSecret, "read"), false, ""},
		{"online client asking", login(online.ID, onlineSecret, "read offline_access"), false, "invalid_scope"},
		{"online client not asking", login(online.ID, onlineSecret, "read"), false, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.wantErr != "" {
				wantError(t, tc.r, 400, tc.wantErr)
				return
			}
			if tc.r.Status != 200 || (tc.r.Str("refresh_token") != "") != tc.wantRefresh {
				t.Errorf("answer = %d %s; want 200, refresh token %v", tc.r.Status, tc.r.Body, tc.wantRefresh)
			}
		})
	}
}

// The password grant never says whether the user exists, and repeated
// failures lock the account (docs/design.md §2).
func TestPasswordFailuresAndLockout(t *testing.T) {
	f := newFixture(t, tokens.ClientSpec{})
	try := func(user, pw string) apptest.Response {
		return f.Token(f.client.ID, f.secret, url.Values{"grant_type": {"password"}, "username": {user}, "password": {pw}})
	}
	unknown, wrong := try("nobody", "whatever-password"), try(testUser, "wrong-password")
	if unknown.Body != wrong.Body || unknown.Status != wrong.Status {
		t.Errorf("unknown user = %d %s, wrong password = %d %s; want identical", unknown.Status, unknown.Body, wrong.Status, wrong.Body)
	}
	for range 9 {
		try(testUser, "wrong-password")
	}
	locked := try(testUser, testPassword)
	if locked.Body != wrong.Body {
		t.Errorf("right password while locked = %d %s; want the same invalid_grant as a wrong one", locked.Status, locked.Body)
	}
	if !strings.Contains(f.Logs.String(), `"event":"account_locked"`) {
		t.Error("no account_locked audit event")
	}
	f.Clock.Advance(15*time.Minute + time.Second)
	if r := try(testUser, testPassword); r.Status != 200 {
		t.Errorf("right password after the lockout = %d %s; want 200", r.Status, r.Body)
	}
	if r := try(testUser, "wrong-password"); r.Str("error") != "invalid_grant" {
		t.Errorf("one failure after a success = %s; want invalid_grant", r.Body)
	}
	if r := try(testUser, testPassword); r.Status != 200 {
		t.Errorf("success resets the count: right password = %d %s; want 200", r.Status, r.Body)
	}
}
