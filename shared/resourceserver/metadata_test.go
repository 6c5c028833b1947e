package resourceserver_test

import (
	"encoding/json"
	"io"
	"net/http"
	"reflect"
	"strings"
	"testing"

	"github.com/latchkey/latchkey/shared/resourceserver"
)

// TestMetadata: the protected resource metadata (RFC 9728 §2) is served
// at the path-suffixed well-known URL (§3.1) and at the bare one, and the
// challenge names the former.
func TestMetadata(t *testing.T) {
	g, err := resourceserver.New(resourceserver.Config{
		Resource: "https://mcp.test/tools/mcp", Issuer: testIssuer, ScopesSupported: []string{"notes:read"},
		ResourceName: "Notes",
	})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := g.MetadataURL(), "https://mcp.test/.well-known/oauth-protected-resource/tools/mcp"; got != want {
		t.Errorf("MetadataURL() = %s; want %s", got, want)
	}
	server := serve(t, g)
	want := map[string]any{
		"resource": "https://mcp.test/tools/mcp", "authorization_servers": []any{testIssuer},
		"scopes_supported": []any{"notes:read"}, "bearer_methods_supported": []any{"header"}, "resource_name": "Notes",
	}
	for _, path := range []string{"/.well-known/oauth-protected-resource/tools/mcp", "/.well-known/oauth-protected-resource"} {
		res, err := server.Client().Get(server.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		var got map[string]any
		if err := json.Unmarshal(body, &got); err != nil || res.StatusCode != http.StatusOK {
			t.Fatalf("GET %s = %d %s; want 200 JSON", path, res.StatusCode, body)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("GET %s = %v; want %v", path, got, want)
		}
		if ct := res.Header.Get("Content-Type"); ct != "application/json" {
			t.Errorf("GET %s Content-Type = %q; want application/json", path, ct)
		}
	}
}

// TestConfig refuses what would make a guard accept the wrong tokens or
// publish a metadata URL that clients must not trust.
func TestConfig(t *testing.T) {
	tests := []struct {
		name string
		cfg  resourceserver.Config
		want string // part of the error; empty for none
	}{
		{"https", resourceserver.Config{Resource: "https://mcp.test/mcp", Issuer: testIssuer}, ""},
		{"http on loopback", resourceserver.Config{Resource: "http://127.0.0.1:8080/mcp", Issuer: testIssuer}, ""},
		{"http on localhost", resourceserver.Config{Resource: "http://localhost:8080/mcp", Issuer: testIssuer}, ""},
		{"http elsewhere", resourceserver.Config{Resource: "http://mcp.test/mcp", Issuer: testIssuer}, "neither https"},
		{"fragment", resourceserver.Config{Resource: "https://mcp.test/mcp#x", Issuer: testIssuer}, "fragment"},
		{"relative", resourceserver.Config{Resource: "/mcp", Issuer: testIssuer}, "absolute"},
		{"no issuer", resourceserver.Config{Resource: "https://mcp.test/mcp"}, "Issuer is required"},
		{"introspection without URL", resourceserver.Config{Resource: "https://mcp.test/mcp", Issuer: testIssuer, Introspection: &resourceserver.Introspection{}}, "Introspection.URL"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := resourceserver.New(tc.cfg)
			if tc.want == "" && err != nil || tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)) {
				t.Fatalf("New error = %v; want %q", err, tc.want)
			}
		})
	}
}
