package app_test

import (
	"context"
	"maps"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"golang.org/x/oauth2"

	"github.com/latchkey/latchkey/shared/app/apptest"
	"github.com/latchkey/latchkey/shared/oauth"
	"github.com/latchkey/latchkey/shared/tokens"
)

// deviceFixture is a harness with a public client allowed the device
// grant (RFC 8628), the test user, and a browser for the verification page.
type deviceFixture struct {
	*apptest.Harness
	client tokens.Client
	b      *apptest.Browser
}

func newDeviceFixture(t *testing.T, h *apptest.Harness) deviceFixture {
	t.Helper()
	c, _ := h.Client(tokens.ClientSpec{Name: "Kitchen TV", Public: true,
		Grants: []string{oauth.GrantDeviceCode, oauth.GrantRefreshToken}, Scopes: []string{"openid", "read"}, AllowOfflineAccess: true})
	h.User(testUser, testPassword)
	return deviceFixture{Harness: h, client: c, b: h.Browser()}
}

// start asks for a device code.
func (d deviceFixture) start(scope string) apptest.Response {
	d.T.Helper()
	r := d.PostForm("/oauth2/device_authorization", "", "", url.Values{"client_id": {d.client.ID}, "scope": {scope}})
	if r.Status != http.StatusOK {
		d.T.Fatalf("device authorization = %d %s; want 200", r.Status, r.Body)
	}
	return r
}

// poll is one device access token request.
func (d deviceFixture) poll(deviceCode string) apptest.Response {
	d.T.Helper()
	return d.PostForm("/oauth2/token", "", "", url.Values{"grant_type": {oauth.GrantDeviceCode},
		"device_code": {deviceCode}, "client_id": {d.client.ID}})
}

// enter types a user code into the verification page's form.
func (d deviceFixture) enter(typed string) apptest.Page {
	d.T.Helper()
	if form := d.b.Get("/oauth2/device"); form.Status != http.StatusOK {
		d.T.Fatalf("GET /oauth2/device = %d", form.Status)
	}
	return d.b.Post("/oauth2/device", url.Values{"user_code": {typed}})
}

// approval enters a user code, signs in when asked, and returns the
// approval page.
func (d deviceFixture) approval(typed string) apptest.Page {
	d.T.Helper()
	p := d.enter(typed)
	if p.Status != http.StatusSeeOther {
		d.T.Fatalf("entering %q = %d %s; want 303", typed, p.Status, p.Body)
	}
	if strings.HasPrefix(p.Location(), "/oauth2/login?") {
		p = d.b.LogIn(d.b.Get(p.Location()), testUser, testPassword)
	}
	if !strings.HasPrefix(p.Location(), "/oauth2/device?request=") {
		d.T.Fatalf("after the code: %d to %q; want the approval page", p.Status, p.Location())
	}
	page := d.b.Get(p.Location())
	if page.Status != http.StatusOK || !strings.Contains(page.Body, `name="decision" value="allow"`) {
		d.T.Fatalf("approval page = %d %s", page.Status, page.Body)
	}
	return page
}

// decide presses a button of the approval page.
func (d deviceFixture) decide(page apptest.Page, decision string) apptest.Page {
	d.T.Helper()
	return d.b.Post("/oauth2/device", url.Values{"request": {page.Field("request")}, "decision": {decision}})
}

func wantDeviceError(t *testing.T, what string, r apptest.Response, code string) {
	t.Helper()
	if r.Status != http.StatusBadRequest || r.Str("error") != code || r.Header.Get("Cache-Control") != "no-store" {
		t.Fatalf("%s = %d %s (Cache-Control %q); want 400 %s, no-store", what, r.Status, r.Body, r.Header.Get("Cache-Control"), code)
	}
}

