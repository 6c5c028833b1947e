package app_test

import (
	"context"
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/latchkey/latchkey/shared/app/apptest"
	"github.com/latchkey/latchkey/shared/store/dynamo"
	"github.com/latchkey/latchkey/shared/tokens"
)

// max_sessions_per_subject (docs/design.md §2): one more session revokes the
// oldest, in the same request as the login.
func TestSessionCapEvictsTheOldest(t *testing.T) {
	f := newDynamoFixture(t, tokens.ClientSpec{MaxSessionsPerSubject: 3, RefreshReuseGrace: 0})
	var logins []apptest.Response
	var ops []map[string]int
	for range 4 {
		f.Clock.Advance(time.Second) // distinct creation times: "oldest" is defined
		f.DB.Counter.Reset()
		logins = append(logins, f.login("read offline_access"))
		ops = append(ops, f.DB.Counter.Ops())
	}
	// Every capped login writes its session (one PutItem), then makes one
	// Query for the subject's active sessions (the cap's extra request);
	// evicting one costs one conditional UpdateItem more (issue 11 §9:
	// create, then trim, so the cap holds under concurrency).
	without, with := ops[2], ops[3]
	if without["Query"] != 1 || without["PutItem"] != 1 || without["TransactWriteItems"] != 0 {
		t.Errorf("third login (no eviction): requests %v; want 1 Query and 1 PutItem", without)
	}
	evicting := maps.Clone(without)
	evicting["UpdateItem"]++
	if !maps.Equal(with, evicting) {
		t.Errorf("eviction login requests %v; want those of a login without eviction %v and one UpdateItem more", with, without)
	}

	evicted := logins[0]
	wantError(t, f.refresh(evicted.Str("refresh_token")), 400, "invalid_grant")
	wantActive(t, f.PostForm("/oauth2/introspect", f.client.ID, f.secret, url.Values{"token": {evicted.Str("access_token")}}), false)
	newest := logins[3].Str("access_token")
	all := f.sessions(newest, "status=all")
	if e := findEntry(t, all, sidOf(evicted.Str("refresh_token"))); e == nil || e["status"] != "revoked" {
		t.Errorf("evicted session in ?status=all = %v; want status revoked", e)
	}
	if n := len(entries(t, f.sessions(newest, ""))); n != 3 {
		t.Errorf("active sessions = %d; want 3", n)
	}
	evictedLine := slices.ContainsFunc(strings.Split(f.Logs.String(), "\n"), func(l string) bool {
		return strings.Contains(l, `"event":"session_evicted"`) && strings.Contains(l, `"sid":"`+sidOf(evicted.Str("refresh_token"))+`"`)
	})
	if !evictedLine {
		t.Error("no session_evicted audit event naming the evicted session")
	}
	for i, l := range logins[1:] {
		if r := f.refresh(l.Str("refresh_token")); r.Status != 200 {
			t.Errorf("refresh of surviving session %d = %d %s; want 200", i+1, r.Status, r.Body)
		}
		wantActive(t, f.PostForm("/oauth2/introspect", f.client.ID, f.secret, url.Values{"token": {l.Str("access_token")}}), true)
	}
}

