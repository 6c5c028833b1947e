package tokens

import (
	"context"
	"slices"
	"sync"
	"time"
)

// clientCache keeps client records in memory for a short while, so the
// hot paths cost no client read (docs/design.md §6 request budget). A disabled
// client therefore keeps working in a warm container for at most the TTL.
//
// It remembers unknown ids too, for as long (issue 11 §19): a known,
// cached client answered in about 1 ms and an unknown id, read every
// time, in about 2 ms, which told the two apart. Now a repeated id costs
// no read whether it exists or not. Client ids are random 128-bit values,
// so no client can be created under an id that was looked up before.
// At most maxUnknownClients unknown ids are kept, so a flood of made-up
// ids cannot grow the cache without bound; when full, the oldest half
// goes.
type clientCache struct {
	ttl     time.Duration
	now     func() time.Time
	mu      sync.Mutex
	m       map[string]cachedClient
	unknown map[string]time.Time // unknown id → when it was looked up
}

// maxUnknownClients bounds the unknown ids the cache remembers.
const maxUnknownClients = 4096

type cachedClient struct {
	client  Client
	fetched time.Time
}

func newClientCache(ttl time.Duration, now func() time.Time) *clientCache {
	return &clientCache{ttl: ttl, now: now, m: map[string]cachedClient{}, unknown: map[string]time.Time{}}
}

// get returns the cached client; known is false when the id is cached as
// unknown, and ok is false when the cache holds nothing fresh for it.
func (c *clientCache) get(id string) (cl Client, known, ok bool) {
	if c.ttl <= 0 {
		return Client{}, false, false
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	now := c.now()
	if e, hit := c.m[id]; hit && now.Sub(e.fetched) < c.ttl {
		return e.client, true, true
	}
	if at, hit := c.unknown[id]; hit && now.Sub(at) < c.ttl {
		return Client{}, false, true
	}
	return Client{}, false, false
}

func (c *clientCache) put(cl Client) {
	if c.ttl <= 0 {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.m[cl.ID] = cachedClient{client: cl, fetched: c.now()}
	delete(c.unknown, cl.ID)
}

// putUnknown remembers that id names no client.
func (c *clientCache) putUnknown(id string) {
	if c.ttl <= 0 {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.unknown) >= maxUnknownClients {
		c.dropOldestUnknown()
	}
	c.unknown[id] = c.now()
}

// dropOldestUnknown forgets the older half of the unknown ids. The caller
// holds c.mu.
func (c *clientCache) dropOldestUnknown() {
	times := make([]time.Time, 0, len(c.unknown))
	for _, at := range c.unknown {
		times = append(times, at)
	}
	slices.SortFunc(times, time.Time.Compare)
	cut := times[len(times)/2]
	for id, at := range c.unknown {
		if !at.After(cut) {
			delete(c.unknown, id)
		}
	}
}

func (c *clientCache) forget(id string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.m, id)
	delete(c.unknown, id)
}

// client returns the client with the given id, from the cache when fresh;
// an id the cache knows as unknown is ErrNotFound without a read.
func (s *Service) client(ctx context.Context, id string) (Client, error) {
	if isClientIDURL(id) {
		return s.documentClient(ctx, id) // metadata.go: never in the table
	}
	if c, known, ok := s.clients.get(id); ok {
		if !known {
			return Client{}, ErrNotFound
		}
		return c, nil
	}
	c, err := s.store.GetClient(ctx, id)
	if notFound(err) {
		s.clients.putUnknown(id)
	}
	if err != nil {
		return Client{}, err
	}
	s.clients.put(c)
	return c, nil
}
