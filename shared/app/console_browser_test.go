package app_test

import (
	"bytes"
	"context"
	"fmt"
	"image/png"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/latchkey/latchkey/shared/app/apptest"
	"github.com/latchkey/latchkey/shared/console"
	"github.com/latchkey/latchkey/shared/oauth"
	"github.com/latchkey/latchkey/shared/store/dynamo/dynamotest"
	"github.com/latchkey/latchkey/shared/tokens"
)

// consoleRig is a Latchkey on TLS (the __Host- cookies need https) with
// the console's client registered for it, a user, an administrator and a
// resource server that introspects.
type consoleRig struct {
	*apptest.Harness
	url, subject, adminSubject string
	introspector               tokens.Client
	introspectorSecret         string
}

func newConsoleRig(t *testing.T) *consoleRig {
	t.Helper()
	h := apptest.New(t)
	b := h.Browser()
	r := &consoleRig{Harness: h, url: b.Server.URL, subject: h.User(testUser, testPassword)}
	r.adminSubject = h.User("root", testPassword)
	ctx := context.Background()
	if _, err := h.App.Service.SetUserClaims(ctx, "root", map[string]any{tokens.ClaimLatchkeyScopes: []any{tokens.ScopeSessionsRead, tokens.ScopeSessionsRevoke}}); err != nil {
		t.Fatalf("SetUserClaims: %v", err)
	}
	cfg := h.App.Config
	err := h.App.Store.CreateClient(ctx, tokens.Client{
		ID: console.ClientID, Name: "Latchkey console", AuthMethod: oauth.AuthNone, FirstParty: true,
		Grants: []string{oauth.GrantAuthorizationCode, oauth.GrantRefreshToken},
		Scopes: []string{"openid", "read", "write", tokens.ScopeSessionsRead, tokens.ScopeSessionsRevoke}, AllowOfflineAccess: true,
		AllowSelfMint: true, RedirectURIs: []string{r.url + console.Path},
		AccessTokenTTL: cfg.AccessTokenTTL, AccessTokenFormat: tokens.FormatJWT, RefreshAbsoluteTTL: cfg.RefreshAbsoluteTTL,
		RefreshIdleTTL: cfg.RefreshIdleTTL, RefreshRotation: tokens.RotationRotate, RefreshReuseGrace: cfg.RefreshReuseGrace,
		MaxSessionsPerSubject: tokens.DefaultMaxSessions, CreatedAt: h.Clock.Now(),
	})
	if err != nil {
		t.Fatalf("registering the console: %v", err)
	}
	r.introspector, r.introspectorSecret = h.Client(tokens.ClientSpec{Name: "resource server", Grants: []string{oauth.GrantClientCredentials},
		Scopes: []string{"read"}, Introspect: true})
	return r
}

// active asks introspection whether token is active.
func (r *consoleRig) active(t *testing.T, token string) bool {
	t.Helper()
	resp := r.PostForm("/oauth2/introspect", r.introspector.ID, r.introspectorSecret, url.Values{"token": {token}})
	if resp.Status != 200 {
		t.Fatalf("introspection = %d %s", resp.Status, resp.Body)
	}
	return strings.Contains(resp.Body, `"active":true`)
}

