package signing

import (
	"bytes"
	"encoding/base64"
	"errors"
	"strings"
	"testing"
)

func TestKEKFromSecret(t *testing.T) {
	raw := bytes.Repeat([]byte{0xfb, 0xff, 0x01}, 11)[:32] // has + and / in std base64
	secretsManager := "Xq3m9TzVb7Lr2NcH8wKd4PjY6sFa1GeU5hRn0MiZoQtAyBvCxWpDlE3JkS7gI2uO"
	tests := []struct {
		name    string
		secret  string
		want    []byte // nil: derived, checked separately
		wantErr bool
	}{
		{"std base64", base64.StdEncoding.EncodeToString(raw), raw, false},
		{"url base64", base64.URLEncoding.EncodeToString(raw), raw, false},
		{"unpadded url base64", base64.RawURLEncoding.EncodeToString(raw), raw, false},
		{"std base64 with newline", base64.StdEncoding.EncodeToString(raw) + "\n", raw, false},
		{"Secrets Manager string", secretsManager, nil, false},
		{"base64 of 48 bytes is stretched", base64.StdEncoding.EncodeToString(make([]byte, 48)), nil, false},
		{"base64 of 16 bytes", base64.StdEncoding.EncodeToString(make([]byte, 16)), nil, true},
		{"short password", "hunter2", nil, true},
		{"empty", "", nil, true},
		{"31 characters", strings.Repeat("a", 31), nil, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := KEKFromSecret(tt.secret)
			if tt.wantErr {
				if !errors.Is(err, ErrBadKEK) {
					t.Errorf("KEKFromSecret(%q) error = %v; want ErrBadKEK", tt.secret, err)
				}
				return
			}
			if err != nil || len(got) != KEKSize {
				t.Fatalf("KEKFromSecret(%q) = %x, %v; want %d bytes", tt.secret, got, err, KEKSize)
			}
			if tt.want != nil && !bytes.Equal(got, tt.want) {
				t.Errorf("KEKFromSecret(%q) = %x; want %x", tt.secret, got, tt.want)
			}
			again, _ := KEKFromSecret(tt.secret)
			if !bytes.Equal(got, again) {
				t.Errorf("KEKFromSecret(%q) is not deterministic", tt.secret)
			}
		})
	}
	a, _ := KEKFromSecret(secretsManager)
	b, _ := KEKFromSecret(secretsManager[:63] + "X")
	if bytes.Equal(a, b) {
		t.Errorf("KEKFromSecret gives the same key for different secrets")
	}
}

func TestRefreshKey(t *testing.T) {
	kek := newKEK(t)
	got, err := RefreshKey(kek)
	if err != nil || len(got) != 32 {
		t.Fatalf("RefreshKey() = %x, %v; want 32 bytes", got, err)
	}
	seal, _ := derive(kek, labelSeal)
	if bytes.Equal(got, kek) || bytes.Equal(got, seal) {
		t.Errorf("RefreshKey() equals the KEK or the sealing key")
	}
	if again, _ := RefreshKey(kek); !bytes.Equal(got, again) {
		t.Errorf("RefreshKey() is not deterministic")
	}
	if _, err := RefreshKey(kek[:16]); !errors.Is(err, ErrBadKEK) {
		t.Errorf("RefreshKey(16 bytes) error = %v; want ErrBadKEK", err)
	}
}

func TestSealBindsKID(t *testing.T) {
	s, err := newSealer(newKEK(t))
	if err != nil {
		t.Fatal(err)
	}
	sealed, err := s.seal("kid-a", []byte(`{"d":"secret"}`))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.open("kid-a", sealed); err != nil {
		t.Errorf("open(kid-a) error = %v; want nil", err)
	}
	if _, err := s.open("kid-b", sealed); !errors.Is(err, errSealed) {
		t.Errorf("open(kid-b) error = %v; want errSealed", err)
	}
	sealed[len(sealed)-1] ^= 1
	if _, err := s.open("kid-a", sealed); !errors.Is(err, errSealed) {
		t.Errorf("open(tampered) error = %v; want errSealed", err)
	}
}
