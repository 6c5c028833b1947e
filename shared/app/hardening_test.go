package app_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/latchkey/latchkey/shared/app"
	"github.com/latchkey/latchkey/shared/app/apptest"
	"github.com/latchkey/latchkey/shared/config"
	"github.com/latchkey/latchkey/shared/signing"
	"github.com/latchkey/latchkey/shared/tokens"
)

// Regression tests of issue 11 ("Security hardening, round 2"), end to
// end over HTTP on DynamoDB Local: each is named after the defect it pins
// and listed in docs/security.md.

// Issue 11 §1: tokens:mint let its holder mint latchkey:admin, or any
// scope, for any subject, an admin client's id included, and the minted
// token signed out any user. A caller mints only scopes it holds; an admin
// scope only from latchkey:admin; a client's id only from latchkey:admin.
func TestMintCannotEscalateToAdmin(t *testing.T) {
	f := newFixture(t, tokens.ClientSpec{})
	victim := f.subject()
	adminClient := f.newClient(tokens.ClientSpec{Grants: []string{"client_credentials"}, Scopes: []string{tokens.ScopeAdmin}})
	admin := f.ccToken(adminClient)
	minterClient := f.newClient(tokens.ClientSpec{Grants: []string{"client_credentials"}, Scopes: []string{tokens.ScopeTokensMint, "read"}})
	minter := f.ccToken(minterClient)
	for _, tc := range []struct {
		name, token, body string
		status            int
	}{
		{"tokens:mint mints latchkey:admin", minter, mintBody("x", victim, tokens.ScopeAdmin), 403},
		{"tokens:mint mints latchkey:admin for itself", minter, mintBody("x", "", tokens.ScopeAdmin), 403},
		{"tokens:mint mints latchkey:admin for the admin client", minter, mintBody("x", adminClient.id, tokens.ScopeAdmin), 403},
		{"tokens:mint mints sessions:revoke", minter, mintBody("x", victim, tokens.ScopeSessionsRevoke), 403},
		{"tokens:mint mints sessions:read", minter, mintBody("x", victim, tokens.ScopeSessionsRead), 403},
		{"tokens:mint mints a scope it lacks", minter, mintBody("x", victim, "write"), 403},
		{"tokens:mint mints its own scope for the admin client", minter, mintBody("x", adminClient.id, "read"), 403},
		{"tokens:mint mints its own scope for another client", minter, mintBody("x", f.client.ID, "read"), 403},
		{"tokens:mint mints its own scope for a user", minter, mintBody("x", victim, "read"), 201},
		{"tokens:mint mints tokens:mint, which it holds", minter, mintBody("x", victim, tokens.ScopeTokensMint), 201},
		{"tokens:mint mints for itself", minter, mintBody("x", "", "read"), 201},
		{"latchkey:admin mints latchkey:admin", admin, mintBody("x", victim, tokens.ScopeAdmin), 201},
		{"latchkey:admin mints for a client", admin, mintBody("x", minterClient.id, "read"), 201},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := mint(f.Harness, tc.token, tc.body)
			if tc.status == 201 {
				if r.Status != 201 || !longLivedShape.MatchString(r.Str("token")) {
					t.Fatalf("mint = %d %s; want 201 with a token", r.Status, r.Body)
				}
				return
			}
			wantBearerChallenge(t, r, tc.status, "insufficient_scope")
		})
	}

	// The attack of the report: mint an admin token, then sign a user
	// out with it. Whatever tokens:mint can mint, no token it gets signs
	// out a subject other than the token's own.
	other := f.User(otherUser, testPassword)
	session := f.passwordLogin(f.own(), otherUser)
	for _, body := range []string{mintBody("x", victim, "read"), mintBody("x", victim, tokens.ScopeTokensMint), mintBody("x", "", "read")} {
		minted := mint(f.Harness, minter, body).Str("token")
		r := f.deleteAs(minted, "/sessions?subject="+url.QueryEscape(other))
		wantBearerChallenge(t, r, http.StatusForbidden, "insufficient_scope")
	}
	wantActiveToken(t, f.introspectAs(f.own(), session.Str("access_token")), "the other user's access token")
}

// Issue 11 §17: an unknown token_type_hint got 400 unsupported_token_type;
// RFC 7009 §2.1 lets the server ignore the hint, and Latchkey does: the
// token is revoked whatever the hint says.
func TestUnknownTokenTypeHintIsIgnored(t *testing.T) {
	f := newFixture(t, tokens.ClientSpec{})
	for _, hint := range []string{"id_token", "urn:ietf:params:oauth:token-type:jwt", "", "refresh_token", "Access_Token"} {
		login := f.login("read offline_access")
		for _, token := range []string{login.Str("access_token"), login.Str("refresh_token")} {
			wantOKNoStore(t, f.revokeAs(f.own(), token, "token_type_hint", hint))
			wantInactiveToken(t, f.introspectAs(f.own(), token), "a token revoked with hint "+hint)
		}
	}
}

