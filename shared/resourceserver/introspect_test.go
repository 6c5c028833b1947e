package resourceserver_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/latchkey/latchkey/shared/fakeclock"
	"github.com/latchkey/latchkey/shared/oauth"
	"github.com/latchkey/latchkey/shared/resourceserver"
	"github.com/latchkey/latchkey/shared/tokens"
)

// TestReferenceTokensNeedIntrospection: Latchkey's reference tokens are
// opaque, so only a guard that introspects accepts them, for the resource
// they name; an answer is reused for CacheTTL, then asked again.
func TestReferenceTokensNeedIntrospection(t *testing.T) {
	l := newLatchkey(t)
	id, secret := l.registerWithResources(tokens.FormatReference)
	ref := l.token(id, secret, "notes:read", resourceA)
	if !strings.HasPrefix(ref, tokens.ReferenceTokenPrefix) {
		t.Fatalf("token = %.10s…; want a reference token", ref)
	}
	offline := serve(t, l.guard(resourceA, nil))
	online := serve(t, l.guard(resourceA, &resourceserver.Introspection{}))
	otherResource := serve(t, l.guard(resourceB, &resourceserver.Introspection{}))
	steps := []struct {
		name      string
		server    *httptest.Server
		advance   time.Duration
		want      int
		wantCalls int64
	}{
		{"without introspection", offline, 0, http.StatusUnauthorized, 0},
		{"with introspection", online, 0, http.StatusOK, 1},
		{"again within the cache TTL", online, resourceserver.DefaultIntrospectCacheTTL - time.Second, http.StatusOK, 1},
		{"again after the cache TTL", online, time.Second, http.StatusOK, 2},
		{"at another resource", otherResource, 0, http.StatusUnauthorized, 3},
	}
	for _, s := range steps {
		l.Clock.Advance(s.advance)
		if got := call(t, s.server, bearer(ref)); got.status != s.want {
			t.Fatalf("%s: status = %d (%s); want %d", s.name, got.status, got.body, s.want)
		}
		if got := l.introspections.Load(); got != s.wantCalls {
			t.Fatalf("%s: introspection calls = %d; want %d", s.name, got, s.wantCalls)
		}
	}
}

// TestRevocationSeenByIntrospection: a revoked JWT is still accepted by a
// guard that only verifies signatures (until its exp, as documented), and
// refused by one with CheckJWTs once its cached answer is CacheTTL old.
func TestRevocationSeenByIntrospection(t *testing.T) {
	l := newLatchkey(t)
	tok := l.token(l.clientID, l.secret, "notes:read", resourceA)
	offline := serve(t, l.guard(resourceA, nil))
	online := serve(t, l.guard(resourceA, &resourceserver.Introspection{CheckJWTs: true}))
	for name, s := range map[string]*httptest.Server{"offline": offline, "online": online} {
		if got := call(t, s, bearer(tok)); got.status != http.StatusOK {
			t.Fatalf("%s before revocation: status = %d (%s); want 200", name, got.status, got.body)
		}
	}
	if r := l.PostForm("/oauth2/revoke", l.clientID, l.secret, url.Values{"token": {tok}}); r.Status != http.StatusOK {
		t.Fatalf("revoke = %d %s; want 200", r.Status, r.Body)
	}
	l.Clock.Advance(resourceserver.DefaultIntrospectCacheTTL)
	if got := call(t, offline, bearer(tok)); got.status != http.StatusOK {
		t.Errorf("offline guard after revocation: status = %d; want 200 (it cannot see revocations)", got.status)
	}
	if got := call(t, online, bearer(tok)); got.status != http.StatusUnauthorized {
		t.Errorf("introspecting guard after revocation: status = %d; want 401", got.status)
	}
}

