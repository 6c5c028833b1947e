package app_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/latchkey/latchkey/shared/app/apptest"
	"github.com/latchkey/latchkey/shared/store/dynamo"
	"github.com/latchkey/latchkey/shared/tokens"
)

// Invariant 4 (docs/design.md §7): a DynamoDB failure or timeout answers 503
// temporarily_unavailable with Retry-After and leaves no half-written
// state. Every operation below is first run without a fault to count its
// store calls K, warm (client record and key set cached, as in a warm
// Lambda container) and cold (both caches expired, so the client read and
// the key-set read are among the K calls). Then, for each n in 1..K, call
// n fails with each apptest.Fault before reaching DynamoDB (Refused). A
// write is also made to succeed with its answer lost (Lost: a timeout
// after DynamoDB applied it) and to be delivered twice (Retried: what the
// SDK's own retry does after a lost answer, which must be invisible).
// After each, with the fault removed, the operation's invariants are
// checked: nothing half-created, no forked refresh family, no lost
// revocation.
func TestFaultInjection(t *testing.T) {
	var cases, ops atomic.Int64
	t.Cleanup(func() {
		t.Logf("faults: %d operations, %d injected cases", ops.Load(), cases.Load())
		fmt.Printf("faults: operations=%d cases=%d\n", ops.Load(), cases.Load())
	})
	for _, op := range faultOps {
		t.Run(op.name, func(t *testing.T) {
			t.Parallel()
			ops.Add(1)
			r := newFaultRig(t)
			for _, cold := range []bool{false, true} {
				counted := r.count(t, op, cold)
				for n, call := range counted {
					for _, hit := range faultHits(n+1, call) {
						cases.Add(1)
						name := fmt.Sprintf("%s/%d_%s/%s_%s", warmth(cold), n+1, call, hit.fault, hit.delivery)
						t.Run(name, func(t *testing.T) { r.inject(t, op, cold, counted, hit) })
					}
				}
			}
		})
	}
}

// faultHit is one injected fault: call n (from 1), the operation it hits,
// the fault and what became of the call.
type faultHit struct {
	n        int
	call     string
	fault    apptest.Fault
	delivery apptest.Delivery
}

// applied reports whether the failed call itself took effect in DynamoDB.
func (h faultHit) applied() bool { return h.delivery != apptest.Refused && faultIsWrite(h.call) }

// faultHits lists the faults for call n: every fault refused, and for a
// write a timeout after it was applied and a duplicate delivery.
func faultHits(n int, call string) []faultHit {
	var out []faultHit
	for _, f := range apptest.Faults {
		out = append(out, faultHit{n, call, f, apptest.Refused})
	}
	if faultIsWrite(call) {
		out = append(out, faultHit{n, call, apptest.FaultTimeout, apptest.Lost}, faultHit{n, call, apptest.FaultTimeout, apptest.Retried})
	}
	return out
}

func faultIsWrite(call string) bool {
	return call == "PutItem" || call == "UpdateItem" || call == "TransactWriteItems"
}

func warmth(cold bool) string {
	if cold {
		return "cold"
	}
	return "warm"
}

// faultOp is one operation under test. prepare builds fresh preconditions
// with no fault armed and returns the request and its invariants.
type faultOp struct {
	name    string
	prepare func(t *testing.T, r *faultRig) faultTry
}

// faultTry is one prepared request.
type faultTry struct {
	send func(t *testing.T) apptest.Response
	// bestEffort reports whether a failure of call may leave the answer a
	// success (a bookkeeping write after the decision was read).
	bestEffort func(call string) bool
	// after checks the invariants once the fault is removed, given the
	// answer the request got (zero hit: the run without a fault).
	after func(t *testing.T, res apptest.Response, hit faultHit)
}

// count runs op once without a fault and returns its store calls.
func (r *faultRig) count(t *testing.T, op faultOp, cold bool) []string {
	t.Helper()
	try := op.prepare(t, r)
	r.settle(t, cold)
	r.db.Disarm()
	res := try.send(t)
	calls := r.db.Calls()
	if res.Status/100 != 2 {
		t.Fatalf("%s without a fault = %d %s; want success", op.name, res.Status, res.Body)
	}
	try.after(t, res, faultHit{})
	t.Logf("%s, %s: %d store calls %v", op.name, warmth(cold), len(calls), calls)
	return calls
}

// settle makes the caches warm (every client and the key set read) or
// cold (the clock past both cache lifetimes).
func (r *faultRig) settle(t *testing.T, cold bool) {
	t.Helper()
	if cold {
		r.Clock.Advance(r.App.Config.KeyCacheTTL + time.Minute)
		return
	}
	ctx := context.Background()
	for _, c := range r.creds() {
		if _, err := r.App.Service.AuthenticateClient(ctx, tokens.ClientAuth{ID: c.id, Secret: c.secret, Method: "client_secret_basic"}); err != nil {
			t.Fatalf("warm client %s: %v", c.id, err)
		}
	}
	if _, err := r.App.Service.JWKS(ctx); err != nil {
		t.Fatalf("warm key set: %v", err)
	}
}

