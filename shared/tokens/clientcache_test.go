package tokens

import (
	"strconv"
	"testing"
	"time"
)

// The unknown ids the client cache keeps are bounded (issue 11 §19): a
// flood of made-up ids cannot grow it without end, and the newest stay.
func TestClientCacheBoundsUnknownIDs(t *testing.T) {
	now := t0
	c := newClientCache(time.Minute, func() time.Time { return now })
	for i := range 3 * maxUnknownClients {
		now = now.Add(time.Millisecond)
		c.putUnknown("id-" + strconv.Itoa(i))
	}
	if n := len(c.unknown); n > maxUnknownClients {
		t.Errorf("unknown ids kept = %d; want at most %d", n, maxUnknownClients)
	}
	if _, known, ok := c.get("id-" + strconv.Itoa(3*maxUnknownClients-1)); !ok || known {
		t.Error("the newest unknown id was forgotten")
	}
	c.put(Client{ID: "id-0"})
	if _, known, ok := c.get("id-0"); !ok || !known {
		t.Error("a client put after its id was looked up as unknown is not found")
	}
}
