package console

import (
	"embed"
	"io/fs"
	"mime"
	"path"
)

// ClientID is the console's OAuth client id, registered by
// `latchkey console setup` and by make dev.
const ClientID = "latchkey-console"

// Path is where the console is served; its redirect URI is the issuer
// plus Path.
const Path = "/console"

// ContentSecurityPolicy allows the console its own files and API only:
// no inline script or style, no framing, no plugins, forms and the base
// URI pinned to the deployment.
const ContentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
	"object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

//go:embed web
var files embed.FS

// File returns an embedded file by name ("" is the page itself) and its
// content type; ok is false for anything that is not one of the files.
func File(name string) (body []byte, contentType string, ok bool) {
	if name == "" {
		name = "index.html"
	}
	if name != path.Base(name) || name == "." {
		return nil, "", false
	}
	body, err := fs.ReadFile(files, "web/"+name)
	if err != nil {
		return nil, "", false
	}
	contentType = mime.TypeByExtension(path.Ext(name))
	if path.Ext(name) == ".js" {
		contentType = "text/javascript; charset=utf-8"
	}
	return body, contentType, true
}

// Names lists the embedded files.
func Names() []string {
	entries, _ := fs.ReadDir(files, "web")
	out := make([]string, 0, len(entries))
	for _, e := range entries {
		out = append(out, e.Name())
	}
	return out
}