// TestDeviceFlowGoClient runs the device flow end to end with
// golang.org/x/oauth2's own device support: DeviceAuth, the user
// approving on the verification page over HTTPS (signing in on the way,
// the code typed in lower case without its dash), DeviceAccessToken.
func TestDeviceFlowGoClient(t *testing.T) {
	t.Parallel()
	d := newDeviceFixture(t, apptest.New(t))
	conf := &oauth2.Config{ClientID: d.client.ID, Scopes: []string{"openid", "read", "offline_access"},
		Endpoint: oauth2.Endpoint{DeviceAuthURL: d.Server.URL + "/oauth2/device_authorization",
			TokenURL: d.Server.URL + "/oauth2/token", AuthStyle: oauth2.AuthStyleInParams}}
	ctx := context.Background()
	da, err := conf.DeviceAuth(ctx)
	if err != nil {
		t.Fatalf("DeviceAuth: %v", err)
	}
	if da.VerificationURI != "https://auth.test/oauth2/device" || da.VerificationURIComplete != da.VerificationURI+"?user_code="+da.UserCode ||
		da.Interval != 5 || len(da.UserCode) != 9 || da.UserCode[4] != '-' || strings.Trim(strings.ReplaceAll(da.UserCode, "-", ""), tokens.UserCodeAlphabet) != "" {
		t.Fatalf("DeviceAuth = %+v; want the verification URIs, interval 5 and a XXXX-XXXX code", da)
	}
	if form := d.b.Get("/oauth2/device?user_code=" + url.QueryEscape(da.UserCode)); form.Field("user_code") != da.UserCode {
		t.Fatalf("verification_uri_complete's form holds %q; want %q", form.Field("user_code"), da.UserCode)
	}
	typed := strings.ToLower(strings.ReplaceAll(da.UserCode, "-", ""))
	done := d.decide(d.approval(typed), "allow")
	if done.Status != http.StatusOK || !strings.Contains(done.Body, "Device connected") {
		t.Fatalf("allow = %d %s", done.Status, done.Body)
	}
	da.Interval = 1 // the harness's clock stands still: one poll, a second from now
	tok, err := conf.DeviceAccessToken(ctx, da)
	if err != nil {
		t.Fatalf("DeviceAccessToken: %v", err)
	}
	if tok.AccessToken == "" || !strings.HasPrefix(tok.RefreshToken, "lk_rt_") {
		t.Fatalf("token = %+v; want an access and a refresh token", tok)
	}
	claims := d.introspect(tok.AccessToken)
	if claims.Str("sub") == "" || claims.Str("client_id") != d.client.ID || claims.Str("scope") != "openid read offline_access" {
		t.Errorf("introspection = %s; want the user's token of the client with the approved scopes", claims.Body)
	}
	if _, err := conf.DeviceAccessToken(ctx, da); err == nil || !strings.Contains(err.Error(), "invalid_grant") {
		t.Errorf("the device code again: %v; want invalid_grant", err)
	}
}

// introspect asks for a token's state with an admin client.
func (d deviceFixture) introspect(token string) apptest.Response {
	d.T.Helper()
	rs, secret := d.Client(tokens.ClientSpec{Name: "rs", Grants: []string{oauth.GrantClientCredentials}, Scopes: []string{"read"}, Introspect: true})
	return d.PostForm("/oauth2/introspect", rs.ID, secret, url.Values{"token": {token}})
}

