package main

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"

	"github.com/modelcontextprotocol/go-sdk/auth"
	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/latchkey/latchkey/shared/resourceserver"
)

// Server is the example MCP server: the guard's metadata and the MCP
// endpoint behind the guard.
type Server struct {
	http.Handler
	Guard *resourceserver.Guard
}

// WhoAmI is what the whoami tool answers: who the token acts for.
type WhoAmI struct {
	Subject  string   `json:"subject"`
	ClientID string   `json:"client_id"`
	Scopes   []string `json:"scopes"`
}

// New builds the server for cfg; callers need every scope in scopes.
func New(cfg resourceserver.Config, scopes ...string) (*Server, error) {
	guard, err := resourceserver.New(cfg)
	if err != nil {
		return nil, err
	}
	mcpServer := mcp.NewServer(&mcp.Implementation{Name: "latchkey-example", Version: "v1.0.0"}, nil)
	mcp.AddTool(mcpServer, &mcp.Tool{Name: "whoami", Description: "Says who the caller's token acts for."}, whoami)
	endpoint := mcp.NewStreamableHTTPHandler(func(*http.Request) *mcp.Server { return mcpServer }, nil)
	u, _ := url.Parse(cfg.Resource) // New checked it
	mux := http.NewServeMux()
	guard.Mount(mux)
	mux.Handle(u.EscapedPath(), guard.Require(scopes...)(auth.RequireBearerToken(tokenInfo, sdkOptions)(endpoint)))
	return &Server{Handler: mux, Guard: guard}, nil
}

// sdkOptions let the SDK's own check pass whatever the guard accepted:
// the guard has checked exp (with its clock and leeway), so the SDK is
// given no expiry to check again.
var sdkOptions = &auth.RequireBearerTokenOptions{AllowMissingExpiration: true}

// tokenInfo hands the SDK the token the guard has accepted, so the SDK
// binds each MCP session to its user and tools see the token in
// req.Extra.TokenInfo. It verifies nothing itself: the guard has.
func tokenInfo(_ context.Context, _ string, r *http.Request) (*auth.TokenInfo, error) {
	t, ok := resourceserver.TokenFrom(r.Context())
	if !ok {
		return nil, auth.ErrInvalidToken
	}
	return &auth.TokenInfo{
		Scopes: t.Scopes, UserID: t.Subject,
		Extra: map[string]any{"client_id": t.ClientID},
	}, nil
}

// whoami is the one tool.
func whoami(_ context.Context, req *mcp.CallToolRequest, _ struct{}) (*mcp.CallToolResult, WhoAmI, error) {
	info := req.Extra.TokenInfo
	if info == nil {
		return nil, WhoAmI{}, errors.New("no token")
	}
	client, _ := info.Extra["client_id"].(string)
	out := WhoAmI{Subject: info.UserID, ClientID: client, Scopes: info.Scopes}
	text := "You are " + out.Subject + ", calling through client " + out.ClientID + " with scopes " + strings.Join(out.Scopes, " ") + "."
	return &mcp.CallToolResult{Content: []mcp.Content{&mcp.TextContent{Text: text}}}, out, nil
}
