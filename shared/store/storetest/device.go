package storetest

import (
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/latchkey/latchkey/shared/tokens"
)

// deviceGrant is a pending device authorization created at t0 that
// expires in ten minutes, with every creation field set.
func deviceGrant(name string) tokens.DeviceGrant {
	return tokens.DeviceGrant{
		Hash: hash("device " + name), UserCodeHash: hash("user code " + name), ClientID: "tv", ClientName: "Kitchen TV",
		Scopes: []string{"openid", "read"}, Resources: []string{"https://api.example.com"}, Status: tokens.DevicePending,
		Interval: 5 * time.Second, NextPollAt: t0, CreatedAt: t0, ExpiresAt: t0.Add(10 * time.Minute),
	}
}

// testDevices: device authorizations (RFC 8628): both keys at creation,
// the user code's lookup until the exact expiry, decisions only on a
// pending, unexpired grant, polls that record their time and raise the
// interval when too early, and exactly one redemption of 16 concurrent.
func testDevices(t *testing.T, newStore NewStore) {
	t.Run("CreateAndLookUp", func(t *testing.T) {
		f := setup(t, newStore)
		g := deviceGrant("a")
		must(t, f.CreateDeviceGrant(f.ctx, g))
		got, err := f.GetDeviceByUserCode(f.ctx, g.UserCodeHash)
		if err != nil || !equalGrant(got, g) {
			t.Fatalf("GetDeviceByUserCode = %+v, %v; want %+v", got, err, g)
		}
		taken := deviceGrant("b")
		taken.UserCodeHash = g.UserCodeHash
		wantErr(t, "CreateDeviceGrant(user code taken)", f.CreateDeviceGrant(f.ctx, taken), tokens.ErrAlreadyExists)
		taken = deviceGrant("c")
		taken.Hash = g.Hash
		wantErr(t, "CreateDeviceGrant(device code taken)", f.CreateDeviceGrant(f.ctx, taken), tokens.ErrAlreadyExists)
		_, err = f.GetDeviceByUserCode(f.ctx, deviceGrant("c").UserCodeHash)
		wantErr(t, "GetDeviceByUserCode(of the refused grant)", err, tokens.ErrNotFound)
		f.clock.Advance(10*time.Minute - time.Nanosecond)
		_, err = f.GetDeviceByUserCode(f.ctx, g.UserCodeHash)
		wantErr(t, "GetDeviceByUserCode(a nanosecond before expiry)", err, nil)
		f.clock.Advance(time.Nanosecond)
		_, err = f.GetDeviceByUserCode(f.ctx, g.UserCodeHash)
		wantErr(t, "GetDeviceByUserCode(at expiry)", err, tokens.ErrNotFound)
	})
	t.Run("Poll", func(t *testing.T) {
		f := setup(t, newStore)
		g := deviceGrant("a")
		must(t, f.CreateDeviceGrant(f.ctx, g))
		got, err := f.PollDevice(f.ctx, g.Hash, "tv", t0, 5*time.Second)
		if err != nil || !got.NextPollAt.Equal(t0.Add(5*time.Second)) || got.Interval != 5*time.Second || got.Status != tokens.DevicePending {
			t.Fatalf("PollDevice(first) = %+v, %v; want the next poll 5 s on", got, err)
		}
		at := t0.Add(4 * time.Second)
		got, err = f.PollDevice(f.ctx, g.Hash, "tv", at, 5*time.Second)
		wantErr(t, "PollDevice(too early)", err, tokens.ErrConflict)
		if got.Interval != 10*time.Second || !got.NextPollAt.Equal(at.Add(10*time.Second)) {
			t.Errorf("PollDevice(too early) = interval %v, next %v; want 10s, %v", got.Interval, got.NextPollAt, at.Add(10*time.Second))
		}
		got, err = f.PollDevice(f.ctx, g.Hash, "other", at.Add(time.Minute), 5*time.Second)
		wantErr(t, "PollDevice(another client)", err, tokens.ErrConflict)
		if got.ClientID != "tv" || got.Interval != 10*time.Second {
			t.Errorf("PollDevice(another client) = %+v; want the grant unchanged", got)
		}
		got, err = f.PollDevice(f.ctx, g.Hash, "tv", at.Add(10*time.Second), 5*time.Second)
		if err != nil || !got.NextPollAt.Equal(at.Add(20*time.Second)) {
			t.Errorf("PollDevice(on time) = %+v, %v; want the next poll at %v", got, err, at.Add(20*time.Second))
		}
		_, err = f.PollDevice(f.ctx, hash("unknown"), "tv", at, 5*time.Second)
		wantErr(t, "PollDevice(unknown)", err, tokens.ErrNotFound)
		f.clock.Advance(10*time.Minute + 2*time.Hour)
		_, err = f.PollDevice(f.ctx, g.Hash, "tv", f.clock.Now(), 5*time.Second)
		wantErr(t, "PollDevice(long gone)", err, tokens.ErrNotFound)
	})
	t.Run("DecideAndRedeem", func(t *testing.T) {
		f := setup(t, newStore)
		g := deviceGrant("a")
		must(t, f.CreateDeviceGrant(f.ctx, g))
		_, err := f.RedeemDevice(f.ctx, g.Hash, "sid-0", t0)
		wantErr(t, "RedeemDevice(pending)", err, tokens.ErrConflict)
		dec := tokens.DeviceDecision{Status: tokens.DeviceApproved, Subject: "user-1", AuthTime: t0.Add(-time.Hour), LoginID: "login-1", At: t0.Add(time.Minute)}
		must(t, f.DecideDevice(f.ctx, g.Hash, dec))
		wantErr(t, "DecideDevice(again)", f.DecideDevice(f.ctx, g.Hash, dec), tokens.ErrConflict)
		wantErr(t, "DecideDevice(unknown)", f.DecideDevice(f.ctx, hash("unknown"), dec), tokens.ErrNotFound)
		got, err := f.PollDevice(f.ctx, g.Hash, "tv", t0.Add(time.Minute), 5*time.Second)
		if err != nil || got.Status != tokens.DeviceApproved || got.Subject != "user-1" || got.LoginID != "login-1" ||
			!got.AuthTime.Equal(dec.AuthTime) || !got.DecidedAt.Equal(dec.At) {
			t.Fatalf("PollDevice(approved) = %+v, %v; want the decision", got, err)
		}
		var wg sync.WaitGroup
		wins := make(chan string, 16)
		for i := range 16 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				sid := "sid-" + string(rune('a'+i))
				if g, err := f.RedeemDevice(f.ctx, g.Hash, sid, t0); err == nil && g.SessionID == sid && g.Status == tokens.DeviceUsed {
					wins <- sid
				} else if !errors.Is(err, tokens.ErrConflict) {
					t.Errorf("RedeemDevice = %v; want nil or ErrConflict", err)
				}
			}()
		}
		wg.Wait()
		close(wins)
		if n := len(wins); n != 1 {
			t.Errorf("concurrent redemptions won = %d; want 1", n)
		}
		got, err = f.RedeemDevice(f.ctx, g.Hash, "late", t0)
		wantErr(t, "RedeemDevice(used)", err, tokens.ErrConflict)
		if got.Status != tokens.DeviceUsed || got.SessionID == "late" {
			t.Errorf("RedeemDevice(used) = %+v; want the grant as used first", got)
		}
	})
	t.Run("DecideAtExpiry", func(t *testing.T) {
		f := setup(t, newStore)
		g := deviceGrant("a")
		must(t, f.CreateDeviceGrant(f.ctx, g))
		dec := tokens.DeviceDecision{Status: tokens.DeviceDenied, Subject: "user-1", At: g.ExpiresAt}
		wantErr(t, "DecideDevice(at expiry)", f.DecideDevice(f.ctx, g.Hash, dec), tokens.ErrConflict)
		dec.At = g.ExpiresAt.Add(-time.Nanosecond)
		wantErr(t, "DecideDevice(a nanosecond before)", f.DecideDevice(f.ctx, g.Hash, dec), nil)
	})
}

// equalGrant compares the fields a grant is created with.
func equalGrant(a, b tokens.DeviceGrant) bool {
	return string(a.Hash) == string(b.Hash) && string(a.UserCodeHash) == string(b.UserCodeHash) && a.ClientID == b.ClientID &&
		a.ClientName == b.ClientName && slicesEqual(a.Scopes, b.Scopes) && slicesEqual(a.Resources, b.Resources) &&
		a.Status == b.Status && a.Interval == b.Interval && a.NextPollAt.Equal(b.NextPollAt) &&
		a.CreatedAt.Equal(b.CreatedAt) && a.ExpiresAt.Equal(b.ExpiresAt)
}

func slicesEqual(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
