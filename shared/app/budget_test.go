package app_test

import (
	"context"
	"encoding/json"
	"maps"
	"net/url"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/latchkey/latchkey/shared/app/apptest"
	"github.com/latchkey/latchkey/shared/tokens"
)

// The request budget of docs/design.md §6, counted at the SDK: deterministic,
// so asserted exactly.
func TestRequestBudget(t *testing.T) {
	f := newDynamoFixture(t, tokens.ClientSpec{RefreshReuseGrace: 0})
	cc := url.Values{"grant_type": {"client_credentials"}}
	if _, err := f.App.Service.JWKS(context.Background()); err != nil { // load the key set once, as a warm container has
		t.Fatal(err)
	}
	token := f.login("read offline_access").Str("refresh_token")
	other, otherSecret := f.Client(tokens.ClientSpec{Grants: []string{"client_credentials"}, Scopes: []string{"read"}})
	for _, tc := range []struct {
		name          string
		run           func() int
		reads, writes int
	}{
		{"client_credentials, client not cached", func() int { return f.Token(other.ID, otherSecret, cc).Status }, 1, 0},
		{"client_credentials, client cached", func() int { return f.Token(other.ID, otherSecret, cc).Status }, 0, 0},
		{"refresh", func() int {
			r := f.refresh(token)
			token = r.Str("refresh_token")
			return r.Status
		}, 1, 1},
		{"refresh in the grace window of a strict client is reuse", func() int { return f.refresh(token).Status }, 1, 1},
	} {
		f.DB.Counter.Reset()
		status := tc.run()
		if status != 200 && !strings.Contains(tc.name, "reuse") {
			t.Fatalf("%s: status %d", tc.name, status)
		}
		if r, w := f.DB.Counter.Reads(), f.DB.Counter.Writes(); r != tc.reads || w != tc.writes {
			t.Errorf("%s: %d reads, %d writes (%v); want %d, %d", tc.name, r, w, f.DB.Counter.Ops(), tc.reads, tc.writes)
		}
	}
}

// The budgets of the bearer endpoints (docs/design.md §6): minting is one
// write and a sessions page one query, each after the one read that
// authenticates the bearer JWT (its jti and session state); a reference
// token costs its own write. Counted with the client and key set warm.
func TestBearerRequestBudget(t *testing.T) {
	f := newDynamoFixture(t, tokens.ClientSpec{})
	admin := clientToken(f.Harness, tokens.ScopeAdmin)
	ref := f.referenceClient()
	sub, subject := f.login("read offline_access"), f.subject()
	wantActiveToken(t, f.introspectAs(f.own(), sub.Str("access_token")), "warm-up") // loads the key set, caches f's client
	f.ccToken(ref)                                                                  // caches the reference client
	for _, tc := range []struct {
		name   string
		status int
		run    func() apptest.Response
		ops    map[string]int
	}{
		{"mint with an admin bearer", 201, func() apptest.Response {
			return mint(f.Harness, admin, mintBody("budget", subject, "read"))
		}, map[string]int{"BatchGetItem": 1, "PutItem": 1}},
		{"sessions page with an admin bearer", 200, func() apptest.Response {
			return f.sessions(admin, "subject="+url.QueryEscape(subject))
		}, map[string]int{"BatchGetItem": 1, "Query": 1}},
		{"sessions page with the user's own JWT", 200, func() apptest.Response {
			return f.sessions(sub.Str("access_token"), "")
		}, map[string]int{"BatchGetItem": 1, "Query": 1}},
		{"client_credentials, reference token, client cached", 200, func() apptest.Response {
			return f.Token(ref.id, ref.secret, url.Values{"grant_type": {"client_credentials"}})
		}, map[string]int{"PutItem": 1}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f.DB.Counter.Reset()
			if r := tc.run(); r.Status != tc.status {
				t.Fatalf("status = %d %s; want %d", r.Status, r.Body, tc.status)
			}
			if got := f.DB.Counter.Ops(); !maps.Equal(got, tc.ops) {
				t.Errorf("requests = %v; want %v", got, tc.ops)
			}
		})
	}
}

// Invariant 5: after a full flow, a dump of the table and of the logs holds
// no token, client secret or password.
func TestNothingSecretAtRest(t *testing.T) {
	f := newDynamoFixture(t, tokens.ClientSpec{RefreshReuseGrace: 0})
	secrets := []string{f.secret, testPassword}
	login := f.login("read write offline_access")
	secrets = append(secrets, login.Str("access_token"), login.Str("refresh_token"))
	r := f.refresh(login.Str("refresh_token"))
	secrets = append(secrets, r.Str("access_token"), r.Str("refresh_token"))
	cc := f.Token(f.client.ID, f.secret, url.Values{"grant_type": {"client_credentials"}})
	secrets = append(secrets, cc.Str("access_token"))
	f.refresh(login.Str("refresh_token")) // reuse: revokes, logs
	f.Token(f.client.ID, "wrong-"+f.secret, url.Values{"grant_type": {"client_credentials"}})

	dump := scanTable(t, f)
	logs := f.Logs.String()
	for _, s := range secrets {
		if s == "" {
			t.Fatal("a secret of the flow is empty; the flow failed")
		}
		for _, part := range secretParts(s) {
			if strings.Contains(dump, part) {
				t.Errorf("the table holds %q (part of a secret)", part)
			}
			if strings.Contains(logs, part) {
				t.Errorf("the logs hold %q (part of a secret)", part)
			}
		}
	}
}

// secretParts returns the pieces of a secret whose presence alone would
// leak it: the whole, and for a refresh token its MAC and for a JWT its
// signature.
func secretParts(s string) []string {
	parts := []string{s}
	if i := strings.LastIndex(s, "."); i > 0 && i < len(s)-1 {
		parts = append(parts, s[i+1:])
	}
	return parts
}

func scanTable(t *testing.T, f fixture) string {
	t.Helper()
	out, err := f.DB.Client.Scan(context.Background(), &dynamodb.ScanInput{TableName: &f.DB.Table})
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	for _, item := range out.Items {
		j, _ := json.Marshal(item)
		b.Write(j)
	}
	if len(out.Items) < 3 {
		t.Fatalf("scan found %d items; want client, user, session and keys", len(out.Items))
	}
	return b.String()
}
