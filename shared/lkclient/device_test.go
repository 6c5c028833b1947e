package lkclient

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/oauth2"
)

// deviceServer imitates Latchkey's device authorization endpoint
// (RFC 8628 §3.2, interval 1 s to keep the test short) and answers
// polls at the token endpoint from a script, then with a token.
type deviceServer struct {
	*httptest.Server
	mu    sync.Mutex
	polls []time.Time
	codes []string // device_code of each poll
	form  []string // resource of the authorization request and of each poll
	after []string // error codes to answer, in order, before the token
}

func newDeviceServer(t *testing.T, after ...string) *deviceServer {
	d := &deviceServer{after: after}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /oauth2/device_authorization", func(w http.ResponseWriter, r *http.Request) {
		d.mu.Lock()
		d.form = append(d.form, r.PostFormValue("resource"))
		d.mu.Unlock()
		writeJSON(w, 200, map[string]any{
			"device_code": "dc-1", "user_code": "BCDF-GHJK", "verification_uri": d.URL + "/device",
			"verification_uri_complete": d.URL + "/device?user_code=BCDF-GHJK", "expires_in": 600, "interval": 1,
		})
	})
	mux.HandleFunc("POST /oauth2/token", d.poll)
	d.Server = httptest.NewServer(mux)
	t.Cleanup(d.Close)
	return d
}

func (d *deviceServer) poll(w http.ResponseWriter, r *http.Request) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.polls = append(d.polls, time.Now())
	d.codes = append(d.codes, r.PostFormValue("grant_type")+" "+r.PostFormValue("device_code")+" "+r.PostFormValue("client_id"))
	d.form = append(d.form, r.PostFormValue("resource"))
	if len(d.after) > 0 {
		code := d.after[0]
		d.after = d.after[1:]
		writeOAuthError(w, http.StatusBadRequest, code)
		return
	}
	writeJSON(w, 200, map[string]any{"access_token": "at-1", "token_type": "Bearer", "expires_in": 900, "refresh_token": "rt-1"})
}

func (d *deviceServer) config() *oauth2.Config {
	return &oauth2.Config{ClientID: "cli", Endpoint: oauth2.Endpoint{
		TokenURL: d.URL + "/oauth2/token", DeviceAuthURL: d.URL + "/oauth2/device_authorization", AuthStyle: oauth2.AuthStyleInParams,
	}}
}

// TestDeviceSignIn: the instructions name the address and the code, and
// polling goes on through authorization_pending and slow_down, waiting
// 5 s longer after slow_down (RFC 8628 §3.5), until the token comes.
func TestDeviceSignIn(t *testing.T) {
	t.Parallel()
	d := newDeviceServer(t, "authorization_pending", "slow_down")
	var out bytes.Buffer
	tok, err := DeviceSignIn(context.Background(), d.config(), &out, oauth2.SetAuthURLParam("resource", "https://api.test"))
	if err != nil || tok.RefreshToken != "rt-1" {
		t.Fatalf("DeviceSignIn = %v, %v; want the token", tok, err)
	}
	for _, want := range []string{d.URL + "/device", "BCDF-GHJK", d.URL + "/device?user_code=BCDF-GHJK", "expires in 10m"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("instructions %q lack %q", out.String(), want)
		}
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if len(d.polls) != 3 {
		t.Fatalf("polls = %d; want 3", len(d.polls))
	}
	if gap := d.polls[2].Sub(d.polls[1]); gap < 6*time.Second {
		t.Errorf("wait after slow_down = %v; want at least 1 s + 5 s", gap)
	}
	for _, c := range d.codes {
		if c != "urn:ietf:params:oauth:grant-type:device_code dc-1 cli" {
			t.Errorf("poll = %q; want the device_code grant for dc-1 as cli", c)
		}
	}
	for _, r := range d.form {
		if r != "https://api.test" {
			t.Errorf("resource = %q; want https://api.test on every request", r)
		}
	}
}

// TestDeviceSignInEndings: a denial and an expired code are this
// package's errors, still wrapping the server's answer.
func TestDeviceSignInEndings(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		code string
		want error
	}{
		{"access_denied", ErrAccessDenied},
		{"expired_token", ErrDeviceCodeExpired},
	} {
		t.Run(tc.code, func(t *testing.T) {
			t.Parallel()
			d := newDeviceServer(t, tc.code)
			_, err := DeviceSignIn(context.Background(), d.config(), &bytes.Buffer{})
			var re *oauth2.RetrieveError
			if !errors.Is(err, tc.want) || !errors.As(err, &re) || re.ErrorCode != tc.code {
				t.Errorf("DeviceSignIn = %v; want %v wrapping the %s answer", err, tc.want, tc.code)
			}
		})
	}
}

// TestDeviceErrorDeadline: DeviceAccessToken's own deadline (the code's
// expiry) is an expired code; the caller's ending context is not.
func TestDeviceErrorDeadline(t *testing.T) {
	if err := deviceError(context.Background(), context.DeadlineExceeded); !errors.Is(err, ErrDeviceCodeExpired) {
		t.Errorf("deviceError(deadline) = %v; want ErrDeviceCodeExpired", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := deviceError(ctx, context.Canceled); errors.Is(err, ErrDeviceCodeExpired) || !errors.Is(err, context.Canceled) {
		t.Errorf("deviceError(cancelled) = %v; want context.Canceled only", err)
	}
}