// Issue 11 §4 over HTTP: DELETE /sessions?subject=S revokes the subject's
// long-lived tokens with its sessions; keep_long_lived=true opts out.
func TestLongLivedTokensDoNotSurviveSignOutOverHTTP(t *testing.T) {
	f := newFixture(t, tokens.ClientSpec{AllowSelfMint: true})
	sub := f.subject()
	for _, tc := range []struct {
		query       string
		status      int
		revoked     float64
		tokenActive bool
	}{
		{"&keep_long_lived=true", 200, 1, true},
		{"&keep_long_lived=false", 200, 2, false},
		{"", 200, 2, false},
		{"&keep_long_lived=yes", 400, 0, true},
	} {
		user := f.login("read offline_access").Str("access_token")
		minted := mint(f.Harness, user, mintBody("ci", "", "read")).Str("token")
		r := f.deleteAs(user, "/sessions?subject="+url.QueryEscape(sub)+tc.query)
		if r.Status != tc.status || (tc.status == 200 && r.JSON["revoked"] != tc.revoked) {
			t.Errorf("DELETE /sessions?subject=me%s = %d %s; want %d revoked %v", tc.query, r.Status, r.Body, tc.status, tc.revoked)
		}
		if got := f.introspectAs(f.own(), minted).JSON["active"] == true; got != tc.tokenActive {
			t.Errorf("after DELETE /sessions?subject=me%s the self-minted token is active: %v; want %v", tc.query, got, tc.tokenActive)
		}
		f.deleteAs(minted, "/sessions?subject="+url.QueryEscape(sub)) // clean up for the next case
	}
}

// stalledDynamoDB accepts connections and never answers: a DynamoDB that
// is stalled, not dead. It returns its URL and a stop that drops every
// connection (also done when t ends).
func stalledDynamoDB(t *testing.T) (string, func()) {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var conns []net.Conn
	var mu sync.Mutex
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
		}
	}()
	stop := func() {
		l.Close()
		mu.Lock()
		defer mu.Unlock()
		for _, c := range conns {
			c.Close()
		}
	}
	t.Cleanup(stop)
	return "http://" + l.Addr().String(), stop
}

// Issue 11 §13: a stalled DynamoDB made requests hang until it resumed.
// Every request has a deadline (here shortened from the local 5 s), and
// a request whose store call outlives it answers 503
// temporarily_unavailable with Retry-After, through the real SDK.
func TestEveryRequestHasADeadline(t *testing.T) {
	t.Setenv("AWS_ACCESS_KEY_ID", "local")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "local")
	endpoint, resume := stalledDynamoDB(t)
	cfg := config.Config{
		TableName: "stalled", Issuer: "https://auth.test", Region: "us-east-1", DynamoDBEndpoint: endpoint,
		KeyEncryptionKey: bytes.Repeat([]byte{7}, 32), ClientCacheTTL: 30 * time.Second, KeyCacheTTL: 5 * time.Minute,
	}
	a, err := app.New(context.Background(), cfg, app.Options{LogOutput: io.Discard, Passwords: apptest.CheapPasswords})
	if err != nil {
		t.Fatal(err)
	}
	a.API.SetRequestTimeout(300 * time.Millisecond)
	srv := httptest.NewServer(a.Handler())
	defer srv.Close()
	for _, tc := range []struct{ name, method, path, body string }{
		{"token", http.MethodPost, "/oauth2/token", "grant_type=client_credentials&client_id=abc&client_secret=x"},
		{"password", http.MethodPost, "/oauth2/token", "grant_type=password&username=u&password=p&client_id=abc&client_secret=x"},
		{"introspect", http.MethodPost, "/oauth2/introspect", "token=lk_at_x&client_id=abc&client_secret=x"},
		{"jwks", http.MethodGet, "/.well-known/jwks.json", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			done := make(chan *http.Response, 1)
			go func() {
				req, _ := http.NewRequest(tc.method, srv.URL+tc.path, strings.NewReader(tc.body))
				req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
				res, err := srv.Client().Do(req)
				if err != nil {
					t.Error(err)
				}
				done <- res
			}()
			select {
			case res := <-done:
				if res == nil {
					return
				}
				defer res.Body.Close()
				if res.StatusCode != http.StatusServiceUnavailable || res.Header.Get("Retry-After") == "" {
					t.Errorf("%s %s with DynamoDB stalled = %d, Retry-After %q; want 503 with Retry-After", tc.method, tc.path, res.StatusCode, res.Header.Get("Retry-After"))
				}
			case <-time.After(20 * time.Second):
				resume() // lets the hung request, and the server's Close, end
				t.Fatalf("%s %s with DynamoDB stalled: no answer; want 503 once the request's deadline passed", tc.method, tc.path)
			}
		})
	}
}