// TestDevicePollingAnswers: every answer of the polling client, on the
// harness's clock, and what each poll costs the store: one conditional
// write that returns the grant and no read; two writes on slow_down.
func TestDevicePollingAnswers(t *testing.T) {
	t.Parallel()
	d := newDeviceFixture(t, apptest.New(t))
	start := d.start("openid read")
	code := start.Str("device_code")
	if !strings.HasPrefix(code, tokens.DeviceCodePrefix) {
		t.Fatalf("device_code = %q", code)
	}
	polls := []struct {
		name    string
		advance time.Duration
		code    string
		ops     int
	}{
		{"the first poll", 0, oauth.CodeAuthorizationPending, 1},
		{"at once again", 0, oauth.CodeSlowDown, 2},
		{"after 5 s, the old interval", 5 * time.Second, oauth.CodeSlowDown, 2},
		{"after 15 s, the interval raised twice", 15 * time.Second, oauth.CodeAuthorizationPending, 1},
		{"after 14 s", 14 * time.Second, oauth.CodeSlowDown, 2},
	}
	for _, p := range polls {
		d.Clock.Advance(p.advance)
		d.Mem.ResetOps()
		wantDeviceError(t, p.name, d.poll(code), p.code)
		if got := d.Mem.Ops(); got["PollDevice"] != 1 || sum(got)-got["GetClient"] != 1 {
			t.Errorf("%s: store calls = %v; want PollDevice once and nothing else", p.name, got)
		}
	}
	d.decide(d.approval(start.Str("user_code")), "allow")
	d.Clock.Advance(25 * time.Second) // the interval is 25 s now
	if r := d.poll(code); r.Status != http.StatusOK || r.Str("access_token") == "" || r.Str("refresh_token") != "" {
		t.Fatalf("after approval = %d %s; want the tokens, no refresh token without offline_access", r.Status, r.Body)
	}
	d.Clock.Advance(time.Minute)
	wantDeviceError(t, "the device code used twice", d.poll(code), oauth.CodeInvalidGrant)
	other := newDeviceFixture(t, apptest.New(t))
	wantDeviceError(t, "an unknown device code", other.poll(code), oauth.CodeInvalidGrant)
	wantDeviceError(t, "no device code", d.poll(""), oauth.CodeInvalidRequest)
}

func sum(m map[string]int) int {
	n := 0
	for _, v := range m {
		n += v
	}
	return n
}

// TestDeviceDenied: deny on the approval page answers access_denied, and
// the user code cannot be decided again.
func TestDeviceDenied(t *testing.T) {
	t.Parallel()
	d := newDeviceFixture(t, apptest.New(t))
	start := d.start("read")
	page := d.approval(start.Str("user_code"))
	if done := d.decide(page, "deny"); done.Status != http.StatusOK || !strings.Contains(done.Body, "Request denied") {
		t.Fatalf("deny = %d %s", done.Status, done.Body)
	}
	wantDeviceError(t, "poll after deny", d.poll(start.Str("device_code")), oauth.CodeAccessDenied)
	other := d.approval(d.start("read").Str("user_code"))
	for _, p := range []apptest.Page{ // a device's request is no authorization request
		d.b.Get("/oauth2/consent?request=" + url.QueryEscape(other.Field("request"))),
		d.b.Decide(other, "allow"),
	} {
		if p.Status != http.StatusBadRequest {
			t.Errorf("the consent page with a device's request = %d; want 400", p.Status)
		}
	}
	if again := d.decide(d.approval(start.Str("user_code")), "allow"); again.Status != http.StatusBadRequest {
		t.Errorf("allow after deny = %d; want 400", again.Status)
	}
	d.Clock.Advance(10 * time.Second)
	wantDeviceError(t, "poll after the second decision", d.poll(start.Str("device_code")), oauth.CodeAccessDenied)
}

// TestDeviceCodeExpires: ten minutes on, the device code answers
// expired_token and the user code is refused on the page.
func TestDeviceCodeExpires(t *testing.T) {
	t.Parallel()
	d := newDeviceFixture(t, apptest.New(t))
	start := d.start("read")
	if start.JSON["expires_in"] != 600.0 || start.JSON["interval"] != 5.0 {
		t.Fatalf("answer = %s; want expires_in 600, interval 5", start.Body)
	}
	d.Clock.Advance(tokens.DeviceCodeTTL - time.Nanosecond)
	page := d.approval(start.Str("user_code")) // still valid
	d.Clock.Advance(time.Nanosecond)
	wantDeviceError(t, "poll at expiry", d.poll(start.Str("device_code")), oauth.CodeExpiredToken)
	if p := d.enter(start.Str("user_code")); p.Status != http.StatusBadRequest || !strings.Contains(p.Body, "not valid or has expired") {
		t.Errorf("the user code at expiry = %d %s; want the form again", p.Status, p.Body)
	}
	if p := d.decide(page, "allow"); p.Status != http.StatusBadRequest {
		t.Errorf("allow at expiry = %d; want 400", p.Status)
	}
	d.Clock.Advance(2 * time.Hour)
	wantDeviceError(t, "poll once the grant is gone", d.poll(start.Str("device_code")), oauth.CodeInvalidGrant)
}

