package lkclient

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"golang.org/x/oauth2"
)

// TestFileStore: a round trip keeps what a restart needs, the file is
// 0600 whatever was there before, and no temporary file is left behind.
func TestFileStore(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	path := filepath.Join(dir, "token.json")
	if err := os.WriteFile(path, []byte(`{"refresh_token":"old"}`), 0o644); err != nil {
		t.Fatal(err)
	}
	fs := FileStore{Path: path}
	want := &oauth2.Token{AccessToken: "at-1", TokenType: "Bearer", RefreshToken: "rt-1", Expiry: start.Add(15 * time.Minute), ExpiresIn: 900}
	if err := fs.Save(ctx, want); err != nil {
		t.Fatalf("Save: %v", err)
	}
	got, err := fs.Load(ctx)
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	if got.AccessToken != want.AccessToken || got.RefreshToken != want.RefreshToken || got.TokenType != want.TokenType || !got.Expiry.Equal(want.Expiry) {
		t.Errorf("Load = %+v; want %+v", got, want)
	}
	info, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if perm := info.Mode().Perm(); perm != 0o600 {
		t.Errorf("mode = %o; want 600", perm)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Errorf("folder holds %d entries; want only token.json", len(entries))
	}
}

// TestFileStoreFailedSaveKeepsOldToken: a save that cannot complete
// leaves the previous token in place.
func TestFileStoreFailedSaveKeepsOldToken(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	fs := FileStore{Path: filepath.Join(dir, "token.json")}
	if err := fs.Save(ctx, &oauth2.Token{RefreshToken: "rt-1"}); err != nil {
		t.Fatal(err)
	}
	// A folder where the file should be makes the rename fail.
	bad := FileStore{Path: filepath.Join(dir, "sub")}
	if err := os.Mkdir(bad.Path, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := bad.Save(ctx, &oauth2.Token{RefreshToken: "rt-2"}); err == nil {
		t.Fatal("Save over a folder = nil; want an error")
	}
	if got, err := fs.Load(ctx); err != nil || got.RefreshToken != "rt-1" {
		t.Errorf("Load = %v, %v; want rt-1", got, err)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 2 {
		t.Errorf("folder holds %d entries; want token.json and sub, no temporary file", len(entries))
	}
}

// TestFileStoreLoadErrors: missing and empty are ErrNoToken; garbage is
// another error.
func TestFileStoreLoadErrors(t *testing.T) {
	dir := t.TempDir()
	write := func(name, body string) FileStore {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		return FileStore{Path: p}
	}
	for _, tc := range []struct {
		name    string
		store   FileStore
		noToken bool
	}{
		{"missing", FileStore{Path: filepath.Join(dir, "none.json")}, true},
		{"empty object", write("empty.json", "{}"), true},
		{"garbage", write("garbage.json", "not json"), false},
	} {
		_, err := tc.store.Load(context.Background())
		if err == nil || errors.Is(err, ErrNoToken) != tc.noToken {
			t.Errorf("%s: Load = %v; want an error, ErrNoToken %v", tc.name, err, tc.noToken)
		}
	}
}

// TestSourceRestartsFromFile: a second process on the same file picks up
// the rotated token the first one saved.
func TestSourceRestartsFromFile(t *testing.T) {
	ctx := context.Background()
	srv := newFakeServer(t)
	fs := FileStore{Path: filepath.Join(t.TempDir(), "token.json")}
	if err := fs.Save(ctx, &oauth2.Token{AccessToken: "at-0", RefreshToken: "rt-0", Expiry: start}); err != nil {
		t.Fatal(err)
	}
	now := func() time.Time { return start }
	for i, want := range []string{"at-1", "at-2"} {
		ts, err := New(ctx, srv.config(), fs, Options{Now: now})
		if err != nil {
			t.Fatalf("process %d: New: %v", i, err)
		}
		if tok, err := ts.Token(); err != nil || tok.AccessToken != want {
			t.Fatalf("process %d: Token = %v, %v; want %s", i, tok, err, want)
		}
		now = func() time.Time { return start.Add(15 * time.Minute) }
	}
}
