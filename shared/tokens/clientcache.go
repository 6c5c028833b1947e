package tokens

import (
	"context"
	"sync"
	"time"
)

// clientCache keeps client records in memory for a short while, so the
// hot paths cost no client read (docs/design.md §6 request budget). A disabled
// client therefore keeps working in a warm container for at most the TTL.
type clientCache struct {
	ttl time.Duration
	now func() time.Time
	mu  sync.Mutex
	m   map[string]cachedClient
}

type cachedClient struct {
	client  Client
	fetched time.Time
}

func newClientCache(ttl time.Duration, now func() time.Time) *clientCache {
	return &clientCache{ttl: ttl, now: now, m: map[string]cachedClient{}}
}

func (c *clientCache) get(id string) (Client, bool) {
	if c.ttl <= 0 {
		return Client{}, false
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.m[id]
	if !ok || c.now().Sub(e.fetched) >= c.ttl {
		return Client{}, false
	}
	return e.client, true
}

func (c *clientCache) put(cl Client) {
	if c.ttl <= 0 {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.m[cl.ID] = cachedClient{client: cl, fetched: c.now()}
}

func (c *clientCache) forget(id string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.m, id)
}

// client returns the client with the given id, from the cache when fresh.
func (s *Service) client(ctx context.Context, id string) (Client, error) {
	if c, ok := s.clients.get(id); ok {
		return c, nil
	}
	c, err := s.store.GetClient(ctx, id)
	if err != nil {
		return Client{}, err
	}
	s.clients.put(c)
	return c, nil
}

