package dynamo_test

import (
	"context"
	"encoding/base64"
	"maps"
	"time"

	"github.com/latchkey/latchkey/shared/tokens"
)

// sessionWire is newSession(id) as CreateSession stores it.
func sessionWire(id string) map[string]string {
	return map[string]string{
		"PK": "S:SESSION#" + id, "SK": "S:META",
		"GSI1PK": "S:SUB#user-1", "GSI1SK": "S:2031-05-06T07:08:09.123456789Z#" + id,
		"ttl": "N:1938409690", "type": "S:oauth",
		"id": "S:" + id, "client_id": "S:app", "subject": "S:user-1",
		"scopes":              "L:[S:openid S:offline_access]",
		"created_at":          "S:2031-05-06T07:08:09.123456789Z",
		"auth_time":           "S:2031-05-06T07:07:09.123456789Z",
		"absolute_expires_at": "S:2031-06-05T07:08:09.123456789Z",
		"idle_expires_at":     "S:2031-05-13T07:08:09.123456789Z",
		"last_used_at":        "S:2031-05-06T07:08:09.123456789Z",
		"generation":          "N:1", "salt": bin([]byte("0123456789abcdef")),
		"rotated_at":   "S:2031-05-06T07:08:09.123456789Z",
		"current_hash": bin(hash(id + "/1")), "access_jti": "S:jti-1", "status": "S:active",
		"ip": "S:192.0.2.1", "user_agent": "S:test/1.0",
	}
}

// with returns a copy of w with set applied; an empty value removes the
// attribute.
func with(w map[string]string, set map[string]string) map[string]string {
	out := maps.Clone(w)
	for k, v := range set {
		if v == "" {
			delete(out, k)
		} else {
			out[k] = v
		}
	}
	return out
}

