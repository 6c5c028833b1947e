package lkclient

import (
	"context"
	"errors"
	"maps"
	"net/url"
	"sync"
	"testing"
	"time"

	"golang.org/x/oauth2"

	"github.com/latchkey/latchkey/shared/app/apptest"
	"github.com/latchkey/latchkey/shared/tokens"
)

// latchkey is a TokenSource's world on the real Latchkey handler
// (apptest, memory store): a confidential client with the client's
// grace window set, a user signed in with the password grant, and the
// harness clock as the source's clock.
type latchkey struct {
	h     *apptest.Harness
	conf  *oauth2.Config
	ctx   context.Context
	first *oauth2.Token
}

const jobGrace = 30 * time.Second

func newLatchkey(t *testing.T) latchkey {
	t.Helper()
	h := apptest.New(t)
	c, secret := h.Client(tokens.ClientSpec{
		Grants: []string{"password", "refresh_token"}, Scopes: []string{"read"},
		AllowOfflineAccess: true, RefreshReuseGrace: jobGrace,
	})
	h.User("alice", "correct horse battery")
	l := latchkey{h: h, ctx: context.WithValue(context.Background(), oauth2.HTTPClient, h.Server.Client())}
	l.conf = &oauth2.Config{ClientID: c.ID, ClientSecret: secret, Scopes: []string{"read", "offline_access"},
		Endpoint: oauth2.Endpoint{TokenURL: h.Server.URL + "/oauth2/token", AuthStyle: oauth2.AuthStyleInHeader}}
	tok, err := l.conf.PasswordCredentialsToken(l.ctx, "alice", "correct horse battery")
	if err != nil {
		t.Fatalf("password grant: %v", err)
	}
	tok.Expiry = h.Clock.Now().Add(time.Duration(tok.ExpiresIn) * time.Second)
	l.first = tok
	return l
}

func (l latchkey) source(t *testing.T, s Store) *TokenSource {
	t.Helper()
	ts, err := New(l.ctx, l.conf, s, Options{Now: l.h.Clock.Now, Sleep: func(context.Context, time.Duration) error { return nil }})
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return ts
}

// TestLatchkeyProactiveRefresh: against Latchkey, the source hands out
// the password grant's token until 60 s before its expiry, then rotates
// once, at the request budget of one refresh (the client and key set
// reads refill caches that expired in the 14 minutes), and saves the
// rotation.
func TestLatchkeyProactiveRefresh(t *testing.T) {
	l := newLatchkey(t)
	store := &memStore{tok: l.first}
	ts := l.source(t, store)
	if tok, err := ts.Token(); err != nil || tok.AccessToken != l.first.AccessToken {
		t.Fatalf("Token at once = %v, %v; want the password grant's token", tok, err)
	}
	l.h.Clock.Advance(14*time.Minute + time.Second)
	l.h.Mem.ResetOps()
	tok, err := ts.Token()
	if err != nil || tok.AccessToken == l.first.AccessToken || tok.RefreshToken == l.first.RefreshToken {
		t.Fatalf("Token within the margin = %v, %v; want a rotated pair", tok, err)
	}
	if want := (map[string]int{"GetClient": 1, "GetKeySet": 1, "GetSession": 1, "UpdateSession": 1}); !maps.Equal(l.h.Mem.Ops(), want) {
		t.Errorf("store calls of one refresh = %v; want %v", l.h.Mem.Ops(), want)
	}
	if store.refreshToken() != tok.RefreshToken {
		t.Errorf("stored refresh token is not the one handed out")
	}
}

