package main

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/latchkey/latchkey/shared/tokens"
)

// checkout makes a folder that looks like a checkout of this repository,
// with a dev environment file when devEnv is not empty, and returns a
// subfolder of it to run from.
func checkout(t *testing.T, devEnv string) string {
	t.Helper()
	root := t.TempDir()
	if err := os.WriteFile(filepath.Join(root, "go.mod"), []byte("module "+modulePath+"\n\ngo 1.26\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if devEnv != "" {
		if err := os.MkdirAll(filepath.Join(root, ".cache"), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(root, devEnvPath), []byte(devEnv), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	sub := filepath.Join(root, "shared", "tokens")
	if err := os.MkdirAll(sub, 0o755); err != nil {
		t.Fatal(err)
	}
	return sub
}

func envLookup(m map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) { v, ok := m[k]; return v, ok }
}

const devFile = `# written by make dev
export TABLE_NAME='latchkey-local'
export DYNAMODB_ENDPOINT='http://127.0.0.1:9000'
export ISSUER='http://127.0.0.1:9080'
export KEY_ENCRYPTION_KEY='bGF0Y2hrZXktbG9jYWwtb25seS1ub3QtYS1zZWNyZXQ='
`

// TestConfigTarget: where the CLI acts, by environment and working folder.
// It never reaches AWS unless TABLE_NAME names a table.
func TestConfigTarget(t *testing.T) {
	withDev, withoutDev, outside := checkout(t, devFile), checkout(t, ""), t.TempDir()
	tests := []struct {
		name     string
		env      map[string]string
		dir      string
		endpoint string // "" means AWS
		table    string
		issuer   string
		noTarget bool
	}{
		{"dev file inside the checkout", nil, withDev, "http://127.0.0.1:9000", "latchkey-local", "http://127.0.0.1:9080", false},
		{"environment over the dev file", map[string]string{"DYNAMODB_ENDPOINT": "http://127.0.0.1:7000"}, withDev,
			"http://127.0.0.1:7000", "latchkey-local", "http://127.0.0.1:8080", false},
		{"other settings layer over the dev file", map[string]string{"ISSUER": "http://x"}, withDev,
			"http://127.0.0.1:9000", "latchkey-local", "http://x", false},
		{"endpoint alone: local defaults", map[string]string{"DYNAMODB_ENDPOINT": "http://127.0.0.1:7000"}, outside,
			"http://127.0.0.1:7000", "latchkey-local", "http://127.0.0.1:8080", false},
		{"a named table without endpoint is AWS", map[string]string{"TABLE_NAME": "prod"}, withDev, "", "prod", "", false},
		{"nothing set outside a checkout", nil, outside, "", "", "", true},
		{"nothing set in a checkout without make dev", nil, withoutDev, "", "", "", true},
		{"blank variables count as unset", map[string]string{"TABLE_NAME": " ", "DYNAMODB_ENDPOINT": ""}, outside, "", "", "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := cli{lookup: envLookup(tt.env), dir: tt.dir}
			cfg, err := c.config()
			if tt.noTarget {
				if !errors.Is(err, errNoTarget) {
					t.Fatalf("config() error = %v; want errNoTarget", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if cfg.DynamoDBEndpoint != tt.endpoint || cfg.TableName != tt.table || cfg.Issuer != tt.issuer {
				t.Errorf("config() = endpoint %q table %q issuer %q; want %q %q %q",
					cfg.DynamoDBEndpoint, cfg.TableName, cfg.Issuer, tt.endpoint, tt.table, tt.issuer)
			}
		})
	}
}

func TestDevFileReadsTheKey(t *testing.T) {
	c := cli{lookup: envLookup(nil), dir: checkout(t, devFile)}
	cfg, err := c.config()
	if err != nil {
		t.Fatal(err)
	}
	if len(cfg.KeyEncryptionKey) != 32 {
		t.Errorf("KeyEncryptionKey has %d bytes; want the dev file's 32", len(cfg.KeyEncryptionKey))
	}
}

func TestBadDevFile(t *testing.T) {
	c := cli{lookup: envLookup(nil), dir: checkout(t, "TABLE_NAME=x\n")}
	if _, err := c.config(); err == nil || !strings.Contains(err.Error(), "export NAME='value'") {
		t.Errorf("config() error = %v; want the line format named", err)
	}
	c = cli{lookup: envLookup(nil), dir: checkout(t, "export TABLE_NAME='x'\n")}
	if _, err := c.config(); err == nil || !strings.Contains(err.Error(), "DYNAMODB_ENDPOINT") {
		t.Errorf("config() error = %v; want the missing endpoint named", err)
	}
}

func TestEnvFileRoundTrip(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sub", "dev.env")
	vars := []envVar{{"A", "1"}, {"B", "x y=z"}, {"C", ""}}
	if err := writeEnvFile(path, "line one\nline two", vars); err != nil {
		t.Fatal(err)
	}
	got, err := readEnvFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range vars {
		if got[v.name] != v.value {
			t.Errorf("%s = %q; want %q", v.name, got[v.name], v.value)
		}
	}
	if info, _ := os.Stat(path); info.Mode().Perm() != 0o600 {
		t.Errorf("mode = %v; want 0600 (the file holds secrets)", info.Mode().Perm())
	}
	if err := writeEnvFile(path, "", []envVar{{"Q", "it's"}}); err == nil {
		t.Error("writeEnvFile accepted a value with a quote")
	}
}

func TestShortDuration(t *testing.T) {
	for d, want := range map[time.Duration]string{
		15 * time.Minute: "15m", 720 * time.Hour: "720h", 30 * time.Second: "30s", 0: "0s",
		90 * time.Minute: "1h30m", 90 * time.Second: "1m30s", time.Hour + time.Second: "1h0m1s",
	} {
		if got := shortDuration(d); got != want {
			t.Errorf("shortDuration(%v) = %q; want %q", d, got, want)
		}
	}
}

// TestPrintClients: every setting, durations as typed.
func TestPrintClients(t *testing.T) {
	var out bytes.Buffer
	c := cli{stdout: &out}
	cl := tokens.Client{ID: "c1", Name: "demo", AuthMethod: "client_secret_basic", Grants: []string{"password", "refresh_token"},
		Scopes: []string{"read"}, AllowOfflineAccess: true, AccessTokenFormat: "jwt", AccessTokenTTL: 15 * time.Minute,
		RefreshAbsoluteTTL: 720 * time.Hour, RefreshIdleTTL: 168 * time.Hour, RefreshRotation: "rotate",
		RefreshReuseGrace: 30 * time.Second, MaxSessionsPerSubject: 50, AllowSelfMint: true, MayExchange: true}
	if err := c.printClients([]clientView{viewClient(cl)}); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"client_id:", "c1", "status:", "enabled", "grants:", "password refresh_token",
		"access_token_ttl:", "15m\n", "refresh_absolute_ttl:", "720h\n", "refresh_idle_ttl:", "168h\n",
		"refresh_rotation:", "refresh_reuse_grace:", "30s\n", "max_sessions_per_subject:", "50\n", "allow_mint:", "true", "may_exchange:", "true"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("client list lacks %q:\n%s", want, out.String())
		}
	}
}

func TestFunctionName(t *testing.T) {
	for id, want := range map[string]string{
		"TokenFunction": "token", "SessionsListFunction": "sessions-list", "IntrospectFunction": "introspect",
	} {
		if got := functionName(id); got != want {
			t.Errorf("functionName(%q) = %q; want %q", id, got, want)
		}
	}
}

func TestFunctionEnv(t *testing.T) {
	path := filepath.Join(t.TempDir(), "env.json")
	if err := os.WriteFile(path, []byte(`{"TokenFunction":{"TABLE_NAME":"t","DYNAMODB_ENDPOINT":"http://host.docker.internal:8000"}}`), 0o600); err != nil {
		t.Fatal(err)
	}
	env, err := functionEnv(path, "TokenFunction")
	if err != nil {
		t.Fatal(err)
	}
	if got, want := env["DYNAMODB_ENDPOINT"], "http://127.0.0.1:8000"; got != want {
		t.Errorf("DYNAMODB_ENDPOINT = %q; want %q (host.docker.internal is this host)", got, want)
	}
	if _, err := functionEnv(path, "MintFunction"); err == nil {
		t.Error("functionEnv(MintFunction) = nil error; want one for a function the file lacks")
	}
}