func sessionWireCases() []wireCase {
	minimal := tokens.Session{
		ID: "s2", ClientID: "app", Subject: "user-2", Status: tokens.SessionActive,
		AbsoluteExpiresAt: tZone.AddDate(0, 1, 0),
	}
	bare := rotated(newSession("s4"), tMin)
	bare.PreviousHash, bare.RotatedAt, bare.IdleExpiresAt, bare.LastUsedAt = nil, time.Time{}, time.Time{}, time.Time{}
	bare.AccessJTI, bare.IP, bare.UserAgent = "", "", ""
	return []wireCase{
		{
			name:  "session created",
			write: func(ctx context.Context, f fixture) error { return f.CreateSession(ctx, newSession("s1")) },
			pk:    "SESSION#s1", sk: "META",
			want: sessionWire("s1"),
		},
		{
			name:  "bare session created",
			write: func(ctx context.Context, f fixture) error { return f.CreateSession(ctx, minimal) },
			pk:    "SESSION#s2", sk: "META",
			want: map[string]string{
				"PK": "S:SESSION#s2", "SK": "S:META", "GSI1PK": "S:SUB#user-2", "GSI1SK": "S:#s2",
				"ttl": "N:1938497400", "type": "S:oauth", "id": "S:s2", "client_id": "S:app", "subject": "S:user-2",
				"absolute_expires_at": "S:2031-06-06T07:30:00.000000000Z", "generation": "N:0", "status": "S:active",
			},
		},
		{
			name: "session rotated",
			write: func(ctx context.Context, f fixture) error {
				if err := f.CreateSession(ctx, newSession("s3")); err != nil {
					return err
				}
				_, err := f.UpdateSession(ctx, rotated(newSession("s3"), tMin), 1)
				return err
			},
			pk: "SESSION#s3", sk: "META",
			want: with(sessionWire("s3"), map[string]string{
				"generation": "N:2", "previous_hash": bin(hash("s3/1")), "current_hash": bin(hash("s3/2")),
				"rotated_at":      "S:2031-05-06T07:09:09.123456789Z",
				"last_used_at":    "S:2031-05-06T07:09:09.123456789Z",
				"idle_expires_at": "S:2031-05-13T07:09:09.123456789Z",
				"access_jti":      "S:jti-2031-05-06T07:09:09.123456789Z",
			}),
		},
		{
			name: "session updated with empty fields",
			write: func(ctx context.Context, f fixture) error {
				if err := f.CreateSession(ctx, newSession("s4")); err != nil {
					return err
				}
				_, err := f.UpdateSession(ctx, bare, 1)
				return err
			},
			pk: "SESSION#s4", sk: "META",
			want: with(sessionWire("s4"), map[string]string{
				"generation": "N:2", "current_hash": bin(hash("s4/2")),
				"rotated_at": "", "last_used_at": "", "idle_expires_at": "", "access_jti": "", "ip": "", "user_agent": "",
			}),
		},
		{
			name: "session revoked",
			write: func(ctx context.Context, f fixture) error {
				if err := f.CreateSession(ctx, newSession("s5")); err != nil {
					return err
				}
				return f.RevokeSession(ctx, "s5", tokens.ReasonRevoked, tZone)
			},
			pk: "SESSION#s5", sk: "META",
			want: with(sessionWire("s5"), map[string]string{
				"status": "S:revoked", "revoked_reason": "S:revoked", "revoked_at": "S:2031-05-06T07:30:00.000000000Z",
			}),
		},
		{
			name: "session evicted",
			write: func(ctx context.Context, f fixture) error {
				if err := f.CreateSession(ctx, newSession("s6")); err != nil {
					return err
				}
				return f.CreateSessionEvicting(ctx, sessionOf("s7", "user-1", "app", tMin), []string{"s6"})
			},
			pk: "SESSION#s6", sk: "META",
			want: with(sessionWire("s6"), map[string]string{
				"status": "S:revoked", "revoked_reason": "S:evicted", "revoked_at": "S:2031-05-06T07:09:09.123456789Z",
			}),
		},
		{
			name: "session created evicting",
			write: func(ctx context.Context, f fixture) error {
				if err := f.CreateSession(ctx, newSession("s8")); err != nil {
					return err
				}
				return f.CreateSessionEvicting(ctx, sessionOf("s9", "user-1", "app", tMin), []string{"s8"})
			},
			pk: "SESSION#s9", sk: "META",
			want: with(sessionWire("s9"), map[string]string{
				"GSI1SK": "S:2031-05-06T07:09:09.123456789Z#s9", "ttl": "N:1938409750",
				"created_at":          "S:2031-05-06T07:09:09.123456789Z",
				"absolute_expires_at": "S:2031-06-05T07:09:09.123456789Z",
				"idle_expires_at":     "S:2031-05-13T07:09:09.123456789Z",
				"last_used_at":        "S:2031-05-06T07:09:09.123456789Z",
				"rotated_at":          "S:2031-05-06T07:09:09.123456789Z",
			}),
		},
	}
}

// referenceWire is newReference(token) as CreateReferenceToken stores it.
func referenceWire(token string) map[string]string {
	return map[string]string{
		"PK": "S:AT#" + base64.RawURLEncoding.EncodeToString(hash(token)), "SK": "S:META",
		"ttl": "N:1935818590", "hash": bin(hash(token)), "jti": "S:jti-" + token,
		"client_id": "S:app", "subject": "S:user-1", "scopes": "L:[S:read S:write]",
		"audience": "L:[S:https://api.example.com]", "session_id": "S:s1",
		"auth_time":  "S:2031-05-06T07:07:09.123456789Z",
		"issued_at":  "S:2031-05-06T07:08:09.123456789Z",
		"expires_at": "S:2031-05-06T07:23:09.123456789Z", "revoked": "BOOL:false",
	}
}

// longLivedWire is newLongLived(id, "user-1", t0) as CreateLongLived stores it.
func longLivedWire(id string) map[string]string {
	return map[string]string{
		"PK": "S:LT#" + id, "SK": "S:META",
		"GSI1PK": "S:SUB#user-1", "GSI1SK": "S:2031-05-06T07:08:09.123456789Z#" + id,
		"ttl": "N:1967440090", "type": "S:long_lived", "id": "S:" + id, "hash": bin(hash("lk_lt_" + id)),
		"name": "S:CI " + id, "subject": "S:user-1", "scopes": "L:[S:read]", "created_by": "S:admin",
		"created_at": "S:2031-05-06T07:08:09.123456789Z",
		"expires_at": "S:2032-05-06T07:08:09.123456789Z", "status": "S:active",
	}
}

