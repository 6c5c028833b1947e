package tokens

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"log/slog"
	"net/url"
	"strings"

	"github.com/latchkey/latchkey/shared/oauth"
)

// LogoutRequest is an RP-initiated logout request (OpenID Connect
// RP-Initiated Logout 1.0 §2) with the browser's login cookie.
type LogoutRequest struct {
	ClientID              string
	IDTokenHint           string
	PostLogoutRedirectURI string
	State                 string
	LoginCookie           string
}

// LogoutView is what the logout confirmation page shows.
type LogoutView struct {
	// ClientName is the client that asked, when one is known.
	ClientName string
	// SignedIn reports whether the browser has a live login session.
	SignedIn bool
}

// CheckLogout validates a logout request before the user confirms it:
// the post-logout redirect URI must be registered for the client the
// request names (client_id, or the audience of id_token_hint), else the
// user sees an error and is not redirected.
func (s *Service) CheckLogout(ctx context.Context, r LogoutRequest) (LogoutView, error) {
	c, err := s.logoutClient(ctx, r)
	if err != nil {
		return LogoutView{}, err
	}
	login, _, err := s.liveLogin(ctx, r.LoginCookie)
	if err != nil {
		return LogoutView{}, err
	}
	return LogoutView{ClientName: c.Name, SignedIn: login != nil}, nil
}

// Logout ends the browser's login session (single sign-on) and sends it
// to the post-logout redirect URI with state, when one was given. The
// sessions of clients that hold refresh tokens (offline_access) stay:
// they were granted to outlive the login.
func (s *Service) Logout(ctx context.Context, r LogoutRequest) (Next, error) {
	c, err := s.logoutClient(ctx, r)
	if err != nil {
		return Next{}, err
	}
	if wellFormedSecret(r.LoginCookie) {
		if err := s.store.DeleteLogin(ctx, HashToken(r.LoginCookie)); err != nil {
			return Next{}, storeError(err)
		}
		s.audit(ctx, slog.LevelInfo, "logout", slog.String("client_id", c.ID), slog.String("outcome", "ok"))
	}
	next := Next{EndLogin: r.LoginCookie != ""}
	if r.PostLogoutRedirectURI != "" {
		next.Redirect = postLogoutURI(r.PostLogoutRedirectURI, r.State)
	}
	return next, nil
}

// logoutClient returns the client a logout request names, checking its
// post-logout redirect URI against the client's registered redirect URIs
// (exact match). A request that names no client may not redirect.
func (s *Service) logoutClient(ctx context.Context, r LogoutRequest) (Client, error) {
	id := r.ClientID
	if hinted := hintedClient(r.IDTokenHint); hinted != "" {
		if id != "" && id != hinted {
			return Client{}, oauth.InvalidRequest("client_id does not match the id_token_hint")
		}
		id = hinted
	}
	if id == "" {
		if r.PostLogoutRedirectURI != "" {
			return Client{}, oauth.InvalidRequest("post_logout_redirect_uri needs client_id or id_token_hint")
		}
		return Client{}, nil
	}
	if r.PostLogoutRedirectURI == "" {
		return s.knownClient(ctx, id)
	}
	return s.authorizingClient(ctx, id, r.PostLogoutRedirectURI)
}

// hintedClient returns the client an ID token names (azp, or its only
// aud) without verifying it: it only picks whose registered URIs the
// redirect must be one of, which a forged hint cannot widen.
func hintedClient(idToken string) string {
	parts := strings.Split(idToken, ".")
	if len(parts) != 3 || len(parts[1]) > 8192 {
		return ""
	}
	payload, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return ""
	}
	var claims struct {
		Azp string          `json:"azp"`
		Aud json.RawMessage `json:"aud"`
	}
	if json.Unmarshal(payload, &claims) != nil {
		return ""
	}
	if claims.Azp != "" {
		return claims.Azp
	}
	var one string
	if json.Unmarshal(claims.Aud, &one) == nil {
		return one
	}
	var many []string
	if json.Unmarshal(claims.Aud, &many) == nil && len(many) == 1 {
		return many[0]
	}
	return ""
}

// postLogoutURI is the post-logout redirect URI with state appended
// (RP-Initiated Logout §3).
func postLogoutURI(uri, state string) string {
	if state == "" {
		return uri
	}
	sep := "?"
	if strings.Contains(uri, "?") {
		sep = "&"
	}
	return uri + sep + url.Values{oauth.ParamState: {state}}.Encode()
}
