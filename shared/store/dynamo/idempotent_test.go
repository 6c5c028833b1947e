package dynamo_test

import (
	"context"
	"testing"

	"github.com/latchkey/latchkey/shared/tokens"
)

// An SDK retry after a lost answer repeats a create that already landed.
// Finding exactly the item it writes, the create succeeds: the caller sees
// one write, not ErrAlreadyExists (issue 5 §2). Every created item carries
// a random value, so no other writer can have written the same one.
func TestCreateRepeatedAfterALostAnswerSucceeds(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	sess, ref, lt := newSession("s1"), newReference("tok"), newLongLived("lt1", "user-1", t0)
	for _, tc := range []struct {
		name   string
		create func() error
	}{
		{"client", func() error { return f.CreateClient(ctx, newClient("c1")) }},
		{"user", func() error { return f.CreateUser(ctx, newUser("alice")) }},
		{"session", func() error { return f.CreateSession(ctx, sess) }},
		{"session with evictions", func() error { return f.CreateSessionEvicting(ctx, newSession("s2"), []string{"s1"}) }},
		{"reference token", func() error { return f.CreateReferenceToken(ctx, ref) }},
		{"long-lived token", func() error { return f.CreateLongLived(ctx, lt) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if err := tc.create(); err != nil {
				t.Fatalf("first create = %v; want nil", err)
			}
			f.env.Counter.Reset()
			if err := tc.create(); err != nil {
				t.Errorf("the same create again = %v; want nil (idempotent)", err)
			}
			if w := f.env.Counter.Writes(); w != 1 {
				t.Errorf("the repeated create sent %d writes; want 1", w)
			}
		})
	}
	if s, err := f.GetSession(ctx, "s1"); err != nil || s.Status != tokens.SessionRevoked {
		t.Errorf("s1 after the repeated eviction = %v, %v; want revoked (evicted once)", s.Status, err)
	}
}
