package dynamo_test

import (
	"context"
	"errors"
	"reflect"
	"testing"

	"github.com/latchkey/latchkey/shared/tokens"
)

func TestClientRoundTrip(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	tests := []struct {
		name   string
		client tokens.Client
	}{
		{"confidential with every setting", newClient("full")},
		{"public with defaults only", tokens.Client{ID: "spa", AuthMethod: "none"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := f.CreateClient(ctx, tt.client); err != nil {
				t.Fatalf("CreateClient = %v", err)
			}
			got, err := f.GetClient(ctx, tt.client.ID)
			if err != nil {
				t.Fatalf("GetClient = %v", err)
			}
			if !reflect.DeepEqual(got, tt.client) {
				t.Errorf("GetClient = %+v; want %+v", got, tt.client)
			}
		})
	}
}

func TestClientErrors(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	if err := f.CreateClient(ctx, newClient("taken")); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		call func() error
		want error
	}{
		{"create taken id", func() error { c := newClient("taken"); c.Name = "another"; return f.CreateClient(ctx, c) }, tokens.ErrAlreadyExists},
		{"get unknown", func() error { _, err := f.GetClient(ctx, "nope"); return err }, tokens.ErrNotFound},
		{"disable unknown", func() error { return f.DisableClient(ctx, "nope") }, tokens.ErrNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := tt.call(); !errors.Is(err, tt.want) {
				t.Errorf("err = %v; want %v", err, tt.want)
			}
		})
	}
}

func TestDisableClient(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	c := newClient("app")
	if err := f.CreateClient(ctx, c); err != nil {
		t.Fatal(err)
	}
	if err := f.DisableClient(ctx, c.ID); err != nil {
		t.Fatalf("DisableClient = %v", err)
	}
	got, err := f.GetClient(ctx, c.ID)
	if err != nil {
		t.Fatalf("GetClient = %v", err)
	}
	want := c
	want.Disabled = true
	if !reflect.DeepEqual(got, want) {
		t.Errorf("GetClient after disable = %+v; want %+v", got, want)
	}
}

func TestListClients(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	got, err := f.ListClients(ctx)
	if err != nil || len(got) != 0 {
		t.Fatalf("ListClients on an empty table = %v, %v; want [], nil", got, err)
	}
	// Other item kinds share the table and must not be listed.
	if err := f.CreateUser(ctx, newUser("alice")); err != nil {
		t.Fatal(err)
	}
	if err := f.CreateSession(ctx, newSession("s1")); err != nil {
		t.Fatal(err)
	}
	var want []tokens.Client
	for _, id := range []string{"c", "a", "b"} {
		if err := f.CreateClient(ctx, newClient(id)); err != nil {
			t.Fatal(err)
		}
	}
	for _, id := range []string{"a", "b", "c"} {
		want = append(want, newClient(id))
	}
	got, err = f.ListClients(ctx)
	if err != nil {
		t.Fatalf("ListClients = %v", err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("ListClients = %+v; want %+v", got, want)
	}
}
