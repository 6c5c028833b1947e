package resourceserver

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
)

// Metadata is the protected resource metadata of RFC 9728 §2.
type Metadata struct {
	Resource               string   `json:"resource"`
	AuthorizationServers   []string `json:"authorization_servers,omitempty"`
	ScopesSupported        []string `json:"scopes_supported,omitempty"`
	BearerMethodsSupported []string `json:"bearer_methods_supported"`
	ResourceName           string   `json:"resource_name,omitempty"`
	ResourceDocumentation  string   `json:"resource_documentation,omitempty"`
}

// Metadata returns this resource's metadata document.
func (g *Guard) Metadata() Metadata {
	return Metadata{
		Resource:               g.cfg.Resource,
		AuthorizationServers:   g.cfg.AuthorizationServers,
		ScopesSupported:        g.cfg.ScopesSupported,
		BearerMethodsSupported: []string{"header"},
		ResourceName:           g.cfg.ResourceName,
		ResourceDocumentation:  g.cfg.ResourceDocumentation,
	}
}

// MetadataPath is the path of the metadata document (RFC 9728 §3.1): the
// well-known prefix with the resource's path after it, so several
// resources on one host each have their own, e.g.
// /.well-known/oauth-protected-resource/mcp for https://host/mcp.
func (g *Guard) MetadataPath() string {
	u, _ := url.Parse(g.cfg.Resource) // checked by New
	return wellKnownProtectedResource + strings.TrimSuffix(u.EscapedPath(), "/")
}

// MetadataURL is the absolute URL of the metadata document, the
// resource_metadata of every challenge (RFC 9728 §5.1).
func (g *Guard) MetadataURL() string {
	u, _ := url.Parse(g.cfg.Resource)
	return u.Scheme + "://" + u.Host + g.MetadataPath()
}

// MetadataHandler serves the metadata document to GET requests. It is
// public, cacheable and readable from any origin, so browser-based
// clients can discover the authorization server too.
func (g *Guard) MetadataHandler() http.Handler {
	body, _ := json.Marshal(g.Metadata())
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Access-Control-Allow-Origin", "*")
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			h.Set("Allow", "GET, HEAD")
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		h.Set("Content-Type", "application/json")
		h.Set("Cache-Control", "public, max-age=3600")
		_, _ = w.Write(body)
	})
}

// Mount serves the metadata on mux at MetadataPath and, when that differs,
// at the bare well-known path too, which clients written before path
// suffixes (and MCP clients of the 2025-03-26 revision) ask first.
// Mount a single resource per host this way; with several, mount each
// MetadataHandler at its own MetadataPath instead.
func (g *Guard) Mount(mux *http.ServeMux) {
	mux.Handle(g.MetadataPath(), g.MetadataHandler())
	if g.MetadataPath() != wellKnownProtectedResource {
		mux.Handle(wellKnownProtectedResource, g.MetadataHandler())
	}
}
