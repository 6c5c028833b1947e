package password

import (
	"errors"
	"strings"
	"testing"
)

var cheap = Argon2id{MemoryKiB: 64, Time: 1, Threads: 1}

func TestHashVerify(t *testing.T) {
	h, err := cheap.Hash("correct horse")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(h, "$argon2id$v=19$m=64,t=1,p=1$") {
		t.Errorf("Hash() = %q; want a PHC argon2id string", h)
	}
	if strings.Contains(h, "correct horse") {
		t.Error("hash contains the password")
	}
	for _, tc := range []struct {
		name     string
		password string
		want     bool
	}{
		{"right", "correct horse", true},
		{"wrong", "correct horsE", false},
		{"empty", "", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := OWASP.Verify(h, tc.password)
			if err != nil || got != tc.want {
				t.Errorf("Verify(%q) = %v, %v; want %v, nil", tc.password, got, err, tc.want)
			}
		})
	}
}

func TestHashesAreSalted(t *testing.T) {
	a, _ := cheap.Hash("same")
	b, _ := cheap.Hash("same")
	if a == b {
		t.Error("two hashes of one password are equal; want different salts")
	}
}

func TestVerifyMalformed(t *testing.T) {
	for _, h := range []string{
		"", "plain", "$argon2i$v=19$m=64,t=1,p=1$c2FsdHNhbHQ$a2V5a2V5a2V5a2V5a2V5",
		"$argon2id$v=18$m=64,t=1,p=1$c2FsdHNhbHQ$a2V5a2V5a2V5a2V5a2V5",
		"$argon2id$v=19$m=0,t=1,p=1$c2FsdHNhbHQ$a2V5a2V5a2V5a2V5a2V5",
		"$argon2id$v=19$m=64,t=1,p=1$!!$a2V5a2V5a2V5a2V5a2V5",
		"$argon2id$v=19$m=99999999,t=1,p=1$c2FsdHNhbHQ$a2V5a2V5a2V5a2V5a2V5",
	} {
		if _, err := cheap.Verify(h, "x"); !errors.Is(err, ErrMalformed) {
			t.Errorf("Verify(%q) error = %v; want ErrMalformed", h, err)
		}
	}
}
