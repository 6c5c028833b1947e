package dynamo_test

import (
	"context"
	"encoding/base64"
	"errors"
	"maps"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/latchkey/latchkey/shared/tokens"
)

// wireCase is one write path and the item it must leave in the table.
type wireCase struct {
	name   string
	write  func(ctx context.Context, f fixture) error
	pk, sk string
	want   map[string]string // attribute name → wireText of its value
}

// TestWireFormat pins every attribute that each write path stores, kind by
// kind, as DynamoDB Local returns it. Items already in deployed tables must
// keep reading, sorting and expiring, so a change here is a data migration,
// not a refactor: times are S, RFC 3339 in UTC with nine fraction digits;
// ttl is N, epoch seconds rounded up (docs/design.md §6); a zero optional time is
// no attribute at all.
func TestWireFormat(t *testing.T) {
	f := newFixture(t)
	var cases []wireCase
	cases = append(cases, clientWireCases()...)
	cases = append(cases, sessionWireCases()...)
	cases = append(cases, tokenWireCases()...)
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if err := c.write(context.Background(), f); err != nil {
				t.Fatalf("write = %v", err)
			}
			got := wireItem(f.rawKey(t, c.pk, c.sk))
			for _, name := range unionKeys(got, c.want) {
				g, okG := got[name]
				w, okW := c.want[name]
				switch {
				case !okW:
					t.Errorf("attribute %s = %s; want none", name, g)
				case !okG:
					t.Errorf("attribute %s missing; want %s", name, w)
				case g != w:
					t.Errorf("attribute %s = %s; want %s", name, g, w)
				}
			}
		})
	}
}

// Times the wire cases use besides t0 (2031-05-06T07:08:09.123456789Z).
var (
	// tZone is a whole second in another zone: stored in UTC, with a
	// nine-digit zero fraction and a ttl that needs no rounding.
	tZone = time.Date(2031, 5, 6, 9, 30, 0, 0, time.FixedZone("UTC+2", 2*60*60))
	tMin  = t0.Add(time.Minute)
)

