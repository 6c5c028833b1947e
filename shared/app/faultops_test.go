package app_test

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"testing"

	"github.com/latchkey/latchkey/shared/app/apptest"
	"github.com/latchkey/latchkey/shared/tokens"
)

// faultOps is every operation TestFaultInjection runs: each grant, both
// refresh endpoints, every revocation, every introspected token kind,
// mint and the sessions page. A warm client_credentials JWT makes no
// store call at all; its cold run covers the client and key-set reads.
var faultOps = []faultOp{
	{"client_credentials jwt", faultClientCredentials(func(r *faultRig) faultCred { return r.strict })},
	{"client_credentials reference", faultClientCredentials(func(r *faultRig) faultCred { return r.ref })},
	{"password offline_access", faultLogin(func(r *faultRig) faultCred { return r.strict }, false)},
	{"password offline_access evicting", faultLogin(func(r *faultRig) faultCred { return r.capped }, true)},
	{"password offline_access reference", faultLogin(func(r *faultRig) faultCred { return r.ref }, false)},
	{"refresh strict", faultRefresh(func(r *faultRig) faultCred { return r.strict }, false, false)},
	{"refresh grace", faultRefresh(func(r *faultRig) faultCred { return r.grace }, true, false)},
	{"refresh strict reference", faultRefresh(func(r *faultRig) faultCred { return r.ref }, false, false)},
	{"oauth2/refresh grace", faultRefresh(func(r *faultRig) faultCred { return r.grace }, true, true)},
	{"revoke refresh token", faultRevokeRefresh},
	{"revoke jwt", faultRevokeAccess(func(r *faultRig) faultCred { return r.strict })},
	{"revoke reference token", faultRevokeAccess(func(r *faultRig) faultCred { return r.ref })},
	{"DELETE sessions id", faultDeleteSession},
	{"DELETE sessions subject", faultDeleteSubject},
	{"DELETE tokens id", faultDeleteLongLived},
	{"introspect jwt", faultIntrospectAccess(func(r *faultRig) faultCred { return r.strict })},
	{"introspect reference", faultIntrospectAccess(func(r *faultRig) faultCred { return r.ref })},
	{"introspect refresh", faultIntrospectRefresh},
	{"introspect long_lived", faultIntrospectLongLived},
	{"mint", faultMint},
	{"GET sessions", faultListSessions},
}

func faultClientCredentials(client func(*faultRig) faultCred) func(*testing.T, *faultRig) faultTry {
	return func(t *testing.T, r *faultRig) faultTry {
		c := client(r)
		form := url.Values{"grant_type": {"client_credentials"}, "scope": {"read"}}
		return faultTry{
			send: func(t *testing.T) apptest.Response { return r.post(t, "/oauth2/token", c, form) },
			after: func(t *testing.T, res apptest.Response, hit faultHit) {
				if res.Status == http.StatusOK && !r.active(t, c, res.Str("access_token")) {
					t.Error("the access token of a 200 is not active")
				}
				if res.Status == http.StatusServiceUnavailable {
					faultWantStatus(t, r.post(t, "/oauth2/token", c, form), http.StatusOK, "retry")
				}
			},
		}
	}
}

// faultLogin signs a fresh user in with offline_access. With evicting, the
// client allows one session and the user already has one, which the login
// evicts in the same transaction.
func faultLogin(client func(*faultRig) faultCred, evicting bool) func(*testing.T, *faultRig) faultTry {
	return func(t *testing.T, r *faultRig) faultTry {
		c := client(r)
		username, subject := r.user(t)
		var prior []string
		var priorToken string
		if evicting {
			priorToken = r.login(t, c, username).Str("refresh_token")
			prior = []string{r.sessionOf(t, priorToken).ID}
		}
		return faultTry{
			send: func(t *testing.T) apptest.Response { return r.post(t, "/oauth2/token", c, r.loginForm(username)) },
			after: func(t *testing.T, res apptest.Response, hit faultHit) {
				live := faultActiveIDs(r.listed(t, subject, tokens.ListTypeOAuth))
				switch res.Status {
				case http.StatusOK:
					faultWantStatus(t, r.refresh(t, c, res.Str("refresh_token")), http.StatusOK, "refresh of the new session")
					if evicting && len(live) != 1 {
						t.Errorf("active sessions after an evicting login = %v; want only the new one", live)
					}
				case http.StatusServiceUnavailable:
					faultLoginFailed(t, r, c, username, live, prior, priorToken, hit)
				}
			},
		}
	}
}

