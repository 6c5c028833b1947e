package apptest

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// Response is an answer with its body read and, when JSON, decoded.
type Response struct {
	Status int
	Header http.Header
	Body   string
	JSON   map[string]any
}

// Str returns a string field of the JSON body.
func (r Response) Str(key string) string {
	s, _ := r.JSON[key].(string)
	return s
}

// Do sends a request to the harness server and reads the answer.
func (h *Harness) Do(method, path, contentType, body string, header http.Header) Response {
	h.T.Helper()
	return h.DoT(h.T, method, path, contentType, body, header)
}

// DoT is Do failing t instead of the harness's test, so subtests and
// goroutines of other tests may call it. A transport error, which is also
// how a handler's panic shows, fails t.
func (h *Harness) DoT(t testing.TB, method, path, contentType, body string, header http.Header) Response {
	t.Helper()
	req, err := http.NewRequest(method, h.Server.URL+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range header {
		req.Header[k] = v
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	res, err := h.Server.Client().Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v (did the handler panic?)", method, path, err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatalf("%s %s: read body: %v", method, path, err)
	}
	out := Response{Status: res.StatusCode, Header: res.Header, Body: string(b)}
	_ = json.Unmarshal(b, &out.JSON)
	return out
}

// PostForm posts a form to path, authenticating with Basic when id is set.
func (h *Harness) PostForm(path, id, secret string, form url.Values) Response {
	h.T.Helper()
	header := http.Header{}
	if id != "" {
		header.Set("Authorization", BasicAuth(id, secret))
	}
	return h.Do(http.MethodPost, path, "application/x-www-form-urlencoded", form.Encode(), header)
}

// Token posts to the token endpoint with Basic client authentication.
func (h *Harness) Token(id, secret string, form url.Values) Response {
	h.T.Helper()
	return h.PostForm("/oauth2/token", id, secret, form)
}
