package app_test

import (
	"context"
	"maps"
	"net/url"
	"reflect"
	"testing"
	"time"

	"github.com/latchkey/latchkey/shared/tokens"
)

// Token exchange (RFC 8693) over HTTP: a service allowed to exchange
// turns alice's access token into one that acts for her.

const (
	grantTokenExchange = "urn:ietf:params:oauth:grant-type:token-exchange"
	tokenTypeAccess    = "urn:ietf:params:oauth:token-type:access_token"
)

// exchangeService registers a confidential client that may exchange,
// holding read and deploy.
func (f fixture) exchangeService(format string) clientCred {
	return f.newClient(tokens.ClientSpec{
		Grants: []string{"client_credentials"}, Scopes: []string{"read", "deploy"}, MayExchange: true, AccessTokenFormat: format,
	})
}

// exchange posts a token exchange request as c for subject.
func (f fixture) exchange(c clientCred, subject string, extra ...string) map[string]any {
	f.T.Helper()
	form := url.Values{"grant_type": {grantTokenExchange}, "subject_token": {subject}, "subject_token_type": {tokenTypeAccess}}
	for i := 0; i+1 < len(extra); i += 2 {
		form.Add(extra[i], extra[i+1])
	}
	r := f.Token(c.id, c.secret, form)
	if r.Header.Get("Cache-Control") != "no-store" {
		f.T.Errorf("exchange answer Cache-Control = %q; want no-store", r.Header.Get("Cache-Control"))
	}
	out := map[string]any{"status": float64(r.Status)}
	maps.Copy(out, r.JSON)
	return out
}

// TestTokenExchange: the exchanged token carries sub alice, act the
// service and the scopes both hold, in the JWT and in introspection; the
// answer names issued_token_type.
func TestTokenExchange(t *testing.T) {
	for _, format := range []string{tokens.FormatJWT, tokens.FormatReference} {
		t.Run(format, func(t *testing.T) {
			f := newFixture(t, tokens.ClientSpec{})
			svc := f.exchangeService(format)
			user := f.login("read write offline_access")
			alice := f.subject()
			got := f.exchange(svc, user.Str("access_token"))
			if got["status"] != 200.0 || got["issued_token_type"] != tokenTypeAccess || got["scope"] != "read" ||
				got["token_type"] != "Bearer" || got["refresh_token"] != nil {
				t.Fatalf("exchange = %v; want 200, issued_token_type access_token, scope read, no refresh token", got)
			}
			token := got["access_token"].(string)
			act := map[string]any{"sub": svc.id}
			if format == tokens.FormatJWT {
				p := jwtPayload(token)
				if p["sub"] != alice || p["client_id"] != svc.id || p["scope"] != "read" || !reflect.DeepEqual(p["act"], act) {
					t.Errorf("JWT claims = %v; want sub %s, client_id %s, scope read, act %v", p, alice, svc.id, act)
				}
			}
			in := f.introspectAs(svc, token)
			if in.JSON["active"] != true || in.JSON["sub"] != alice || in.JSON["scope"] != "read" || in.JSON["client_id"] != svc.id ||
				!reflect.DeepEqual(in.JSON["act"], act) {
				t.Errorf("introspection = %s; want active, sub %s, scope read, client_id and act.sub %s", in.Body, alice, svc.id)
			}
		})
	}
}

// TestTokenExchangeRefusals: over HTTP, with their status.
func TestTokenExchangeRefusals(t *testing.T) {
	f := newFixture(t, tokens.ClientSpec{})
	svc := f.exchangeService(tokens.FormatJWT)
	userAT := f.login("read write offline_access").Str("access_token")
	narrow := f.exchange(svc, userAT, "scope", "read")["access_token"].(string)
	wide := f.newClient(tokens.ClientSpec{Grants: []string{"client_credentials"}, Scopes: []string{"read", "write"}, MayExchange: true})
	for _, tc := range []struct {
		name  string
		got   map[string]any
		code  string
		state float64
	}{
		{"a client not allowed to exchange", f.exchange(f.own(), userAT), "unauthorized_client", 400},
		{"a scope the service does not hold", f.exchange(svc, userAT, "scope", "write"), "invalid_scope", 400},
		{"an exchanged token into wider scopes", f.exchange(wide, narrow, "scope", "read write"), "invalid_scope", 400},
		{"a resource the service may not ask for", f.exchange(svc, userAT, "resource", "https://elsewhere.test"), "invalid_target", 400},
		{"a subject token that is not one", f.exchange(svc, "lk_at_nothing"), "invalid_request", 400},
	} {
		if tc.got["status"] != tc.state || tc.got["error"] != tc.code || tc.got["error_description"] == "" {
			t.Errorf("%s: answer = %v; want %v %s with a description", tc.name, tc.got, tc.state, tc.code)
		}
	}
}