func clientWireCases() []wireCase {
	return []wireCase{
		{
			name:  "client created",
			write: func(ctx context.Context, f fixture) error { return f.CreateClient(ctx, newClient("c1")) },
			pk:    "CLIENT#c1", sk: "META",
			want: map[string]string{
				"PK": "S:CLIENT#c1", "SK": "S:META", "GSI1PK": "S:CLIENTS", "GSI1SK": "S:c1",
				"id": "S:c1", "name": "S:App c1", "secret_hash": bin(hash("secret-c1")),
				"auth_method":          "S:client_secret_basic",
				"grants":               "L:[S:client_credentials S:refresh_token]",
				"scopes":               "L:[S:read S:write S:offline_access]",
				"allow_offline_access": "BOOL:true", "introspect": "BOOL:true", "allow_self_mint": "BOOL:true",
				"access_token_ttl_ms": "N:900000", "access_token_format": "S:jwt",
				"refresh_absolute_ttl_ms": "N:2592000000", "refresh_idle_ttl_ms": "N:604800000",
				"refresh_rotation": "S:rotate", "refresh_reuse_grace_ms": "N:1500",
				"max_sessions_per_subject": "N:50", "claim_size_limits": "M:{groups=N:512}",
				"disabled": "BOOL:false", "created_at": "S:2031-05-06T07:08:09.123456789Z",
			},
		},
		{
			name: "bare client disabled",
			write: func(ctx context.Context, f fixture) error {
				if err := f.CreateClient(ctx, tokens.Client{ID: "c2"}); err != nil {
					return err
				}
				return f.DisableClient(ctx, "c2")
			},
			pk: "CLIENT#c2", sk: "META",
			want: map[string]string{
				"PK": "S:CLIENT#c2", "SK": "S:META", "GSI1PK": "S:CLIENTS", "GSI1SK": "S:c2", "id": "S:c2",
				"allow_offline_access": "BOOL:false", "introspect": "BOOL:false", "allow_self_mint": "BOOL:false",
				"access_token_ttl_ms": "N:0", "refresh_absolute_ttl_ms": "N:0", "refresh_idle_ttl_ms": "N:0",
				"refresh_reuse_grace_ms": "N:0", "max_sessions_per_subject": "N:0", "disabled": "BOOL:true",
			},
		},
		{
			name:  "user created",
			write: func(ctx context.Context, f fixture) error { return f.CreateUser(ctx, newUser("u1")) },
			pk:    "USER#u1", sk: "META",
			want: userWire("u1", "N:0", ""),
		},
		{
			name: "user after two failures",
			write: func(ctx context.Context, f fixture) error {
				if err := f.CreateUser(ctx, newUser("u2")); err != nil {
					return err
				}
				if _, err := f.RecordLoginFailure(ctx, "u2", t0); err != nil {
					return err
				}
				_, err := f.RecordLoginFailure(ctx, "u2", tZone)
				return err
			},
			pk: "USER#u2", sk: "META",
			want: userWire("u2", "N:2", "S:2031-05-06T07:30:00.000000000Z"),
		},
		{
			name: "user after a reset",
			write: func(ctx context.Context, f fixture) error {
				if err := f.CreateUser(ctx, newUser("u3")); err != nil {
					return err
				}
				if _, err := f.RecordLoginFailure(ctx, "u3", t0); err != nil {
					return err
				}
				return f.ResetLoginFailures(ctx, "u3")
			},
			pk: "USER#u3", sk: "META",
			want: userWire("u3", "N:0", "S:2031-05-06T07:08:09.123456789Z"),
		},
		{
			name:  "key set",
			write: func(ctx context.Context, f fixture) error { return f.PutKeySet(ctx, keySet(1, "k1", "k2"), 0) },
			pk:    "KEYSET", sk: "META",
			want: map[string]string{
				"PK": "S:KEYSET", "SK": "S:META", "version": "N:1",
				"keys": "L:[" +
					"M:{activated_at=S:2031-05-06T07:08:09.123456789Z alg=S:ES256 created_at=S:2031-05-06T07:08:09.123456789Z" +
					` kid=S:k1 public_jwk=` + bin([]byte(`{"kty":"EC","kid":"k1"}`)) +
					" retired_at=S:2031-05-06T08:08:09.123456789Z sealed_private_jwk=" + bin([]byte("sealed-k1")) + " state=S:retired}" +
					" M:{activated_at=S:2031-05-06T08:08:09.123456789Z alg=S:ES256 created_at=S:2031-05-06T08:08:09.123456789Z" +
					` kid=S:k2 public_jwk=` + bin([]byte(`{"kty":"EC","kid":"k2"}`)) +
					" sealed_private_jwk=" + bin([]byte("sealed-k2")) + " state=S:current}]",
			},
		},
	}
}

// userWire is newUser(name) as stored with failed_logins failed and
// last_failed_at lastFailed ("" for none).
func userWire(name, failed, lastFailed string) map[string]string {
	w := map[string]string{
		"PK": "S:USER#" + name, "SK": "S:META", "username": "S:" + name, "subject": "S:sub-" + name,
		"password_hash": "S:$argon2id$v=19$m=65536,t=1,p=2$c2FsdA$aGFzaA",
		"claims":        "M:{email=S:" + name + "@example.com}",
		"failed_logins": failed, "disabled": "BOOL:false",
		"created_at": "S:2031-05-06T07:08:09.123456789Z",
	}
	if lastFailed != "" {
		w["last_failed_at"] = lastFailed
	}
	return w
}

// bin is the wireText of a binary value.
func bin(b []byte) string { return "B:" + base64.StdEncoding.EncodeToString(b) }

