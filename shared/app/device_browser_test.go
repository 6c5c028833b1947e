package app_test

import (
	"context"
	"net/url"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"golang.org/x/oauth2"

	"github.com/latchkey/latchkey/shared/app/apptest"
)

// A real browser approves a device: golang.org/x/oauth2 asks for the
// codes, headless Chromium opens verification_uri_complete (on the test
// server's host), continues with the filled-in code, signs in on the
// hosted login page and presses Allow; DeviceAccessToken then gets the
// tokens. Without Chromium the test skips, unless CI=true.
func TestBrowserDeviceApproval(t *testing.T) {
	chromium := findChromium(t)
	t.Parallel()
	d := newDeviceFixture(t, apptest.New(t))
	conf := &oauth2.Config{ClientID: d.client.ID, Scopes: []string{"read", "offline_access"},
		Endpoint: oauth2.Endpoint{DeviceAuthURL: d.Server.URL + "/oauth2/device_authorization",
			TokenURL: d.Server.URL + "/oauth2/token", AuthStyle: oauth2.AuthStyleInParams}}
	bg := context.Background()
	da, err := conf.DeviceAuth(bg)
	if err != nil {
		t.Fatalf("DeviceAuth: %v", err)
	}
	complete, err := url.Parse(da.VerificationURIComplete)
	if err != nil {
		t.Fatal(err)
	}
	ctx := newChromium(t, chromium)
	err = chromedp.Do(ctx,
		chromedp.Navigate(d.b.Server.URL+complete.RequestURI()),
		chromedp.WaitVisible(chromedp.ID("user_code")),
		chromedp.Click(chromedp.CSS(`button[type=submit]`)),
		chromedp.WaitVisible(chromedp.ID("password")),
		chromedp.SendKeys(chromedp.ID("username"), testUser),
		chromedp.SendKeys(chromedp.ID("password"), testPassword),
		chromedp.Click(chromedp.CSS(`button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`button[name=decision][value=allow]`)),
		chromedp.Click(chromedp.CSS(`button[name=decision][value=allow]`)),
		chromedp.WaitVisible(chromedp.ID("device-allowed")),
	)
	if err != nil {
		t.Fatalf("approving through the pages: %v", err)
	}
	da.Interval = 1 // the harness's clock stands still: one poll, a second from now
	tok, err := conf.DeviceAccessToken(bg, da)
	if err != nil || tok.AccessToken == "" || !strings.HasPrefix(tok.RefreshToken, "lk_rt_") {
		t.Fatalf("DeviceAccessToken = %+v, %v; want an access and a refresh token", tok, err)
	}
}
