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

// Blocked reports whether a sign-in of username from addr must be refused now, for how long,
// and which limit refused it ("user+addr", "user" or "addr").
func (l *LoginLimits) Blocked(username, addr string) (bool, time.Duration, string) {
	for _, c := range []struct {
		lim  *Limiter
		key  string
		name string
	}{{l.PerUserAddr, username + "\x00" + addr, "user+addr"}, {l.PerUser, username, "user"}, {l.PerAddr, addr, "addr"}} {
		if blocked, wait := c.lim.Blocked(c.key); blocked {
			return true, wait, c.name
		}
	}
	return false, 0, ""
}

// Fail records a failed sign-in.
func (l *LoginLimits) Fail(username, addr string) {
	l.PerUserAddr.Fail(username + "\x00" + addr)
	l.PerUser.Fail(username)
	l.PerAddr.Fail(addr)
}

// Succeed forgets the username's failures from that address.
func (l *LoginLimits) Succeed(username, addr string) {
	l.PerUserAddr.Reset(username + "\x00" + addr)
}
