package activity

import (
	"context"
	"database/sql"
	"fmt"
	"sync"
	"time"
)

// CheckInWriter records check-in batches by group commit: concurrent callers' batches are
// collected for up to Window and committed together in ONE transaction by a single writer
// goroutine, and each caller is answered after that commit. SQLite has one writer and pays a
// WAL sync per commit, so one commit for many doors' scans is what lifts the rate from a few
// hundred to thousands of scans a second (docs/BENCHMARKS.md, "Check-in"). The writer
// goroutine exists only while batches are waiting; an idle writer holds nothing.
//
// Correctness never rests on there being one writer: every batch is still checked against the
// database inside the transaction (ON CONFLICT DO NOTHING on checkins' primary key), so two
// processes, or two writers on one database, stay exact. When the shared transaction fails
// (say a PostgreSQL deadlock with another process, or one batch's constraint error), each batch
// of the group is retried alone in its own transaction, so one caller's failure is never
// another's.
type CheckInWriter struct {
	Store *Store
	Rules CheckInRules
	// Window is how long the writer waits for more batches before committing; 0 means 2 ms.
	Window time.Duration
	// MaxScans ends the wait early once this many scans are collected; 0 means 2,000.
	MaxScans int

	mu      sync.Mutex
	queue   []*checkInJob
	running bool
}

type checkInJob struct {
	ctx   context.Context
	batch CheckInBatch
	res   CheckInResult
	err   error
	done  chan struct{}
}

// NewCheckInWriter returns a writer for a store with the installation's rules.
func NewCheckInWriter(s *Store, rules CheckInRules) *CheckInWriter {
	return &CheckInWriter{Store: s, Rules: rules}
}

// CheckIn records a batch as Store.CheckIn does, committed together with the other batches
// that arrived within the window. It returns when the batch is committed (or failed), or when
// ctx ends first (the batch may still be committed then: re-sending it is harmless). Errors:
// as Store.CheckIn, or ctx.Err().
func (w *CheckInWriter) CheckIn(ctx context.Context, b CheckInBatch) (CheckInResult, error) {
	if len(b.Scans) > MaxScans || len(b.WalkIns) > MaxWalkIns {
		return CheckInResult{}, ErrBatchTooLarge
	}
	j := &checkInJob{ctx: ctx, batch: b, done: make(chan struct{})}
	w.mu.Lock()
	w.queue = append(w.queue, j)
	if !w.running {
		w.running = true
		go w.run()
	}
	w.mu.Unlock()
	select {
	case <-j.done:
		return j.res, j.err
	case <-ctx.Done():
		return CheckInResult{}, ctx.Err()
	}
}

func (w *CheckInWriter) window() time.Duration {
	if w.Window <= 0 {
		return 2 * time.Millisecond
	}
	return w.Window
}

func (w *CheckInWriter) maxScans() int {
	if w.MaxScans <= 0 {
		return 2000
	}
	return w.MaxScans
}

// run is the writer: it takes what is queued after a short wait, commits it, and repeats
// until the queue is empty.
func (w *CheckInWriter) run() {
	for {
		deadline := time.Now().Add(w.window())
		for time.Now().Before(deadline) {
			w.mu.Lock()
			n := 0
			for _, j := range w.queue {
				n += len(j.batch.Scans) + len(j.batch.WalkIns)
			}
			w.mu.Unlock()
			if n >= w.maxScans() {
				break
			}
			time.Sleep(w.window() / 4)
		}
		w.mu.Lock()
		group := w.queue
		w.queue = nil
		if len(group) == 0 {
			w.running = false
			w.mu.Unlock()
			return
		}
		w.mu.Unlock()
		w.commit(group)
	}
}

// commit runs a group in one transaction, or each job alone when that fails.
func (w *CheckInWriter) commit(group []*checkInJob) {
	live := group[:0:0]
	for _, j := range group {
		if err := j.ctx.Err(); err != nil {
			j.err = err
			close(j.done)
			continue
		}
		live = append(live, j)
	}
	if len(live) == 0 {
		return
	}
	var results []CheckInResult
	var errs []error
	err := w.Store.DB.Tx(context.Background(), func(tx *sql.Tx) error {
		batches := make([]CheckInBatch, len(live))
		for i, j := range live {
			batches[i] = j.batch
		}
		// A caller that hangs up does not cancel the group's statements.
		var err error
		results, errs, err = w.Store.checkInGroup(context.Background(), tx, w.Rules, batches)
		return err
	})
	if err != nil {
		if len(live) == 1 {
			live[0].err = fmt.Errorf("activity.CheckIn: %w", err)
			close(live[0].done)
			return
		}
		for _, j := range live {
			j.res, j.err = w.Store.CheckIn(j.ctx, w.Rules, j.batch)
			close(j.done)
		}
		return
	}
	for i, j := range live {
		j.res, j.err = results[i], errs[i]
		if j.err != nil {
			j.err = fmt.Errorf("activity.CheckIn: %w", j.err)
		}
		close(j.done)
	}
}

// preWriteError is a batch's failure found before it wrote anything (an activity not found or
// outside scope, a batch too large): it fails that batch only, not the shared transaction.
type preWriteError struct{ err error }

func (e *preWriteError) Error() string { return e.err.Error() }
func (e *preWriteError) Unwrap() error { return e.err }