// TestDeviceUserCodeEntriesLimited: a source may enter ten user codes in
// a window; the eleventh is refused, a right one included, without a
// lookup; the next window allows entries again.
func TestDeviceUserCodeEntriesLimited(t *testing.T) {
	t.Parallel()
	d := newDeviceFixture(t, apptest.New(t))
	start := d.start("read")
	for i := range 10 {
		if p := d.enter("BCDF-GHJK"); p.Status != http.StatusBadRequest || !strings.Contains(p.Body, "not valid") {
			t.Fatalf("wrong code %d = %d %s; want the form again", i+1, p.Status, p.Body)
		}
	}
	d.Mem.ResetOps()
	if p := d.enter(start.Str("user_code")); p.Status != http.StatusBadRequest || !strings.Contains(p.Body, "Too many codes") {
		t.Fatalf("the eleventh entry = %d %s; want refused", p.Status, p.Body)
	}
	if got := d.Mem.Ops(); got["GetDeviceByUserCode"] != 0 {
		t.Errorf("store calls = %v; want no lookup beyond the limit", got)
	}
	if p := d.enter("AEIO-UAEI"); p.Status != http.StatusBadRequest || !strings.Contains(p.Body, "not valid") {
		t.Errorf("a code with vowels = %d; want refused as malformed, uncounted", p.Status)
	}
	d.Clock.Advance(15 * time.Minute)
	if p := d.enter(d.start("read").Str("user_code")); p.Status != http.StatusSeeOther {
		t.Errorf("in the next window = %d %s; want 303", p.Status, p.Body)
	}
}

// TestDeviceAuthorizationRefusals: a client not allowed the grant, a
// scope it may not have, an unknown client.
func TestDeviceAuthorizationRefusals(t *testing.T) {
	t.Parallel()
	d := newDeviceFixture(t, apptest.New(t))
	web, _ := d.Client(tokens.ClientSpec{Name: "web", Public: true, Grants: []string{oauth.GrantAuthorizationCode},
		Scopes: []string{"read"}, RedirectURIs: []string{"https://app.example/cb"}})
	for _, tc := range []struct {
		name, client, scope, code string
		status                    int
	}{
		{"not allowed the grant", web.ID, "read", oauth.CodeUnauthorizedClient, 400},
		{"a scope beyond the client's", d.client.ID, "write", oauth.CodeInvalidScope, 400},
		{"an unknown client", "nobody", "read", oauth.CodeInvalidClient, 401},
	} {
		r := d.PostForm("/oauth2/device_authorization", "", "", url.Values{"client_id": {tc.client}, "scope": {tc.scope}})
		if r.Status != tc.status || r.Str("error") != tc.code {
			t.Errorf("%s = %d %s; want %d %s", tc.name, r.Status, r.Body, tc.status, tc.code)
		}
	}
}

