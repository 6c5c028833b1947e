package storetest

import (
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/latchkey/latchkey/shared/tokens"
)

// registeredClient is a dynamically registered client expiring at exp.
func registeredClient(id string, exp time.Time) tokens.Client {
	return tokens.Client{
		ID: id, Name: "MCP client " + id, AuthMethod: "none",
		Grants: []string{"authorization_code", "refresh_token"}, Scopes: []string{"openid", "notes:read"},
		AllowOfflineAccess: true, AccessTokenTTL: 15 * time.Minute, AccessTokenFormat: tokens.FormatJWT,
		RefreshAbsoluteTTL: 30 * 24 * time.Hour, RefreshIdleTTL: 7 * 24 * time.Hour,
		RefreshRotation: tokens.RotationRotate, RefreshReuseGrace: 30 * time.Second, MaxSessionsPerSubject: 50,
		RedirectURIs: []string{"http://127.0.0.1/callback"}, Resources: []string{"https://mcp.example.com/mcp"},
		CreatedAt: t0,
		Registration: tokens.Registration{
			Kind: tokens.RegisteredDynamically, TokenHash: hash("rat-" + id), ApplicationType: "native", ExpiresAt: exp,
		},
	}
}

// testRegisteredClients pins self-registered clients (issue 13): their
// registration round-trips, they lapse at their exact expiry on every
// read and write, an extension only ever moves the expiry later (so N
// concurrent extensions leave the latest), and deletion.
func testRegisteredClients(t *testing.T, newStore NewStore) {
	t.Run("RoundTrip", func(t *testing.T) {
		f := setup(t, newStore)
		c := registeredClient("dcr_1", t0.Add(time.Hour))
		must(t, f.CreateClient(f.ctx, c))
		if got, err := f.GetClient(f.ctx, c.ID); err != nil || !reflect.DeepEqual(got, c) {
			t.Errorf("GetClient = %#v, %v; want %#v", got, err, c)
		}
	})
	t.Run("Lapses", func(t *testing.T) {
		f := setup(t, newStore)
		exp := t0.Add(time.Hour)
		must(t, f.CreateClient(f.ctx, registeredClient("dcr_1", exp)), f.CreateClient(f.ctx, newClient("operator")))
		f.clock.Set(exp.Add(-time.Nanosecond))
		if _, err := f.GetClient(f.ctx, "dcr_1"); err != nil {
			t.Fatalf("GetClient a nanosecond before expiry = %v; want the client", err)
		}
		f.clock.Set(exp)
		for name, call := range map[string]func() error{
			"GetClient":     func() error { _, err := f.GetClient(f.ctx, "dcr_1"); return err },
			"DisableClient": func() error { return f.DisableClient(f.ctx, "dcr_1") },
			"DeleteClient":  func() error { return f.DeleteClient(f.ctx, "dcr_1") },
			"ExtendClient":  func() error { return f.ExtendClient(f.ctx, "dcr_1", exp.Add(time.Hour)) },
		} {
			wantErr(t, name+" at expiry", call(), tokens.ErrNotFound)
		}
		list, err := f.ListClients(f.ctx)
		if err != nil || len(list) != 1 || list[0].ID != "operator" {
			t.Errorf("ListClients at expiry = %v, %v; want only the operator's client", list, err)
		}
	})
	t.Run("Extend", func(t *testing.T) {
		f := setup(t, newStore)
		exp := t0.Add(time.Hour)
		must(t, f.CreateClient(f.ctx, registeredClient("dcr_1", exp)), f.CreateClient(f.ctx, newClient("operator")))
		tests := []struct {
			name string
			id   string
			to   time.Time
			want error
		}{
			{"later", "dcr_1", exp.Add(time.Hour), nil},
			{"the same again", "dcr_1", exp.Add(time.Hour), tokens.ErrConflict},
			{"earlier", "dcr_1", exp, tokens.ErrConflict},
			{"a client that never expires", "operator", exp.Add(time.Hour), tokens.ErrConflict},
			{"unknown", "dcr_2", exp.Add(time.Hour), tokens.ErrNotFound},
		}
		for _, tt := range tests {
			wantErr(t, tt.name, f.ExtendClient(f.ctx, tt.id, tt.to), tt.want)
		}
		got, err := f.GetClient(f.ctx, "dcr_1")
		if err != nil || !got.Registration.ExpiresAt.Equal(exp.Add(time.Hour)) {
			t.Errorf("expiry after the extensions = %v, %v; want %v", got.Registration.ExpiresAt, err, exp.Add(time.Hour))
		}
		if op, err := f.GetClient(f.ctx, "operator"); err != nil || !op.Registration.ExpiresAt.IsZero() {
			t.Errorf("operator's client = %+v, %v; want it never to expire", op.Registration, err)
		}
	})
	t.Run("ConcurrentExtensionsKeepTheLatest", func(t *testing.T) {
		f := setup(t, newStore)
		must(t, f.CreateClient(f.ctx, registeredClient("dcr_1", t0.Add(time.Hour))))
		const n = 16
		var wg sync.WaitGroup
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				err := f.ExtendClient(f.ctx, "dcr_1", t0.Add(time.Duration(2+i)*time.Hour))
				if err != nil && !isSentinel(err) {
					t.Errorf("ExtendClient #%d = %v; want nil or ErrConflict", i, err)
				}
			}()
		}
		wg.Wait()
		got, err := f.GetClient(f.ctx, "dcr_1")
		if want := t0.Add((n + 1) * time.Hour); err != nil || !got.Registration.ExpiresAt.Equal(want) {
			t.Errorf("expiry after %d concurrent extensions = %v, %v; want the latest, %v", n, got.Registration.ExpiresAt, err, want)
		}
	})
	t.Run("Delete", func(t *testing.T) {
		f := setup(t, newStore)
		must(t, f.CreateClient(f.ctx, registeredClient("dcr_1", t0.Add(time.Hour))))
		wantErr(t, "delete", f.DeleteClient(f.ctx, "dcr_1"), nil)
		wantErr(t, "get after delete", func() error { _, err := f.GetClient(f.ctx, "dcr_1"); return err }(), tokens.ErrNotFound)
		wantErr(t, "delete again", f.DeleteClient(f.ctx, "dcr_1"), tokens.ErrNotFound)
	})
}