// secretReaders returns what GetSecretValue the function's policies allow.
func secretReaders(tpl tplNode, function string) []string {
	var out []string
	for _, p := range tpl.get("Resources", function, "Properties", "Policies").Content {
		for _, st := range (tplNode{p}).get("Statement").Content {
			s := tplNode{st}
			if s.get("Action").Value == "secretsmanager:GetSecretValue" {
				out = append(out, s.get("Resource").str())
			}
		}
	}
	return out
}

// Issue 11 §14: the sessions-list function read the key-encryption secret
// only to derive its cursor MAC key; with its table read it could have
// unsealed the signing keys. It now has a secret of its own, which opens
// nothing else, and no way to the key-encryption key: not in its
// environment, its role's policy or the secret's resource policy.
func TestSessionsListHoldsNoKeyEncryptionKey(t *testing.T) {
	tpl := loadTemplate(t)
	vars := tpl.get("Resources", "SessionsListFunction", "Properties", "Environment", "Variables")
	for _, name := range []string{"KEY_ENCRYPTION_SECRET_ARN", "KEY_ENCRYPTION_KEY"} {
		if vars.get(name).Node != nil {
			t.Errorf("SessionsListFunction is given %s", name)
		}
	}
	if got := vars.get("CURSOR_KEY_SECRET_ARN").str(); got != "!Ref CursorKeySecret" {
		t.Errorf("SessionsListFunction CURSOR_KEY_SECRET_ARN = %q; want !Ref CursorKeySecret", got)
	}
	if got := secretReaders(tpl, "SessionsListFunction"); !slices.Equal(got, []string{"!Ref CursorKeySecret"}) {
		t.Errorf("SessionsListFunction may read the secrets %v; want only CursorKeySecret", got)
	}
	for _, id := range tpl.resources("AWS::Serverless::Function") {
		if id != "SessionsListFunction" && slices.Contains(secretReaders(tpl, id), "!Ref CursorKeySecret") {
			t.Errorf("%s may read the cursor secret", id)
		}
	}
	if flow := tpl.get("Resources", "KeyEncryptionSecretPolicy").flow(); strings.Contains(flow, "SessionsListFunctionRole") {
		t.Errorf("the key-encryption secret's policy lets the sessions-list role read it: %s", flow)
	}
	if flow := tpl.get("Resources", "CursorKeySecretPolicy", "Properties", "ResourcePolicy").flow(); !strings.Contains(flow, "Effect: Deny Principal: \"*\" Action: secretsmanager:GetSecretValue") ||
		!strings.Contains(flow, "ArnNotEquals: aws:PrincipalArn: !GetAtt SessionsListFunctionRole.Arn") {
		t.Errorf("the cursor secret's policy = %s; want GetSecretValue denied to all but the sessions-list role", flow)
	}

	// The function as configured on AWS (a cursor key, no key-encryption
	// key) pages through a subject's sessions, and cannot sign.
	signer := apptest.New(t)
	c, secret := signer.Client(tokens.ClientSpec{Grants: []string{"password"}, Scopes: []string{"read"}, AllowOfflineAccess: true})
	subject := signer.User(testUser, testPassword)
	for range 3 {
		r := signer.Token(c.ID, secret, url.Values{"grant_type": {"password"}, "username": {testUser}, "password": {testPassword}, "scope": {"read offline_access"}})
		if r.Status != 200 {
			t.Fatalf("login = %d %s", r.Status, r.Body)
		}
	}
	cfg := signer.App.Config
	cfg.KeyEncryptionKey, cfg.CursorKey = nil, bytes.Repeat([]byte{9}, 32)
	list, err := app.New(context.Background(), cfg, app.Options{Store: signer.Mem, Now: signer.Clock.Now, LogOutput: io.Discard})
	if err != nil {
		t.Fatal(err)
	}
	admin := tokens.Principal{Subject: "ops", Scopes: []string{tokens.ScopeSessionsRead}}
	page, err := list.Service.ListSessions(context.Background(), admin, tokens.SessionsRequest{Subject: subject, Limit: 2})
	if err != nil || len(page.Entries) != 2 || page.NextCursor == "" {
		t.Fatalf("first page = %d entries, cursor %q, %v; want 2 and a cursor", len(page.Entries), page.NextCursor, err)
	}
	rest, err := list.Service.ListSessions(context.Background(), admin, tokens.SessionsRequest{Subject: subject, Limit: 2, Cursor: page.NextCursor})
	if err != nil || len(rest.Entries) != 1 {
		t.Errorf("second page = %d entries, %v; want 1", len(rest.Entries), err)
	}
	if err := list.Keys.Rotate(context.Background()); !errors.Is(err, signing.ErrVerifyOnly) {
		t.Errorf("the sessions-list process can make signing keys: %v; want signing.ErrVerifyOnly (no key-encryption key)", err)
	}
}
