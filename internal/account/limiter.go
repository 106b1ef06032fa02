package account

import (
	"sync"
	"time"
)

// Limiter counts failed sign-ins per key (a username, an IP address) in a sliding window and
// refuses a key that has failed Max times within Window. It lives in memory: a restart forgets
// it, and several Kepu processes each keep their own.
type Limiter struct {
	Max    int
	Window time.Duration
	Now    func() time.Time

	mu    sync.Mutex
	fails map[string][]time.Time
}

// NewLimiter returns a limiter of max failures per window.
func NewLimiter(max int, window time.Duration) *Limiter {
	return &Limiter{Max: max, Window: window, fails: map[string][]time.Time{}}
}

func (l *Limiter) now() time.Time {
	if l.Now != nil {
		return l.Now()
	}
	return time.Now()
}

// prune drops failures older than the window; the caller holds mu.
func (l *Limiter) prune(key string, now time.Time) []time.Time {
	fs := l.fails[key]
	i := 0
	for i < len(fs) && now.Sub(fs[i]) >= l.Window {
		i++
	}
	fs = fs[i:]
	if len(fs) == 0 {
		delete(l.fails, key)
	} else {
		l.fails[key] = fs
	}
	return fs
}

// Blocked reports whether key has used up its failures, and how long until it may try again.
func (l *Limiter) Blocked(key string) (bool, time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	fs := l.prune(key, now)
	if len(fs) < l.Max {
		return false, 0
	}
	return true, l.Window - now.Sub(fs[0])
}

// Fail records one failure for key.
func (l *Limiter) Fail(key string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	l.fails[key] = append(l.prune(key, now), now)
	if len(l.fails) > 100_000 { // bound memory under a flood of distinct keys
		for k := range l.fails {
			l.prune(k, now)
		}
	}
}

// Reset forgets key's failures (after a successful sign-in).
func (l *Limiter) Reset(key string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	delete(l.fails, key)
}
