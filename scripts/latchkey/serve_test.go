package main

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/latchkey/latchkey/shared/httpapi"
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