// TestDeviceRequestBudget counts each step of the device flow at the SDK
// on DynamoDB Local, the client cached as in a warm container: a device
// authorization is one transaction (both codes); a poll is one
// conditional UpdateItem that returns the grant, no read (two writes on
// slow_down); a user code entry is the source's counted entry, the
// lookup and the pending request; the decision one conditional write
// after reading the pending request and the login; the tokens one
// UpdateItem more than a poll marks the grant used, then the session.
func TestDeviceRequestBudget(t *testing.T) {
	t.Parallel()
	d := newDeviceFixture(t, apptest.NewDynamo(t))
	d.start("read") // caches the client; the signing keys too:
	if _, err := d.App.Service.JWKS(context.Background()); err != nil {
		t.Fatal(err)
	}
	var start apptest.Response
	var page apptest.Page
	code := func() string { return start.Str("device_code") }
	for _, step := range []struct {
		name   string
		status int
		run    func() int
		ops    map[string]int
	}{
		{"device authorization", 200, func() int { start = d.start("openid read offline_access"); return start.Status },
			map[string]int{"TransactWriteItems": 1}},
		{"a poll, pending", 400, func() int { return d.poll(code()).Status }, map[string]int{"UpdateItem": 1}},
		{"a poll too early: slow_down", 400, func() int { return d.poll(code()).Status }, map[string]int{"UpdateItem": 2}},
		{"the verification page's form", 200, func() int { return d.b.Get("/oauth2/device").Status }, map[string]int{}},
		{"entering the user code, not signed in", 303, func() int {
			page = d.b.Post("/oauth2/device", url.Values{"user_code": {start.Str("user_code")}})
			return page.Status
		}, map[string]int{"UpdateItem": 1, "GetItem": 1, "PutItem": 1}},
		{"the login page", 200, func() int { page = d.b.Get(page.Location()); return page.Status }, map[string]int{"GetItem": 1}},
		{"signing in", 303, func() int { page = d.b.LogIn(page, testUser, testPassword); return page.Status },
			map[string]int{"GetItem": 2, "UpdateItem": 2, "PutItem": 1}},
		{"the approval page", 200, func() int { page = d.b.Get(page.Location()); return page.Status }, map[string]int{"GetItem": 3}},
		{"allowing", 200, func() int { return d.decide(page, "allow").Status }, map[string]int{"GetItem": 3, "UpdateItem": 1}},
		{"the poll that gets the tokens", 200, func() int { d.Clock.Advance(10 * time.Second); return d.poll(code()).Status },
			map[string]int{"UpdateItem": 2, "Query": 1, "PutItem": 1}},
		{"the device code again", 400, func() int { d.Clock.Advance(10 * time.Second); return d.poll(code()).Status },
			map[string]int{"UpdateItem": 1}},
	} {
		d.DB.Counter.Reset()
		if got := step.run(); got != step.status {
			t.Fatalf("%s: status %d; want %d", step.name, got, step.status)
		}
		if got := d.DB.Counter.Ops(); !maps.Equal(got, step.ops) {
			t.Errorf("%s: requests = %v; want %v", step.name, got, step.ops)
		}
	}
}

// TestIAMDevicePaths drives the device flow on DynamoDB Local, one
// process per function, for TestMain's comparison with template.yaml:
// the token function writes DEVICE# and USERCODE# and updates DEVICE#;
// the authorize function reads USERCODE# and updates DEVICE#.
func TestIAMDevicePaths(t *testing.T) {
	t.Parallel()
	d := newDeviceFixture(t, apptest.NewWith(t, apptest.Setup{DynamoDB: true, SeparateFunctions: true}))
	start := d.start("openid read")
	wantDeviceError(t, "pending", d.poll(start.Str("device_code")), oauth.CodeAuthorizationPending)
	wantDeviceError(t, "too early", d.poll(start.Str("device_code")), oauth.CodeSlowDown)
	d.decide(d.approval(start.Str("user_code")), "allow")
	d.Clock.Advance(time.Minute)
	if r := d.poll(start.Str("device_code")); r.Status != http.StatusOK {
		t.Fatalf("tokens = %d %s", r.Status, r.Body)
	}
	denied := d.start("read")
	d.decide(d.approval(denied.Str("user_code")), "deny") // signed in already: straight to the approval
	wantDeviceError(t, "denied", d.poll(denied.Str("device_code")), oauth.CodeAccessDenied)
}
