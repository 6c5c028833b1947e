// Command longjob is a long-running job that signs in to Latchkey once,
// with the device flow, and then keeps working for hours: it refreshes
// its access token before it expires, saves every rotated refresh token
// to a 0600 file before using the new access token, and picks up where
// it left off after a restart. It is the README's "A long-running job".
//
// The client needs the device grant (see the README's "Devices and
// CLIs"). Where no one can approve a device, -username signs in once with
// the password grant instead, for a first-party client allowed it (make
// dev's demo client), the password coming from $LATCHKEY_PASSWORD.
//
//	go run ./scripts/examples/longjob -issuer http://127.0.0.1:8080 \
//	    -client-id cli -scope "read offline_access" -url http://127.0.0.1:9000/work
package main

import (
	"context"
	"errors"
	"flag"
	"io"
	"log"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"time"

	"golang.org/x/oauth2"

	"github.com/latchkey/latchkey/shared/lkclient"
)

func main() {
	issuer := flag.String("issuer", "http://127.0.0.1:8080", "Latchkey's address")
	clientID := flag.String("client-id", "", "the job's client id (a secret, if any, comes from $LATCHKEY_CLIENT_SECRET)")
	scope := flag.String("scope", "offline_access", "scopes to ask for, space-separated; offline_access gets a refresh token")
	tokenFile := flag.String("token-file", "longjob-token.json", "where the refresh token is kept (0600)")
	target := flag.String("url", "", "the API the job calls with its token; empty only reports the token")
	every := flag.Duration("every", time.Minute, "how often the job works")
	username := flag.String("username", "", "sign in with the password grant as this user ($LATCHKEY_PASSWORD) instead of the device flow")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	conf := &oauth2.Config{
		ClientID: *clientID, ClientSecret: os.Getenv("LATCHKEY_CLIENT_SECRET"), Scopes: strings.Fields(*scope),
		Endpoint: oauth2.Endpoint{TokenURL: *issuer + "/oauth2/token", DeviceAuthURL: *issuer + "/oauth2/device_authorization"},
	}
	signIn := deviceSignIn
	if *username != "" {
		signIn = passwordSignIn(*username, os.Getenv("LATCHKEY_PASSWORD"))
	}
	if err := run(ctx, conf, signIn, lkclient.FileStore{Path: *tokenFile}, *target, *every); err != nil && !errors.Is(err, context.Canceled) {
		log.Fatal(err)
	}
}

// signInFunc gets a first token when there is none stored.
type signInFunc func(ctx context.Context, conf *oauth2.Config) (*oauth2.Token, error)

// deviceSignIn shows a code and a URL and waits for the user's approval
// (RFC 8628).
func deviceSignIn(ctx context.Context, conf *oauth2.Config) (*oauth2.Token, error) {
	return lkclient.DeviceSignIn(ctx, conf, os.Stderr)
}

// passwordSignIn signs in as username (RFC 6749 §4.3).
func passwordSignIn(username, password string) signInFunc {
	return func(ctx context.Context, conf *oauth2.Config) (*oauth2.Token, error) {
		return conf.PasswordCredentialsToken(ctx, username, password)
	}
}

// run works every interval until ctx ends, signing in again whenever
// Latchkey says the sign-in is over (revoked, or past its lifetime).
func run(ctx context.Context, conf *oauth2.Config, signIn signInFunc, store lkclient.Store, target string, every time.Duration) error {
	for {
		ts, err := signedIn(ctx, conf, signIn, store)
		if err != nil {
			return err
		}
		err = work(ctx, oauth2.NewClient(ctx, ts), ts, target, every)
		if !errors.Is(err, lkclient.ErrSignInRequired) {
			return err
		}
		log.Printf("signed out (%v); signing in again", err)
		if err := store.Save(ctx, &oauth2.Token{}); err != nil {
			return err
		}
	}
}

// signedIn returns a token source for the stored sign-in, signing in
// first when there is none.
func signedIn(ctx context.Context, conf *oauth2.Config, signIn signInFunc, store lkclient.Store) (*lkclient.TokenSource, error) {
	ts, err := lkclient.New(ctx, conf, store, lkclient.Options{})
	if !errors.Is(err, lkclient.ErrSignInRequired) {
		return ts, err
	}
	tok, err := signIn(ctx, conf)
	if err != nil {
		return nil, err
	}
	if err := store.Save(ctx, tok); err != nil {
		return nil, err
	}
	return lkclient.New(ctx, conf, store, lkclient.Options{})
}

// work does the job's work once per interval with a fresh token.
func work(ctx context.Context, client *http.Client, ts *lkclient.TokenSource, target string, every time.Duration) error {
	tick := time.NewTicker(every)
	defer tick.Stop()
	for {
		if err := once(ctx, client, ts, target); err != nil {
			return err
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-tick.C:
		}
	}
}

// once does one round of work. A failure other than the end of the
// sign-in is logged and the job carries on at the next round.
func once(ctx context.Context, client *http.Client, ts *lkclient.TokenSource, target string) error {
	err := call(ctx, client, ts, target)
	if err != nil && !errors.Is(err, lkclient.ErrSignInRequired) && ctx.Err() == nil {
		log.Printf("this round failed, trying again next round: %v", err)
		return nil
	}
	return err
}

// call reports the token, or calls target with it (the oauth2 client
// sets the Authorization header from ts on every request).
func call(ctx context.Context, client *http.Client, ts *lkclient.TokenSource, target string) error {
	if target == "" {
		tok, err := ts.TokenContext(ctx)
		if err == nil {
			log.Printf("working with a token valid until %s", tok.Expiry.Format(time.TimeOnly))
		}
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, target, nil)
	if err != nil {
		return err
	}
	res, err := client.Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	_, _ = io.Copy(io.Discard, res.Body)
	log.Printf("GET %s: %s", target, res.Status)
	return nil
}