// inject runs op with hit armed and checks the answer and the invariants.
func (r *faultRig) inject(t *testing.T, op faultOp, cold bool, counted []string, hit faultHit) {
	try := op.prepare(t, r)
	r.settle(t, cold)
	r.db.Arm(hit.n, hit.fault, hit.delivery)
	res := try.send(t)
	calls, injected := r.db.Calls(), r.db.Injected()
	r.db.Disarm()
	if injected != 1 || len(calls) < hit.n || !slices.Equal(calls[:hit.n], counted[:hit.n]) {
		t.Fatalf("calls %v, %d injected; want %v up to call %d, 1 injected", calls, injected, counted, hit.n)
	}
	switch {
	case hit.delivery == apptest.Retried:
		faultWantSuccess(t, res, "a write delivered twice by the SDK's retry must be invisible")
	case try.bestEffort != nil && try.bestEffort(hit.call):
		faultWantSuccess(t, res, "a best-effort write failed after the answer was decided")
	default:
		faultWant503(t, res)
	}
	try.after(t, res, hit)
}

func faultWantSuccess(t *testing.T, res apptest.Response, why string) {
	t.Helper()
	if res.Status/100 != 2 {
		t.Errorf("answer = %d %s; want success (%s)", res.Status, strings.TrimSpace(res.Body), why)
	}
}

// faultWant503 holds a failure answer to docs/design.md §1: 503
// temporarily_unavailable, Retry-After, no caching, and never an active
// introspection. Introspection, too, answers 503 rather than
// {"active": false} when it cannot read: RFC 7662 §2.2 wants inactive for
// tokens that are bad, and this one may be good; a resource server that
// gets 503 retries or fails closed, one that gets inactive would sign a
// valid user out.
func faultWant503(t *testing.T, res apptest.Response) {
	t.Helper()
	if res.Status != http.StatusServiceUnavailable || res.Str("error") != "temporarily_unavailable" {
		t.Errorf("answer = %d %s; want 503 temporarily_unavailable", res.Status, strings.TrimSpace(res.Body))
	}
	if got := res.Header.Get("Retry-After"); got == "" {
		t.Error("Retry-After is missing")
	}
	if got := res.Header.Get("Cache-Control"); got != "no-store" {
		t.Errorf("Cache-Control = %q; want no-store", got)
	}
	if active, _ := res.JSON["active"].(bool); active {
		t.Error(`answer holds "active": true though the store could not be read`)
	}
}

// faultCred is a client's id and secret.
type faultCred struct{ id, secret string }

// faultRig is a harness whose DynamoDB client is a Faulty, with one
// client of each kind the operations need.
type faultRig struct {
	*apptest.Harness
	db *apptest.Faulty
	// strict (grace 0) and grace (30 s) are first-party JWT clients; ref
	// issues reference tokens (grace 0); capped allows one session per
	// subject; intro is a resource server; admin holds latchkey:admin.
	strict, grace, ref, capped, intro, admin faultCred
	users                                    int
}

func newFaultRig(t *testing.T) *faultRig {
	t.Helper()
	var db *apptest.Faulty
	h := apptest.NewWith(t, apptest.Setup{Wrap: func(api dynamo.API) dynamo.API {
		db = apptest.NewFaulty(api)
		return db
	}})
	r := &faultRig{Harness: h, db: db}
	firstParty := func(spec tokens.ClientSpec) faultCred {
		spec.Grants = []string{"password", "refresh_token", "client_credentials"}
		spec.Scopes, spec.AllowOfflineAccess = []string{"read", "write"}, true
		c, secret := h.Client(spec)
		return faultCred{c.ID, secret}
	}
	r.strict = firstParty(tokens.ClientSpec{})
	r.grace = firstParty(tokens.ClientSpec{RefreshReuseGrace: 30 * time.Second})
	r.ref = firstParty(tokens.ClientSpec{AccessTokenFormat: tokens.FormatReference})
	r.capped = firstParty(tokens.ClientSpec{MaxSessionsPerSubject: 1})
	c, secret := h.Client(tokens.ClientSpec{Grants: []string{"client_credentials"}, Scopes: []string{"read"}, Introspect: true})
	r.intro = faultCred{c.ID, secret}
	c, secret = h.Client(tokens.ClientSpec{Grants: []string{"client_credentials"}, Scopes: []string{tokens.ScopeAdmin}})
	r.admin = faultCred{c.ID, secret}
	return r
}

