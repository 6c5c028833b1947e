package storetest

import (
	"reflect"
	"testing"

	"github.com/latchkey/latchkey/shared/tokens"
)

// testDisable pins what issue 11 §4 and §5 store: a user's disabled flag
// set and cleared, and the client a self-minted long-lived token belongs
// to, round trip.
func testDisable(t *testing.T, newStore NewStore) {
	t.Run("SetUserDisabled", func(t *testing.T) {
		f := setup(t, newStore)
		want := newUser("alice")
		must(t, f.CreateUser(f.ctx, want))
		for _, disabled := range []bool{true, false, true} {
			want.Disabled = disabled
			u, err := f.SetUserDisabled(f.ctx, "alice", disabled)
			if err != nil || !reflect.DeepEqual(u, want) {
				t.Errorf("SetUserDisabled(%v) = %+v, %v; want %+v", disabled, u, err, want)
			}
			if u, err := f.GetUser(f.ctx, "alice"); err != nil || u.Disabled != disabled {
				t.Errorf("GetUser after SetUserDisabled(%v) = disabled %v, %v", disabled, u.Disabled, err)
			}
		}
		_, err := f.SetUserDisabled(f.ctx, "nobody", true)
		wantErr(t, "SetUserDisabled(unknown)", err, tokens.ErrNotFound)
	})
	t.Run("LongLivedClientID", func(t *testing.T) {
		f := setup(t, newStore)
		lt := newLongLived("lt1", "user-1", t0)
		lt.ClientID = "app"
		must(t, f.CreateLongLived(f.ctx, lt))
		if got, err := f.GetLongLived(f.ctx, "lt1"); err != nil || got.ClientID != "app" {
			t.Errorf("GetLongLived = client %q, %v; want app", got.ClientID, err)
		}
	})
}
