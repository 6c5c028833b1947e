package app_test

import (
	"flag"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/latchkey/latchkey/shared/app/apptest"
	"github.com/latchkey/latchkey/shared/config"
	"github.com/latchkey/latchkey/shared/config/configtest"
	"github.com/latchkey/latchkey/shared/tokens"
)

// TestMain runs the package's tests, then holds template.yaml's DynamoDB
// policies to what the functions did across them (issue 15 §1): every
// call each function made on DynamoDB Local — action, table or index, and
// the partition key's prefix that dynamodb:LeadingKeys sees — must be
// allowed by that function's policy, and every permission in the policy
// must have been used. Each DynamoDB harness already fails its own test
// for a call IAM would refuse; this adds the other direction, which only
// a full run can judge, so a filtered run (-run, -skip) or one without
// DynamoDB Local skips it. LATCHKEY_IAM_REPORT=1 prints what each
// function used.
func TestMain(m *testing.M) {
	code := m.Run()
	if code == 0 && !filtered() {
		code = checkIAM()
	}
	os.Exit(code)
}

// filtered reports whether the run selected only some tests.
func filtered() bool {
	for _, name := range []string{"test.run", "test.skip"} {
		if f := flag.Lookup(name); f != nil && f.Value.String() != "" {
			return true
		}
	}
	return false
}

func checkIAM() int {
	if endpoint, _ := configtest.DynamoDB(); endpoint == "" {
		return 0
	}
	used := apptest.Recorded.All()
	if os.Getenv("LATCHKEY_IAM_REPORT") == "1" {
		for _, a := range used {
			fmt.Printf("iam: %v (e.g. %s)\n", a, apptest.Recorded.Example(a))
		}
	}
	tpl, err := os.ReadFile(filepath.Join("..", "..", "template.yaml"))
	if err != nil {
		fmt.Println("iam:", err)
		return 1
	}
	grants, err := apptest.Policies(tpl)
	problems := 0
	if err != nil {
		fmt.Println("iam: template.yaml policies:", err)
		problems++
	}
	for _, a := range apptest.Disallowed(grants, used) {
		fmt.Printf("iam: FAIL: %v (key %s) is not allowed by template.yaml\n", a, apptest.Recorded.Example(a))
		problems++
	}
	for _, g := range apptest.Unused(grants, used) {
		fmt.Printf("iam: FAIL: template.yaml allows %v, which no test made the function use: remove it, or test the path that needs it\n", g)
		problems++
	}
	if problems > 0 {
		return 1
	}
	fmt.Printf("iam: template.yaml allows exactly the %d DynamoDB accesses the functions made\n", len(used))
	return 0
}

