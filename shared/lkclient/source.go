package lkclient

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"time"

	"golang.org/x/oauth2"
)

// DefaultMargin is how long before the access token's expiry a
// TokenSource refreshes it when Options.Margin is zero.
const DefaultMargin = 60 * time.Second

// Options tune a TokenSource. The zero value gives the defaults.
type Options struct {
	// Margin is how long before expiry the access token is refreshed
	// [DefaultMargin]. A token that lives less than twice the margin is
	// refreshed at half its lifetime instead.
	Margin time.Duration
	// Backoff bounds the retries of a refresh that failed for a reason
	// worth retrying [DefaultBackoff].
	Backoff Backoff
	// HTTPClient sends the token requests [http.DefaultClient].
	HTTPClient *http.Client
	// Now is the clock [time.Now].
	Now func() time.Time
	// Sleep waits between retries [a timer that stops when ctx ends].
	Sleep func(ctx context.Context, d time.Duration) error
	// Jitter picks a delay in [0, ceiling] [uniformly at random].
	Jitter func(ceiling time.Duration) time.Duration
}

func (o Options) withDefaults() Options {
	if o.Margin <= 0 {
		o.Margin = DefaultMargin
	}
	o.Backoff = o.Backoff.orDefault()
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Sleep == nil {
		o.Sleep = sleepContext
	}
	if o.Jitter == nil {
		o.Jitter = fullJitter
	}
	return o
}

// TokenSource is an oauth2.TokenSource for one long-lived sign-in. It
// refreshes the access token Margin before it expires, makes one
// refresh request at a time however many goroutines ask (the others
// wait for its result), saves every rotated refresh token in its Store
// before it hands out the access token that came with it, retries
// failures worth retrying with backoff, and answers a refused refresh
// token with a *SignInRequiredError. It is safe for concurrent use.
type TokenSource struct {
	conf  *oauth2.Config
	store Store
	opts  Options
	ctx   context.Context

	mu  sync.Mutex
	tok *oauth2.Token // the token handed out; its refresh token is saved
	// unsaved is a rotated token the store refused: the next refresh
	// saves it instead of presenting the spent refresh token again.
	unsaved *oauth2.Token
	flight  *flight
}

var _ oauth2.TokenSource = (*TokenSource)(nil)

// flight is one refresh in progress; done closes when tok or err is set.
type flight struct {
	done chan struct{}
	tok  *oauth2.Token
	err  error
	// waiters counts the calls that joined the flight (guarded by the
	// source's mu).
	waiters int
}

// New returns a TokenSource for the token in store, refreshed at
// conf.Endpoint.TokenURL as conf's client. ctx serves the calls of
// Token; TokenContext takes its own. Without a stored token New answers
// a *SignInRequiredError.
func New(ctx context.Context, conf *oauth2.Config, store Store, opts Options) (*TokenSource, error) {
	t, err := store.Load(ctx)
	if errors.Is(err, ErrNoToken) {
		return nil, &SignInRequiredError{Description: "no stored token", Err: err}
	}
	if err != nil {
		return nil, fmt.Errorf("lkclient: loading the token: %w", err)
	}
	if t.RefreshToken == "" {
		return nil, &SignInRequiredError{Description: "the stored token has no refresh token", Err: ErrNoToken}
	}
	return &TokenSource{conf: refreshConfig(conf), store: store, opts: opts.withDefaults(), ctx: ctx, tok: t}, nil
}

// refreshConfig copies what a refresh needs from conf. It pins the
// client authentication style, since x/oauth2's auto-detection sends a
// failed request twice, and a refresh token must not be presented twice
// for nothing: Basic for a client with a secret, the form for a public
// client (RFC 6749 §2.3.1).
func refreshConfig(conf *oauth2.Config) *oauth2.Config {
	c := &oauth2.Config{ClientID: conf.ClientID, ClientSecret: conf.ClientSecret, Endpoint: conf.Endpoint, Scopes: conf.Scopes}
	if c.Endpoint.AuthStyle == oauth2.AuthStyleAutoDetect {
		c.Endpoint.AuthStyle = oauth2.AuthStyleInHeader
		if c.ClientSecret == "" {
			c.Endpoint.AuthStyle = oauth2.AuthStyleInParams
		}
	}
	return c
}

// Token returns a valid access token, refreshing it first when it is
// within the margin of its expiry. It implements oauth2.TokenSource.
func (s *TokenSource) Token() (*oauth2.Token, error) { return s.TokenContext(s.ctx) }

// TokenContext is Token with its own context, which bounds the wait and,
// when this call makes the refresh request, the request too.
func (s *TokenSource) TokenContext(ctx context.Context) (*oauth2.Token, error) {
	s.mu.Lock()
	if s.fresh(s.tok) {
		t := *s.tok
		s.mu.Unlock()
		return &t, nil
	}
	f, lead := s.flight, s.flight == nil
	if lead {
		f = &flight{done: make(chan struct{})}
		s.flight = f
	} else {
		f.waiters++
	}
	cur := s.tok
	s.mu.Unlock()
	if lead {
		s.lead(ctx, f, cur)
	}
	select {
	case <-f.done:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	if f.err != nil {
		return nil, f.err
	}
	t := *f.tok
	return &t, nil
}

// lead makes the refresh of flight f and publishes its result.
func (s *TokenSource) lead(ctx context.Context, f *flight, cur *oauth2.Token) {
	tok, err := s.renew(ctx, cur)
	if err != nil && s.stillUsable(ctx, cur, err) {
		tok, err = cur, nil
	}
	s.mu.Lock()
	if err == nil {
		s.tok = tok
	}
	s.flight = nil
	s.mu.Unlock()
	f.tok, f.err = tok, err
	close(f.done)
}

// renew refreshes cur and saves the result, or saves the rotated token
// an earlier flight could not. Only the leader of a flight calls it.
func (s *TokenSource) renew(ctx context.Context, cur *oauth2.Token) (*oauth2.Token, error) {
	if s.unsaved == nil {
		t, err := s.refresh(ctx, cur.RefreshToken)
		if err != nil {
			return nil, err
		}
		s.unsaved = t
	}
	if err := s.store.Save(ctx, s.unsaved); err != nil {
		return nil, &PersistError{Err: err}
	}
	t := s.unsaved
	s.unsaved = nil
	return t, nil
}

// stillUsable reports whether a refresh that failed for a passing reason
// may hand out the current access token, which has not expired yet: a
// proactive refresh should not turn an outage into an error early. A
// refused sign-in or an unsaved rotation always reports its error.
func (s *TokenSource) stillUsable(ctx context.Context, cur *oauth2.Token, err error) bool {
	var pe *PersistError
	if errors.Is(err, ErrSignInRequired) || errors.As(err, &pe) || ctx.Err() != nil {
		return false
	}
	return cur.AccessToken != "" && !cur.Expiry.IsZero() && s.opts.Now().Before(cur.Expiry)
}

// fresh reports whether t may be handed out without a refresh: it has an
// access token that expires later than the margin from now.
func (s *TokenSource) fresh(t *oauth2.Token) bool {
	if t.AccessToken == "" {
		return false
	}
	if t.Expiry.IsZero() {
		return true
	}
	margin := s.opts.Margin
	if life := time.Duration(t.ExpiresIn) * time.Second; life > 0 {
		margin = min(margin, life/2)
	}
	return s.opts.Now().Before(t.Expiry.Add(-margin))
}
