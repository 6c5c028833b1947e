package tokens

import (
	"context"
	"errors"
	"time"

	"github.com/latchkey/latchkey/shared/oauth"
)

// Password hashing is bounded (issue 11 §11): argon2id takes its memory
// (19 MiB at OWASP's cost) for every hash at once, so 100 concurrent
// sign-ins took 1.8 GiB. At most HashConcurrency hashes run at a time; a
// sign-in waits up to HashQueueWait for a slot (or until its request's
// deadline), and beyond that answers temporarily_unavailable with
// Retry-After, before it has written or read anything.
const (
	DefaultHashConcurrency = 4
	DefaultHashQueueWait   = time.Second
)

// errHashBusy is why a sign-in found no hashing slot in time.
var errHashBusy = errors.New("tokens: every password hashing slot is busy")

// hashSlots is a counting semaphore of password hashes.
type hashSlots struct {
	slots chan struct{}
	wait  time.Duration
}

func newHashSlots(n int, wait time.Duration) hashSlots {
	if n <= 0 {
		n = DefaultHashConcurrency
	}
	if wait <= 0 {
		wait = DefaultHashQueueWait
	}
	return hashSlots{slots: make(chan struct{}, n), wait: wait}
}

// acquire takes a slot and returns its release, or temporarily_unavailable
// when none frees up within the wait or before ctx ends.
func (h hashSlots) acquire(ctx context.Context) (func(), error) {
	select {
	case h.slots <- struct{}{}:
		return h.release, nil
	default:
	}
	timer := time.NewTimer(h.wait)
	defer timer.Stop()
	select {
	case h.slots <- struct{}{}:
		return h.release, nil
	case <-ctx.Done():
	case <-timer.C:
	}
	return nil, oauth.TemporarilyUnavailable(errHashBusy)
}

func (h hashSlots) release() { <-h.slots }
