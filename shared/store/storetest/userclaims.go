package storetest

import (
	"reflect"
	"testing"

	"github.com/latchkey/latchkey/shared/tokens"
)

// claimsOfAda are JSON values of every kind, as the CLI and userinfo
// carry them: strings, numbers (float64), booleans, lists and objects.
func claimsOfAda() map[string]any {
	return map[string]any{
		"email": "ada@example.com", "email_verified": true, "updated_at": 1.7e9,
		"groups":  []any{"admins", "dev"},
		"address": map[string]any{"country": "GB", "locality": "London"},
	}
}

// testUserClaims: SetUserClaims replaces a user's claims and makes it
// findable by subject; GetUserBySubject finds only such users. Sessions
// and long-lived tokens keep the OpenID fields (Audience, Claims,
// LoginID) whole.
func testUserClaims(t *testing.T, newStore NewStore) {
	t.Run("SetAndFindBySubject", func(t *testing.T) {
		f := setup(t, newStore)
		ada := newUser("ada")
		ada.Claims = nil
		must(t, f.CreateUser(f.ctx, ada))
		_, err := f.GetUserBySubject(f.ctx, ada.Subject)
		wantErr(t, "GetUserBySubject before any claims were set", err, tokens.ErrNotFound)
		for _, claims := range []map[string]any{claimsOfAda(), {"name": "Ada"}, nil} {
			u, err := f.SetUserClaims(f.ctx, "ada", claims)
			if err != nil || u.Subject != ada.Subject || !reflect.DeepEqual(u.Claims, claims) {
				t.Fatalf("SetUserClaims(%v) = %+v, %v; want the user with those claims", claims, u, err)
			}
			stored, err := f.GetUser(f.ctx, "ada")
			if err != nil || !reflect.DeepEqual(stored.Claims, claims) || stored.PasswordHash != ada.PasswordHash {
				t.Errorf("GetUser after SetUserClaims(%v) = %+v, %v; want those claims and the rest unchanged", claims, stored, err)
			}
			bySub, err := f.GetUserBySubject(f.ctx, ada.Subject)
			want := tokens.User{Username: "ada", Subject: ada.Subject, Claims: claims}
			if err != nil || !reflect.DeepEqual(bySub, want) {
				t.Errorf("GetUserBySubject after SetUserClaims(%v) = %#v, %v; want %#v", claims, bySub, err, want)
			}
		}
	})
	t.Run("Errors", func(t *testing.T) {
		f := setup(t, newStore)
		_, err := f.SetUserClaims(f.ctx, "nobody", claimsOfAda())
		wantErr(t, "SetUserClaims of an unknown user", err, tokens.ErrNotFound)
		_, err = f.GetUserBySubject(f.ctx, "sub-nobody")
		wantErr(t, "GetUserBySubject of an unknown subject", err, tokens.ErrNotFound)
	})
	t.Run("SessionAndTokenFields", func(t *testing.T) {
		f := setup(t, newStore)
		s := newSession("s-oidc")
		s.Claims, s.LoginID, s.Audience = claimsOfAda(), "login-1", []string{"https://a.example", "https://b.example"}
		must(t, f.CreateSession(f.ctx, s))
		if got, err := f.GetSession(f.ctx, s.ID); err != nil || !reflect.DeepEqual(got, s) {
			t.Errorf("GetSession = %#v, %v; want %#v", got, err, s)
		}
		lt := newLongLived("lt-oidc", "sub-ada", t0)
		lt.Audience = []string{"https://a.example"}
		must(t, f.CreateLongLived(f.ctx, lt))
		if got, err := f.GetLongLived(f.ctx, lt.ID); err != nil || !reflect.DeepEqual(got, lt) {
			t.Errorf("GetLongLived = %#v, %v; want %#v", got, err, lt)
		}
	})
}
