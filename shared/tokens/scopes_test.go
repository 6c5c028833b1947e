package tokens

import (
	"slices"
	"testing"

	"github.com/latchkey/latchkey/shared/oauth"
)

func TestGrantedScopes(t *testing.T) {
	allowed := []string{"read", "write", "offline_access"}
	for _, tc := range []struct {
		requested string
		want      []string
		wantErr   bool
	}{
		{"", []string{"read", "write"}, false},
		{"read", []string{"read"}, false},
		{"read read  write", []string{"read", "write"}, false},
		{"offline_access read", []string{"offline_access", "read"}, false},
		{"admin", nil, true},
		{"read admin", nil, true},
		{"read\u00a0write", nil, true}, // issue 11 §15: only a space separates
		{"read\twrite", nil, true},
	} {
		got, err := grantedScopes(tc.requested, allowed)
		if (err != nil) != tc.wantErr || !slices.Equal(got, tc.want) {
			t.Errorf("grantedScopes(%q) = %v, %v; want %v, error %v", tc.requested, got, err, tc.want, tc.wantErr)
		}
		if err != nil && oauth.As(err).Code != oauth.CodeInvalidScope {
			t.Errorf("grantedScopes(%q) error = %v; want invalid_scope", tc.requested, err)
		}
	}
}

func TestNarrowedScopes(t *testing.T) {
	session := []string{"read", "write", "offline_access"}
	for _, tc := range []struct {
		requested string
		want      []string
		wantErr   bool
	}{
		{"", session, false},
		{"read", []string{"read"}, false},
		{"write offline_access", []string{"write", "offline_access"}, false},
		{"read delete", nil, true},
	} {
		got, err := narrowedScopes(tc.requested, session)
		if (err != nil) != tc.wantErr || !slices.Equal(got, tc.want) {
			t.Errorf("narrowedScopes(%q) = %v, %v; want %v, error %v", tc.requested, got, err, tc.want, tc.wantErr)
		}
	}
}

func TestClientValidate(t *testing.T) {
	good := Client{Name: "n", Grants: []string{"client_credentials"}, AccessTokenFormat: FormatJWT,
		AccessTokenTTL: 900e9, RefreshAbsoluteTTL: 1e12, RefreshRotation: RotationRotate}
	if err := good.validate(); err != nil {
		t.Fatalf("validate(good) = %v; want nil", err)
	}
	for name, mutate := range map[string]func(*Client){
		"no name":              func(c *Client) { c.Name = " " },
		"no grants":            func(c *Client) { c.Grants = nil },
		"unknown grant":        func(c *Client) { c.Grants = []string{"implicit"} },
		"public with cc":       func(c *Client) { c.AuthMethod = oauth.AuthNone },
		"bad scope":            func(c *Client) { c.Scopes = []string{`a"b`} },
		"format":               func(c *Client) { c.AccessTokenFormat = "saml" },
		"ttl too long":         func(c *Client) { c.AccessTokenTTL = MaxAccessTokenTTL + 1 },
		"grace too long":       func(c *Client) { c.RefreshReuseGrace = MaxRefreshReuseGrace + 1 },
		"rotation mode":        func(c *Client) { c.RefreshRotation = "sometimes" },
		"negative idle":        func(c *Client) { c.RefreshIdleTTL = -1 },
		"negative max session": func(c *Client) { c.MaxSessionsPerSubject = -1 },
	} {
		c := good
		mutate(&c)
		if err := c.validate(); err == nil {
			t.Errorf("validate(%s) = nil; want an error", name)
		}
	}
}
