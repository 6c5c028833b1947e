package lkclient

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/url"
	"slices"
	"testing"
	"time"

	"golang.org/x/oauth2"
)

// TestBackoff asserts the delays a failing refresh asks the injected
// sleep for. The rig's jitter picks half the ceiling, so the ceilings
// min(Max, Base·2ⁿ) show through: 500 ms, 1 s, 2 s, … halved.
func TestBackoff(t *testing.T) {
	unavailable := answer{status: 503, code: "temporarily_unavailable"}
	for _, tc := range []struct {
		name    string
		backoff Backoff
		script  []answer
		sleeps  []time.Duration
		want    string // access token, or "" for an error
	}{
		{name: "temporarily_unavailable then success", script: []answer{unavailable, unavailable},
			sleeps: []time.Duration{250 * time.Millisecond, 500 * time.Millisecond}, want: "at-1"},
		{name: "5xx without a code", script: []answer{{status: 500}, {status: 502}, {status: 504}},
			sleeps: []time.Duration{250 * time.Millisecond, 500 * time.Millisecond, time.Second}, want: "at-1"},
		{name: "429", script: []answer{{status: 429, code: "slow_down"}},
			sleeps: []time.Duration{250 * time.Millisecond}, want: "at-1"},
		{name: "network error", script: []answer{{hangUp: true}, {hangUp: true}},
			sleeps: []time.Duration{250 * time.Millisecond, 500 * time.Millisecond}, want: "at-1"},
		{name: "Retry-After seconds longer than the backoff", script: []answer{{status: 503, code: "temporarily_unavailable", retryAfter: "7"}},
			sleeps: []time.Duration{7 * time.Second}, want: "at-1"},
		{name: "Retry-After shorter than the backoff", backoff: Backoff{Base: 8 * time.Second},
			script: []answer{{status: 503, code: "temporarily_unavailable", retryAfter: "1"}},
			sleeps: []time.Duration{4 * time.Second}, want: "at-1"},
		{name: "Retry-After HTTP-date", script: []answer{{status: 503, retryAfter: start.Add(16*time.Minute + 42*time.Second).Format(http.TimeFormat)}},
			sleeps: []time.Duration{42 * time.Second}, want: "at-1"},
		{name: "malformed Retry-After ignored", script: []answer{{status: 503, retryAfter: "soon"}},
			sleeps: []time.Duration{250 * time.Millisecond}, want: "at-1"},
		{name: "Max caps the ceiling", backoff: Backoff{Attempts: 6, Base: time.Second, Max: 3 * time.Second},
			script: slices.Repeat([]answer{unavailable}, 5),
			sleeps: []time.Duration{500 * time.Millisecond, time.Second, 1500 * time.Millisecond, 1500 * time.Millisecond, 1500 * time.Millisecond}, want: "at-1"},
		{name: "gives up after Attempts", script: slices.Repeat([]answer{unavailable}, 5),
			sleeps: []time.Duration{250 * time.Millisecond, 500 * time.Millisecond, time.Second, 2 * time.Second}},
		{name: "Attempts 1 never sleeps", backoff: Backoff{Attempts: 1}, script: []answer{unavailable}},
		{name: "invalid_client is not retried", script: []answer{{status: 401, code: "invalid_client"}}},
		{name: "invalid_request is not retried", script: []answer{{status: 400, code: "invalid_request"}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := newRig(t, Options{Backoff: tc.backoff})
			r.srv.script = tc.script
			r.clock.Set(start.Add(16 * time.Minute)) // at-0 has expired: no fallback
			tok, err := r.ts.Token()
			if tc.want != "" && (err != nil || tok.AccessToken != tc.want) {
				t.Fatalf("Token = %v, %v; want %s", tok, err, tc.want)
			}
			if tc.want == "" && err == nil {
				t.Fatalf("Token = %s; want an error", tok.AccessToken)
			}
			if !slices.Equal(r.sleeps.got, tc.sleeps) {
				t.Errorf("sleeps = %v; want %v", r.sleeps.got, tc.sleeps)
			}
			if reqs, _ := r.srv.counts(); reqs != len(tc.sleeps)+1 {
				t.Errorf("requests = %d; want %d", reqs, len(tc.sleeps)+1)
			}
		})
	}
}