// faultLoginFailed checks a login answered 503: no session was created and
// none evicted, unless the failed write itself was applied and only its
// answer lost (then a session exists whose refresh token nobody ever got).
func faultLoginFailed(t *testing.T, r *faultRig, c faultCred, username string, live, prior []string, priorToken string, hit faultHit) {
	t.Helper()
	if !hit.applied() && !slices.Equal(live, prior) {
		t.Errorf("half-created session: a login answered 503 left active sessions %v; want %v (call %d %s refused)",
			live, prior, hit.n, hit.call)
	}
	if hit.applied() && !slices.Equal(live, prior) {
		t.Logf("call %d %s applied, its answer lost: active sessions %v, was %v; no refresh token was delivered", hit.n, hit.call, live, prior)
	}
	if !hit.applied() && priorToken != "" {
		faultWantStatus(t, r.refresh(t, c, priorToken), http.StatusOK, "refresh of the session a failed login did not evict")
	}
	faultWantStatus(t, r.post(t, "/oauth2/token", c, r.loginForm(username)), http.StatusOK, "login retried")
}

// faultRefresh refreshes a fresh session's first token at the token
// endpoint, or at /oauth2/refresh with a JSON body.
func faultRefresh(client func(*faultRig) faultCred, grace, refreshEndpoint bool) func(*testing.T, *faultRig) faultTry {
	return func(t *testing.T, r *faultRig) faultTry {
		c := client(r)
		username, _ := r.user(t)
		token := r.login(t, c, username).Str("refresh_token")
		send := func(t *testing.T) apptest.Response { return r.refresh(t, c, token) }
		if refreshEndpoint {
			send = func(t *testing.T) apptest.Response {
				h := http.Header{"Authorization": {apptest.BasicAuth(c.id, c.secret)}}
				return r.do(t, http.MethodPost, "/oauth2/refresh", "application/json", `{"refresh_token":"`+token+`"}`, h)
			}
		}
		return faultTry{send: send, after: func(t *testing.T, res apptest.Response, hit faultHit) {
			switch res.Status {
			case http.StatusOK:
				faultWantStatus(t, r.refresh(t, c, res.Str("refresh_token")), http.StatusOK, "refresh with the token a 200 returned")
			case http.StatusServiceUnavailable:
				faultRefreshFailed(t, r, c, token, grace, hit)
			}
		}}
	}
}

// faultRefreshFailed checks a refresh answered 503. If nothing was
// written, the presented token is still current and refreshes. If the
// rotation was written, the client holds only the spent token: within
// grace it gets the current token back; with grace 0 presenting it is
// reuse and revokes the session (RFC 9700 §4.14.2): no fork, but the user
// signs in again. That is acceptable only when the rotation write itself
// timed out after DynamoDB applied it, which no write order can avoid.
func faultRefreshFailed(t *testing.T, r *faultRig, c faultCred, token string, grace bool, hit faultHit) {
	t.Helper()
	if r.sessionOf(t, token).Generation == 1 {
		retry := r.refresh(t, c, token)
		faultWantStatus(t, retry, http.StatusOK, "the presented token retried after a 503 that wrote nothing")
		faultWantStatus(t, r.refresh(t, c, retry.Str("refresh_token")), http.StatusOK, "the token the retry returned")
		return
	}
	retry := r.refresh(t, c, token)
	after := r.sessionOf(t, token)
	if grace {
		faultWantStatus(t, retry, http.StatusOK, "the spent token within grace after a 503")
		faultWantStatus(t, r.refresh(t, c, retry.Str("refresh_token")), http.StatusOK, "the current token grace returned")
	} else if retry.Status == http.StatusOK || after.Status != tokens.SessionRevoked {
		t.Errorf("strict client, spent token after a 503 = %d, session %s; want invalid_grant and revoked (no fork)", retry.Status, after.Status)
	}
	if !grace && !(hit.delivery == apptest.Lost && hit.call == "UpdateItem") {
		t.Errorf("the rotation was written, then call %d %s failed and the answer was 503: the client holds only the spent token; "+
			"presenting it again = %d %s, session %s %s", hit.n, hit.call, retry.Status, retry.Str("error"), after.Status, after.RevokedReason)
	}
}

func faultRevokeRefresh(t *testing.T, r *faultRig) faultTry {
	username, _ := r.user(t)
	token := r.login(t, r.strict, username).Str("refresh_token")
	form := url.Values{"token": {token}, "token_type_hint": {"refresh_token"}}
	send := func(t *testing.T) apptest.Response { return r.post(t, "/oauth2/revoke", r.strict, form) }
	return faultTry{send: send, after: faultRevoked(send, func(t *testing.T) {
		faultWantStatus(t, r.refresh(t, r.strict, token), http.StatusBadRequest, "refresh after the revocation")
		if s := r.sessionOf(t, token); s.Status != tokens.SessionRevoked {
			t.Errorf("session after the revocation = %s; want revoked", s.Status)
		}
	})}
}

