package main

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"

	"github.com/latchkey/latchkey/shared/app"
	"github.com/latchkey/latchkey/shared/store/dynamo"
)

// capacityRow is what one operation costs in DynamoDB.
type capacityRow struct {
	op       string
	scenario string // the load scenario this operation is, "" for none
	calls    map[string]int
	usage    usage
}

// inproc runs requests through the handler of an in-process App whose
// DynamoDB client is metered: the same code the server runs, on the same
// table, with its own caches.
type inproc struct {
	h     http.Handler
	e     *env
	meter *meter
	rows  []capacityRow
	err   error
}

// measureCapacity runs each operation once in a warm process (the client
// and key set cached, as in steady state) and records the DynamoDB calls
// and capacity units it took. DynamoDB Local reports consumed capacity as
// DynamoDB does for on-demand tables.
func measureCapacity(ctx context.Context, e *env) ([]capacityRow, error) {
	m := newMeter()
	client, err := dynamo.NewClient(ctx, e.cfg.Region, e.cfg.DynamoDBEndpoint, m.option())
	if err != nil {
		return nil, err
	}
	a, err := app.New(ctx, e.cfg, app.Options{DynamoDB: client, LogOutput: io.Discard})
	if err != nil {
		return nil, err
	}
	p := &inproc{h: a.Handler(), e: e, meter: m}
	cc := url.Values{"grant_type": {"client_credentials"}}

	p.form(e.cc, "/oauth2/token", cc, 200)
	p.row("token, first call of a container (client and key set read)", "")
	jwt := p.form(e.cc, "/oauth2/token", cc, 200).str("access_token")
	p.row("token: client_credentials, JWT", "token")
	p.form(e.ref, "/oauth2/token", cc, 200)
	p.meter.take()
	ref := p.form(e.ref, "/oauth2/token", cc, 200).str("access_token")
	p.row("token: client_credentials, reference token", "")

	login := url.Values{"grant_type": {"password"}, "username": {e.user}, "password": {e.pass}, "scope": {"read offline_access"}}
	p.form(e.web, "/oauth2/token", login, 200)
	p.meter.take()
	rt := p.form(e.web, "/oauth2/token", login, 200).str("refresh_token")
	p.row("token: password grant, new session", "")
	refreshed := p.form(e.web, "/oauth2/token", url.Values{"grant_type": {"refresh_token"}, "refresh_token": {rt}}, 200)
	p.row("token: refresh_token (rotate)", "refresh")

	p.form(e.cc, "/oauth2/introspect", url.Values{"token": {jwt}}, 200)
	p.row("introspect: JWT", "introspect")
	p.form(e.web, "/oauth2/introspect", url.Values{"token": {refreshed.str("access_token")}}, 200)
	p.row("introspect: JWT of a session", "")
	p.form(e.ref, "/oauth2/introspect", url.Values{"token": {ref}}, 200)
	p.row("introspect: reference token", "")

	fresh := p.form(e.cc, "/oauth2/token", cc, 200).str("access_token")
	p.meter.take()
	p.form(e.cc, "/oauth2/revoke", url.Values{"token": {fresh}}, 200)
	p.row("revoke: JWT", "revoke")
	p.form(e.web, "/oauth2/revoke", url.Values{"token": {refreshed.str("refresh_token")}}, 200)
	p.row("revoke: refresh token (its session)", "")

	admin := p.form(e.admin, "/oauth2/token", cc, 200).str("access_token")
	p.meter.take()
	p.bearer(http.MethodPost, "/tokens", admin, `{"name":"capacity","subject":"`+e.minted+`","scopes":["read"],"expires_in":3600}`, 201)
	p.row("mint: long-lived token (admin bearer)", "mint")
	p.bearer(http.MethodGet, "/sessions?limit=20&subject="+url.QueryEscape(e.sub), admin, "", 200)
	p.row("sessions: one page (admin bearer)", "sessions")
	return p.rows, p.err
}

// row records what the meter counted since the last row.
func (p *inproc) row(op, scenario string) {
	calls, u := p.meter.take()
	p.rows = append(p.rows, capacityRow{op: op, scenario: scenario, calls: calls, usage: u})
}

func (p *inproc) form(c cred, path string, form url.Values, want int) answer {
	req := httptest.NewRequest(http.MethodPost, path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Authorization", "Basic "+base64.StdEncoding.EncodeToString([]byte(url.QueryEscape(c.id)+":"+url.QueryEscape(c.secret))))
	return p.serve(req, want)
}

func (p *inproc) bearer(method, path, token, body string, want int) answer {
	req := httptest.NewRequest(method, path, strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+token)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	return p.serve(req, want)
}

func (p *inproc) serve(req *http.Request, want int) answer {
	w := httptest.NewRecorder()
	p.h.ServeHTTP(w, req)
	a := answer{status: w.Code}
	_ = json.Unmarshal(w.Body.Bytes(), &a.body)
	if w.Code != want && p.err == nil {
		p.err = fmt.Errorf("%s %s = %d %s; want %d", req.Method, req.URL.Path, w.Code, w.Body, want)
	}
	return a
}