// TestGivingUpKeepsTheCause: the error after the last attempt wraps the
// server's last answer, and is not a sign-in error.
func TestGivingUpKeepsTheCause(t *testing.T) {
	r := newRig(t, Options{Backoff: Backoff{Attempts: 2}})
	r.srv.script = []answer{{status: 503, code: "temporarily_unavailable"}, {status: 503, code: "temporarily_unavailable"}}
	r.clock.Set(start.Add(16 * time.Minute))
	_, err := r.ts.Token()
	var re *oauth2.RetrieveError
	if !errors.As(err, &re) || re.ErrorCode != "temporarily_unavailable" || errors.Is(err, ErrSignInRequired) {
		t.Errorf("Token = %v; want the temporarily_unavailable answer, not ErrSignInRequired", err)
	}
}

// TestOutageBeforeExpiryHandsOutCurrentToken: a proactive refresh that
// fails for a passing reason hands out the access token that is still
// valid, and the next call tries again.
func TestOutageBeforeExpiryHandsOutCurrentToken(t *testing.T) {
	r := newRig(t, Options{Backoff: Backoff{Attempts: 2}})
	r.srv.script = []answer{{status: 503, code: "temporarily_unavailable"}, {hangUp: true}}
	r.clock.Set(start.Add(14*time.Minute + 30*time.Second))
	if tok, err := r.ts.Token(); err != nil || tok.AccessToken != "at-0" {
		t.Fatalf("Token during an outage = %v, %v; want at-0, still valid", tok, err)
	}
	if tok, err := r.ts.Token(); err != nil || tok.AccessToken != "at-1" {
		t.Fatalf("Token after the outage = %v, %v; want at-1", tok, err)
	}
	if reqs, presented := r.srv.counts(); reqs != 3 || !slices.Equal(presented, []string{"rt-0", "rt-0", "rt-0"}) {
		t.Errorf("requests = %d presenting %v; want 3 presenting rt-0", reqs, presented)
	}
}

// TestRetryable pins the classification of errors.
func TestRetryable(t *testing.T) {
	res := func(status int, retryAfter string) *http.Response {
		h := http.Header{}
		if retryAfter != "" {
			h.Set("Retry-After", retryAfter)
		}
		return &http.Response{StatusCode: status, Header: h}
	}
	for _, tc := range []struct {
		name  string
		err   error
		retry bool
		after time.Duration
	}{
		{"503 temporarily_unavailable", &oauth2.RetrieveError{Response: res(503, "1"), ErrorCode: "temporarily_unavailable"}, true, time.Second},
		{"temporarily_unavailable in a 400", &oauth2.RetrieveError{Response: res(400, ""), ErrorCode: "temporarily_unavailable"}, true, 0},
		{"negative Retry-After", &oauth2.RetrieveError{Response: res(503, "-5")}, true, 0},
		{"past HTTP-date", &oauth2.RetrieveError{Response: res(503, start.Add(-time.Hour).Format(http.TimeFormat))}, true, 0},
		{"400 invalid_grant", &oauth2.RetrieveError{Response: res(400, ""), ErrorCode: "invalid_grant"}, false, 0},
		{"network error", &url.Error{Op: "Post", URL: "https://auth.test", Err: io.ErrUnexpectedEOF}, true, 0},
		{"context cancelled", &url.Error{Op: "Post", URL: "https://auth.test", Err: context.Canceled}, false, 0},
		{"plain error", errors.New("oauth2: server response missing access_token"), false, 0},
	} {
		retry, after := retryable(tc.err, start)
		if retry != tc.retry || after != tc.after {
			t.Errorf("%s: retryable = %v, %v; want %v, %v", tc.name, retry, after, tc.retry, tc.after)
		}
	}
}