// faultRevoked returns the invariant of a revocation: a 200 is in effect;
// a 503 can be retried, and then it is.
func faultRevoked(send func(*testing.T) apptest.Response, inEffect func(*testing.T)) func(*testing.T, apptest.Response, faultHit) {
	return func(t *testing.T, res apptest.Response, _ faultHit) {
		if res.Status == http.StatusServiceUnavailable {
			faultWantStatus(t, send(t), http.StatusOK, "revocation retried after a 503")
		}
		if res.Status == http.StatusOK || res.Status == http.StatusServiceUnavailable {
			inEffect(t)
		}
	}
}

// faultRevokeAccess revokes an access token at /oauth2/revoke: a
// session's JWT, or a reference token from client_credentials.
func faultRevokeAccess(client func(*faultRig) faultCred) func(*testing.T, *faultRig) faultTry {
	return func(t *testing.T, r *faultRig) faultTry {
		c := client(r)
		username, _ := r.user(t)
		token := r.login(t, c, username).Str("access_token")
		send := func(t *testing.T) apptest.Response {
			return r.post(t, "/oauth2/revoke", c, url.Values{"token": {token}})
		}
		return faultTry{send: send, after: faultRevoked(send, func(t *testing.T) {
			if r.active(t, c, token) {
				t.Error("the revoked access token is still active")
			}
		})}
	}
}

func faultDeleteSession(t *testing.T, r *faultRig) faultTry {
	username, _ := r.user(t)
	token := r.login(t, r.strict, username).Str("refresh_token")
	path := "/sessions/" + r.sessionOf(t, token).ID
	admin := r.adminToken(t)
	send := func(t *testing.T) apptest.Response { return r.bearer(t, http.MethodDelete, path, admin) }
	return faultTry{send: send, after: faultRevoked(send, func(t *testing.T) {
		faultWantStatus(t, r.refresh(t, r.strict, token), http.StatusBadRequest, "refresh after DELETE /sessions/{id}")
	})}
}

// faultDeleteSubject signs a subject with two sessions out everywhere, so
// a fault can fall between the two revocations.
func faultDeleteSubject(t *testing.T, r *faultRig) faultTry {
	username, subject := r.user(t)
	first := r.login(t, r.strict, username).Str("refresh_token")
	second := r.login(t, r.strict, username).Str("refresh_token")
	path := "/sessions?" + url.Values{"subject": {subject}}.Encode()
	admin := r.adminToken(t)
	send := func(t *testing.T) apptest.Response { return r.bearer(t, http.MethodDelete, path, admin) }
	return faultTry{send: send, after: faultRevoked(send, func(t *testing.T) {
		for i, token := range []string{first, second} {
			faultWantStatus(t, r.refresh(t, r.strict, token), http.StatusBadRequest, fmt.Sprintf("refresh of session %d after sign-out everywhere", i+1))
		}
	})}
}

// faultMinted mints a long-lived token for a fresh user and returns the
// token, its id and the subject.
func faultMinted(t *testing.T, r *faultRig) (token, id, subject string) {
	t.Helper()
	_, subject = r.user(t)
	res := r.do(t, http.MethodPost, "/tokens", "application/json", faultMintBody(subject),
		http.Header{"Authorization": {"Bearer " + r.adminToken(t)}})
	if res.Status != http.StatusCreated {
		t.Fatalf("mint = %d %s; want 201", res.Status, res.Body)
	}
	return res.Str("token"), res.Str("id"), subject
}

func faultMintBody(subject string) string {
	return `{"name":"fault test","subject":"` + subject + `","scopes":["read"],"expires_in":86400}`
}

func faultDeleteLongLived(t *testing.T, r *faultRig) faultTry {
	token, id, _ := faultMinted(t, r)
	admin := r.adminToken(t)
	send := func(t *testing.T) apptest.Response { return r.bearer(t, http.MethodDelete, "/tokens/"+id, admin) }
	return faultTry{send: send, after: faultRevoked(send, func(t *testing.T) {
		if r.active(t, r.intro, token) {
			t.Error("the long-lived token is still active after DELETE /tokens/{id}")
		}
	})}
}