func (r *faultRig) creds() []faultCred {
	return []faultCred{r.strict, r.grace, r.ref, r.capped, r.intro, r.admin}
}

// user registers a fresh user and returns its username and subject, so
// that each case's sessions are alone in the subject's list.
func (r *faultRig) user(t *testing.T) (string, string) {
	t.Helper()
	r.users++
	name := fmt.Sprintf("user%d", r.users)
	u, err := r.App.Service.CreateUser(context.Background(), name, testPassword)
	if err != nil {
		t.Fatalf("CreateUser: %v", err)
	}
	return name, u.Subject
}

// do sends one request, failing t (not the harness's test).
func (r *faultRig) do(t *testing.T, method, path, contentType, body string, header http.Header) apptest.Response {
	t.Helper()
	return r.DoT(t, method, path, contentType, body, header)
}

func (r *faultRig) post(t *testing.T, path string, c faultCred, form url.Values) apptest.Response {
	t.Helper()
	h := http.Header{"Authorization": {apptest.BasicAuth(c.id, c.secret)}}
	return r.do(t, http.MethodPost, path, "application/x-www-form-urlencoded", form.Encode(), h)
}

func (r *faultRig) bearer(t *testing.T, method, path, token string) apptest.Response {
	t.Helper()
	return r.do(t, method, path, "", "", http.Header{"Authorization": {"Bearer " + token}})
}

func (r *faultRig) loginForm(username string) url.Values {
	return url.Values{"grant_type": {"password"}, "username": {username}, "password": {testPassword}, "scope": {"read offline_access"}}
}

// login signs username in with c and offline_access; it must succeed.
func (r *faultRig) login(t *testing.T, c faultCred, username string) apptest.Response {
	t.Helper()
	res := r.post(t, "/oauth2/token", c, r.loginForm(username))
	if res.Status != http.StatusOK || res.Str("refresh_token") == "" {
		t.Fatalf("login = %d %s; want 200 with a refresh token", res.Status, res.Body)
	}
	return res
}

func (r *faultRig) refresh(t *testing.T, c faultCred, token string) apptest.Response {
	t.Helper()
	return r.post(t, "/oauth2/token", c, url.Values{"grant_type": {"refresh_token"}, "refresh_token": {token}})
}

func (r *faultRig) clientToken(t *testing.T, c faultCred, scope string) string {
	t.Helper()
	res := r.post(t, "/oauth2/token", c, url.Values{"grant_type": {"client_credentials"}, "scope": {scope}})
	if res.Status != http.StatusOK {
		t.Fatalf("client_credentials = %d %s", res.Status, res.Body)
	}
	return res.Str("access_token")
}

func (r *faultRig) adminToken(t *testing.T) string {
	return r.clientToken(t, r.admin, tokens.ScopeAdmin)
}

// active introspects token as c and reports the verdict; anything but a
// 200 fails t.
func (r *faultRig) active(t *testing.T, c faultCred, token string) bool {
	t.Helper()
	res := r.post(t, "/oauth2/introspect", c, url.Values{"token": {token}})
	if res.Status != http.StatusOK {
		t.Fatalf("introspect = %d %s; want 200", res.Status, res.Body)
	}
	active, _ := res.JSON["active"].(bool)
	return active
}

// listed returns the subject's entries of type kind (oauth or
// long_lived) with status, as GET /sessions?status=all shows them.
func (r *faultRig) listed(t *testing.T, subject, kind string) []map[string]any {
	t.Helper()
	q := url.Values{"subject": {subject}, "type": {kind}, "status": {"all"}}
	res := r.bearer(t, http.MethodGet, "/sessions?"+q.Encode(), r.adminToken(t))
	if res.Status != http.StatusOK {
		t.Fatalf("GET /sessions = %d %s", res.Status, res.Body)
	}
	var out []map[string]any
	for _, e := range res.JSON["sessions"].([]any) {
		out = append(out, e.(map[string]any))
	}
	return out
}

// activeIDs returns the ids of the active entries.
func faultActiveIDs(entries []map[string]any) []string {
	var ids []string
	for _, e := range entries {
		if e["status"] == tokens.SessionActive {
			ids = append(ids, e["id"].(string))
		}
	}
	return ids
}

// sessionOf reads the session a refresh token names, from the store.
func (r *faultRig) sessionOf(t *testing.T, token string) tokens.Session {
	t.Helper()
	sid, _, _ := strings.Cut(strings.TrimPrefix(token, tokens.RefreshTokenPrefix), ".")
	s, err := r.App.Store.GetSession(context.Background(), sid)
	if err != nil {
		t.Fatalf("GetSession(%s): %v", sid, err)
	}
	return s
}
