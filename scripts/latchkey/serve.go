package main

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/latchkey/latchkey/shared/httpapi"
)

// serve runs every function's routes on one port: the handlers the
// Lambda functions run, on a plain HTTP server.
func (c cli) serve(ctx context.Context, args []string) error {
	fs := c.flags("serve")
	addr := fs.String("addr", "127.0.0.1:8080", "listen address")
	if err := parse(fs, args, 0); err != nil {
		return err
	}
	a, err := c.app(ctx)
	if err != nil {
		return err
	}
	srv := newServer(*addr, a.Handler())
	go func() {
		<-ctx.Done()
		shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(shutdown)
	}()
	fmt.Fprintf(c.stderr, "latchkey: serving every function on http://%s (issuer %s)\n", *addr, a.Config.Issuer)
	if err := srv.ListenAndServe(); !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// Timeouts of the local server (issue 11 §12): a client that sends its
// headers or body slowly, or keeps an idle connection open, is cut off
// instead of holding a connection and a goroutine for ever. Each request
// has its own shorter deadline inside the API (httpapi.DefaultRequestTimeout),
// so a request that runs out of time is answered before WriteTimeout.
const (
	readHeaderTimeout = 5 * time.Second
	readTimeout       = 10 * time.Second
	writeTimeout      = 15 * time.Second
	idleTimeout       = 60 * time.Second
	maxHeaderBytes    = 64 << 10
)

// newServer returns the local server of api: what serve runs and what its
// tests serve.
func newServer(addr string, api http.Handler) *http.Server {
	return &http.Server{
		Addr: addr, Handler: withOpenAPI(api),
		ReadHeaderTimeout: readHeaderTimeout, ReadTimeout: readTimeout,
		WriteTimeout: writeTimeout, IdleTimeout: idleTimeout, MaxHeaderBytes: maxHeaderBytes,
	}
}

// withOpenAPI serves the API's OpenAPI document at GET /openapi.json
// beside the API. Only the local server does: the Lambda route table stays
// equal to template.yaml. It matches the one path itself rather than with
// a ServeMux, which would answer an unclean path (//oauth2/token,
// /oauth2/./token) with a 307 before the API could refuse it (issue 11 §7;
// RFC 9700 §4.12).
func withOpenAPI(api http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if (r.Method != http.MethodGet && r.Method != http.MethodHead) || r.URL.Path != "/openapi.json" {
			api.ServeHTTP(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(httpapi.OpenAPI())
	})
}