// faultIntrospected returns the invariant of introspection, which writes
// nothing the verdict depends on: afterwards the token is still active.
func faultIntrospected(r *faultRig, c faultCred, token string) func(*testing.T, apptest.Response, faultHit) {
	return func(t *testing.T, res apptest.Response, _ faultHit) {
		if res.Status == http.StatusOK {
			if active, _ := res.JSON["active"].(bool); !active {
				t.Errorf("introspection of a live token = %s; want active", res.Body)
			}
		}
		if !r.active(t, c, token) {
			t.Error("the token is inactive after a failed introspection; want it untouched")
		}
	}
}

// faultIntrospectAccess introspects a session's access token: a JWT (one
// BatchGetItem for the jti and the session) or a reference token.
func faultIntrospectAccess(client func(*faultRig) faultCred) func(*testing.T, *faultRig) faultTry {
	return func(t *testing.T, r *faultRig) faultTry {
		c := client(r)
		username, _ := r.user(t)
		token := r.login(t, c, username).Str("access_token")
		return faultTry{
			send: func(t *testing.T) apptest.Response {
				return r.post(t, "/oauth2/introspect", c, url.Values{"token": {token}})
			},
			after: faultIntrospected(r, c, token),
		}
	}
}

func faultIntrospectRefresh(t *testing.T, r *faultRig) faultTry {
	username, _ := r.user(t)
	token := r.login(t, r.strict, username).Str("refresh_token")
	return faultTry{
		send: func(t *testing.T) apptest.Response {
			return r.post(t, "/oauth2/introspect", r.strict, url.Values{"token": {token}})
		},
		after: faultIntrospected(r, r.strict, token),
	}
}

// faultIntrospectLongLived introspects a fresh long-lived token, whose
// first use also records last_used_at. That write is bookkeeping after
// the verdict was read: when it fails the answer stays active (a resource
// server must not reject a valid token for it), and the core logs it.
func faultIntrospectLongLived(t *testing.T, r *faultRig) faultTry {
	token, _, _ := faultMinted(t, r)
	return faultTry{
		send: func(t *testing.T) apptest.Response {
			return r.post(t, "/oauth2/introspect", r.intro, url.Values{"token": {token}})
		},
		bestEffort: func(call string) bool { return call == "UpdateItem" },
		after:      faultIntrospected(r, r.intro, token),
	}
}

// faultMint mints a token: a 201's token is active and listed; a 503
// leaves none listed unless the write was applied and its answer lost.
func faultMint(t *testing.T, r *faultRig) faultTry {
	_, subject := r.user(t)
	admin := r.adminToken(t)
	send := func(t *testing.T) apptest.Response {
		return r.do(t, http.MethodPost, "/tokens", "application/json", faultMintBody(subject), http.Header{"Authorization": {"Bearer " + admin}})
	}
	return faultTry{send: send, after: func(t *testing.T, res apptest.Response, hit faultHit) {
		live := faultActiveIDs(r.listed(t, subject, tokens.ListTypeLongLived))
		switch res.Status {
		case http.StatusCreated:
			if !r.active(t, r.intro, res.Str("token")) || !slices.Equal(live, []string{res.Str("id")}) {
				t.Errorf("minted token listed as %v; want active and listed alone as %s", live, res.Str("id"))
			}
		case http.StatusServiceUnavailable:
			if !hit.applied() && len(live) > 0 {
				t.Errorf("a mint answered 503 left long-lived tokens %v", live)
			}
			if hit.applied() && len(live) > 0 {
				t.Logf("call %d %s applied, its answer lost: long-lived token %v listed, never delivered", hit.n, hit.call, live)
			}
			faultWantStatus(t, send(t), http.StatusCreated, "mint retried")
		}
	}}
}

func faultListSessions(t *testing.T, r *faultRig) faultTry {
	username, subject := r.user(t)
	r.login(t, r.strict, username)
	admin := r.adminToken(t)
	path := "/sessions?" + url.Values{"subject": {subject}}.Encode()
	return faultTry{
		send: func(t *testing.T) apptest.Response { return r.bearer(t, http.MethodGet, path, admin) },
		after: func(t *testing.T, res apptest.Response, _ faultHit) {
			if res.Status != http.StatusOK {
				return
			}
			entries, _ := res.JSON["sessions"].([]any)
			if len(entries) != 1 {
				t.Errorf("GET /sessions listed %d entries; want 1", len(entries))
			}
		},
	}
}

func faultWantStatus(t *testing.T, res apptest.Response, status int, what string) {
	t.Helper()
	if res.Status != status {
		t.Errorf("%s = %d %s; want %d", what, res.Status, res.Body, status)
	}
}
