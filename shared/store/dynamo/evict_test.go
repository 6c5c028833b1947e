package dynamo_test

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/latchkey/latchkey/shared/tokens"
)

// sessionStates returns each id's status and revocation reason as stored.
func sessionStates(t *testing.T, f fixture, ids ...string) map[string]string {
	t.Helper()
	states := map[string]string{}
	for _, id := range ids {
		s, err := f.GetSession(context.Background(), id)
		switch {
		case errors.Is(err, tokens.ErrNotFound):
			states[id] = "absent"
		case err != nil:
			t.Fatal(err)
		case s.Status == tokens.SessionActive:
			states[id] = s.Status
		default:
			states[id] = s.Status + "/" + s.RevokedReason
		}
	}
	return states
}

func TestCreateSessionEvicting(t *testing.T) {
	ctx := context.Background()
	created := t0.Add(time.Hour)
	tests := []struct {
		name    string
		setup   func(f fixture) error // before the call, after s1..s3 of user-1 exist
		newID   string
		evict   []string
		want    error
		wantOps map[string]int
		states  map[string]string
	}{
		{
			name: "evicts the named sessions", newID: "new", evict: []string{"s1", "s2"},
			wantOps: map[string]int{"TransactWriteItems": 1},
			states:  map[string]string{"new": "active", "s1": "revoked/evicted", "s2": "revoked/evicted", "s3": "active"},
		},
		{
			name: "nothing to evict", newID: "new",
			wantOps: map[string]int{"PutItem": 1},
			states:  map[string]string{"new": "active", "s1": "active", "s2": "active", "s3": "active"},
		},
		{
			name: "taken id evicts nothing", newID: "s3", evict: []string{"s1"}, want: tokens.ErrAlreadyExists,
			wantOps: map[string]int{"TransactWriteItems": 1},
			states:  map[string]string{"s1": "active", "s2": "active", "s3": "active"},
		},
		{
			name:  "an eviction already revoked",
			setup: func(f fixture) error { return f.RevokeSession(ctx, "s1", tokens.ReasonRevoked, t0) },
			newID: "new", evict: []string{"s1", "s2"},
			wantOps: map[string]int{"TransactWriteItems": 2},
			states:  map[string]string{"new": "active", "s1": "revoked/revoked", "s2": "revoked/evicted", "s3": "active"},
		},
		{
			name:  "the only eviction already revoked",
			setup: func(f fixture) error { return f.RevokeSession(ctx, "s1", tokens.ReasonRevoked, t0) },
			newID: "new", evict: []string{"s1"},
			wantOps: map[string]int{"TransactWriteItems": 1, "PutItem": 1},
			states:  map[string]string{"new": "active", "s1": "revoked/revoked", "s2": "active", "s3": "active"},
		},
		{
			name:  "unknown and foreign ids are not touched",
			setup: func(f fixture) error { return f.CreateSession(ctx, sessionOf("bob1", "user-2", "app", t0)) },
			newID: "new", evict: []string{"ghost", "bob1", "s1"},
			wantOps: map[string]int{"TransactWriteItems": 2},
			states:  map[string]string{"new": "active", "ghost": "absent", "bob1": "active", "s1": "revoked/evicted"},
		},
		{
			name: "duplicates and its own id", newID: "new", evict: []string{"s1", "s1", "new", ""},
			wantOps: map[string]int{"TransactWriteItems": 1},
			states:  map[string]string{"new": "active", "s1": "revoked/evicted", "s2": "active"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			for _, id := range []string{"s1", "s2", "s3"} {
				if err := f.CreateSession(ctx, sessionOf(id, "user-1", "app", t0)); err != nil {
					t.Fatal(err)
				}
			}
			if tt.setup != nil {
				if err := tt.setup(f); err != nil {
					t.Fatal(err)
				}
			}
			f.env.Counter.Reset()
			err := f.CreateSessionEvicting(ctx, sessionOf(tt.newID, "user-1", "app", created), tt.evict)
			if !errors.Is(err, tt.want) {
				t.Fatalf("CreateSessionEvicting = %v; want %v", err, tt.want)
			}
			if ops := f.env.Counter.Ops(); !maps.Equal(ops, tt.wantOps) {
				t.Errorf("requests = %v; want %v", ops, tt.wantOps)
			}
			got := sessionStates(t, f, slices.Collect(maps.Keys(tt.states))...)
			if !maps.Equal(got, tt.states) {
				t.Errorf("sessions after = %v; want %v", got, tt.states)
			}
			if f.raw(t, "SESSION#ghost") != nil {
				t.Error("evicting an unknown id created an item")
			}
		})
	}
}

// TestCreateSessionEvictingRecord checks the evicted session's fields and
// the new session's type, which the sessions page relies on.
func TestCreateSessionEvictingRecord(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	old := sessionOf("old", "user-1", "app", t0)
	if err := f.CreateSession(ctx, old); err != nil {
		t.Fatal(err)
	}
	s := sessionOf("new", "user-1", "app", t0.Add(time.Hour))
	if err := f.CreateSessionEvicting(ctx, s, []string{"old"}); err != nil {
		t.Fatal(err)
	}
	got, err := f.GetSession(ctx, "old")
	if err != nil {
		t.Fatal(err)
	}
	want := old
	want.Status, want.RevokedReason, want.RevokedAt = tokens.SessionRevoked, tokens.ReasonEvicted, s.CreatedAt
	if !reflect.DeepEqual(got, want) {
		t.Errorf("evicted session = %+v; want %+v", got, want)
	}
	if typ, ok := f.raw(t, "SESSION#new")["type"].(*types.AttributeValueMemberS); !ok || typ.Value != "oauth" {
		t.Errorf("new session's type = %#v; want S oauth", typ)
	}
}

// TestCreateSessionEvictingMany evicts more sessions than one transaction
// may hold (100 actions): all are revoked and the session is created.
func TestCreateSessionEvictingMany(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	var evict []string
	for i := range 120 {
		id := fmt.Sprintf("s%03d", i)
		if err := f.CreateSession(ctx, sessionOf(id, "user-1", "app", t0.Add(time.Duration(i)*time.Second))); err != nil {
			t.Fatal(err)
		}
		evict = append(evict, id)
	}
	f.env.Counter.Reset()
	if err := f.CreateSessionEvicting(ctx, sessionOf("new", "user-1", "app", t0.Add(time.Hour)), evict); err != nil {
		t.Fatalf("CreateSessionEvicting = %v", err)
	}
	if ops, want := f.env.Counter.Ops(), map[string]int{"TransactWriteItems": 1, "UpdateItem": 21}; !maps.Equal(ops, want) {
		t.Errorf("requests = %v; want %v", ops, want)
	}
	active, err := f.ActiveSessions(ctx, "user-1", "app")
	if err != nil {
		t.Fatal(err)
	}
	if len(active) != 1 || active[0].ID != "new" {
		t.Errorf("ActiveSessions after = %d sessions; want only the new one", len(active))
	}
}
