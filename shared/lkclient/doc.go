// Package lkclient keeps a program signed in to Latchkey (or any OAuth
// 2.0 server that rotates refresh tokens) for hours or days: the code
// that integrations otherwise write by hand around golang.org/x/oauth2.
// It depends on the standard library and x/oauth2 only.
//
// What it adds to x/oauth2's own TokenSource:
//
//   - Proactive refresh: the access token is renewed a margin (60 s by
//     default) before it expires, not after a request has failed.
//   - One refresh at a time: however many goroutines ask during a
//     refresh, one request goes out and all of them get its result. With
//     one-time refresh tokens (RFC 9700 §4.14.2) two concurrent refreshes
//     would otherwise look like token theft and end the session.
//   - Persistence before use: every rotated refresh token is saved in a
//     [Store] before the new access token is handed out, so a restart
//     never presents a spent token. [FileStore] writes a 0600 file
//     atomically. A crash after the server rotated but before the save is
//     covered by the server's grace window: Latchkey answers the previous
//     refresh token, presented again within the client's
//     refresh_reuse_grace (30 s by default), with the same new token.
//   - Retries: network errors, 5xx and temporarily_unavailable answers
//     are retried with exponential backoff and full jitter, honouring
//     Retry-After, a bounded number of times.
//   - A typed end: invalid_grant becomes a *[SignInRequiredError]
//     (errors.Is(err, [ErrSignInRequired])), the cue to sign in again.
//
// It also helps with the two ways a program without a browser gets its
// first token: [DeviceSignIn] (RFC 8628, built on x/oauth2's DeviceAuth
// and DeviceAccessToken) and [Exchange] (RFC 8693 token exchange, for a
// service that starts a job on a user's behalf).
//
// A long-running job signs in once and then runs across rotations and
// restarts:
//
//	conf := &oauth2.Config{
//		ClientID: "cli",
//		Endpoint: oauth2.Endpoint{
//			TokenURL:      "https://auth.example.com/oauth2/token",
//			DeviceAuthURL: "https://auth.example.com/oauth2/device_authorization",
//		},
//		Scopes: []string{"read", "offline_access"},
//	}
//	store := lkclient.FileStore{Path: "/var/lib/job/token.json"}
//	ts, err := lkclient.New(ctx, conf, store, lkclient.Options{})
//	if errors.Is(err, lkclient.ErrSignInRequired) {
//		tok, err := lkclient.DeviceSignIn(ctx, conf, os.Stderr)
//		// handle err, then:
//		err = store.Save(ctx, tok)
//		// handle err, then:
//		ts, err = lkclient.New(ctx, conf, store, lkclient.Options{})
//	}
//	client := oauth2.NewClient(ctx, ts) // every request carries a fresh token
//
// A Token call that answers ErrSignInRequired later (the session was
// revoked, or it reached its absolute lifetime) calls for the same
// sign-in again.
package lkclient
