package lkclient

import (
	"context"
	"errors"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"golang.org/x/oauth2"
)

// Backoff bounds the retries of a failed refresh: exponential backoff
// with full jitter (the delay before retry n is a random duration in
// [0, min(Max, Base·2ⁿ)]), never shorter than a Retry-After the server
// sent (RFC 9110 §10.2.3).
type Backoff struct {
	// Attempts is how many requests are made at most, the first
	// included [5].
	Attempts int
	// Base is the ceiling of the first delay [500 ms].
	Base time.Duration
	// Max caps each jittered delay [30 s]; a longer Retry-After is still
	// honoured.
	Max time.Duration
}

// DefaultBackoff is the Backoff a zero Options gets.
var DefaultBackoff = Backoff{Attempts: 5, Base: 500 * time.Millisecond, Max: 30 * time.Second}

func (b Backoff) orDefault() Backoff {
	if b.Attempts <= 0 {
		b.Attempts = DefaultBackoff.Attempts
	}
	if b.Base <= 0 {
		b.Base = DefaultBackoff.Base
	}
	if b.Max <= 0 {
		b.Max = DefaultBackoff.Max
	}
	return b
}

// ceiling is the jitter's upper bound before retry n (0 for the first
// retry): min(Max, Base·2ⁿ), computed without overflow.
func (b Backoff) ceiling(n int) time.Duration {
	d := b.Base
	for i := 0; i < n && d < b.Max; i++ {
		d *= 2
	}
	return min(d, b.Max)
}

// fullJitter returns a uniformly random duration in [0, ceiling].
func fullJitter(ceiling time.Duration) time.Duration {
	if ceiling <= 0 {
		return 0
	}
	return rand.N(ceiling + 1)
}

// sleepContext waits for d or until ctx ends.
func sleepContext(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// retryable reports whether a failed token request may succeed when
// sent again: a network error, a 5xx or 429 answer, or the error code
// temporarily_unavailable (RFC 6749 §4.1.2.1), and the Retry-After the
// answer carried, if any.
func retryable(err error, now time.Time) (bool, time.Duration) {
	var re *oauth2.RetrieveError
	if errors.As(err, &re) {
		after := retryAfter(re.Response, now)
		if re.ErrorCode == "temporarily_unavailable" {
			return true, after
		}
		if re.Response != nil && (re.Response.StatusCode >= 500 || re.Response.StatusCode == http.StatusTooManyRequests) {
			return true, after
		}
		return false, 0
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return false, 0
	}
	var ue *url.Error
	var ne net.Error
	return errors.As(err, &ue) || errors.As(err, &ne), 0
}

// retryAfter reads Retry-After as delay-seconds or an HTTP-date (RFC 9110
// §10.2.3); an absent, malformed or past value is 0.
func retryAfter(res *http.Response, now time.Time) time.Duration {
	if res == nil {
		return 0
	}
	v := res.Header.Get("Retry-After")
	if v == "" {
		return 0
	}
	if secs, err := strconv.ParseInt(v, 10, 32); err == nil {
		return max(0, time.Duration(secs)*time.Second)
	}
	if at, err := http.ParseTime(v); err == nil {
		return max(0, at.Sub(now))
	}
	return 0
}
