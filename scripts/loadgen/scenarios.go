package main

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"time"
)

// worker is one closed-loop client: it sends its next request when the
// last one is answered. It keeps its own state between levels: its
// session (refresh), a token to send (introspect, mint, sessions) and
// tokens waiting to be revoked.
type worker struct {
	env     *env
	refresh string
	token   string
	pool    []string
}

// scenario is one endpoint under load.
type scenario struct {
	key   string // the -scenarios name
	route string // what the table shows
	// setup readies a worker before the measured phase; it may run until
	// the given time (revoke fills its pool of fresh tokens meanwhile).
	setup func(ctx context.Context, w *worker, until time.Time) error
	// do sends one request; an error is a failed request, errPoolEmpty
	// ends the phase.
	do func(ctx context.Context, w *worker) error
}

// errPoolEmpty ends a revoke phase whose workers ran out of fresh tokens.
var errPoolEmpty = errors.New("no fresh token left to revoke")

var scenarios = []*scenario{
	{key: "token", route: "POST /oauth2/token (client_credentials, JWT)", setup: warmToken, do: doToken},
	{key: "refresh", route: "POST /oauth2/token (refresh_token, rotate)", setup: setupRefresh, do: doRefresh},
	{key: "introspect", route: "POST /oauth2/introspect (JWT)", setup: setupIntrospect, do: doIntrospect},
	{key: "revoke", route: "POST /oauth2/revoke (fresh JWT)", setup: setupRevoke, do: doRevoke},
	{key: "mint", route: "POST /tokens (mint, admin bearer)", setup: setupAdmin, do: doMint},
	{key: "sessions", route: "GET /sessions (one page, admin bearer)", setup: setupAdmin, do: doSessions},
}

func scenarioNames() []string {
	names := make([]string, len(scenarios))
	for i, s := range scenarios {
		names[i] = s.key
	}
	return names
}

func scenarioByName(name string) *scenario {
	for _, s := range scenarios {
		if s.key == name {
			return s
		}
	}
	return nil
}

// workerPool keeps a scenario's workers across concurrency levels, so a
// worker's session outlives the level that created it.
type workerPool struct {
	env     *env
	workers []*worker
}

func newWorkerPool(e *env) *workerPool { return &workerPool{env: e} }

// take returns the first n workers, creating any that are missing.
func (p *workerPool) take(n int) []*worker {
	for len(p.workers) < n {
		p.workers = append(p.workers, &worker{env: p.env})
	}
	return p.workers[:n]
}

// expect turns an answer with another status into an error.
func expect(a answer, err error, status int) error {
	if err != nil {
		return err
	}
	if a.status != status {
		return fmt.Errorf("status %d, want %d: %v", a.status, status, a.body)
	}
	return nil
}

// warmToken issues one token, so the server has the client cached.
func warmToken(ctx context.Context, w *worker, _ time.Time) error {
	_, err := w.env.token(ctx, w.env.cc)
	return err
}

func doToken(ctx context.Context, w *worker) error {
	_, err := w.env.token(ctx, w.env.cc)
	return err
}

// setupRefresh signs in once per worker; the session then lives across
// levels.
func setupRefresh(ctx context.Context, w *worker, _ time.Time) error {
	if w.refresh != "" {
		return nil
	}
	rt, err := w.env.login(ctx)
	w.refresh = rt
	return err
}

func doRefresh(ctx context.Context, w *worker) error {
	if w.refresh == "" { // a failed rotation ended the session: sign in again
		if err := setupRefresh(ctx, w, time.Time{}); err != nil {
			return err
		}
	}
	a, err := w.env.form(ctx, "/oauth2/token", w.env.web, url.Values{"grant_type": {"refresh_token"}, "refresh_token": {w.refresh}})
	if err := expect(a, err, http.StatusOK); err != nil {
		w.refresh = ""
		return err
	}
	w.refresh = a.str("refresh_token")
	return nil
}

func setupIntrospect(ctx context.Context, w *worker, _ time.Time) error {
	t, err := w.env.token(ctx, w.env.cc)
	w.token = t
	return err
}

func doIntrospect(ctx context.Context, w *worker) error {
	a, err := w.env.form(ctx, "/oauth2/introspect", w.env.cc, url.Values{"token": {w.token}})
	if err := expect(a, err, http.StatusOK); err != nil {
		return err
	}
	if a.body["active"] != true {
		return fmt.Errorf("introspection: %v, want active", a.body)
	}
	return nil
}

// setupRevoke issues fresh JWTs until the given time; each is revoked once.
func setupRevoke(ctx context.Context, w *worker, until time.Time) error {
	w.pool = w.pool[:0]
	for time.Now().Before(until) {
		t, err := w.env.token(ctx, w.env.cc)
		if err != nil {
			return err
		}
		w.pool = append(w.pool, t)
	}
	return nil
}

func doRevoke(ctx context.Context, w *worker) error {
	if len(w.pool) == 0 {
		return errPoolEmpty
	}
	t := w.pool[len(w.pool)-1]
	w.pool = w.pool[:len(w.pool)-1]
	a, err := w.env.form(ctx, "/oauth2/revoke", w.env.cc, url.Values{"token": {t}, "token_type_hint": {"access_token"}})
	return expect(a, err, http.StatusOK)
}

// setupAdmin gets a fresh admin bearer token for each level, so a long
// run never outlives its 15 minutes.
func setupAdmin(ctx context.Context, w *worker, _ time.Time) error {
	t, err := w.env.token(ctx, w.env.admin)
	w.token = t
	return err
}

func doMint(ctx context.Context, w *worker) error {
	body := `{"name":"bench","subject":"` + w.env.minted + `","scopes":["read"],"expires_in":3600}`
	a, err := w.env.bearer(ctx, http.MethodPost, "/tokens", w.token, "application/json", body)
	return expect(a, err, http.StatusCreated)
}

func doSessions(ctx context.Context, w *worker) error {
	a, err := w.env.bearer(ctx, http.MethodGet, "/sessions?limit=20&subject="+url.QueryEscape(w.env.sub), w.token, "", "")
	return expect(a, err, http.StatusOK)
}
