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
	swept time.Time
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
	return true, l.Window - now.Sub(fs[len(fs)-l.Max])
}

// Fail records one failure for key.
func (l *Limiter) Fail(key string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.add(key, l.now())
}

// add appends a failure; the caller holds mu.
func (l *Limiter) add(key string, now time.Time) {
	l.fails[key] = append(l.prune(key, now), now)
	// Bound memory under a flood of distinct keys: sweep expired keys, at most once a minute.
	if len(l.fails) > 100_000 && now.Sub(l.swept) > time.Minute {
		l.swept = now
		for k := range l.fails {
			l.prune(k, now)
		}
	}
}

// Take counts an attempt for key unless key is already at its limit, in one step, so that
// parallel attempts cannot all pass the check before any is counted. It returns whether the
// attempt may go ahead and, if not, how long until it may.
func (l *Limiter) Take(key string) (bool, time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	fs := l.prune(key, now)
	if len(fs) >= l.Max {
		return false, l.Window - now.Sub(fs[len(fs)-l.Max])
	}
	l.add(key, now)
	return true, 0
}

// Undo takes back the newest attempt counted for key (a sign-in that succeeded).
func (l *Limiter) Undo(key string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if fs := l.fails[key]; len(fs) > 0 {
		if len(fs) == 1 {
			delete(l.fails, key)
		} else {
			l.fails[key] = fs[:len(fs)-1]
		}
	}
}

// Reset forgets key's failures (after a successful sign-in).
func (l *Limiter) Reset(key string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	delete(l.fails, key)
}

// LoginLimits are the three limits on failed sign-ins. A username is locked for one address
// after a few failures (so that a stranger guessing from elsewhere cannot lock its owner out);
// a username is locked everywhere only after many failures from many addresses (distributed
// guessing); an address is locked after many failures on any usernames, set high because a
// school or a village e-station puts many people behind one address.
type LoginLimits struct {
	PerUserAddr *Limiter
	PerUser     *Limiter
	PerAddr     *Limiter
}

// NewLoginLimits returns the default limits: 5 failures per username and address, 30 per
// username, 100 per address, each in 15 minutes.
func NewLoginLimits() *LoginLimits {
	const window = 15 * time.Minute
	return &LoginLimits{PerUserAddr: NewLimiter(5, window), PerUser: NewLimiter(30, window), PerAddr: NewLimiter(100, window)}
}

// limits lists the three limiters with the key each counts for this sign-in.
func (l *LoginLimits) limits(username, addr string) [3]struct {
	lim  *Limiter
	key  string
	name string
} {
	return [3]struct {
		lim  *Limiter
		key  string
		name string
	}{{l.PerUserAddr, username + "\x00" + addr, "user+addr"}, {l.PerUser, username, "user"}, {l.PerAddr, addr, "addr"}}
}

// Begin counts a sign-in attempt of username from addr before the password is checked, or
// refuses it: it returns false, the wait, and which limit refused ("user+addr", "user" or
// "addr"). Counting first means parallel guesses cannot slip past the limit. Call Succeed
// when the password was right.
func (l *LoginLimits) Begin(username, addr string) (bool, time.Duration, string) {
	ls := l.limits(username, addr)
	for i, c := range ls {
		if ok, wait := c.lim.Take(c.key); !ok {
			for _, done := range ls[:i] {
				done.lim.Undo(done.key)
			}
			return false, wait, c.name
		}
	}
	return true, 0, ""
}

// Succeed takes back the attempt of a sign-in that succeeded and forgets the username's
// failures from that address.
func (l *LoginLimits) Succeed(username, addr string) {
	ls := l.limits(username, addr)
	ls[0].lim.Reset(ls[0].key)
	ls[1].lim.Undo(ls[1].key)
	ls[2].lim.Undo(ls[2].key)
}
