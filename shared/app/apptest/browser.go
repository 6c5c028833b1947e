package apptest

import (
	"html"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

// Browser drives the sign-in pages as a browser without JavaScript does:
// over HTTPS (the pages' cookies are Secure and __Host-), with a cookie
// jar, following no redirect by itself so tests see every hop.
type Browser struct {
	T      testing.TB
	Server *httptest.Server
	Client *http.Client
}

// Browser starts an HTTPS server around the harness's handler and returns
// a fresh browser for it: its own cookies, nothing signed in.
func (h *Harness) Browser() *Browser {
	h.T.Helper()
	srv := httptest.NewTLSServer(h.Handler) // tagged by function, so the IAM recorder sees browser flows
	h.T.Cleanup(srv.Close)
	return NewBrowser(h.T, srv)
}

// NewBrowser returns a browser with an empty cookie jar for srv.
func NewBrowser(t testing.TB, srv *httptest.Server) *Browser {
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	c := srv.Client()
	client := &http.Client{Transport: c.Transport, Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	}}
	return &Browser{T: t, Server: srv, Client: client}
}

// Page is one answer the browser got.
type Page struct {
	Status int
	Header http.Header
	Body   string
}

// Location is where a redirect points.
func (p Page) Location() string { return p.Header.Get("Location") }

// LocationQuery is the query of the redirect's target.
func (p Page) LocationQuery() url.Values {
	u, err := url.Parse(p.Location())
	if err != nil {
		return nil
	}
	return u.Query()
}

var inputPattern = regexp.MustCompile(`<input[^>]*\bname="([^"]+)"[^>]*\bvalue="([^"]*)"`)

// Field returns the value of the page's input named name, or "".
func (p Page) Field(name string) string {
	for _, m := range inputPattern.FindAllStringSubmatch(p.Body, -1) {
		if m[1] == name {
			return html.UnescapeString(m[2])
		}
	}
	return ""
}

// Get fetches a path of the server or an absolute URL.
func (b *Browser) Get(target string) Page {
	b.T.Helper()
	return b.do(http.MethodGet, target, nil)
}

// Post submits a form to a path of the server.
func (b *Browser) Post(target string, form url.Values) Page {
	b.T.Helper()
	return b.do(http.MethodPost, target, form)
}

func (b *Browser) do(method, target string, form url.Values) Page {
	b.T.Helper()
	if strings.HasPrefix(target, "/") {
		target = b.Server.URL + target
	}
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, target, body)
	if err != nil {
		b.T.Fatal(err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	res, err := b.Client.Do(req)
	if err != nil {
		b.T.Fatalf("%s %s: %v", method, target, err)
	}
	defer res.Body.Close()
	text, err := io.ReadAll(res.Body)
	if err != nil {
		b.T.Fatal(err)
	}
	return Page{Status: res.StatusCode, Header: res.Header, Body: string(text)}
}

// Cookie returns the value of the browser's cookie for the server, or "".
func (b *Browser) Cookie(name string) string {
	u, _ := url.Parse(b.Server.URL)
	for _, c := range b.Client.Jar.Cookies(u) {
		if c.Name == name {
			return c.Value
		}
	}
	return ""
}

// LogIn fills in and posts the login form a page shows.
func (b *Browser) LogIn(form Page, username, password string) Page {
	b.T.Helper()
	return b.Post("/oauth2/login", url.Values{
		"request": {form.Field("request")}, "username": {username}, "password": {password},
	})
}

// Decide presses a button of the consent page: allow or deny.
func (b *Browser) Decide(page Page, decision string) Page {
	b.T.Helper()
	return b.Post("/oauth2/consent", url.Values{"request": {page.Field("request")}, "decision": {decision}})
}
