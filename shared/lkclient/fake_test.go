package lkclient

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"golang.org/x/oauth2"

	"github.com/latchkey/latchkey/shared/fakeclock"
)

// start is where every test clock starts.
var start = time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC)

// answer is one scripted answer of fakeServer, sent instead of its
// normal behaviour.
type answer struct {
	status     int
	code       string
	retryAfter string
	hangUp     bool // close the connection without an answer
}

// fakeServer imitates Latchkey's token endpoint for the refresh grant of
// one confidential client ("job", "secret"): one-time refresh tokens
// rt-1, rt-2, …, 900 s access tokens at-1, at-2, …, invalid_grant for
// anything but the current refresh token, and Latchkey's error shape.
type fakeServer struct {
	*httptest.Server
	mu        sync.Mutex
	current   string
	gen       int
	requests  int
	presented []string
	script    []answer
	// arrived and release, when set, make a refresh wait: arrived gets a
	// value when the request is in, and the answer waits for release.
	arrived chan struct{}
	release chan struct{}
}

func newFakeServer(t *testing.T) *fakeServer {
	f := &fakeServer{current: "rt-0"}
	f.Server = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.Close)
	return f
}

func (f *fakeServer) serve(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	f.requests++
	f.presented = append(f.presented, r.PostFormValue("refresh_token"))
	var a *answer
	if len(f.script) > 0 {
		a, f.script = &f.script[0], f.script[1:]
	}
	arrived, release := f.arrived, f.release
	f.mu.Unlock()
	if arrived != nil {
		arrived <- struct{}{}
		<-release
	}
	if a != nil {
		f.scripted(w, *a)
		return
	}
	f.refresh(w, r)
}

func (f *fakeServer) scripted(w http.ResponseWriter, a answer) {
	if a.hangUp {
		conn, _, _ := w.(http.Hijacker).Hijack()
		conn.Close()
		return
	}
	if a.retryAfter != "" {
		w.Header().Set("Retry-After", a.retryAfter)
	}
	writeOAuthError(w, a.status, a.code)
}

func (f *fakeServer) refresh(w http.ResponseWriter, r *http.Request) {
	id, secret, ok := r.BasicAuth()
	if !ok || id != "job" || secret != "secret" {
		writeOAuthError(w, http.StatusUnauthorized, "invalid_client")
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if r.PostFormValue("grant_type") != "refresh_token" || r.PostFormValue("refresh_token") != f.current {
		writeOAuthError(w, http.StatusBadRequest, "invalid_grant")
		return
	}
	f.gen++
	f.current = fmt.Sprintf("rt-%d", f.gen)
	writeJSON(w, http.StatusOK, map[string]any{
		"access_token": fmt.Sprintf("at-%d", f.gen), "token_type": "Bearer",
		"expires_in": 900, "refresh_token": f.current, "scope": "read",
	})
}

func writeOAuthError(w http.ResponseWriter, status int, code string) {
	writeJSON(w, status, map[string]string{"error": code, "error_description": "the fake says " + code})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func (f *fakeServer) counts() (requests int, presented []string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.requests, append([]string(nil), f.presented...)
}

func (f *fakeServer) config() *oauth2.Config {
	return &oauth2.Config{ClientID: "job", ClientSecret: "secret", Endpoint: oauth2.Endpoint{TokenURL: f.URL + "/oauth2/token"}}
}

// memStore is a Store in memory that counts saves and fails them while
// failSave is set.
type memStore struct {
	mu       sync.Mutex
	tok      *oauth2.Token
	saves    int
	failSave error
}

func (m *memStore) Load(context.Context) (*oauth2.Token, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.tok == nil {
		return nil, ErrNoToken
	}
	t := *m.tok
	return &t, nil
}

func (m *memStore) Save(_ context.Context, t *oauth2.Token) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.saves++
	if m.failSave != nil {
		return m.failSave
	}
	c := *t
	m.tok = &c
	return nil
}

func (m *memStore) refreshToken() string {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.tok == nil {
		return ""
	}
	return m.tok.RefreshToken
}

// sleeps records the delays a TokenSource asked for, without waiting.
type sleeps struct {
	mu  sync.Mutex
	got []time.Duration
}

func (s *sleeps) sleep(_ context.Context, d time.Duration) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.got = append(s.got, d)
	return nil
}

// rig is a TokenSource on a fakeServer, a memStore holding an access
// token that expires at start+15m and refresh token rt-0, a fake clock
// at start, recorded sleeps and a jitter that picks half the ceiling.
type rig struct {
	srv    *fakeServer
	store  *memStore
	clock  *fakeclock.Clock
	sleeps *sleeps
	ts     *TokenSource
}

func newRig(t *testing.T, opts Options) rig {
	t.Helper()
	r := rig{srv: newFakeServer(t), clock: fakeclock.New(start), sleeps: &sleeps{}}
	r.store = &memStore{tok: &oauth2.Token{AccessToken: "at-0", TokenType: "Bearer", RefreshToken: "rt-0", Expiry: start.Add(15 * time.Minute)}}
	opts.Now, opts.Sleep = r.clock.Now, r.sleeps.sleep
	if opts.Jitter == nil {
		opts.Jitter = func(c time.Duration) time.Duration { return c / 2 }
	}
	ts, err := New(context.Background(), r.srv.config(), r.store, opts)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	r.ts = ts
	return r
}