// signIn opens the console in a fresh browser, signs in through the hosted
// login page and waits for the sessions table.
func (r *consoleRig) signIn(t *testing.T, ctx context.Context, username string) {
	t.Helper()
	err := chromedp.Do(ctx,
		chromedp.EmulateViewport(1280, 900),
		chromedp.Navigate(r.url+console.Path),
		chromedp.WaitVisible(chromedp.ID(`#sign-in`)),
		chromedp.Click(chromedp.ID(`#sign-in`)),
		chromedp.WaitVisible(chromedp.ID(`#password`)),
		chromedp.SendKeys(chromedp.ID(`#username`), username),
		chromedp.SendKeys(chromedp.ID(`#password`), testPassword),
		chromedp.Click(chromedp.CSS(`button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`#sessions-table tbody tr`)),
	)
	if err != nil {
		t.Fatalf("signing in to the console as %s: %v; the page says: %s", username, err, pageText(t, ctx))
	}
}

// confirmAndWait answers the confirmation dialog and waits for the status
// line to say want.
func confirmAndWait(t *testing.T, ctx context.Context, want string) {
	t.Helper()
	err := chromedp.Do(ctx,
		chromedp.WaitVisible(chromedp.ID(`#confirm-ok`)),
		chromedp.Click(chromedp.ID(`#confirm-ok`)),
		chromedp.Poll[chromedp.Void](fmt.Sprintf(`document.getElementById("status").textContent.startsWith(%q)`, want), chromedp.WithPollingTimeout(15*time.Second)),
	)
	if err != nil {
		t.Fatalf("waiting for %q: %v", want, err)
	}
}

// pageText is what the page shows, for a failure's message.
func pageText(t *testing.T, ctx context.Context) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	text, err := chromedp.Run(ctx, chromedp.Evaluate[string](`location.href + "\n" + document.body.innerText`))
	if err != nil {
		return "(unreadable: " + err.Error() + ")"
	}
	return text
}

func evalString(t *testing.T, ctx context.Context, js string) string {
	t.Helper()
	out, err := chromedp.Run(ctx, chromedp.Evaluate[string](js, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("evaluating %s: %v", js, err)
	}
	return out
}

// TestConsoleInTheBrowser walks the console end to end in headless
// Chromium: sign in through the hosted login, the sessions table with its
// headings, mint a token (shown once, active at introspection), revoke it
// in the list, revoke another session's row (its refresh token is then
// refused), reload (still signed in), sign out everywhere; then an
// administrator looks up the user, and a non-administrator cannot.
func TestConsoleInTheBrowser(t *testing.T) {
	chromium := findChromium(t)
	r := newConsoleRig(t)
	ctx := newChromium(t, chromium)
	r.signIn(t, ctx, testUser)

	headings := evalString(t, ctx, `[...document.querySelectorAll("#sessions-table th")].map(th => th.textContent).join("|")`)
	if want := "Issued At|Expires At|Login Timestamp|JWT ID|Grants|"; !strings.HasPrefix(headings, want) {
		t.Errorf("the sessions table's headings = %q; want them to start %q", headings, want)
	}
	if n := evalString(t, ctx, `String(document.querySelectorAll("#sessions-table tr.this-browser").length)`); n != "1" {
		t.Errorf("rows marked this browser = %s; want 1", n)
	}
	if got := evalString(t, ctx, `document.cookie`); strings.Contains(got, "lk_rt") {
		t.Errorf("the refresh cookie is readable by scripts: %q", got)
	}
	screenshots(t, ctx, "sessions")

	// Mint a token: shown once, and it works.
	err := chromedp.Do(ctx,
		chromedp.Click(chromedp.ID(`#mint-open`)),
		chromedp.WaitVisible(chromedp.ID(`#mint-name`)),
		chromedp.SendKeys(chromedp.ID(`#mint-name`), "mcp: browser test"),
		chromedp.Click(chromedp.CSS(`#mint-scopes input[value=read]`)),
		chromedp.Click(chromedp.ID(`#mint-submit`)),
		chromedp.WaitVisible(chromedp.ID(`#minted-token`)),
	)
	if err != nil {
		t.Fatalf("minting in the console: %v", err)
	}
	token, err := chromedp.Run(ctx, chromedp.Value(chromedp.ID(`#minted-token`)))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(token, tokens.LongLivedPrefix) || !r.active(t, token) {
		t.Fatalf("the minted token %q is not an active long-lived token", token)
	}
	screenshots(t, ctx, "minted")
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.ID(`#minted-close`)),
		chromedp.WaitVisible(chromedp.CSS(`#tokens-table tbody tr button.danger`)),
		chromedp.Click(chromedp.CSS(`#tokens-table tbody tr button.danger`))); err != nil {
		t.Fatalf("revoking the token in the list: %v", err)
	}
	confirmAndWait(t, ctx, "Token revoked.")
	if r.active(t, token) {
		t.Error("the token revoked in the console is still active")
	}

	// Another session of the user, revoked from its row.
	other, otherSecret := r.Client(tokens.ClientSpec{Name: "cli", Grants: []string{oauth.GrantPassword, oauth.GrantRefreshToken},
		Scopes: []string{"read"}, AllowOfflineAccess: true})
	login := r.Token(other.ID, otherSecret, url.Values{"grant_type": {"password"}, "username": {testUser},
		"password": {testPassword}, "scope": {"read offline_access"}})
	sid := login.Str("refresh_token")
	sid = strings.SplitN(strings.TrimPrefix(sid, tokens.RefreshTokenPrefix), ".", 2)[0]
	if err := chromedp.Do(ctx, chromedp.Reload(),
		chromedp.WaitVisible(chromedp.CSS(fmt.Sprintf(`#sessions-table tr[data-id=%q] button.danger`, sid))),
		chromedp.Click(chromedp.CSS(fmt.Sprintf(`#sessions-table tr[data-id=%q] button.danger`, sid)))); err != nil {
		t.Fatalf("after a reload (still signed in?), revoking the other session's row: %v", err)
	}
	confirmAndWait(t, ctx, "Session revoked.")
	again := r.Token(other.ID, otherSecret, url.Values{"grant_type": {"refresh_token"}, "refresh_token": {login.Str("refresh_token")}})
	if again.Status != 400 || again.Str("error") != oauth.CodeInvalidGrant {
		t.Errorf("the revoked session's refresh token = %d %s; want invalid_grant", again.Status, again.Body)
	}

	// Sign out everywhere ends every session, this browser's included.
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.ID(`#sign-out-everywhere`))); err != nil {
		t.Fatal(err)
	}
	confirmAndWait(t, ctx, "Signed out everywhere")
	page, err := r.App.Service.ListSessions(context.Background(), tokens.Principal{Subject: r.subject}, tokens.SessionsRequest{Type: tokens.ListTypeOAuth})
	if err != nil || len(page.Entries) != 0 {
		t.Errorf("active sessions after sign out everywhere = %d (%v); want none", len(page.Entries), err)
	}
}