// Invariant 5 over mint, introspection, the sessions page, revocation and
// eviction: a dump of the table and of the logs holds no token, client
// secret or password.
func TestNothingSecretAtRestAfterMintAndSessions(t *testing.T) {
	f := newDynamoFixture(t, tokens.ClientSpec{AllowSelfMint: true, MaxSessionsPerSubject: 2, RefreshReuseGrace: 0})
	adminClient, adminSecret := f.Client(tokens.ClientSpec{Grants: []string{"client_credentials"}, Scopes: []string{"latchkey:admin"}})
	rs, rsSecret := f.Client(tokens.ClientSpec{Grants: []string{"client_credentials"}, Introspect: true})
	admin := f.Token(adminClient.ID, adminSecret, url.Values{"grant_type": {"client_credentials"}}).Str("access_token")
	secrets := []string{f.secret, testPassword, adminSecret, rsSecret, admin}
	var user string
	for range 3 { // the third evicts the first
		f.Clock.Advance(time.Second)
		l := f.login("read offline_access")
		user = l.Str("access_token")
		secrets = append(secrets, user, l.Str("refresh_token"))
		r := f.refresh(l.Str("refresh_token"))
		secrets = append(secrets, r.Str("access_token"), r.Str("refresh_token"))
	}
	var minted []string
	for _, by := range []string{admin, admin} { // self-minting is TestWhoMayMint's
		r := mint(f.Harness, by, mintBody("n", f.subject(), "read"))
		if r.Status != 201 {
			t.Fatalf("mint = %d %s; want 201", r.Status, r.Body)
		}
		minted = append(minted, r.Str("token"))
	}
	for _, lt := range minted {
		secrets = append(secrets, lt, lt[len(tokens.LongLivedPrefix):len(lt)-6])
		wantActive(t, f.PostForm("/oauth2/introspect", rs.ID, rsSecret, url.Values{"token": {lt}}), true)
		if r := f.sessions(lt, "limit=1"); r.Status != 200 {
			t.Fatalf("GET /sessions with a long-lived token = %d %s", r.Status, r.Body)
		}
		f.Clock.Advance(2 * time.Minute) // the next use records last_used_at again
	}
	page := f.sessions(admin, "limit=2&subject="+f.subject())
	f.sessions(admin, "limit=2&subject="+f.subject()+"&cursor="+page.Str("next_cursor"))
	id := ids(t, f.sessions(user, "type=long_lived"))[0]
	if r := f.Do(http.MethodDelete, "/tokens/"+id, "", "", bearer(user)); r.Status != 200 {
		t.Fatalf("DELETE /tokens/%s by its owner = %d %s; want 200", id, r.Status, r.Body)
	}
	f.sessions(minted[0][:10]+flip(minted[0][10:11], 0, 1)+minted[0][11:], "") // a typo

	dump, logs := scanTable(t, f), f.Logs.String()
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

// queryBarrier holds the answer of every Query until n have been made (or
// a second has passed) while armed: every login's read of its active
// sessions before any login's next write, the worst interleaving.
type queryBarrier struct {
	dynamo.API
	n       int
	mu      sync.Mutex
	armed   bool
	arrived int
	all     chan struct{}
}

func (b *queryBarrier) Query(ctx context.Context, in *dynamodb.QueryInput, optFns ...func(*dynamodb.Options)) (*dynamodb.QueryOutput, error) {
	out, err := b.API.Query(ctx, in, optFns...)
	b.mu.Lock()
	armed := b.armed
	if armed {
		if b.arrived++; b.arrived == b.n {
			close(b.all)
		}
	}
	b.mu.Unlock()
	if armed {
		select {
		case <-b.all:
		case <-time.After(time.Second):
		}
	}
	return out, err
}

// Issue 11 §9 on DynamoDB Local: 40 concurrent logins with a cap of 5
// left 32 to 35 active when the cap was checked before the write. With
// every read held until all 40 are made, at most the cap (and at least
// the cap−1) are active once the burst is over. The logins come from 40
// addresses: no source may have more than the sign-in throttle's 10
// attempts in flight.
func TestSessionCapHoldsUnderConcurrency(t *testing.T) {
	t.Parallel()
	const limit, burst = 5, 40
	b := &queryBarrier{n: burst, all: make(chan struct{})}
	h := apptest.NewWith(t, apptest.Setup{Wrap: func(api dynamo.API) dynamo.API { b.API = api; return b }})
	c, secret := h.Client(tokens.ClientSpec{Grants: []string{"password"}, Scopes: []string{"read"}, AllowOfflineAccess: true,
		MaxSessionsPerSubject: limit})
	subject := h.User(testUser, testPassword)
	auth := tokens.ClientAuth{ID: c.ID, Secret: secret, Method: "client_secret_basic"}
	b.armed = true
	var wg sync.WaitGroup
	for i := range burst {
		wg.Go(func() {
			_, err := h.App.Service.Token(context.Background(), tokens.TokenRequest{
				Client: auth, GrantType: "password", Username: testUser, Password: testPassword,
				Scope: "read offline_access", IP: fmt.Sprintf("198.51.100.%d", i+1),
			})
			if err != nil {
				t.Errorf("login: %v", err)
			}
		})
	}
	wg.Wait()
	b.mu.Lock()
	b.armed = false
	b.mu.Unlock()
	active, err := h.App.Store.ActiveSessions(context.Background(), subject, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	if n := len(active); n > limit || n < limit-1 {
		t.Errorf("%d concurrent logins under a cap of %d left %d sessions active; want %d or %d", burst, limit, n, limit-1, limit)
	}
}