// wireItem renders every attribute of item with wireText.
func wireItem(item map[string]types.AttributeValue) map[string]string {
	out := make(map[string]string, len(item))
	for name, av := range item {
		out[name] = wireText(av)
	}
	return out
}

// wireText renders an attribute value with its DynamoDB type, so that a
// time stored as N instead of S, or a NULL instead of no attribute, shows.
// Map entries are sorted by name.
func wireText(av types.AttributeValue) string {
	switch v := av.(type) {
	case *types.AttributeValueMemberS:
		return "S:" + v.Value
	case *types.AttributeValueMemberN:
		return "N:" + v.Value
	case *types.AttributeValueMemberB:
		return bin(v.Value)
	case *types.AttributeValueMemberBOOL:
		return "BOOL:" + strconv.FormatBool(v.Value)
	case *types.AttributeValueMemberNULL:
		return "NULL"
	case *types.AttributeValueMemberSS:
		return "SS:[" + strings.Join(v.Value, " ") + "]"
	case *types.AttributeValueMemberNS:
		return "NS:[" + strings.Join(v.Value, " ") + "]"
	case *types.AttributeValueMemberL:
		elems := make([]string, len(v.Value))
		for i, e := range v.Value {
			elems[i] = wireText(e)
		}
		return "L:[" + strings.Join(elems, " ") + "]"
	case *types.AttributeValueMemberM:
		elems := []string{}
		for _, k := range unionKeys[types.AttributeValue, string](v.Value, nil) {
			elems = append(elems, k+"="+wireText(v.Value[k]))
		}
		return "M:{" + strings.Join(elems, " ") + "}"
	}
	return "unknown"
}

// unionKeys returns the keys of a and b, sorted.
func unionKeys[A, B any](a map[string]A, b map[string]B) []string {
	seen := map[string]bool{}
	for k := range a {
		seen[k] = true
	}
	for k := range b {
		seen[k] = true
	}
	keys := make([]string, 0, len(seen))
	for k := range seen {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// TestMalformedStoredTime: a stored time that does not parse, or has the
// wrong type, is an error on read, never a zero time (which would change
// expiry decisions) and never ErrNotFound.
func TestMalformedStoredTime(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	session := func(id string, attrs map[string]any) map[string]any {
		item := map[string]any{
			"PK": "SESSION#" + id, "SK": "META", "id": id, "client_id": "app", "subject": "user-1",
			"ttl": 1938409690, "absolute_expires_at": "2031-06-05T07:08:09.123456789Z", "status": "active",
		}
		maps.Copy(item, attrs)
		return item
	}
	tests := []struct {
		name string
		item map[string]any
		read func() error
	}{
		{"session created_at not a time", session("s1", map[string]any{"created_at": "yesterday"}),
			func() error { _, err := f.GetSession(ctx, "s1"); return err }},
		{"session created_at a number", session("s2", map[string]any{"created_at": 1935817689}),
			func() error { _, err := f.GetSession(ctx, "s2"); return err }},
		{"session ttl a string", session("s3", map[string]any{"ttl": "1938409690"}),
			func() error { _, err := f.GetSession(ctx, "s3"); return err }},
		{"session ttl a fraction", session("s4", map[string]any{"ttl": 1938409689.5}),
			func() error { _, err := f.GetSession(ctx, "s4"); return err }},
		{"client created_at not a time", map[string]any{"PK": "CLIENT#c1", "SK": "META", "id": "c1", "created_at": "2031-13-01"},
			func() error { _, err := f.GetClient(ctx, "c1"); return err }},
		{"user last_failed_at not a time", map[string]any{"PK": "USER#u1", "SK": "META", "username": "u1", "last_failed_at": "x"},
			func() error { _, err := f.GetUser(ctx, "u1"); return err }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f.putRaw(t, tt.item)
			if err := tt.read(); err == nil || errors.Is(err, tokens.ErrNotFound) {
				t.Errorf("read = %v; want a decode error", err)
			}
		})
	}
}
