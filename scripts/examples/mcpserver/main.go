// Command mcpserver is an MCP server (the official Go SDK,
// github.com/modelcontextprotocol/go-sdk) whose one tool, whoami, only
// Latchkey's users can call: shared/resourceserver guards it. An MCP
// client given nothing but the server's URL gets a 401 that names the
// server's protected resource metadata, finds Latchkey there, signs the
// user in and comes back with a token for this server alone. It is the
// README's "Protect an MCP server".
//
//	go run ./scripts/examples/mcpserver -issuer http://127.0.0.1:8080 \
//	    -resource http://127.0.0.1:9000/mcp -scope notes:read
package main

import (
	"flag"
	"log"
	"log/slog"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/latchkey/latchkey/shared/resourceserver"
)

func main() {
	issuer := flag.String("issuer", "http://127.0.0.1:8080", "Latchkey's issuer")
	resource := flag.String("resource", "http://127.0.0.1:9000/mcp", "this server's URL: the audience its tokens must name")
	listen := flag.String("listen", "127.0.0.1:9000", "address to listen on")
	scope := flag.String("scope", "", "scopes a caller needs, space-separated")
	introspectID := flag.String("introspect-client-id", "", "a client allowed to introspect (secret in $LATCHKEY_INTROSPECT_SECRET): accept reference and long-lived tokens, see revocations at once")
	flag.Parse()
	cfg := resourceserver.Config{
		Resource: *resource, Issuer: *issuer, ScopesSupported: strings.Fields(*scope), ResourceName: "Latchkey example MCP server",
		Logger: slog.New(slog.NewJSONHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug})),
	}
	if *introspectID != "" {
		cfg.Introspection = &resourceserver.Introspection{
			URL: *issuer + "/oauth2/introspect", ClientID: *introspectID, ClientSecret: os.Getenv("LATCHKEY_INTROSPECT_SECRET"),
		}
	}
	h, err := New(cfg, strings.Fields(*scope)...)
	if err != nil {
		log.Fatal(err)
	}
	log.Printf("MCP server %s (metadata %s), tokens from %s", *resource, h.Guard.MetadataURL(), *issuer)
	srv := &http.Server{Addr: *listen, Handler: h, ReadHeaderTimeout: 10 * time.Second}
	log.Fatal(srv.ListenAndServe())
}
