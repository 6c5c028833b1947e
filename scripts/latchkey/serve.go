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
	srv := &http.Server{Addr: *addr, Handler: withOpenAPI(a.Handler()), ReadHeaderTimeout: 5 * time.Second}
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

// withOpenAPI serves the API's OpenAPI document at GET /openapi.json
// beside the API. Only the local server does: the Lambda route table stays
// equal to template.yaml.
func withOpenAPI(api http.Handler) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /openapi.json", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(httpapi.OpenAPI())
	})
	mux.Handle("/", api)
	return mux
}
