package config

import (
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"
)

// Config is the deployment's configuration (docs/design.md §8).
type Config struct {
	// TableName is the DynamoDB table (TABLE_NAME, required).
	TableName string
	// Issuer is the iss of every token and the base of the metadata URLs
	// (ISSUER). Empty means https:// plus the host each request reached,
	// which behind API Gateway is the API's own domain.
	Issuer string
	// DynamoDBEndpoint points at DynamoDB Local (DYNAMODB_ENDPOINT, local only).
	DynamoDBEndpoint string
	// Region is the AWS region (AWS_REGION).
	Region string
	// KeyEncryptionKey is the 32-byte key-encryption key given directly
	// (KEY_ENCRYPTION_KEY, base64; local use).
	KeyEncryptionKey []byte
	// KeyEncryptionSecretARN names the Secrets Manager secret holding the
	// key-encryption key (KEY_ENCRYPTION_SECRET_ARN; AWS). Functions that
	// never sign get neither and run verify-only.
	KeyEncryptionSecretARN string
	LogLevel               slog.Level
	// Lifetimes new clients get where they name none.
	AccessTokenTTL     time.Duration
	RefreshAbsoluteTTL time.Duration
	RefreshIdleTTL     time.Duration
	RefreshReuseGrace  time.Duration
	// KeyRotationPeriod is the age at which the current signing key is
	// replaced on use.
	KeyRotationPeriod time.Duration
	// MaxLongLivedTTL bounds minted tokens (MAX_LONG_LIVED_TTL);
	// AllowNeverExpiring permits tokens with no expiry (ALLOW_NEVER_EXPIRING).
	MaxLongLivedTTL    time.Duration
	AllowNeverExpiring bool
	// ClientCacheTTL and KeyCacheTTL bound how long a container reuses a
	// client record or the key set before reading it again.
	ClientCacheTTL time.Duration
	KeyCacheTTL    time.Duration
	// LoginIdleTTL and LoginAbsoluteTTL bound a login session at the
	// hosted login page (LOGIN_IDLE_TTL, LOGIN_ABSOLUTE_TTL; docs/design.md §10).
	LoginIdleTTL     time.Duration
	LoginAbsoluteTTL time.Duration
}

// Lookup is os.LookupEnv's signature, so tests can pass a map.
type Lookup func(key string) (string, bool)

// FromEnv reads the configuration. Every problem is reported at once.
func FromEnv(lookup Lookup) (Config, error) {
	r := reader{lookup: lookup}
	c := Config{
		TableName:              r.required("TABLE_NAME"),
		Issuer:                 strings.TrimSuffix(r.str("ISSUER", ""), "/"),
		DynamoDBEndpoint:       r.str("DYNAMODB_ENDPOINT", ""),
		Region:                 r.str("AWS_REGION", "us-east-1"),
		KeyEncryptionKey:       r.key("KEY_ENCRYPTION_KEY"),
		KeyEncryptionSecretARN: r.str("KEY_ENCRYPTION_SECRET_ARN", ""),
		LogLevel:               r.level("LOG_LEVEL"),
		AccessTokenTTL:         r.duration("DEFAULT_ACCESS_TOKEN_TTL", 15*time.Minute),
		RefreshAbsoluteTTL:     r.duration("DEFAULT_REFRESH_ABSOLUTE_TTL", 720*time.Hour),
		RefreshIdleTTL:         r.duration("DEFAULT_REFRESH_IDLE_TTL", 168*time.Hour),
		RefreshReuseGrace:      r.duration("DEFAULT_REFRESH_REUSE_GRACE", 30*time.Second),
		KeyRotationPeriod:      r.duration("KEY_ROTATION_PERIOD", 720*time.Hour),
		MaxLongLivedTTL:        r.duration("MAX_LONG_LIVED_TTL", 8760*time.Hour),
		AllowNeverExpiring:     r.boolean("ALLOW_NEVER_EXPIRING"),
		ClientCacheTTL:         r.duration("CLIENT_CACHE_TTL", 30*time.Second),
		KeyCacheTTL:            r.duration("KEY_CACHE_TTL", 5*time.Minute),
		LoginIdleTTL:           r.duration("LOGIN_IDLE_TTL", 12*time.Hour),
		LoginAbsoluteTTL:       r.duration("LOGIN_ABSOLUTE_TTL", 7*24*time.Hour),
	}
	if c.KeyEncryptionKey != nil && c.KeyEncryptionSecretARN != "" {
		r.fail("set only one of KEY_ENCRYPTION_KEY and KEY_ENCRYPTION_SECRET_ARN")
	}
	return c, errors.Join(r.errs...)
}

type reader struct {
	lookup Lookup
	errs   []error
}

func (r *reader) fail(format string, args ...any) {
	r.errs = append(r.errs, fmt.Errorf(format, args...))
}

func (r *reader) str(key, def string) string {
	if v, ok := r.lookup(key); ok && strings.TrimSpace(v) != "" {
		return strings.TrimSpace(v)
	}
	return def
}

func (r *reader) required(key string) string {
	v := r.str(key, "")
	if v == "" {
		r.fail("%s is required", key)
	}
	return v
}

func (r *reader) duration(key string, def time.Duration) time.Duration {
	v := r.str(key, "")
	if v == "" {
		return def
	}
	d, err := time.ParseDuration(v)
	if err != nil || d < 0 {
		r.fail("%s: %q is not a duration such as 900s or 720h", key, v)
	}
	return d
}

func (r *reader) boolean(key string) bool {
	switch v := strings.ToLower(r.str(key, "false")); v {
	case "true", "1", "yes":
		return true
	case "false", "0", "no":
		return false
	default:
		r.fail("%s: %q is not true or false", key, v)
		return false
	}
}

func (r *reader) level(key string) slog.Level {
	var l slog.Level
	if err := l.UnmarshalText([]byte(r.str(key, "info"))); err != nil {
		r.fail("%s: want debug, info, warn or error", key)
	}
	return l
}

func (r *reader) key(name string) []byte {
	v := r.str(name, "")
	if v == "" {
		return nil
	}
	b, err := base64.StdEncoding.DecodeString(v)
	if err != nil || len(b) != 32 {
		r.fail("%s must be base64 of 32 bytes", name)
		return nil
	}
	return b
}
