package main

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/latchkey/latchkey/shared/app"
	"github.com/latchkey/latchkey/shared/config"
	"github.com/latchkey/latchkey/shared/tokens"
)

// cred is a client's id and secret.
type cred struct{ id, secret string }

// env is what every scenario shares: the server, the seeded clients and
// user, and one HTTP client whose idle pool holds a connection per worker.
type env struct {
	base   string
	http   *http.Client
	cfg    config.Config
	cc     cred // client_credentials, JWT access tokens
	ref    cred // client_credentials, reference access tokens
	web    cred // first-party: password and refresh_token, offline access
	admin  cred // client_credentials with latchkey:admin
	user   string
	pass   string
	sub    string
	minted string // the subject long-lived tokens are minted for
}

// seed registers the clients and the user in the table the server reads.
func seed(ctx context.Context, base string) (*env, error) {
	cfg, err := config.FromEnv(os.LookupEnv)
	if err != nil {
		return nil, err
	}
	a, err := app.New(ctx, cfg, app.Options{LogOutput: io.Discard})
	if err != nil {
		return nil, err
	}
	e := &env{base: base, cfg: cfg, http: newHTTPClient(), user: "bench", pass: randomString(), minted: "bench-mint"}
	specs := []struct {
		into *cred
		spec tokens.ClientSpec
	}{
		{&e.cc, tokens.ClientSpec{Name: "bench-cc", Grants: []string{"client_credentials"}, Scopes: []string{"read", "write"}}},
		{&e.ref, tokens.ClientSpec{Name: "bench-ref", Grants: []string{"client_credentials"}, Scopes: []string{"read"}, AccessTokenFormat: tokens.FormatReference}},
		{&e.web, tokens.ClientSpec{
			Name: "bench-web", Grants: []string{"password", "refresh_token"}, Scopes: []string{"read", "write"},
			AllowOfflineAccess: true, RefreshIdleTTL: cfg.RefreshIdleTTL, RefreshReuseGrace: cfg.RefreshReuseGrace,
			MaxSessionsPerSubject: 500,
		}},
		{&e.admin, tokens.ClientSpec{Name: "bench-admin", Grants: []string{"client_credentials"}, Scopes: []string{tokens.ScopeAdmin}}},
	}
	for _, s := range specs {
		c, secret, err := a.Service.CreateClient(ctx, s.spec)
		if err != nil {
			return nil, err
		}
		*s.into = cred{id: c.ID, secret: secret}
	}
	u, err := a.Service.CreateUser(ctx, e.user, e.pass)
	if err != nil {
		return nil, err
	}
	e.sub = u.Subject
	return e, nil
}

func newHTTPClient() *http.Client {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxIdleConns = 1024
	t.MaxIdleConnsPerHost = 1024
	t.DisableCompression = true
	return &http.Client{Transport: t, Timeout: 30 * time.Second}
}

func randomString() string {
	b := make([]byte, 18)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// answer is a response: its status and JSON body.
type answer struct {
	status int
	body   map[string]any
}

func (a answer) str(key string) string {
	s, _ := a.body[key].(string)
	return s
}

// call sends one request and reads the whole answer, so the connection
// goes back to the idle pool.
func (e *env) call(ctx context.Context, method, path string, header http.Header, body string) (answer, error) {
	req, err := http.NewRequestWithContext(ctx, method, e.base+path, strings.NewReader(body))
	if err != nil {
		return answer{}, err
	}
	req.Header = header
	res, err := e.http.Do(req)
	if err != nil {
		return answer{}, err
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		return answer{}, err
	}
	a := answer{status: res.StatusCode}
	_ = json.Unmarshal(b, &a.body)
	return a, nil
}

// form posts a form authenticated with c's Basic credentials.
func (e *env) form(ctx context.Context, path string, c cred, form url.Values) (answer, error) {
	h := http.Header{}
	h.Set("Content-Type", "application/x-www-form-urlencoded")
	h.Set("Authorization", "Basic "+base64.StdEncoding.EncodeToString([]byte(url.QueryEscape(c.id)+":"+url.QueryEscape(c.secret))))
	return e.call(ctx, http.MethodPost, path, h, form.Encode())
}

// token asks for a client_credentials access token.
func (e *env) token(ctx context.Context, c cred) (string, error) {
	a, err := e.form(ctx, "/oauth2/token", c, url.Values{"grant_type": {"client_credentials"}})
	if err != nil {
		return "", err
	}
	if a.status != http.StatusOK || a.str("access_token") == "" {
		return "", fmt.Errorf("client_credentials: status %d %v", a.status, a.body)
	}
	return a.str("access_token"), nil
}

// login runs the password grant and returns a fresh session's refresh token.
func (e *env) login(ctx context.Context) (string, error) {
	a, err := e.form(ctx, "/oauth2/token", e.web, url.Values{
		"grant_type": {"password"}, "username": {e.user}, "password": {e.pass}, "scope": {"read offline_access"},
	})
	if err != nil {
		return "", err
	}
	if a.status != http.StatusOK || a.str("refresh_token") == "" {
		return "", fmt.Errorf("password grant: status %d %v", a.status, a.body)
	}
	return a.str("refresh_token"), nil
}

// bearer sends a request with an Authorization: Bearer header.
func (e *env) bearer(ctx context.Context, method, path, token, contentType, body string) (answer, error) {
	h := http.Header{}
	h.Set("Authorization", "Bearer "+token)
	if contentType != "" {
		h.Set("Content-Type", contentType)
	}
	return e.call(ctx, method, path, h, body)
}
