package dashboard

import (
	"context"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/kepu/kepu/internal/region"
	"github.com/kepu/kepu/internal/stats"
)

// CacheFor is how long a computed dashboard is served from memory before it is computed again;
// a figure at most this old is shown with the time it was computed. Its figures come from
// snapshots at most stats.Registry.MaxAge old (2 minutes as `kepu serve` runs), so a record
// shows at most about 3 minutes after it is written. A cold build of the region's dashboard
// takes about 50 ms (docs/BENCHMARKS.md), so neither needs to be long.
const CacheFor = time.Minute

// cacheMax bounds the number of dashboards kept (unit × year × scope); the oldest go first.
const cacheMax = 256

// Cache keeps computed dashboards for CacheFor, keyed by unit, year and the caller's scope (two
// callers with different scopes never share an entry: ranks depend on the scope). The zero
// value is ready; it is safe for concurrent use, and concurrent requests for the same key
// compute it once.
type Cache struct {
	mu sync.Mutex
	m  map[string]*entry
}

type entry struct {
	done chan struct{}
	data *Data
	err  error
	at   time.Time
}

func cacheKey(q stats.Query) string {
	return q.Unit + "|" + strconv.Itoa(q.Year) + "|" + strings.Join(q.Scope.Roots(), ",")
}

// Get returns the dashboard of q (see Build) and when it was computed.
func (c *Cache) Get(ctx context.Context, reg *stats.Registry, regions *region.Store, q stats.Query) (*Data, time.Time, error) {
	if c.m == nil {
		c.mu.Lock()
		if c.m == nil {
			c.m = map[string]*entry{}
		}
		c.mu.Unlock()
	}
	if c2, err := region.Normalize(q.Unit); err == nil {
		q.Unit = c2
	}
	key := cacheKey(q)
	now := time.Now()
	c.mu.Lock()
	e, ok := c.m[key]
	if ok && (now.Sub(e.at) > CacheFor) {
		select {
		case <-e.done:
			ok = false // expired
		default: // still computing: wait for it
		}
	}
	if !ok {
		if len(c.m) >= cacheMax {
			c.evict()
		}
		e = &entry{done: make(chan struct{}), at: now}
		c.m[key] = e
		c.mu.Unlock()
		e.data, e.err = Build(ctx, reg, regions, q)
		if e.err != nil {
			c.mu.Lock()
			delete(c.m, key)
			c.mu.Unlock()
		}
		close(e.done)
		return e.data, e.at, e.err
	}
	c.mu.Unlock()
	select {
	case <-e.done:
	case <-ctx.Done():
		return nil, time.Time{}, ctx.Err()
	}
	return e.data, e.at, e.err
}

// evict drops the oldest finished entry (called with mu held).
func (c *Cache) evict() {
	var oldest string
	var at time.Time
	for k, e := range c.m {
		select {
		case <-e.done:
			if oldest == "" || e.at.Before(at) {
				oldest, at = k, e.at
			}
		default:
		}
	}
	if oldest != "" {
		delete(c.m, oldest)
	}
}