// TestLatchkeyOneRotationForManyGoroutines: 32 goroutines asking while
// the token is due make one rotation at Latchkey.
func TestLatchkeyOneRotationForManyGoroutines(t *testing.T) {
	l := newLatchkey(t)
	ts := l.source(t, &memStore{tok: l.first})
	l.h.Clock.Advance(15 * time.Minute)
	l.h.Mem.ResetOps()
	var wg sync.WaitGroup
	for range 32 {
		wg.Go(func() {
			if _, err := ts.Token(); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if got := l.h.Mem.Ops()["UpdateSession"]; got != 1 {
		t.Errorf("rotations = %d; want 1", got)
	}
}

// crashStore is a process that dies while saving: Save sees the rotated
// token and keeps nothing.
type crashStore struct {
	memStore
	lost *oauth2.Token
}

func (c *crashStore) Save(_ context.Context, t *oauth2.Token) error {
	c.lost = t
	return errors.New("killed")
}

// TestLatchkeyGraceCoversCrash: a process that rotated the refresh
// token and died before saving it leaves the spent token in the store.
// The next process presents it again: within the client's
// refresh_reuse_grace Latchkey answers with the same new refresh token
// (docs/design.md §3), so the family does not fork and nobody is signed out;
// after the grace it is reuse, and the sign-in is over.
func TestLatchkeyGraceCoversCrash(t *testing.T) {
	for _, tc := range []struct {
		name    string
		restart time.Duration // from the lost rotation to the next process's refresh
		signIn  bool
	}{
		{"restart within grace", jobGrace - time.Second, false},
		{"restart after grace", jobGrace + time.Second, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			l := newLatchkey(t)
			l.h.Clock.Advance(15 * time.Minute)
			crashed := &crashStore{memStore: memStore{tok: l.first}}
			var pe *PersistError
			if _, err := l.source(t, crashed).Token(); !errors.As(err, &pe) || crashed.lost == nil {
				t.Fatalf("Token through a crashing store = %v; want a *PersistError after a rotation", err)
			}

			l.h.Clock.Advance(tc.restart)
			store := &memStore{tok: l.first} // what the crashed process left on disk
			tok, err := l.source(t, store).Token()
			if tc.signIn {
				if !errors.Is(err, ErrSignInRequired) {
					t.Errorf("Token after grace = %v, %v; want ErrSignInRequired", tok, err)
				}
				return
			}
			if err != nil || tok.RefreshToken != crashed.lost.RefreshToken {
				t.Fatalf("Token within grace = %v, %v; want the refresh token the lost answer carried", tok, err)
			}
			if store.refreshToken() != crashed.lost.RefreshToken {
				t.Errorf("the restarted process did not save the rotated token")
			}
		})
	}
}

// TestLatchkeyExchange: Exchange's form is what Latchkey's token
// exchange takes; the answer is an access token for alice, narrowed.
func TestLatchkeyExchange(t *testing.T) {
	l := newLatchkey(t)
	svc, secret := l.h.Client(tokens.ClientSpec{Grants: []string{"client_credentials"}, Scopes: []string{"read"}, MayExchange: true})
	conf := &oauth2.Config{ClientID: svc.ID, ClientSecret: secret, Endpoint: oauth2.Endpoint{TokenURL: l.conf.Endpoint.TokenURL}}
	tok, err := Exchange(l.ctx, conf, ExchangeRequest{SubjectToken: l.first.AccessToken, Scopes: []string{"read"}})
	if err != nil || IssuedTokenType(tok) != TokenTypeAccessToken || tok.Extra("scope") != "read" || tok.RefreshToken != "" {
		t.Fatalf("Exchange = %+v, %v; want an access token with scope read", tok, err)
	}
	_, err = Exchange(l.ctx, conf, ExchangeRequest{SubjectToken: l.first.AccessToken, Scopes: []string{"read", "write"}})
	var re *oauth2.RetrieveError
	if !errors.As(err, &re) || re.ErrorCode != "invalid_scope" {
		t.Errorf("Exchange into wider scopes = %v; want invalid_scope", err)
	}
}

// TestLatchkeyJobRunsForHours: the user-triggered job end to end.
// A service exchanges alice's access token for a job session, seeds a
// Store with it and runs a TokenSource on it for ten hours of the
// harness clock, refreshing every 14 minutes across rotations, while
// alice's own session is long gone (revoked at the start).
func TestLatchkeyJobRunsForHours(t *testing.T) {
	l := newLatchkey(t)
	svc, secret := l.h.Client(tokens.ClientSpec{
		Grants: []string{"client_credentials", "refresh_token"}, Scopes: []string{"read"}, MayExchange: true,
		AllowOfflineAccess: true, RefreshAbsoluteTTL: 24 * time.Hour, RefreshIdleTTL: time.Hour,
	})
	conf := &oauth2.Config{ClientID: svc.ID, ClientSecret: secret, Endpoint: oauth2.Endpoint{TokenURL: l.conf.Endpoint.TokenURL}}
	job, err := Exchange(l.ctx, conf, ExchangeRequest{SubjectToken: l.first.AccessToken, Scopes: []string{"read", "offline_access"}})
	if err != nil || job.RefreshToken == "" {
		t.Fatalf("Exchange = %+v, %v; want a job session's refresh token", job, err)
	}
	job.Expiry = l.h.Clock.Now().Add(15 * time.Minute)
	store := &memStore{tok: job}
	if r := l.h.PostForm("/oauth2/revoke", l.conf.ClientID, l.conf.ClientSecret, url.Values{"token": {l.first.RefreshToken}}); r.Status != 200 {
		t.Fatalf("revoking alice's own session = %d %s", r.Status, r.Body)
	}
	ts, err := New(l.ctx, conf, store, Options{Now: l.h.Clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for range 10 * 60 / 14 {
		l.h.Clock.Advance(14 * time.Minute)
		tok, err := ts.Token()
		if err != nil {
			t.Fatalf("at %v: Token: %v", l.h.Clock.Now().Sub(apptest.Start), err)
		}
		seen[tok.RefreshToken] = true
	}
	if len(seen) != 10*60/14 || store.refreshToken() == job.RefreshToken {
		t.Errorf("%d refresh tokens over ten hours; want one per rotation, each saved", len(seen))
	}
	var re *oauth2.RetrieveError
	if _, err := l.conf.TokenSource(l.ctx, &oauth2.Token{RefreshToken: l.first.RefreshToken}).Token(); !errors.As(err, &re) || re.ErrorCode != "invalid_grant" {
		t.Errorf("alice's own refresh token = %v; want invalid_grant (revoked)", err)
	}
}
