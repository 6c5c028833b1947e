package apptest

import (
	"time"

	"github.com/latchkey/latchkey/shared/fakeclock"
)

// Clock is the settable clock shared by every component of a Harness.
type Clock = fakeclock.Clock

// NewClock returns a clock stopped at t.
func NewClock(t time.Time) *Clock { return fakeclock.New(t) }
