package httpapi

import (
	"net/http"
	"strconv"

	"github.com/latchkey/latchkey/shared/oauth"
	"github.com/latchkey/latchkey/shared/tokens"
)

// sessionView is one row of GET /sessions.
type sessionView struct {
	ID            string   `json:"id"`
	Type          string   `json:"type"`
	ClientID      string   `json:"client_id,omitempty"`
	Subject       string   `json:"subject"`
	Name          string   `json:"name,omitempty"`
	Scopes        []string `json:"scopes"`
	Resources     []string `json:"resources,omitempty"`
	IssuedAt      *string  `json:"issued_at"`
	ExpiresAt     *string  `json:"expires_at"`
	IdleExpiresAt *string  `json:"idle_expires_at"`
	LoginAt       *string  `json:"login_at"`
	LastUsedAt    *string  `json:"last_used_at"`
	JTI           string   `json:"jti,omitempty"`
	Status        string   `json:"status"`
	IP            string   `json:"ip,omitempty"`
	UserAgent     string   `json:"user_agent,omitempty"`
	// Act marks a job session: the service acting for the subject
	// (RFC 8693 §4.1).
	Act *oauth.Actor `json:"act,omitempty"`
}

type sessionsAnswer struct {
	Sessions   []sessionView `json:"sessions"`
	NextCursor string        `json:"next_cursor,omitempty"`
}

// listSessions serves GET /sessions: live OAuth sessions and long-lived
// tokens, one store query per page.
func (a *API) listSessions(w http.ResponseWriter, r *http.Request) {
	p, err := a.principal(r)
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	q, err := singleQuery(r, "subject", "client_id", "type", "status", "limit", "cursor")
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	req := tokens.SessionsRequest{Subject: q.Get("subject"), ClientID: q.Get("client_id"), Type: q.Get("type"),
		Status: q.Get("status"), Cursor: q.Get("cursor")}
	if v := q.Get("limit"); v != "" {
		if req.Limit, err = strconv.Atoi(v); err != nil || req.Limit < 1 {
			a.writeError(w, r, oauth.InvalidRequest("limit must be a whole number from 1 to 200"))
			return
		}
	}
	page, err := a.svc.ListSessions(r.Context(), p, req)
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	out := sessionsAnswer{Sessions: make([]sessionView, 0, len(page.Entries)), NextCursor: page.NextCursor}
	for _, e := range page.Entries {
		out.Sessions = append(out.Sessions, viewOf(e, page))
	}
	writeJSON(w, http.StatusOK, out)
}

func viewOf(e tokens.ListEntry, page tokens.SessionsPage) sessionView {
	if t := e.LongLived; t != nil {
		return sessionView{
			ID: t.ID, Type: tokens.ListTypeLongLived, Subject: t.Subject, Name: t.Name, Scopes: t.Scopes, Resources: t.Audience,
			IssuedAt: optionalTime(t.CreatedAt), ExpiresAt: optionalTime(t.ExpiresAt),
			LastUsedAt: optionalTime(t.LastUsedAt), Status: page.Status(e),
		}
	}
	s := e.Session
	return sessionView{
		ID: s.ID, Type: tokens.ListTypeOAuth, ClientID: s.ClientID, Subject: s.Subject, Scopes: s.Scopes, Resources: s.Audience,
		IssuedAt: optionalTime(s.CreatedAt), ExpiresAt: optionalTime(s.AbsoluteExpiresAt),
		IdleExpiresAt: optionalTime(s.IdleExpiresAt), LoginAt: optionalTime(s.AuthTime),
		LastUsedAt: optionalTime(s.LastUsedAt), JTI: s.AccessJTI, Status: page.Status(e),
		IP: s.IP, UserAgent: s.UserAgent, Act: s.Act.Wire(),
	}
}
