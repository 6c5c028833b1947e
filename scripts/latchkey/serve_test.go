package main

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/latchkey/latchkey/shared/httpapi"
	"github.com/latchkey/latchkey/shared/tokens"
)

// TestWithOpenAPI: the local server answers GET /openapi.json with the
// document and hands every other request to the API unchanged.
func TestWithOpenAPI(t *testing.T) {
	api := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Api", r.Method+" "+r.URL.Path)
		w.WriteHeader(http.StatusTeapot)
	})
	srv := httptest.NewServer(withOpenAPI(api))
	defer srv.Close()
	tests := []struct {
		name, method, path string
		status             int
		api                string
	}{
		{"the document", http.MethodGet, "/openapi.json", http.StatusOK, ""},
		{"another method goes to the API", http.MethodPost, "/openapi.json", http.StatusTeapot, "POST /openapi.json"},
		{"an API route", http.MethodPost, "/oauth2/token", http.StatusTeapot, "POST /oauth2/token"},
		{"the root", http.MethodGet, "/", http.StatusTeapot, "GET /"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, _ := http.NewRequest(tt.method, srv.URL+tt.path, nil)
			res, err := srv.Client().Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer res.Body.Close()
			body, _ := io.ReadAll(res.Body)
			if res.StatusCode != tt.status || res.Header.Get("X-Api") != tt.api {
				t.Fatalf("%s %s = %d, API saw %q; want %d, %q", tt.method, tt.path, res.StatusCode, res.Header.Get("X-Api"), tt.status, tt.api)
			}
			if tt.status != http.StatusOK {
				return
			}
			if got := res.Header.Get("Content-Type"); got != "application/json" {
				t.Errorf("Content-Type = %q; want application/json", got)
			}
			if !bytes.Equal(body, httpapi.OpenAPI()) {
				t.Errorf("GET /openapi.json body differs from httpapi.OpenAPI() (%d vs %d bytes)", len(body), len(httpapi.OpenAPI()))
			}
		})
	}
}

// servedAPI starts what `latchkey serve` serves, the real API handler
// inside newServer, over a Service that needs no store for what the tests
// ask.
func servedAPI(t *testing.T) *httptest.Server {
	t.Helper()
	api := httpapi.New(tokens.New(tokens.Options{Issuer: "https://auth.test"}), nil)
	srv := httptest.NewUnstartedServer(nil)
	srv.Config = newServer("", api.Handler())
	srv.Start()
	t.Cleanup(srv.Close)
	return srv
}

// rawRequest sends a request line exactly as written, with no client in
// between to clean its path, and returns the answer.
func rawRequest(t *testing.T, srv *httptest.Server, method, path string) *http.Response {
	t.Helper()
	conn, err := net.Dial("tcp", srv.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	fmt.Fprintf(conn, "%s %s HTTP/1.1\r\nHost: auth.test\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 0\r\nConnection: close\r\n\r\n", method, path)
	res, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	t.Cleanup(func() { res.Body.Close() })
	return res
}

// Issue 11 §7: the API answers unclean paths with 404, but the OpenAPI mux
// that `latchkey serve` wrapped around it redirected them first with a
// 307, which makes a client post its credentials again (RFC 9700 §4.12).
// This tests what is served.
func TestServeAnswersUncleanPathsWith404(t *testing.T) {
	srv := servedAPI(t)
	for _, tc := range []struct{ method, path string }{
		{http.MethodPost, "//oauth2/token"},
		{http.MethodPost, "/oauth2/./token"},
		{http.MethodPost, "/oauth2/../oauth2/token"},
		{http.MethodPost, "/oauth2//token"},
		{http.MethodGet, "//openapi.json"},
		{http.MethodGet, "/./openapi.json"},
		{http.MethodGet, "//.well-known/jwks.json"},
	} {
		res := rawRequest(t, srv, tc.method, tc.path)
		if res.StatusCode != http.StatusNotFound || res.Header.Get("Location") != "" {
			t.Errorf("%s %s = %d, Location %q; want 404 and no redirect", tc.method, tc.path, res.StatusCode, res.Header.Get("Location"))
		}
	}
	if res := rawRequest(t, srv, http.MethodGet, "/openapi.json"); res.StatusCode != http.StatusOK {
		t.Errorf("GET /openapi.json = %d; want 200", res.StatusCode)
	}
}

// Issue 11 §12: `latchkey serve` set only ReadHeaderTimeout, so slow
// bodies and idle connections stayed open for ever. Every timeout is set,
// and the write timeout outlasts a request's own deadline, so a request
// that runs out of time still gets its 503.
func TestServeSetsTimeouts(t *testing.T) {
	srv := newServer("127.0.0.1:0", http.NotFoundHandler())
	for name, got := range map[string]time.Duration{
		"ReadHeaderTimeout": srv.ReadHeaderTimeout, "ReadTimeout": srv.ReadTimeout,
		"WriteTimeout": srv.WriteTimeout, "IdleTimeout": srv.IdleTimeout,
	} {
		if got <= 0 || got > 2*time.Minute {
			t.Errorf("%s = %v; want set, at most 2m", name, got)
		}
	}
	if srv.WriteTimeout <= httpapi.DefaultRequestTimeout {
		t.Errorf("WriteTimeout %v; want longer than a request's own deadline, %v", srv.WriteTimeout, httpapi.DefaultRequestTimeout)
	}
	if srv.ReadHeaderTimeout > srv.ReadTimeout {
		t.Errorf("ReadHeaderTimeout %v > ReadTimeout %v; want the header deadline inside the request's", srv.ReadHeaderTimeout, srv.ReadTimeout)
	}
	if srv.MaxHeaderBytes <= 0 || srv.MaxHeaderBytes > 1<<20 {
		t.Errorf("MaxHeaderBytes = %d; want set, below the 1 MiB default", srv.MaxHeaderBytes)
	}
	// A slow body is cut off: the server closes the connection once
	// ReadTimeout passes, here shortened so the test need not wait.
	srv.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { _, _ = io.Copy(io.Discard, r.Body) })
	srv.ReadTimeout, srv.ReadHeaderTimeout = 100*time.Millisecond, 100*time.Millisecond
	ts := httptest.NewUnstartedServer(nil)
	ts.Config = srv
	ts.Start()
	defer ts.Close()
	conn, err := net.Dial("tcp", ts.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	fmt.Fprintf(conn, "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\nslow")
	_ = conn.SetReadDeadline(time.Now().Add(30 * time.Second))
	if _, err := io.ReadAll(conn); err != nil {
		t.Errorf("a slow body: the connection stayed open (%v); want it closed by the server", err)
	}
}