// TestConsoleAdminLookup: an administrator (a user holding sessions:read
// through its latchkey_scopes claim) looks up another subject in the
// console; a user without it sees no lookup, and the API refuses it.
func TestConsoleAdminLookup(t *testing.T) {
	chromium := findChromium(t)
	r := newConsoleRig(t)
	other, otherSecret := r.Client(tokens.ClientSpec{Name: "cli", Grants: []string{oauth.GrantPassword},
		Scopes: []string{"read"}, AllowOfflineAccess: true})
	if login := r.Token(other.ID, otherSecret, url.Values{"grant_type": {"password"}, "username": {testUser},
		"password": {testPassword}, "scope": {"read offline_access"}}); login.Status != 200 {
		t.Fatalf("the user's session = %d %s", login.Status, login.Body)
	}
	admin := newChromium(t, chromium)
	r.signIn(t, admin, "root")
	err := chromedp.Do(admin,
		chromedp.WaitVisible(chromedp.ID(`#lookup-form`)),
		chromedp.SetValue(chromedp.ID(`#subject`), r.subject),
		chromedp.Click(chromedp.CSS(`#lookup-form button`)),
		chromedp.Poll[chromedp.Void](fmt.Sprintf(`document.getElementById("who").textContent.includes(%q)`, "Showing "+r.subject), chromedp.WithPollingTimeout(15*time.Second)),
		chromedp.WaitVisible(chromedp.CSS(`#sessions-table tbody tr`)),
	)
	if err != nil {
		t.Fatalf("the administrator's lookup: %v; the page says: %s", err, pageText(t, admin))
	}
	if n := evalString(t, admin, `String(document.querySelectorAll("#sessions-table tbody tr").length)`); n == "0" {
		t.Error("the administrator sees no sessions of the user")
	}
	user := newChromium(t, chromium)
	r.signIn(t, user, testUser)
	if hidden := evalString(t, user, `String(document.getElementById("lookup").hidden)`); hidden != "true" {
		t.Error("a non-administrator sees the subject lookup")
	}
	refused := evalString(t, user, `import("/console/api.js").then(m => m.listSessions({subject: `+fmt.Sprintf("%q", r.adminSubject)+`})).then(() => "allowed", e => e.code)`)
	if refused != oauth.CodeInsufficientScope {
		t.Errorf("a non-administrator listing another subject = %q; want insufficient_scope", refused)
	}
}

// screenshots keeps the console's page at 1280 and 375 pixels under
// docs/console/ (written when missing, or again with
// LATCHKEY_UPDATE_SCREENSHOT=1), each checked to be a PNG of that width.
func screenshots(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	for _, width := range []int64{1280, 375} {
		if err := chromedp.Do(ctx, chromedp.EmulateViewport(width, 900)); err != nil {
			t.Fatal(err)
		}
		shot, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
		if err != nil {
			t.Fatalf("screenshot: %v", err)
		}
		cfg, err := png.DecodeConfig(bytes.NewReader(shot))
		if err != nil || int64(cfg.Width) != width {
			widest := evalString(t, ctx, `[...document.querySelectorAll("body *")].filter(e => !e.closest(".table-wrap") && e.getBoundingClientRect().right > innerWidth + 1).map(e => e.tagName + "#" + e.id + "." + e.className + ":" + Math.round(e.getBoundingClientRect().right)).slice(0, 5).join(", ") + " scrollWidth=" + document.documentElement.scrollWidth + " wrap=" + document.querySelector(".table-wrap").clientWidth + " css=" + getComputedStyle(document.querySelector(".table-wrap")).overflowX`)
			t.Fatalf("screenshot %s at %d: %v, %d pixels wide; past the viewport: %s", name, width, err, cfg.Width, widest)
		}
		path := filepath.Join(dynamotest.RepoRoot(t), "docs", "console", fmt.Sprintf("%s-%d.png", name, width))
		if _, err := os.Stat(path); err == nil && os.Getenv("LATCHKEY_UPDATE_SCREENSHOT") != "1" {
			continue
		}
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, shot, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(1280, 900)); err != nil {
		t.Fatal(err)
	}
}
