package tokens

import (
	"errors"
	"fmt"
	"testing"

	"github.com/latchkey/latchkey/shared/oauth"
)

func TestErrorVocabulary(t *testing.T) {
	outage := errors.New("connection refused")
	cases := []struct {
		name string
		err  error
		want string
	}{
		{"store outage", storeError(outage), oauth.CodeTemporarilyUnavailable},
		{"store passes oauth errors", storeError(oauth.InvalidGrant("x")), oauth.CodeInvalidGrant},
		{"signer outage", signerError(fmt.Errorf("%w: %w", ErrUnavailable, outage)), oauth.CodeTemporarilyUnavailable},
		{"signer misconfiguration", signerError(errors.New("signing: verify-only keys cannot sign")), oauth.CodeServerError},
		{"not found", noSuch("session"), oauth.CodeNotFound},
		{"admin taken", adminStoreError(fmt.Errorf("put: %w", ErrAlreadyExists), "user"), oauth.CodeInvalidRequest},
		{"admin missing", adminStoreError(ErrNotFound, "client"), oauth.CodeNotFound},
		{"admin outage", adminStoreError(outage, "client"), oauth.CodeTemporarilyUnavailable},
		{"invalid settings", invalidSettings("a name is required"), oauth.CodeInvalidRequest},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := oauth.As(tc.err)
			if e == nil {
				t.Fatalf("%v is not an *oauth.Error", tc.err)
			}
			if e.Code != tc.want {
				t.Errorf("code = %q; want %q", e.Code, tc.want)
			}
		})
	}
	if !errors.Is(invalidSettings("x"), ErrInvalidSettings) {
		t.Error("invalidSettings does not wrap ErrInvalidSettings")
	}
	if errors.Is(errInactive(), errInactive()) {
		t.Error("errInactive returns a shared value; want a fresh error each call")
	}
}
