package lkclient

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"golang.org/x/oauth2"
)

// Errors of a device sign-in that ended without a token (RFC 8628 §3.5).
var (
	// ErrAccessDenied means the user denied the request.
	ErrAccessDenied = errors.New("lkclient: the user denied the sign-in")
	// ErrDeviceCodeExpired means nobody approved the request in time.
	ErrDeviceCodeExpired = errors.New("lkclient: the sign-in code expired")
)

// DeviceSignIn signs in with the device authorization grant (RFC 8628),
// for programs without a browser: it asks conf.Endpoint.DeviceAuthURL
// for a code, writes the address and the code to w for the user, and
// polls conf.Endpoint.TokenURL until the user approves (the token),
// denies (ErrAccessDenied) or lets the code expire
// (ErrDeviceCodeExpired). Polling is x/oauth2's DeviceAccessToken: it
// waits the interval the server asked for and 5 s more after each
// slow_down (RFC 8628 §3.5). opts add parameters to both requests, such
// as oauth2.SetAuthURLParam("resource", …).
func DeviceSignIn(ctx context.Context, conf *oauth2.Config, w io.Writer, opts ...oauth2.AuthCodeOption) (*oauth2.Token, error) {
	da, err := conf.DeviceAuth(ctx, opts...)
	if err != nil {
		return nil, fmt.Errorf("lkclient: device authorization: %w", err)
	}
	if err := writeInstructions(w, da); err != nil {
		return nil, err
	}
	t, err := conf.DeviceAccessToken(ctx, da, opts...)
	if err != nil {
		return nil, deviceError(ctx, err)
	}
	return t, nil
}

// writeInstructions tells the user where to go and what to type.
func writeInstructions(w io.Writer, da *oauth2.DeviceAuthResponse) error {
	_, err := fmt.Fprintf(w, "To sign in, open %s and enter the code %s\n", da.VerificationURI, da.UserCode)
	if err == nil && da.VerificationURIComplete != "" {
		_, err = fmt.Fprintf(w, "(or open %s)\n", da.VerificationURIComplete)
	}
	if err == nil && !da.Expiry.IsZero() {
		_, err = fmt.Fprintf(w, "The code expires in %s.\n", time.Until(da.Expiry).Round(time.Minute))
	}
	return err
}

// deviceError names the endings of RFC 8628 §3.5 with this package's
// errors. DeviceAccessToken stops at the code's expiry with the
// deadline of its own context, which is the code expiring too.
func deviceError(ctx context.Context, err error) error {
	var re *oauth2.RetrieveError
	switch {
	case errors.As(err, &re) && re.ErrorCode == "access_denied":
		return fmt.Errorf("%w: %w", ErrAccessDenied, err)
	case errors.As(err, &re) && re.ErrorCode == "expired_token":
		return fmt.Errorf("%w: %w", ErrDeviceCodeExpired, err)
	case errors.Is(err, context.DeadlineExceeded) && ctx.Err() == nil:
		return fmt.Errorf("%w: %w", ErrDeviceCodeExpired, err)
	}
	return fmt.Errorf("lkclient: device sign-in: %w", err)
}
