package storetest

import (
	"reflect"
	"testing"
	"time"

	"github.com/latchkey/latchkey/shared/tokens"
)

func testAccess(t *testing.T, newStore NewStore) {
	t.Run("ReferenceRoundTrip", func(t *testing.T) {
		f := setup(t, newStore)
		minimal := tokens.ReferenceToken{Hash: hash("min"), ClientID: "m2m", ExpiresAt: t0.Add(time.Minute)}
		empty := newReference("empty")
		empty.Scopes, empty.Audience = []string{}, []string{}
		for _, ref := range []tokens.ReferenceToken{newReference("full"), minimal, empty} {
			must(t, f.CreateReferenceToken(f.ctx, ref))
			got, err := f.AccessState(f.ctx, tokens.AccessStateQuery{ReferenceHash: ref.Hash})
			want := tokens.AccessState{Reference: &ref}
			if err != nil || !reflect.DeepEqual(got, want) {
				t.Errorf("AccessState(reference %s) = %+v, %v; want only the reference %+v", ref.JTI, got.Reference, err, ref)
			}
		}
	})
	t.Run("ReferenceErrors", func(t *testing.T) {
		f := setup(t, newStore)
		ref := newReference("tok")
		must(t, f.CreateReferenceToken(f.ctx, ref))
		noHash, noExpiry := newReference("x"), newReference("y")
		noHash.Hash, noExpiry.ExpiresAt = nil, time.Time{}
		tests := []struct {
			name string
			call func() error
			want error
		}{
			{"create taken hash", func() error { other := ref; other.ClientID = "other"; return f.CreateReferenceToken(f.ctx, other) }, tokens.ErrAlreadyExists},
			{"create the same token again", func() error { return f.CreateReferenceToken(f.ctx, ref) }, nil},
			{"create without hash", func() error { return f.CreateReferenceToken(f.ctx, noHash) }, errPlain},
			{"create without expiry", func() error { return f.CreateReferenceToken(f.ctx, noExpiry) }, errPlain},
			{"revoke jti without jti", func() error { return f.RevokeJTI(f.ctx, "", t0.Add(time.Hour)) }, errPlain},
			{"revoke jti without expiry", func() error { return f.RevokeJTI(f.ctx, "j", time.Time{}) }, errPlain},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) { wantErr(t, tt.name, tt.call(), tt.want) })
		}
		st, err := f.AccessState(f.ctx, tokens.AccessStateQuery{ReferenceHash: ref.Hash, JTI: "j"})
		if err != nil || st.Reference == nil || !reflect.DeepEqual(*st.Reference, ref) || st.JTIRevoked {
			t.Errorf("AccessState after the failed writes = %+v, %v; want the first token only", st, err)
		}
	})
	t.Run("RevokeReference", func(t *testing.T) {
		// Any failure is ErrNotFound, so that a client cannot tell another
		// client's token from no token; revoking twice is no error.
		f := setup(t, newStore)
		mine, expiring := newReference("mine"), newReference("expiring")
		expiring.ExpiresAt = t0.Add(time.Minute)
		must(t, f.CreateReferenceToken(f.ctx, mine), f.CreateReferenceToken(f.ctx, expiring))
		tests := []struct {
			name   string
			now    time.Time
			hash   []byte
			client string
			want   error
		}{
			{"another client's token", t0, mine.Hash, "mallory", tokens.ErrNotFound},
			{"unknown token", t0, hash("nope"), "app", tokens.ErrNotFound},
			{"expired token", expiring.ExpiresAt, expiring.Hash, "app", tokens.ErrNotFound},
			{"own token", t0, mine.Hash, "app", nil},
			{"own token again", t0, mine.Hash, "app", nil},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				f.clock.Set(tt.now)
				wantErr(t, "RevokeReferenceToken", f.RevokeReferenceToken(f.ctx, tt.hash, tt.client), tt.want)
			})
		}
		f.clock.Set(t0)
		want := mine
		want.Revoked = true
		st, err := f.AccessState(f.ctx, tokens.AccessStateQuery{ReferenceHash: mine.Hash})
		if err != nil || st.Reference == nil || !reflect.DeepEqual(*st.Reference, want) {
			t.Errorf("AccessState after revoke = %+v, %v; want %+v", st.Reference, err, want)
		}
	})
	t.Run("RevokeJTI", func(t *testing.T) {
		f := setup(t, newStore)
		exp := t0.Add(15 * time.Minute)
		for i := range 2 { // twice: no error
			if err := f.RevokeJTI(f.ctx, "jti-1", exp); err != nil {
				t.Fatalf("RevokeJTI #%d = %v", i+1, err)
			}
		}
		for jti, want := range map[string]bool{"jti-1": true, "jti-2": false} {
			st, err := f.AccessState(f.ctx, tokens.AccessStateQuery{JTI: jti})
			if err != nil || !reflect.DeepEqual(st, tokens.AccessState{JTIRevoked: want}) {
				t.Errorf("AccessState(JTI %s) = %+v, %v; want JTIRevoked %v", jti, st, err, want)
			}
		}
	})
	t.Run("BatchRead", testAccessState(newStore))
}

func testAccessState(newStore NewStore) func(*testing.T) {
	return func(t *testing.T) {
		f := setup(t, newStore)
		sess, ref, gone := newSession("s1"), newReference("tok"), newSession("gone")
		gone.AbsoluteExpiresAt = t0.Add(time.Hour)
		revoked := newSession("revoked")
		ref.ExpiresAt = t0.Add(2 * time.Hour)
		must(t, f.CreateSession(f.ctx, sess), f.CreateSession(f.ctx, gone), f.CreateSession(f.ctx, revoked),
			f.CreateReferenceToken(f.ctx, ref), f.RevokeJTI(f.ctx, "jti-9", t0.Add(2*time.Hour)),
			f.RevokeSession(f.ctx, "revoked", tokens.ReasonRevoked, t0))
		f.clock.Set(t0.Add(time.Hour)) // gone is absent, the rest present
		revoked.Status, revoked.RevokedReason, revoked.RevokedAt = tokens.SessionRevoked, tokens.ReasonRevoked, t0
		tests := []struct {
			name string
			q    tokens.AccessStateQuery
			want tokens.AccessState
		}{
			{"all three", tokens.AccessStateQuery{JTI: "jti-9", ReferenceHash: ref.Hash, SessionID: "s1"},
				tokens.AccessState{JTIRevoked: true, Reference: &ref, Session: &sess}},
			{"none exist", tokens.AccessStateQuery{JTI: "x", ReferenceHash: hash("x"), SessionID: "x"}, tokens.AccessState{}},
			{"jwt of a session", tokens.AccessStateQuery{JTI: "jti-1", SessionID: "s1"}, tokens.AccessState{Session: &sess}},
			{"an expired session", tokens.AccessStateQuery{JTI: "jti-9", SessionID: "gone"}, tokens.AccessState{JTIRevoked: true}},
			{"a revoked session is returned", tokens.AccessStateQuery{SessionID: "revoked"}, tokens.AccessState{Session: &revoked}},
			{"empty query", tokens.AccessStateQuery{}, tokens.AccessState{}},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				got, err := f.AccessState(f.ctx, tt.q)
				if err != nil || !reflect.DeepEqual(got, tt.want) {
					t.Errorf("AccessState = %+v, %v; want %+v", got, err, tt.want)
				}
			})
		}
	}
}
