package httpapi

import (
	"bytes"
	"embed"
	"html/template"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/latchkey/latchkey/shared/oauth"
	"github.com/latchkey/latchkey/shared/tokens"
)

// The browser pages of the sign-in (docs/design.md §10): server-rendered with
// html/template, one stylesheet served from the same origin, no script,
// no external asset. Every page forbids framing and caching and sends no
// Referer, so a request id in a URL never leaves the page.

//go:embed web/*.html web/latchkey.css
var webFiles embed.FS

var pages = template.Must(template.ParseFS(webFiles, "web/*.html"))

// stylesheet is the one stylesheet every page links to.
var stylesheet = func() []byte { b, _ := webFiles.ReadFile("web/latchkey.css"); return b }()

// Paths of the browser pages.
const (
	pathAuthorize  = "/oauth2/authorize"
	pathLogin      = "/oauth2/login"
	pathConsent    = "/oauth2/consent"
	pathLogout     = "/oauth2/logout"
	pathStylesheet = "/oauth2/assets/latchkey.css"
)

// pageHeaders are sent with every page and every redirect of the sign-in.
func pageHeaders(h http.Header) {
	h.Set("Content-Security-Policy", "default-src 'self'; frame-ancestors 'none'")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("Cache-Control", "no-store")
	h.Set("Pragma", "no-cache")
	h.Set("X-Content-Type-Options", "nosniff")
}

// writePage renders a page with the given status.
func (a *API) writePage(w http.ResponseWriter, r *http.Request, status int, name string, data any) {
	var buf bytes.Buffer
	if err := pages.ExecuteTemplate(&buf, name, data); err != nil {
		a.log.LogAttrs(r.Context(), slog.LevelError, "page_failed", slog.String("event", "page_failed"),
			slog.String("page", name), slog.String("cause", err.Error()))
		http.Error(w, "the page could not be rendered", http.StatusInternalServerError)
		return
	}
	pageHeaders(w.Header())
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

// errorView is what the error page shows.
type errorView struct{ Code, Description string }

// errorPage shows err to the user: what a browser gets when nothing may
// be sent back to the client (RFC 6749 §4.1.2.1). Outages are logged with
// their cause, which the page never shows.
func (a *API) errorPage(w http.ResponseWriter, r *http.Request, err error) {
	e := oauth.As(err)
	if e == nil {
		e = oauth.ServerError(err)
	}
	status := statusOf(e.Code)
	if status >= 500 {
		a.log.LogAttrs(r.Context(), slog.LevelError, "request_failed", slog.String("event", "request_failed"),
			slog.String("path", r.URL.Path), slog.String("outcome", e.Code), slog.String("cause", causeOf(e)))
	}
	if e.RetryAfter > 0 {
		w.Header().Set("Retry-After", strconv.Itoa(int(e.RetryAfter.Seconds())))
	}
	a.writePage(w, r, status, "error.html", errorView{Code: e.Code, Description: e.Description})
}

// follow sends the browser where the core said, setting or clearing the
// cookies on the way. status is 302 after a GET, 303 after a POST.
func (a *API) follow(w http.ResponseWriter, r *http.Request, next tokens.Next, status int) {
	secure := a.secureCookies(r)
	if next.CSRF != "" {
		http.SetCookie(w, csrfCookie(secure, next.CSRF))
	}
	switch {
	case next.Login != nil:
		http.SetCookie(w, loginCookie(secure, next.Login.Value, next.Login.MaxAge))
	case next.EndLogin:
		http.SetCookie(w, loginCookie(secure, "", 0))
	}
	target := next.Redirect
	if target == "" {
		target = pagePath(next.Page) + "?request=" + next.RequestID
	}
	pageHeaders(w.Header())
	w.Header().Set("Location", target)
	w.WriteHeader(status)
}

func pagePath(page string) string {
	switch page {
	case tokens.PageConsent:
		return pathConsent
	case tokens.PageDevice:
		return pathDevice
	}
	return pathLogin
}

// stylesheetHandler serves the pages' stylesheet.
func (a *API) stylesheetHandler(w http.ResponseWriter, _ *http.Request) {
	h := w.Header()
	h.Set("Content-Type", "text/css; charset=utf-8")
	h.Set("Cache-Control", "public, max-age=3600")
	h.Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(stylesheet)
}

// scopeView is one scope on the consent page.
type scopeView struct{ Name, Description string }

// scopeDescriptions say in words what the standard scopes let a client do.
var scopeDescriptions = map[string]string{
	"openid":                 "Know who you are when you sign in",
	"profile":                "See your name and profile",
	"email":                  "See your email address",
	oauth.ScopeOfflineAccess: "Keep access while you are not using it",
}

func scopeViews(scopes []string) []scopeView {
	out := make([]scopeView, 0, len(scopes))
	for _, s := range scopes {
		d, ok := scopeDescriptions[s]
		if !ok {
			d = "Use the permission"
		}
		out = append(out, scopeView{Name: s, Description: d})
	}
	return out
}

// Cookies of the sign-in. The __Host- prefix makes a browser refuse them
// unless Secure, Path=/ and no Domain, so no other host (a sibling
// subdomain) can set or overwrite them. A deployment whose issuer is
// plain http (latchkey serve on a laptop) gets the same cookies without
// the prefix and Secure, which browsers would refuse over http.
const (
	CSRFCookie  = "__Host-lk_csrf"
	LoginCookie = "__Host-lk_login"
)

// secureCookies reports whether the deployment is served over https.
func (a *API) secureCookies(r *http.Request) bool {
	return !strings.HasPrefix(a.svc.Issuer(r.Context()), "http://")
}

func cookieName(name string, secure bool) string {
	if secure {
		return name
	}
	return strings.TrimPrefix(name, "__Host-")
}

// csrfCookie binds pending requests to this browser (docs/design.md §10). It
// lasts as long as the browser session.
func csrfCookie(secure bool, value string) *http.Cookie {
	return &http.Cookie{
		Name: cookieName(CSRFCookie, secure), Value: value, Path: "/",
		Secure: secure, HttpOnly: true, SameSite: http.SameSiteLaxMode,
	}
}

// loginCookie carries the login session (single sign-on). SameSite=Lax
// sends it on the top-level navigation a client starts, and never on a
// cross-site POST. An empty value clears it.
func loginCookie(secure bool, value string, maxAge time.Duration) *http.Cookie {
	c := &http.Cookie{
		Name: cookieName(LoginCookie, secure), Value: value, Path: "/",
		Secure: secure, HttpOnly: true, SameSite: http.SameSiteLaxMode,
	}
	c.MaxAge = int(maxAge / time.Second)
	if value == "" || c.MaxAge <= 0 {
		c.MaxAge = -1
	}
	return c
}

// cookieValue returns the value of the named sign-in cookie, or "".
func (a *API) cookieValue(r *http.Request, name string) string {
	c, err := r.Cookie(cookieName(name, a.secureCookies(r)))
	if err != nil {
		return ""
	}
	return c.Value
}
