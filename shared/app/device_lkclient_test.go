package app_test

import (
	"context"
	"regexp"
	"strings"
	"testing"
	"time"

	"golang.org/x/oauth2"

	"github.com/latchkey/latchkey/shared/app/apptest"
	"github.com/latchkey/latchkey/shared/lkclient"
)

// instructions is an io.Writer that hands what lkclient prints to the test.
type instructions chan string

func (w instructions) Write(p []byte) (int, error) {
	w <- string(p)
	return len(p), nil
}

// TestLkclientDeviceSignIn: the README's long-running job signs in with
// lkclient.DeviceSignIn against Latchkey's own device flow: it prints the
// verification URI and the code, the user approves on the page, and the
// job gets a token it can keep refreshing. x/oauth2 waits one interval
// (5 s of real time) before its first poll; the user approves before it.
func TestLkclientDeviceSignIn(t *testing.T) {
	t.Parallel()
	d := newDeviceFixture(t, apptest.New(t))
	conf := &oauth2.Config{ClientID: d.client.ID, Scopes: []string{"read", "offline_access"},
		Endpoint: oauth2.Endpoint{DeviceAuthURL: d.Server.URL + "/oauth2/device_authorization",
			TokenURL: d.Server.URL + "/oauth2/token", AuthStyle: oauth2.AuthStyleInParams}}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	out := make(instructions, 8)
	type result struct {
		tok *oauth2.Token
		err error
	}
	done := make(chan result, 1)
	go func() {
		tok, err := lkclient.DeviceSignIn(ctx, conf, out)
		done <- result{tok, err}
	}()
	code := regexp.MustCompile(`enter the code ([A-Z]{4}-[A-Z]{4})`).FindStringSubmatch(<-out)
	if code == nil {
		t.Fatal("DeviceSignIn printed no user code")
	}
	d.decide(d.approval(code[1]), "allow")
	r := <-done
	if r.err != nil || r.tok.AccessToken == "" || !strings.HasPrefix(r.tok.RefreshToken, "lk_rt_") {
		t.Fatalf("DeviceSignIn = %+v, %v; want an access and a refresh token", r.tok, r.err)
	}
}
