package config

import (
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
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
	// CursorKey is the sessions page's cursor MAC key given directly
	// (CURSOR_KEY, base64 of 32 bytes; local use), and CursorKeySecretARN
	// the Secrets Manager secret it is derived from (CURSOR_KEY_SECRET_ARN;
	// AWS). The sessions-list function gets one of them and no
	// key-encryption key (issue 11 §14); a process with neither derives
	// the cursor key from the key-encryption key.
	CursorKey          []byte
	CursorKeySecretARN string
	LogLevel           slog.Level
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
	// Registration is how clients may register themselves (issue 13).
	Registration Registration
}

// Registration configures the ways a client registers itself, each off
// unless the deployment turns it on: MCP clients use them to sign in with
// nothing configured beforehand.
type Registration struct {
	// Dynamic turns on RFC 7591 registration at /oauth2/register
	// (DYNAMIC_REGISTRATION).
	Dynamic bool
	// MetadataDocuments accepts https client_id URLs naming a Client ID
	// Metadata Document (CLIENT_ID_METADATA_DOCUMENTS); MetadataHosts,
	// when set, are the only hosts such a URL may name
	// (CLIENT_ID_METADATA_HOSTS, space- or comma-separated).
	MetadataDocuments bool
	MetadataHosts     []string
	// Scopes are what a self-registered client may ask for
	// (DYNAMIC_CLIENT_SCOPES); openid and offline_access need no listing.
	Scopes []string
	// Resources are the resource indicators (RFC 8707) a self-registered
	// client may ask tokens for, the deployment's MCP servers and APIs
	// (DYNAMIC_CLIENT_RESOURCES); discovery lists them as
	// protected_resources (RFC 9728 §4).
	Resources []string
	// UnusedTTL is how long a dynamic registration lives without a
	// sign-in (DYNAMIC_CLIENT_UNUSED_TTL, 30 days).
	UnusedTTL time.Duration
	// Limit is how many registrations one source may make per hour
	// (DYNAMIC_REGISTRATION_LIMIT, 10).
	Limit int
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
		CursorKey:              r.key("CURSOR_KEY"),
		CursorKeySecretARN:     r.str("CURSOR_KEY_SECRET_ARN", ""),
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
		Registration:           r.registration(),
	}
	if c.KeyEncryptionKey != nil && c.KeyEncryptionSecretARN != "" {
		r.fail("set only one of KEY_ENCRYPTION_KEY and KEY_ENCRYPTION_SECRET_ARN")
	}
	if c.CursorKey != nil && c.CursorKeySecretARN != "" {
		r.fail("set only one of CURSOR_KEY and CURSOR_KEY_SECRET_ARN")
	}
	return c, errors.Join(r.errs...)
}

func (r *reader) registration() Registration {
	return Registration{
		Dynamic:           r.boolean("DYNAMIC_REGISTRATION"),
		MetadataDocuments: r.boolean("CLIENT_ID_METADATA_DOCUMENTS"),
		MetadataHosts:     r.list("CLIENT_ID_METADATA_HOSTS"),
		Scopes:            r.list("DYNAMIC_CLIENT_SCOPES"),
		Resources:         r.list("DYNAMIC_CLIENT_RESOURCES"),
		UnusedTTL:         r.duration("DYNAMIC_CLIENT_UNUSED_TTL", 720*time.Hour),
		Limit:             r.count("DYNAMIC_REGISTRATION_LIMIT", 10),
	}
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

// list splits a space- or comma-separated value.
func (r *reader) list(key string) []string {
	return strings.FieldsFunc(r.str(key, ""), func(c rune) bool { return c == ',' || c == ' ' })
}

func (r *reader) count(key string, def int) int {
	v := r.str(key, "")
	if v == "" {
		return def
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 {
		r.fail("%s: %q is not a positive whole number", key, v)
	}
	return n
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
