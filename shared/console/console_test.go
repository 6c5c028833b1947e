package console

import (
	"regexp"
	"strings"
	"testing"
)

// TestNoInlineScriptOrStyle holds the console to its CSP: every script is
// a file of its own, no element carries a style or an event handler, and
// nothing is loaded from outside the deployment.
func TestNoInlineScriptOrStyle(t *testing.T) {
	checks := []struct {
		name string
		re   *regexp.Regexp
		in   string // file extension the rule applies to
	}{
		{"inline <script> (no src)", regexp.MustCompile(`<script(?:(?:\s+[a-z-]+(?:="[^"]*")?)*)\s*>`), ".html"},
		{"<style> element", regexp.MustCompile(`(?i)<style`), ".html"},
		{"style attribute", regexp.MustCompile(`(?i)\sstyle=`), ".html"},
		{"event handler attribute", regexp.MustCompile(`(?i)\son[a-z]+=`), ".html"},
		{"javascript: URL", regexp.MustCompile(`(?i)javascript:`), ""},
		{"external URL", regexp.MustCompile(`(?i)(src|href)=["']?(https?:)?//`), ""},
		{"eval or Function", regexp.MustCompile(`\beval\(|new Function\(`), ".js"},
		{"innerHTML (use textContent)", regexp.MustCompile(`innerHTML|outerHTML|insertAdjacentHTML|document\.write`), ".js"},
		{"CSS import or url() from elsewhere", regexp.MustCompile(`@import|url\(\s*["']?https?:`), ".css"},
	}
	for _, name := range Names() {
		body, _, ok := File(name)
		if !ok {
			t.Fatalf("File(%q) not found", name)
		}
		for _, c := range checks {
			if c.in != "" && !strings.HasSuffix(name, c.in) {
				continue
			}
			for _, m := range c.re.FindAllString(string(body), -1) {
				if c.name == "inline <script> (no src)" && strings.Contains(m, "src=") {
					continue
				}
				t.Errorf("%s: %s: %q", name, c.name, m)
			}
		}
	}
}

func TestFile(t *testing.T) {
	cases := []struct {
		name, wantType string
		ok             bool
	}{
		{"", "text/html; charset=utf-8", true},
		{"app.js", "text/javascript; charset=utf-8", true},
		{"console.css", "text/css; charset=utf-8", true},
		{"../console.go", "", false},
		{"web/app.js", "", false},
		{"missing.js", "", false},
	}
	for _, tc := range cases {
		_, ct, ok := File(tc.name)
		if ok != tc.ok || ct != tc.wantType {
			t.Errorf("File(%q) = %q, %v; want %q, %v", tc.name, ct, ok, tc.wantType, tc.ok)
		}
	}
}

// TestSessionsHeadings pins the column headings the product has always
// shown, exactly.
func TestSessionsHeadings(t *testing.T) {
	page, _, _ := File("")
	for _, h := range []string{"Issued At", "Expires At", "Login Timestamp", "JWT ID", "Grants"} {
		if !strings.Contains(string(page), `<th scope="col">`+h+`</th>`) {
			t.Errorf("the sessions table has no %q heading", h)
		}
	}
}