// TestLongLivedTokens: a long-lived token names no audience, so it is
// refused unless the guard accepts audience-less introspected tokens.
func TestLongLivedTokens(t *testing.T) {
	l := newLatchkey(t)
	admin, secret := l.Client(tokens.ClientSpec{Grants: []string{oauth.GrantClientCredentials}, Scopes: []string{"tokens:mint", "notes:read"}})
	adminToken := l.token(admin.ID, secret, "tokens:mint notes:read")
	r := l.Do(http.MethodPost, "/tokens", "application/json", `{"name":"mcp","subject":"usr_1","scopes":["notes:read"]}`, bearer(adminToken))
	lt := r.Str("token")
	if r.Status != http.StatusCreated && r.Status != http.StatusOK || lt == "" {
		t.Fatalf("mint = %d %s; want a token", r.Status, r.Body)
	}
	strict := serve(t, l.guard(resourceA, &resourceserver.Introspection{}), "notes:read")
	lenient := serve(t, l.guard(resourceA, &resourceserver.Introspection{AcceptNoAudience: true}), "notes:read")
	if got := call(t, strict, bearer(lt)); got.status != http.StatusUnauthorized {
		t.Errorf("strict guard: status = %d; want 401", got.status)
	}
	if got := call(t, lenient, bearer(lt)); got.status != http.StatusOK || !strings.HasPrefix(got.body, "hello usr_1") {
		t.Errorf("lenient guard: %d %s; want 200 hello usr_1", got.status, got.body)
	}
}

// TestIntrospectionAnswers holds active answers to what the guard wants
// of any token, with an introspection endpoint the test controls.
func TestIntrospectionAnswers(t *testing.T) {
	exp := testStart.Add(time.Hour).Unix()
	good := `"active":true,"token_type":"Bearer","iss":"` + testIssuer + `","sub":"usr_1","scope":"notes:read","exp":` + itoa(exp)
	tests := []struct {
		name, body string
		ok         bool
	}{
		{"active, aud array", `{` + good + `,"aud":["` + testResource + `"]}`, true},
		{"active, aud string", `{` + good + `,"aud":"` + testResource + `"}`, true},
		{"inactive", `{"active":false}`, false},
		{"refresh token", `{"active":true,"token_type":"refresh_token","iss":"` + testIssuer + `","aud":["` + testResource + `"]}`, false},
		{"another issuer", `{"active":true,"token_type":"Bearer","iss":"https://evil.test","aud":["` + testResource + `"]}`, false},
		{"another audience", `{` + good + `,"aud":["https://b.test"]}`, false},
		{"no audience", `{` + good + `}`, false},
		{"expired", `{"active":true,"token_type":"Bearer","aud":"` + testResource + `","exp":` + itoa(testStart.Add(-time.Minute).Unix()) + `}`, false},
		{"not yet valid", `{` + good + `,"aud":"` + testResource + `","nbf":` + itoa(testStart.Add(time.Minute).Unix()) + `}`, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if user, pass, _ := r.BasicAuth(); user != "rs" || pass != "s3cret" || r.PostFormValue("token") != "lk_at_x" {
					http.Error(w, "bad request", http.StatusUnauthorized)
					return
				}
				_, _ = w.Write([]byte(tc.body))
			}))
			defer srv.Close()
			g, err := resourceserver.New(resourceserver.Config{
				Resource: testResource, Issuer: testIssuer, Now: fakeclock.New(testStart).Now,
				Introspection: &resourceserver.Introspection{URL: srv.URL, ClientID: "rs", ClientSecret: "s3cret"},
			})
			if err != nil {
				t.Fatal(err)
			}
			tok, err := g.Verify(context.Background(), "lk_at_x")
			if tc.ok != (err == nil) {
				t.Fatalf("Verify = %+v, %v; want ok %v", tok, err, tc.ok)
			}
			if !tc.ok && !errors.Is(err, resourceserver.ErrInvalidToken) {
				t.Fatalf("Verify error = %v; want ErrInvalidToken", err)
			}
		})
	}
}

// TestIntrospectionOutage: an unreachable introspection endpoint is 503
// with Retry-After and no challenge, so a client does not start signing
// in again for an outage.
func TestIntrospectionOutage(t *testing.T) {
	down := httptest.NewServer(http.NotFoundHandler())
	down.Close()
	g, err := resourceserver.New(resourceserver.Config{
		Resource: testResource, Issuer: testIssuer,
		Introspection: &resourceserver.Introspection{URL: down.URL, ClientID: "rs", ClientSecret: "s"},
	})
	if err != nil {
		t.Fatal(err)
	}
	got := call(t, serve(t, g), bearer("lk_at_x"))
	if got.status != http.StatusServiceUnavailable || got.challenge != "" || !strings.Contains(got.body, "temporarily_unavailable") {
		t.Fatalf("answer = %+v; want 503 temporarily_unavailable without a challenge", got)
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