// TestIAMPaths drives, on DynamoDB Local, the paths of each function that
// reach DynamoDB in a way the rest of the suite may not (a cold key set,
// key rotation on use, login failures, the session cap's transaction, a
// reference-token client refreshing at /oauth2/refresh, long-lived
// bearers, every revocation route), so TestMain's comparison with
// template.yaml sees every permission a function needs.
func TestIAMPaths(t *testing.T) {
	f := iamFixture(t, tokens.ClientSpec{AllowSelfMint: true, MaxSessionsPerSubject: 2, RefreshReuseGrace: 0})
	ref := f.referenceClient()
	admin := f.adminToken(tokens.ScopeAdmin) // token: a cold key set and client
	wantStatus(t, "wrong password", f.Token(f.client.ID, f.secret, url.Values{
		"grant_type": {"password"}, "username": {testUser}, "password": {"wrong"},
	}), 400)
	old := f.login("read offline_access").Str("refresh_token") // resets the failures
	wantStatus(t, "refresh at the token endpoint", f.refresh(old), 200)
	wantStatus(t, "reuse at the token endpoint", f.refresh(old), 400)
	for range 3 { // beyond the cap of 2: evicts the oldest in one transaction
		f.Clock.Advance(time.Second)
		f.login("read offline_access")
	}
	f.Clock.Advance(time.Second)
	rotated := f.refresh(f.login("read offline_access").Str("refresh_token"))
	wantStatus(t, "refresh at the token endpoint", rotated, 200)

	wantStatus(t, "refresh endpoint, JWT client", f.refreshJSON(f.own(), f.login("read offline_access").Str("refresh_token")), 200)
	refLogin := f.passwordLogin(ref, testUser) // a reference access token
	viaJSON := f.refreshJSON(ref, refLogin.Str("refresh_token"))
	wantStatus(t, "refresh endpoint, reference client", viaJSON, 200)
	introspect := introspector(f.Harness)
	wantActiveToken(t, introspect(viaJSON.Str("access_token")), "a reference token")
	wantStatus(t, "reuse at the refresh endpoint", f.refreshJSON(ref, refLogin.Str("refresh_token")), 400)

	subject := f.subject()
	user := f.login("read offline_access")
	self := mint(f.Harness, user.Str("access_token"), mintBody("self", "", "read"))
	wantStatus(t, "mint with the user's own JWT", self, 201)
	long := mint(f.Harness, admin, mintBody("iam", subject, tokens.ScopeAdmin))
	wantStatus(t, "mint with an admin JWT", long, 201)
	lt := long.Str("token")

	for _, token := range []string{user.Str("access_token"), user.Str("refresh_token"), lt} {
		wantActiveToken(t, introspect(token), "a token of each kind")
	}
	wantStatus(t, "sessions page with the user's JWT", f.sessions(user.Str("access_token"), ""), 200)
	f.Clock.Advance(2 * time.Minute) // the long-lived token's last use is written again
	wantStatus(t, "sessions page with a long-lived bearer", f.sessions(lt, "subject="+url.QueryEscape(subject)), 200)
	f.Clock.Advance(2 * time.Minute)
	wantStatus(t, "mint with a long-lived bearer", mint(f.Harness, lt, mintBody("by-lt", subject, "read")), 201)
	f.Clock.Advance(2 * time.Minute)
	wantStatus(t, "delete a session with a long-lived bearer", f.deleteAs(lt, "/sessions/"+f.session(user.Str("refresh_token")).ID), 200)
	own := f.login("read offline_access")
	wantStatus(t, "delete a session with its own JWT", f.deleteAs(own.Str("access_token"), "/sessions/"+f.session(own.Str("refresh_token")).ID), 200)

	wantStatus(t, "revoke a JWT", f.revokeAs(f.own(), rotated.Str("access_token")), 200)
	wantStatus(t, "revoke a reference token", f.revokeAs(ref, f.passwordLogin(ref, testUser).Str("access_token")), 200)
	wantStatus(t, "revoke a refresh token", f.revokeAs(f.own(), rotated.Str("refresh_token")), 200)
	wantStatus(t, "revoke a subject's sessions", f.deleteAs(admin, "/sessions?subject="+url.QueryEscape(subject)), 200)
	wantStatus(t, "revoke a long-lived token", f.deleteAs(admin, "/tokens/"+self.Str("id")), 200)

	// Any function that signs rotates a key older than the period on use.
	fresh := f.login("read offline_access").Str("refresh_token")
	f.Clock.Advance(2 * time.Hour)
	wantStatus(t, "refresh endpoint rotating the signing key", f.refreshJSON(f.own(), fresh), 200)
}

// iamFixture is a fixture on DynamoDB Local with a process per function,
// as on AWS, so each function reads cold what it reads cold there, and
// with a signing key due for rotation after an hour.
func iamFixture(t *testing.T, spec tokens.ClientSpec) fixture {
	t.Helper()
	return fixtureOn(t, func(t testing.TB, o ...func(*config.Config)) *apptest.Harness {
		o = append(o, func(c *config.Config) { c.KeyRotationPeriod = time.Hour })
		return apptest.NewWith(t, apptest.Setup{Config: o, DynamoDB: true, SeparateFunctions: true})
	}, spec)
}

// refreshJSON presents a refresh token to /oauth2/refresh as JSON, with
// c's Basic credentials.
func (f fixture) refreshJSON(c clientCred, token string) apptest.Response {
	f.T.Helper()
	body := `{"refresh_token":` + strconv.Quote(token) + `}`
	return f.Do(http.MethodPost, "/oauth2/refresh", "application/json", body,
		http.Header{"Authorization": {apptest.BasicAuth(c.id, c.secret)}})
}

func wantStatus(t *testing.T, what string, r apptest.Response, status int) {
	t.Helper()
	if r.Status != status {
		t.Fatalf("%s = %d %s; want %d", what, r.Status, r.Body, status)
	}
}
