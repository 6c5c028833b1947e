package dynamo_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/latchkey/latchkey/shared/tokens"
)

// TestUpdateSessionRace is invariant 1 at the storage level (docs/design.md §7):
// when 32 refreshes present the same generation at once, exactly one
// rotation wins, every round.
func TestUpdateSessionRace(t *testing.T) {
	const workers, rounds = 32, 20
	f := newFixture(t)
	ctx := context.Background()
	s := newSession("race")
	if err := f.CreateSession(ctx, s); err != nil {
		t.Fatal(err)
	}
	for round := range rounds {
		expect := s.Generation
		next := rotated(s, t0.Add(time.Duration(round+1)*time.Second))
		wins, conflicts := raceUpdates(t, f, next, expect, workers)
		if wins != 1 || conflicts != workers-1 {
			t.Fatalf("round %d: %d wins, %d conflicts; want 1, %d", round, wins, conflicts, workers-1)
		}
		s = next
	}
	got, err := f.GetSession(ctx, s.ID)
	if err != nil {
		t.Fatal(err)
	}
	if want := 1 + rounds; got.Generation != want {
		t.Errorf("final generation = %d; want %d", got.Generation, want)
	}
}

// raceUpdates runs workers concurrent UpdateSession(next, expect) calls,
// released together, and counts wins and conflicts. A loser must see the
// winner's generation.
func raceUpdates(t *testing.T, f fixture, next tokens.Session, expect, workers int) (wins, conflicts int) {
	t.Helper()
	var (
		mu    sync.Mutex
		wg    sync.WaitGroup
		start = make(chan struct{})
	)
	for range workers {
		wg.Go(func() {
			<-start
			got, err := f.UpdateSession(context.Background(), next, expect)
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err == nil:
				wins++
			case errors.Is(err, tokens.ErrConflict) && got.Generation == next.Generation:
				conflicts++
			default:
				t.Errorf("UpdateSession = generation %d, %v; want a win or ErrConflict at %d", got.Generation, err, next.Generation)
			}
		})
	}
	close(start)
	wg.Wait()
	return wins, conflicts
}
