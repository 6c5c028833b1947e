package config

import (
	"log/slog"
	"strings"
	"testing"
	"time"
)

func lookupMap(m map[string]string) Lookup {
	return func(k string) (string, bool) { v, ok := m[k]; return v, ok }
}

func TestFromEnv(t *testing.T) {
	c, err := FromEnv(lookupMap(map[string]string{
		"TABLE_NAME": "t", "ISSUER": "https://auth.example.com/", "LOG_LEVEL": "warn",
		"KEY_ENCRYPTION_KEY":       "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
		"DEFAULT_ACCESS_TOKEN_TTL": "10m",
	}))
	if err != nil {
		t.Fatalf("FromEnv() error = %v", err)
	}
	if c.Issuer != "https://auth.example.com" {
		t.Errorf("Issuer = %q; want the trailing slash trimmed", c.Issuer)
	}
	if c.LogLevel != slog.LevelWarn || c.AccessTokenTTL != 10*time.Minute || c.RefreshReuseGrace != 30*time.Second {
		t.Errorf("got level %v ttl %v grace %v; want warn 10m 30s", c.LogLevel, c.AccessTokenTTL, c.RefreshReuseGrace)
	}
	if len(c.KeyEncryptionKey) != 32 {
		t.Errorf("KeyEncryptionKey is %d bytes; want 32", len(c.KeyEncryptionKey))
	}
}

func TestFromEnvErrors(t *testing.T) {
	for _, tc := range []struct {
		name string
		env  map[string]string
		want string
	}{
		{"missing table", map[string]string{}, "TABLE_NAME is required"},
		{"bad duration", map[string]string{"TABLE_NAME": "t", "ISSUER": "i", "KEY_ROTATION_PERIOD": "soon"}, "KEY_ROTATION_PERIOD"},
		{"short key", map[string]string{"TABLE_NAME": "t", "ISSUER": "i", "KEY_ENCRYPTION_KEY": "c2hvcnQ="}, "32 bytes"},
		{"bad level", map[string]string{"TABLE_NAME": "t", "ISSUER": "i", "LOG_LEVEL": "loud"}, "LOG_LEVEL"},
		{"both keys", map[string]string{"TABLE_NAME": "t", "ISSUER": "i", "KEY_ENCRYPTION_SECRET_ARN": "arn",
			"KEY_ENCRYPTION_KEY": "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="}, "only one"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := FromEnv(lookupMap(tc.env))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("FromEnv() error = %v; want it to mention %q", err, tc.want)
			}
		})
	}
}
