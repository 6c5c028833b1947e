package main

import (
	"context"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"golang.org/x/oauth2"

	"github.com/latchkey/latchkey/shared/app/apptest"
	"github.com/latchkey/latchkey/shared/lkclient"
	"github.com/latchkey/latchkey/shared/tokens"
)

// TestLongJobSignsInOnce runs the job twice on one token file against
// Latchkey's handler: the first run signs in and saves the token, the
// restarted one works with the saved token and never signs in again.
func TestLongJobSignsInOnce(t *testing.T) {
	h := apptest.New(t)
	c, secret := h.Client(tokens.ClientSpec{Grants: []string{"password", "refresh_token"}, Scopes: []string{"read"}, AllowOfflineAccess: true})
	h.User("alice", "correct horse battery")
	conf := &oauth2.Config{ClientID: c.ID, ClientSecret: secret, Scopes: []string{"read", "offline_access"},
		Endpoint: oauth2.Endpoint{TokenURL: h.Server.URL + "/oauth2/token"}}
	store := lkclient.FileStore{Path: filepath.Join(t.TempDir(), "token.json")}
	signIns := 0
	signIn := func(ctx context.Context, conf *oauth2.Config) (*oauth2.Token, error) {
		signIns++
		return passwordSignIn("alice", "correct horse battery")(ctx, conf)
	}
	for restart := range 2 {
		ctx, cancel := context.WithTimeout(context.WithValue(context.Background(), oauth2.HTTPClient, h.Server.Client()), 200*time.Millisecond)
		err := run(ctx, conf, signIn, store, "", 10*time.Millisecond)
		cancel()
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("run %d = %v; want it to work until its context ends", restart, err)
		}
	}
	if signIns != 1 {
		t.Errorf("sign-ins = %d over two runs; want 1", signIns)
	}
	if tok, err := store.Load(context.Background()); err != nil || tok.RefreshToken == "" {
		t.Errorf("stored token = %v, %v; want a refresh token", tok, err)
	}
}
