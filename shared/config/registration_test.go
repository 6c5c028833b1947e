package config

import (
	"slices"
	"strings"
	"testing"
	"time"
)

// TestRegistrationFromEnv: self-registration is off by default and read
// from its variables when set (issue 13).
func TestRegistrationFromEnv(t *testing.T) {
	off, err := FromEnv(lookupMap(map[string]string{"TABLE_NAME": "t"}))
	if err != nil {
		t.Fatal(err)
	}
	if r := off.Registration; r.Dynamic || r.MetadataDocuments || r.UnusedTTL != 720*time.Hour || r.Limit != 10 {
		t.Errorf("default Registration = %+v; want both off, 720h, 10", r)
	}
	on, err := FromEnv(lookupMap(map[string]string{
		"TABLE_NAME": "t", "DYNAMIC_REGISTRATION": "true", "CLIENT_ID_METADATA_DOCUMENTS": "true",
		"CLIENT_ID_METADATA_HOSTS": "claude.ai, vscode.dev", "DYNAMIC_CLIENT_SCOPES": "notes:read notes:write",
		"DYNAMIC_CLIENT_RESOURCES": "https://mcp.example.com/mcp", "DYNAMIC_CLIENT_UNUSED_TTL": "48h", "DYNAMIC_REGISTRATION_LIMIT": "3",
	}))
	if err != nil {
		t.Fatal(err)
	}
	r := on.Registration
	if !r.Dynamic || !r.MetadataDocuments || !slices.Equal(r.MetadataHosts, []string{"claude.ai", "vscode.dev"}) ||
		!slices.Equal(r.Scopes, []string{"notes:read", "notes:write"}) || !slices.Equal(r.Resources, []string{"https://mcp.example.com/mcp"}) ||
		r.UnusedTTL != 48*time.Hour || r.Limit != 3 {
		t.Errorf("Registration = %+v; want what the variables say", r)
	}
	for _, bad := range []map[string]string{
		{"TABLE_NAME": "t", "DYNAMIC_REGISTRATION": "maybe"},
		{"TABLE_NAME": "t", "DYNAMIC_REGISTRATION_LIMIT": "0"},
	} {
		if _, err := FromEnv(lookupMap(bad)); err == nil || !strings.Contains(err.Error(), "DYNAMIC_REGISTRATION") {
			t.Errorf("FromEnv(%v) error = %v; want it to name the variable", bad, err)
		}
	}
}
