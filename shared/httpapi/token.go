package httpapi

import (
	"net/http"

	"github.com/latchkey/latchkey/shared/oauth"
	"github.com/latchkey/latchkey/shared/tokens"
)

// token serves POST /oauth2/token (RFC 6749 §3.2) for every grant.
func (a *API) token(w http.ResponseWriter, r *http.Request) {
	form, err := parseForm(r)
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	auth, err := clientAuth(r, form)
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	resp, err := a.svc.Token(r.Context(), tokens.TokenRequest{
		Client:       auth,
		GrantType:    form.Get(oauth.ParamGrantType),
		Scope:        form.Get(oauth.ParamScope),
		Username:     form.Get(oauth.ParamUsername),
		Password:     form.Get(oauth.ParamPassword),
		RefreshToken: form.Get(oauth.ParamRefreshToken),
		Code:         form.Get(oauth.ParamCode),
		RedirectURI:  form.Get(oauth.ParamRedirectURI),
		CodeVerifier: form.Get(oauth.ParamCodeVerifier),
		DeviceCode:   form.Get(oauth.ParamDeviceCode),
		Resources:    form[oauth.ParamResource],
		IP:           clientIP(r),
		UserAgent:    r.UserAgent(),
		// Token exchange (RFC 8693 §2.1).
		SubjectToken:       form.Get(oauth.ParamSubjectToken),
		SubjectTokenType:   form.Get(oauth.ParamSubjectTokenType),
		ActorToken:         form.Get(oauth.ParamActorToken),
		ActorTokenType:     form.Get(oauth.ParamActorTokenType),
		RequestedTokenType: form.Get(oauth.ParamRequestedTokenType),
		Audiences:          form[oauth.ParamAudience],
	})
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	cookieDelivery(w, a.secureCookies(r), auth.ID, &resp)
	writeJSON(w, http.StatusOK, resp)
}
