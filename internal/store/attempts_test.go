package store

import (
	"context"
	"sync"
	"testing"
	"time"
)

// TestStore_Attempts: attempts through two instances count together.
func TestStore_Attempts(t *testing.T) {
	ctx := context.Background()
	t.Run("OK", func(t *testing.T) {
		a, b := twoStores(t)
		for i := range 5 {
			st := []*Store{a, b}[i%2]
			if err := st.RecordAttempt(ctx, "addr:203.0.113.9", "user:vic@203.0.113.9"); err != nil {
				t.Fatal(err)
			}
		}
		for _, st := range []*Store{a, b} {
			wait, err := st.AttemptWait(ctx, 5, 15*time.Minute, "addr:203.0.113.9")
			if err != nil || wait <= 14*time.Minute || wait > 15*time.Minute {
				t.Fatalf("after five attempts on two instances, wait = %v, %v; want about 15 minutes", wait, err)
			}
			if wait, _ := st.AttemptWait(ctx, 6, 15*time.Minute, "addr:203.0.113.9"); wait != 0 {
				t.Fatalf("five attempts with a limit of six: wait %v", wait)
			}
			if wait, _ := st.AttemptWait(ctx, 5, 15*time.Minute, "addr:198.51.100.1"); wait != 0 {
				t.Fatalf("another key: wait %v", wait)
			}
		}
		if err := b.ClearAttempts(ctx, "user:vic@203.0.113.9"); err != nil {
			t.Fatal(err)
		}
		if wait, _ := a.AttemptWait(ctx, 5, 15*time.Minute, "user:vic@203.0.113.9"); wait != 0 {
			t.Fatalf("after clearing: wait %v", wait)
		}
		if wait, _ := a.AttemptWait(ctx, 5, 15*time.Minute, "addr:203.0.113.9"); wait == 0 {
			t.Fatal("clearing one key cleared another")
		}
	})
	t.Run("Window", func(t *testing.T) {
		st, _ := newTestStore(t)
		now := time.Date(2026, 3, 31, 12, 0, 0, 0, time.UTC)
		st.now = func() time.Time { return now }
		for range 3 {
			st.RecordAttempt(ctx, "k")
			now = now.Add(time.Minute)
		}
		// Attempts at 12:00, 12:01, 12:02; now 12:03; limit 3 in 10 minutes.
		if wait, _ := st.AttemptWait(ctx, 3, 10*time.Minute, "k"); wait != 7*time.Minute {
			t.Fatalf("wait = %v, want 7m (until 12:00's attempt leaves the window)", wait)
		}
		now = now.Add(7 * time.Minute)
		if wait, _ := st.AttemptWait(ctx, 3, 10*time.Minute, "k"); wait != 0 {
			t.Fatalf("at 12:10, wait = %v, want 0", wait)
		}
	})
	t.Run("TakeTogether", func(t *testing.T) {
		a, b := twoStores(t)
		var wg sync.WaitGroup
		var mu sync.Mutex
		taken := 0
		for i := range 24 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				wait, err := []*Store{a, b}[i%2].TakeAttempt(ctx, "upload:ana", 10, time.Minute)
				if err != nil {
					t.Error(err)
				}
				if wait == 0 {
					mu.Lock()
					taken++
					mu.Unlock()
				}
			}()
		}
		wg.Wait()
		if taken != 10 {
			t.Fatalf("%d of 24 attempts at once on two instances taken; want 10", taken)
		}
	})
}
