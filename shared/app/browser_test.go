package app_test

import (
	"bytes"
	"context"
	"errors"
	"image/png"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"golang.org/x/oauth2"

	"github.com/latchkey/latchkey/shared/oauth"
	"github.com/latchkey/latchkey/shared/store/dynamo/dynamotest"
	"github.com/latchkey/latchkey/shared/tokens"
)

// A real browser signs in: headless Chromium (Debian's chromium, driven
// by chromedp) opens the authorization URL, types into the hosted login
// page, allows the consent page and lands on the client's redirect URI
// (a loopback listener, as a native app's) with a code, which the test
// then redeems. The login page's screenshot is docs/login.png (written
// when missing, or again with LATCHKEY_UPDATE_SCREENSHOT=1).
//
// Without Chromium the test skips, unless CI=true: then it fails, so a CI
// run never passes without the browser. scripts/chromium.sh installs it.
func TestBrowserSignIn(t *testing.T) {
	chromium := findChromium(t)
	s := newSignin(t)
	client, _ := s.Client(tokens.ClientSpec{Name: "Photo Print", Public: true,
		Grants: []string{oauth.GrantAuthorizationCode}, Scopes: []string{"openid", "read"},
		RedirectURIs: []string{"http://127.0.0.1/callback"}})
	codes := make(chan url.Values, 1)
	app := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case codes <- r.URL.Query():
		default:
		}
		_, _ = w.Write([]byte(`<!doctype html><title>done</title><p id="done">signed in</p>`))
	}))
	t.Cleanup(app.Close)
	verifier := oauth2.GenerateVerifier()
	conf := oauth2.Config{ClientID: client.ID, RedirectURL: app.URL + "/callback", Scopes: []string{"openid", "read"},
		Endpoint: oauth2.Endpoint{AuthURL: s.browser.Server.URL + "/oauth2/authorize"}}

	ctx := newChromium(t, chromium)
	shot, bg := loginPage(t, ctx, conf.AuthCodeURL("browser-state", oauth2.S256ChallengeOption(verifier)))
	if bg != "rgb(34, 85, 212)" {
		t.Errorf("the sign-in button's background is %q; want the stylesheet's rgb(34, 85, 212) (CSS loaded under the CSP)", bg)
	}
	keepScreenshot(t, shot)
	err := chromedp.Do(ctx,
		chromedp.SendKeys(chromedp.ID("username"), testUser),
		chromedp.SendKeys(chromedp.ID("password"), testPassword),
		chromedp.Click(chromedp.CSS(`button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`button[name=decision][value=allow]`)),
		chromedp.Click(chromedp.CSS(`button[name=decision][value=allow]`)),
		chromedp.WaitVisible(chromedp.ID("done")),
	)
	if err != nil {
		t.Fatalf("signing in through the pages: %v", err)
	}
	q := <-codes
	if q.Get("state") != "browser-state" || q.Get("iss") != s.App.Config.Issuer || q.Get("code") == "" {
		t.Fatalf("the redirect landed with %v; want code, state and iss", q)
	}
	r := s.PostForm("/oauth2/token", "", "", url.Values{"grant_type": {"authorization_code"}, "client_id": {client.ID},
		"code": {q.Get("code")}, "redirect_uri": {conf.RedirectURL}, "code_verifier": {verifier}})
	if r.Status != 200 || r.Str("access_token") == "" {
		t.Errorf("redeeming the browser's code = %d %s; want tokens", r.Status, r.Body)
	}
}

// findChromium returns the browser's path, skipping the test without one
// unless CI=true.
func findChromium(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("CI") == "true" {
		t.Fatal("Chromium is not installed and CI=true: run scripts/chromium.sh (as root) first")
	}
	t.Skip("Chromium is not installed (scripts/chromium.sh installs it)")
	return ""
}

// newChromium starts a headless Chromium that accepts the test server's
// certificate.
func newChromium(t *testing.T, path string) context.Context {
	t.Helper()
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path), chromedp.NoSandbox, chromedp.IgnoreCertErrors)
	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(alloc)
	ctx, cancelTimeout := context.WithTimeout(ctx, 60*time.Second)
	t.Cleanup(func() { cancelTimeout(); cancel(); cancelAlloc() })
	return ctx
}

// loginPage opens the authorization URL on a phone-sized viewport, waits
// for the login form and returns its screenshot and the sign-in button's background colour.
func loginPage(t *testing.T, ctx context.Context, authURL string) ([]byte, string) {
	t.Helper()
	err := chromedp.Do(ctx, chromedp.EmulateViewport(390, 844), chromedp.Navigate(authURL), chromedp.WaitVisible(chromedp.ID("password")))
	if err != nil {
		t.Fatalf("opening the login page: %v", err)
	}
	shot, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatalf("screenshot: %v", err)
	}
	bg, err := chromedp.Run(ctx, chromedp.Evaluate[string](`getComputedStyle(document.querySelector("button")).backgroundColor`))
	if err != nil {
		t.Fatalf("reading the button's style: %v", err)
	}
	return shot, bg
}

// keepScreenshot checks that shot is a phone-width PNG and writes it to
// docs/login.png when that is missing or LATCHKEY_UPDATE_SCREENSHOT=1.
func keepScreenshot(t *testing.T, shot []byte) {
	t.Helper()
	cfg, err := png.DecodeConfig(bytes.NewReader(shot))
	if err != nil || cfg.Width != 390 {
		t.Fatalf("screenshot: %v, %d pixels wide; want a PNG 390 pixels wide (a phone)", err, cfg.Width)
	}
	path := filepath.Join(dynamotest.RepoRoot(t), "docs", "login.png")
	_, err = os.Stat(path)
	if errors.Is(err, os.ErrNotExist) || os.Getenv("LATCHKEY_UPDATE_SCREENSHOT") == "1" {
		if err := os.WriteFile(path, shot, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}
