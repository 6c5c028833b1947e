package tokens

import (
	"context"
	"fmt"
	"net/url"
	"slices"
	"strings"

	"github.com/latchkey/latchkey/shared/oauth"
)

// Resource indicators (RFC 8707). A client registered with resources may
// name one or more of them in the resource parameter; the access token is
// then for those resources alone (its aud). A request that names none
// gets what it always got: aud is the issuer.

// Bounds on resource indicators, so a request cannot make a token, a
// session item or a log line arbitrarily large.
const (
	maxResourceLen       = 512
	MaxResourcesPerGrant = 8
)

// ValidResource reports whether s may be a resource indicator: an absolute
// URI without a fragment component (RFC 8707 §2), printable ASCII, at most
// 512 bytes.
func ValidResource(s string) bool {
	if s == "" || len(s) > maxResourceLen || strings.ContainsRune(s, '#') {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] <= 0x20 || s[i] >= 0x7f {
			return false
		}
	}
	u, err := url.Parse(s)
	return err == nil && u.IsAbs() && (u.Host != "" || u.Opaque != "")
}

// ResolveResources checks the resource parameters of a request (RFC 8707
// §2) against the resources c is registered for. It returns them in order
// without repeats, or nil when none was asked for. A malformed resource,
// or one the client may not ask for, is invalid_target; the answer does
// not echo what was sent.
func (c Client) ResolveResources(requested []string) ([]string, error) {
	if len(requested) > MaxResourcesPerGrant {
		return nil, oauth.InvalidTarget("at most 8 resources may be requested")
	}
	var out []string
	for _, r := range requested {
		switch {
		case !ValidResource(r):
			return nil, oauth.InvalidTarget("a resource must be an absolute URI without a fragment")
		case !slices.Contains(c.Resources, r):
			return nil, oauth.InvalidTarget("the client may not request this resource")
		case !slices.Contains(out, r):
			out = append(out, r)
		}
	}
	return out, nil
}

// narrowedResources returns the resources of a refresh: the session's, or
// those asked for when every one of them was granted to the session. A
// refresh may narrow the audience, never widen it (RFC 8707 §2.2).
func narrowedResources(requested, session []string) ([]string, error) {
	if len(requested) == 0 {
		return session, nil
	}
	var out []string
	for _, r := range requested {
		if !slices.Contains(session, r) {
			return nil, oauth.InvalidTarget("the resource was not part of the original grant")
		}
		if !slices.Contains(out, r) {
			out = append(out, r)
		}
	}
	return out, nil
}

// audience returns an access token's aud: the resources it is for, or the
// issuer when the request named none.
func audience(resources []string, issuer string) []string {
	if len(resources) == 0 {
		return []string{issuer}
	}
	return slices.Clone(resources)
}

// resourceProblems lists what is wrong with a client's registered resources.
func resourceProblems(resources []string) []string {
	var p []string
	for _, r := range resources {
		if !ValidResource(r) {
			p = append(p, fmt.Sprintf("resource %q is not an absolute URI without a fragment", r))
		}
	}
	return p
}

// mintResource checks the resource a long-lived token is minted for
// (RFC 8707 §2) and returns it as the token's audience, or nil when none
// is named. latchkey:admin may name any resource; anyone else only one
// registered for the client it acts through (one client read, cached).
func (s *Service) mintResource(ctx context.Context, p Principal, resource string) ([]string, error) {
	switch {
	case resource == "":
		return nil, nil
	case !ValidResource(resource):
		return nil, oauth.InvalidTarget("a resource must be an absolute URI without a fragment")
	case slices.Contains(p.Scopes, ScopeAdmin):
		return []string{resource}, nil
	case p.ClientID == "":
		return nil, oauth.InvalidTarget("the caller may not mint for this resource")
	}
	c, err := s.client(ctx, p.ClientID)
	if notFound(err) {
		return nil, oauth.InvalidTarget("the caller may not mint for this resource")
	}
	if err != nil {
		return nil, storeError(err)
	}
	return c.ResolveResources([]string{resource})
}
