package signing

import (
	"errors"
	"fmt"
	"testing"

	"github.com/latchkey/latchkey/shared/tokens"
)

func TestMarkOutage(t *testing.T) {
	cases := []struct {
		name        string
		err         error
		unavailable bool
	}{
		{"nil", nil, false},
		{"not found", fmt.Errorf("get: %w", tokens.ErrNotFound), false},
		{"conflict", tokens.ErrConflict, false},
		{"outage", errors.New("dial tcp: connection refused"), true},
	}
	for _, tc := range cases {
		got := markOutage(tc.err)
		if errors.Is(got, tokens.ErrUnavailable) != tc.unavailable {
			t.Errorf("%s: markOutage(%v) = %v; want unavailable %v", tc.name, tc.err, got, tc.unavailable)
		}
		if tc.err != nil && !errors.Is(got, tc.err) {
			t.Errorf("%s: markOutage lost the cause %v", tc.name, tc.err)
		}
	}
}
