package lkclient

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"golang.org/x/oauth2"
)

// Store keeps the token of one sign-in across restarts. Save must be
// durable when it returns nil: the [TokenSource] hands out a rotated
// access token only after Save has kept its refresh token, because the
// refresh token it replaced is spent (RFC 9700 §4.14.2).
type Store interface {
	// Load returns the stored token, or an error matching ErrNoToken
	// when there is none.
	Load(ctx context.Context) (*oauth2.Token, error)
	// Save replaces the stored token.
	Save(ctx context.Context, t *oauth2.Token) error
}

// FileStore is a Store in one JSON file, readable and writable by its
// owner only (0600). Save writes a temporary file in the same folder,
// syncs it and renames it over the old one, so a crash leaves either
// the old token or the new one, never a torn file.
type FileStore struct {
	// Path is the file; its folder must exist.
	Path string
}

var _ Store = FileStore{}

// Load reads the token from the file.
func (f FileStore) Load(ctx context.Context) (*oauth2.Token, error) {
	b, err := os.ReadFile(f.Path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("%w: %s does not exist", ErrNoToken, f.Path)
	}
	if err != nil {
		return nil, err
	}
	var t oauth2.Token
	if err := json.Unmarshal(b, &t); err != nil {
		return nil, fmt.Errorf("lkclient: %s: %w", f.Path, err)
	}
	if t.RefreshToken == "" && t.AccessToken == "" {
		return nil, fmt.Errorf("%w: %s holds no token", ErrNoToken, f.Path)
	}
	return &t, nil
}

// Save writes t to a temporary file (mode 0600) next to Path, syncs it,
// renames it to Path and syncs the folder.
func (f FileStore) Save(ctx context.Context, t *oauth2.Token) error {
	b, err := json.Marshal(oauth2.Token{
		AccessToken: t.AccessToken, TokenType: t.TokenType,
		RefreshToken: t.RefreshToken, Expiry: t.Expiry,
	})
	if err != nil {
		return err
	}
	dir := filepath.Dir(f.Path)
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(f.Path)+".tmp-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name()) // a no-op once renamed
	if err := writeSynced(tmp, b); err != nil {
		return err
	}
	if err := os.Rename(tmp.Name(), f.Path); err != nil {
		return err
	}
	return syncDir(dir)
}

// writeSynced writes b to the 0600 file, flushes it to disk and closes it.
func writeSynced(file *os.File, b []byte) error {
	err := file.Chmod(0o600)
	if err == nil {
		_, err = file.Write(b)
	}
	if err == nil {
		err = file.Sync()
	}
	return errors.Join(err, file.Close())
}

// syncDir makes a rename in dir durable. Some systems cannot sync a
// folder; that is not an error worth losing a token over.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	_ = d.Sync()
	return d.Close()
}
