// Package resourceserver guards the HTTP handlers of a resource server
// (an API, an MCP server) with access tokens issued by Latchkey. It
// depends on nothing but the standard library and jwx, so a service may
// copy it as is.
//
// A Guard accepts a request when its Authorization header carries a
// bearer token (RFC 6750 §2.1) that is:
//
//   - a JWT access token (RFC 9068): one ES256 signature (the algorithm is
//     pinned, never taken from the token) by a key the issuer publishes,
//     typ at+jwt, iss equal to Config.Issuer, aud naming Config.Resource,
//     exp, nbf and iat valid within a small leeway. Keys are fetched from
//     the JWKS and cached; a token naming an unknown kid refreshes them at
//     most once per JWKSMinRefresh;
//   - or, when Config.Introspection is set, any token the issuer's
//     introspection endpoint (RFC 7662) calls active, of type Bearer, for
//     this resource: reference tokens (lk_at_) and long-lived tokens
//     (lk_lt_). With Introspection.CheckJWTs a JWT is introspected too, so
//     a revoked one is refused within Introspection.CacheTTL rather than
//     at its exp.
//
// and that carries every scope the route requires. Otherwise it answers
// 401 with `WWW-Authenticate: Bearer resource_metadata="…", scope="…"`
// (RFC 9728 §5.1), or 403 insufficient_scope naming the scopes needed, so
// a client can find the authorization server and ask for the right
// scopes. A token for another resource is refused: that is what keeps a
// token given to one MCP server from being replayed at another (the MCP
// authorization specification's "token audience binding").
//
// The guard also serves the protected resource metadata (RFC 9728 §3) at
// /.well-known/oauth-protected-resource plus the resource's path.
//
// Offline verification cannot see a revocation: a revoked JWT stays
// accepted until its exp (15 minutes by default) unless CheckJWTs is on.
//
// A complete MCP server (github.com/modelcontextprotocol/go-sdk) guarded
// by this package is in scripts/examples/mcpserver. In short:
//
//	guard, err := resourceserver.New(resourceserver.Config{
//		Resource:        "https://mcp.example.com/mcp",
//		Issuer:          "https://auth.example.com",
//		ScopesSupported: []string{"notes:read"},
//		// Optional: accept reference and long-lived tokens, see
//		// revocations at once, with the credentials of a client
//		// registered with --introspect (read from your configuration).
//		Introspection: &resourceserver.Introspection{
//			URL:          "https://auth.example.com/oauth2/introspect",
//			ClientID:     introspectID,
//			ClientSecret: introspectSecret,
//		},
//	})
//	if err != nil {
//		log.Fatal(err)
//	}
//	server := mcp.NewServer(&mcp.Implementation{Name: "notes", Version: "v1"}, nil)
//	mcp.AddTool(server, &mcp.Tool{Name: "whoami"}, whoami) // whoami reads resourceserver.TokenFrom(ctx)
//	handler := mcp.NewStreamableHTTPHandler(func(*http.Request) *mcp.Server { return server }, nil)
//
//	mux := http.NewServeMux()
//	guard.Mount(mux) // GET /.well-known/oauth-protected-resource/mcp
//	mux.Handle("/mcp", guard.Require("notes:read")(handler))
//	log.Fatal(http.ListenAndServe(":8443", mux))
//
// Inside a handler, TokenFrom(r.Context()) returns the accepted token:
// its subject, client, scopes and audience.
package resourceserver
