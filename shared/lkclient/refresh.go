package lkclient

import (
	"context"
	"errors"
	"fmt"
	"time"

	"golang.org/x/oauth2"
)

// refresh presents refreshToken (RFC 6749 §6), retrying what is worth
// retrying within s.opts.Backoff. A retry after a lost answer presents a
// refresh token the server may have rotated already: Latchkey answers it
// within the client's refresh_reuse_grace with the same new token, so the
// retry is safe (docs/design.md §3).
func (s *TokenSource) refresh(ctx context.Context, refreshToken string) (*oauth2.Token, error) {
	b := s.opts.Backoff
	for n := 0; ; n++ {
		t, err := s.refreshOnce(ctx, refreshToken)
		if err == nil {
			return t, nil
		}
		if se := signInRequired(err); se != nil {
			return nil, se
		}
		again, after := retryable(err, s.opts.Now())
		if !again || n+1 >= b.Attempts {
			return nil, fmt.Errorf("lkclient: refresh failed after %d attempt(s): %w", n+1, err)
		}
		if err := s.opts.Sleep(ctx, max(after, s.opts.Jitter(b.ceiling(n)))); err != nil {
			return nil, err
		}
	}
}

// refreshOnce sends one refresh request through x/oauth2 and sets the
// new token's expiry on the injected clock, from the time the request
// left (so the margin errs early, never late).
func (s *TokenSource) refreshOnce(ctx context.Context, refreshToken string) (*oauth2.Token, error) {
	if s.opts.HTTPClient != nil {
		ctx = context.WithValue(ctx, oauth2.HTTPClient, s.opts.HTTPClient)
	}
	sent := s.opts.Now()
	t, err := s.conf.TokenSource(ctx, &oauth2.Token{RefreshToken: refreshToken}).Token()
	if err != nil {
		return nil, err
	}
	t.Expiry = time.Time{}
	if t.ExpiresIn > 0 {
		t.Expiry = sent.Add(time.Duration(t.ExpiresIn) * time.Second)
	}
	return t, nil
}

// signInRequired turns an invalid_grant answer into a
// *SignInRequiredError, and returns nil for any other error.
func signInRequired(err error) *SignInRequiredError {
	var re *oauth2.RetrieveError
	if !errors.As(err, &re) || re.ErrorCode != "invalid_grant" {
		return nil
	}
	return &SignInRequiredError{Code: re.ErrorCode, Description: re.ErrorDescription, Err: err}
}