func tokenWireCases() []wireCase {
	bareRef := tokens.ReferenceToken{Hash: hash("r3"), ClientID: "app", ExpiresAt: tZone}
	never := newLongLived("l2", "user-1", t0)
	never.ExpiresAt = time.Time{}
	return []wireCase{
		{
			name:  "reference token created",
			write: func(ctx context.Context, f fixture) error { return f.CreateReferenceToken(ctx, newReference("r1")) },
			pk:    "AT#" + base64.RawURLEncoding.EncodeToString(hash("r1")), sk: "META",
			want: referenceWire("r1"),
		},
		{
			name: "reference token revoked",
			write: func(ctx context.Context, f fixture) error {
				if err := f.CreateReferenceToken(ctx, newReference("r2")); err != nil {
					return err
				}
				return f.RevokeReferenceToken(ctx, hash("r2"), "app")
			},
			pk: "AT#" + base64.RawURLEncoding.EncodeToString(hash("r2")), sk: "META",
			want: with(referenceWire("r2"), map[string]string{"revoked": "BOOL:true"}),
		},
		{
			name:  "bare reference token",
			write: func(ctx context.Context, f fixture) error { return f.CreateReferenceToken(ctx, bareRef) },
			pk:    "AT#" + base64.RawURLEncoding.EncodeToString(hash("r3")), sk: "META",
			want: map[string]string{
				"PK": "S:AT#" + base64.RawURLEncoding.EncodeToString(hash("r3")), "SK": "S:META",
				"ttl": "N:1935819000", "hash": bin(hash("r3")), "client_id": "S:app",
				"expires_at": "S:2031-05-06T07:30:00.000000000Z", "revoked": "BOOL:false",
			},
		},
		{
			name:  "revoked jwt id",
			write: func(ctx context.Context, f fixture) error { return f.RevokeJTI(ctx, "j1", t0.Add(15*time.Minute)) },
			pk:    "JTI#j1", sk: "REVOKED",
			want: map[string]string{
				"PK": "S:JTI#j1", "SK": "S:REVOKED", "ttl": "N:1935818590", "jti": "S:j1",
				"expires_at": "S:2031-05-06T07:23:09.123456789Z",
			},
		},
		{
			name: "long-lived token created",
			write: func(ctx context.Context, f fixture) error {
				return f.CreateLongLived(ctx, newLongLived("l1", "user-1", t0))
			},
			pk: "LT#l1", sk: "META",
			want: longLivedWire("l1"),
		},
		{
			name:  "long-lived token that never expires",
			write: func(ctx context.Context, f fixture) error { return f.CreateLongLived(ctx, never) },
			pk:    "LT#l2", sk: "META",
			want: with(longLivedWire("l2"), map[string]string{"ttl": "", "expires_at": ""}),
		},
		{
			name: "long-lived token touched",
			write: func(ctx context.Context, f fixture) error {
				if err := f.CreateLongLived(ctx, newLongLived("l3", "user-1", t0)); err != nil {
					return err
				}
				return f.TouchLongLived(ctx, "l3", t0.Add(time.Hour), time.Minute)
			},
			pk: "LT#l3", sk: "META",
			want: with(longLivedWire("l3"), map[string]string{"last_used_at": "S:2031-05-06T08:08:09.123456789Z"}),
		},
		{
			name: "long-lived token revoked",
			write: func(ctx context.Context, f fixture) error {
				if err := f.CreateLongLived(ctx, newLongLived("l4", "user-1", t0)); err != nil {
					return err
				}
				return f.RevokeLongLived(ctx, "l4", tZone)
			},
			pk: "LT#l4", sk: "META",
			want: with(longLivedWire("l4"), map[string]string{
				"status": "S:revoked", "revoked_at": "S:2031-05-06T07:30:00.000000000Z",
			}),
		},
	}
}
