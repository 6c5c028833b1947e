package httpapi

import (
	"net/http"
	"time"

	"github.com/latchkey/latchkey/shared/oauth"
	"github.com/latchkey/latchkey/shared/tokens"
)

// mintBody is the JSON body of POST /tokens.
type mintBody struct {
	Name      string   `json:"name"`
	Subject   string   `json:"subject"`
	Scopes    []string `json:"scopes"`
	Resource  string   `json:"resource"`
	ExpiresIn *int64   `json:"expires_in"`
}

// mintAnswer is the 201 answer; the token appears in it and nowhere else.
type mintAnswer struct {
	ID        string   `json:"id"`
	Token     string   `json:"token"`
	Name      string   `json:"name"`
	Subject   string   `json:"subject"`
	Scopes    []string `json:"scopes"`
	Resource  string   `json:"resource,omitempty"`
	CreatedAt string   `json:"created_at"`
	ExpiresAt *string  `json:"expires_at"`
}

// maxExpiresIn keeps expires_in × time.Second inside a Duration; anything
// longer is rejected by the core's maximum anyway.
const maxExpiresIn = int64(100 * 365 * 24 * 3600)

// mint serves POST /tokens: a long-lived token for a system that cannot
// run OAuth.
func (a *API) mint(w http.ResponseWriter, r *http.Request) {
	p, err := a.principal(r)
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	req, err := decodeMint(r)
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	m, err := a.svc.Mint(r.Context(), p, req)
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, mintAnswer{
		ID: m.ID, Token: m.Token, Name: m.Name, Subject: m.Subject, Scopes: m.Scopes, Resource: firstOf(m.Audience),
		CreatedAt: rfc3339(m.CreatedAt), ExpiresAt: optionalTime(m.ExpiresAt),
	})
}

func decodeMint(r *http.Request) (tokens.MintRequest, error) {
	if mediaType(r) != "application/json" {
		return tokens.MintRequest{}, oauth.InvalidRequest("the content type must be application/json")
	}
	body, err := readBody(r)
	if err != nil {
		return tokens.MintRequest{}, err
	}
	var in mintBody
	if err := strictJSON(body, &in); err != nil {
		return tokens.MintRequest{}, err
	}
	req := tokens.MintRequest{Name: in.Name, Subject: in.Subject, Scopes: in.Scopes, Resource: in.Resource}
	if in.ExpiresIn != nil {
		if *in.ExpiresIn > maxExpiresIn {
			return tokens.MintRequest{}, oauth.InvalidRequest("expires_in is too long")
		}
		d := time.Duration(*in.ExpiresIn) * time.Second
		req.ExpiresIn = &d
	}
	return req, nil
}

// firstOf returns the first element of list, or "".
func firstOf(list []string) string {
	if len(list) == 0 {
		return ""
	}
	return list[0]
}

func rfc3339(t time.Time) string { return t.UTC().Format(time.RFC3339) }

// optionalTime renders a time, or null for the zero time.
func optionalTime(t time.Time) *string {
	if t.IsZero() {
		return nil
	}
	s := rfc3339(t)
	return &s
}
