package tokens

import (
	"slices"
	"testing"

	"github.com/latchkey/latchkey/shared/oauth"
)

func TestValidResource(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want bool
	}{
		{"https://api.example.com", true},
		{"https://api.example.com/v1?x=1", true},
		{"urn:example:api", true},
		{"", false},
		{"/relative", false},
		{"api.example.com", false},
		{"https://api.example.com/#frag", false},
		{"https://api.example.com#", false},
		{"https://api.example.com/a b", false},
		{"https://api.example.com/\x00", false},
		{"https://api.example.com/é", false},
		{"https://" + string(make([]byte, 600)), false},
	} {
		if got := ValidResource(tc.in); got != tc.want {
			t.Errorf("ValidResource(%q) = %v; want %v", tc.in, got, tc.want)
		}
	}
}

func TestResolveResources(t *testing.T) {
	c := Client{Resources: []string{"https://a.example", "https://b.example"}}
	for _, tc := range []struct {
		name     string
		in       []string
		want     []string
		wantCode string
	}{
		{"none", nil, nil, ""},
		{"one", []string{"https://a.example"}, []string{"https://a.example"}, ""},
		{"two, repeat dropped", []string{"https://b.example", "https://a.example", "https://b.example"}, []string{"https://b.example", "https://a.example"}, ""},
		{"not registered", []string{"https://c.example"}, nil, oauth.CodeInvalidTarget},
		{"one of two not registered", []string{"https://a.example", "https://c.example"}, nil, oauth.CodeInvalidTarget},
		{"fragment", []string{"https://a.example#x"}, nil, oauth.CodeInvalidTarget},
		{"empty", []string{""}, nil, oauth.CodeInvalidTarget},
		{"relative", []string{"a.example"}, nil, oauth.CodeInvalidTarget},
		{"too many", slices.Repeat([]string{"https://a.example"}, MaxResourcesPerGrant+1), nil, oauth.CodeInvalidTarget},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := c.ResolveResources(tc.in)
			if code := codeOf(err); code != tc.wantCode {
				t.Fatalf("ResolveResources(%q) error = %v; want code %q", tc.in, err, tc.wantCode)
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("ResolveResources(%q) = %q; want %q", tc.in, got, tc.want)
			}
		})
	}
}

func TestNarrowedResources(t *testing.T) {
	session := []string{"https://a.example", "https://b.example"}
	for _, tc := range []struct {
		name      string
		in, sess  []string
		want      []string
		wantError bool
	}{
		{"keep all", nil, session, session, false},
		{"narrow to one", []string{"https://b.example"}, session, []string{"https://b.example"}, false},
		{"widen", []string{"https://c.example"}, session, nil, true},
		{"session without resources", []string{"https://a.example"}, nil, nil, true},
		{"no resources at all", nil, nil, nil, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := narrowedResources(tc.in, tc.sess)
			if (err != nil) != tc.wantError || (err != nil && codeOf(err) != oauth.CodeInvalidTarget) {
				t.Fatalf("narrowedResources(%q, %q) error = %v; want error %v (invalid_target)", tc.in, tc.sess, err, tc.wantError)
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("narrowedResources(%q, %q) = %q; want %q", tc.in, tc.sess, got, tc.want)
			}
		})
	}
}

func TestAudience(t *testing.T) {
	if got := audience(nil, "https://iss"); !slices.Equal(got, []string{"https://iss"}) {
		t.Errorf("audience(nil) = %q; want the issuer", got)
	}
	if got := audience([]string{"https://a.example"}, "https://iss"); !slices.Equal(got, []string{"https://a.example"}) {
		t.Errorf("audience([a]) = %q; want [a]", got)
	}
}

func codeOf(err error) string {
	if e := oauth.As(err); e != nil {
		return e.Code
	}
	return ""
}