// TestTokenExchangeBudget: on DynamoDB Local, an exchange reads the
// subject token's state once (a JWT's jti and session, or a reference
// token and its session, in one BatchGetItem) and, issuing a JWT, writes
// nothing; the client is cached.
func TestTokenExchangeBudget(t *testing.T) {
	f := newDynamoFixture(t, tokens.ClientSpec{})
	if _, err := f.App.Service.JWKS(context.Background()); err != nil {
		t.Fatal(err)
	}
	svc, ref := f.exchangeService(tokens.FormatJWT), f.exchangeService(tokens.FormatReference)
	userAT := f.login("read offline_access").Str("access_token")
	userRef := f.passwordLogin(f.referenceClient(), testUser).Str("access_token")
	f.exchange(svc, userAT) // caches both clients
	f.exchange(ref, userAT)
	for _, tc := range []struct {
		name    string
		as      clientCred
		subject string
		ops     map[string]int
	}{
		{"JWT for a JWT", svc, userAT, map[string]int{"BatchGetItem": 1}},
		{"reference token for a JWT", ref, userAT, map[string]int{"BatchGetItem": 1, "PutItem": 1}},
		{"JWT for a reference token", svc, userRef, map[string]int{"BatchGetItem": 1}},
	} {
		f.DB.Counter.Reset()
		if got := f.exchange(tc.as, tc.subject); got["status"] != 200.0 {
			t.Fatalf("%s: exchange = %v", tc.name, got)
		}
		if got := f.DB.Counter.Ops(); !maps.Equal(got, tc.ops) {
			t.Errorf("%s: requests = %v; want %v", tc.name, got, tc.ops)
		}
	}
}

// jobService registers a service that may exchange into job sessions.
func (f fixture) jobService() clientCred {
	return f.newClient(tokens.ClientSpec{
		Grants: []string{"client_credentials", "refresh_token"}, Scopes: []string{"read"}, MayExchange: true,
		AllowOfflineAccess: true, RefreshAbsoluteTTL: 24 * time.Hour,
	})
}

// TestJobSessionOverHTTP: with offline_access the exchange answers a
// refresh token of a job session, which the sessions page lists with act
// and which the service refreshes at /oauth2/token after alice's own
// session is revoked.
func TestJobSessionOverHTTP(t *testing.T) {
	f := newFixture(t, tokens.ClientSpec{})
	svc := f.jobService()
	user := f.login("read offline_access")
	got := f.exchange(svc, user.Str("access_token"), "scope", "read offline_access")
	job, _ := got["refresh_token"].(string)
	if got["status"] != 200.0 || job == "" || got["scope"] != "read offline_access" {
		t.Fatalf("exchange with offline_access = %v; want a refresh token", got)
	}
	page := f.sessions(user.Str("access_token"), "client_id="+url.QueryEscape(svc.id))
	rows, _ := page.JSON["sessions"].([]any)
	if len(rows) != 1 || !reflect.DeepEqual(rows[0].(map[string]any)["act"], map[string]any{"sub": svc.id}) {
		t.Fatalf("sessions page of the service = %s; want the job session with act", page.Body)
	}
	if r := f.deleteAs(user.Str("access_token"), "/sessions/"+f.session(user.Str("refresh_token")).ID); r.Status != 200 {
		t.Fatalf("revoking alice's own session = %d %s", r.Status, r.Body)
	}
	r := f.Token(svc.id, svc.secret, url.Values{"grant_type": {"refresh_token"}, "refresh_token": {job}})
	if r.Status != 200 || !reflect.DeepEqual(jwtPayload(r.Str("access_token"))["act"], map[string]any{"sub": svc.id}) {
		t.Errorf("job refresh after alice's session ended = %d %s; want 200 with act", r.Status, r.Body)
	}
}

// TestJobSessionBudget: on DynamoDB Local, an exchange that starts a job
// session reads the subject's state, queries the subject's sessions of the
// service (the session cap) and writes the session.
func TestJobSessionBudget(t *testing.T) {
	f := newDynamoFixture(t, tokens.ClientSpec{})
	if _, err := f.App.Service.JWKS(context.Background()); err != nil {
		t.Fatal(err)
	}
	svc := f.jobService()
	userAT := f.login("read offline_access").Str("access_token")
	f.exchange(svc, userAT) // caches the client
	f.DB.Counter.Reset()
	if got := f.exchange(svc, userAT, "scope", "read offline_access"); got["status"] != 200.0 || got["refresh_token"] == nil {
		t.Fatalf("exchange = %v", got)
	}
	if got, want := f.DB.Counter.Ops(), map[string]int{"BatchGetItem": 1, "Query": 1, "PutItem": 1}; !maps.Equal(got, want) {
		t.Errorf("requests = %v; want %v", got, want)
	}
}
