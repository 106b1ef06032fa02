package share

import (
	"context"
	"crypto/rand"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"net/netip"
	"sync"
	"sync/atomic"
	"time"

	"github.com/kepu/kepu/internal/db"
	"github.com/kepu/kepu/internal/share/click"
)

// Click is one click as stored: the link, when, the visitor hash of the day, the address's
// network, the User-Agent class, the referrer's domain, and why it is not counted ("" if it is).
type Click struct {
	Link     Link
	At       time.Time
	Visitor  string
	Subnet   string
	UAClass  string
	Referrer string
	Reason   click.Reason
}

// Recorder records clicks durably by group commit: the clicks that arrive while a group is
// being committed are written next by one goroutine in ONE transaction, and each caller
// returns only after that commit, so a click that got a response is stored. When a group's
// transaction fails, each click is retried alone so one bad click never fails others.
//
// The roll-ups are not written on the request's path: after each commit a roller adds the
// new raw clicks to them (Store.RollUp, RollupEvery later at most), moving a cursor in the
// same transaction, so each stored click is counted exactly once, also after a crash (the next
// roll-up takes what the cursor has not passed). Click writers are serialized (one writer
// goroutine per process; on PostgreSQL also an advisory lock across processes), so committed
// click ids always form a prefix and the cursor never passes a click still being written.
//
// The visitor hash salt of the day is kept in share_salts (so that repeat detection survives a
// restart within the day) and the rows of earlier days are deleted when the day changes.
// Repeats are decided in memory (click.Window), warmed from the last hour's stored clicks at
// the first click after a start.
type Recorder struct {
	DB  *db.DB
	Log *slog.Logger
	// DataCentres are the configured data-centre ranges whose clicks are not counted (set
	// before the first click, or later with SetDataCentres).
	DataCentres []netip.Prefix
	Window      time.Duration    // wait before each group commit; 0: DefaultWindow; negative: none
	MaxBatch    int              // 0 or over MaxGroup: MaxGroup clicks
	Now         func() time.Time // nil: time.Now

	mu      sync.Mutex // guards day, salt, window, devices
	day     string
	salt    []byte
	window  click.Window
	devices map[string]map[int64]bool // today's visitor → officers signed in or sharing on it

	stmts prepared
	// RollupEvery is how long the roller waits after a commit to gather more clicks; 0: 1 s (a roll-up holds SQLite's one write lock, so it runs seldom and large; reports roll up first).
	RollupEvery time.Duration
	kick        chan struct{}
	// writing is held by the click writer and the roller while they write, so that they never
	// meet on SQLite's write lock (whose busy handler sleeps 1–100 ms at a time).
	writing    sync.Mutex
	rollOnce   sync.Once
	pmu        sync.Mutex // guards nextPass, passing
	nextPass   *rollPass  // the roll-up pass that callers of RollUp now wait for
	passing    bool       // a goroutine runs passes
	rollPasses atomic.Int64
	closed     atomic.Bool

	qmu     sync.Mutex
	queue   []*clickJob
	running bool
	full    chan struct{} // the running writer's: signalled when the queue reaches FullGroup

	// Metrics (exported by WriteMetrics).
	recorded atomic.Int64
	byReason [7]atomic.Int64 // index: position in click.Reasons + 1; 0 = counted
	failures atomic.Int64
	groups   atomic.Int64 // group commits

	smu     sync.Mutex
	inserts map[int]*sql.Stmt // prepared INSERTs of n clicks
}

type clickJob struct {
	c    Click
	err  error
	done chan struct{}
}

func (r *Recorder) now() time.Time {
	if r.Now != nil {
		return r.Now()
	}
	return time.Now()
}

// reasonIndex is a reason's position: 0 counted, 1… click.Reasons order.
func reasonIndex(rs click.Reason) int {
	for i, x := range click.Reasons {
		if x == rs {
			return i + 1
		}
	}
	return 0
}

// today returns the salt of the current day, loading or creating it (and forgetting earlier
// days) when the day changed. Called with r.mu held.
func (r *Recorder) today(ctx context.Context, now time.Time) ([]byte, error) {
	day := Day(now)
	if day == r.day && r.salt != nil {
		return r.salt, nil
	}
	salt := make([]byte, 32)
	rand.Read(salt)
	// The first process to write the day's salt wins; the others read it.
	if _, err := r.DB.ExecContext(ctx, `INSERT INTO share_salts (day, salt) VALUES ($1, $2) ON CONFLICT (day) DO NOTHING`, day, salt); err != nil {
		return nil, fmt.Errorf("share salt: %w", err)
	}
	if err := r.DB.QueryRowContext(ctx, `SELECT salt FROM share_salts WHERE day = $1`, day).Scan(&salt); err != nil {
		return nil, fmt.Errorf("share salt: %w", err)
	}
	if _, err := r.DB.ExecContext(ctx, `DELETE FROM share_salts WHERE day < $1`, day); err != nil {
		return nil, fmt.Errorf("share salt: %w", err)
	}
	// Warm the repeat window from the last hour's counted clicks and today's devices.
	w := click.Window{}
	rows, err := r.DB.QueryContext(ctx, `SELECT visitor, link_code, at FROM share_clicks WHERE day IN ($1, $2) AND at >= $3 AND reason = ''`,
		Day(now.Add(-click.RepeatWindow)), day, now.Add(-click.RepeatWindow).UTC())
	if err != nil {
		return nil, fmt.Errorf("share window: %w", err)
	}
	for rows.Next() {
		var v, code string
		var at time.Time
		if err := rows.Scan(&v, &code, &at); err != nil {
			rows.Close()
			return nil, err
		}
		w.Remember(v, code, at)
	}
	rows.Close()
	devices := map[string]map[int64]bool{}
	drows, err := r.DB.QueryContext(ctx, `SELECT visitor, officer_id FROM share_devices WHERE day = $1`, day)
	if err != nil {
		return nil, fmt.Errorf("share devices: %w", err)
	}
	for drows.Next() {
		var v string
		var o int64
		if err := drows.Scan(&v, &o); err != nil {
			drows.Close()
			return nil, err
		}
		if devices[v] == nil {
			devices[v] = map[int64]bool{}
		}
		devices[v][o] = true
	}
	drows.Close()
	r.day, r.salt, r.window, r.devices = day, salt, w, devices
	return salt, nil
}

// SetDataCentres replaces the data-centre ranges of the clicks that follow.
func (r *Recorder) SetDataCentres(ps []netip.Prefix) {
	r.mu.Lock()
	r.DataCentres = ps
	r.mu.Unlock()
}

// Visitor returns today's visitor hash of an address and User-Agent.
func (r *Recorder) Visitor(ctx context.Context, addr netip.Addr, userAgent string) (string, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	salt, err := r.today(ctx, r.now())
	if err != nil {
		return "", err
	}
	return click.VisitorHash(salt, addr, userAgent), nil
}

// Device records that officer signed in or took a link from visitor today: that device's
// clicks on the officer's links are the officer's own (click.Self), and the device-farm
// detector reads these rows.
func (r *Recorder) Device(ctx context.Context, visitor string, officer int64) error {
	r.mu.Lock()
	day := r.day
	if r.devices[visitor] == nil {
		r.devices[visitor] = map[int64]bool{}
	}
	r.devices[visitor][officer] = true
	r.mu.Unlock()
	_, err := r.DB.ExecContext(ctx, `INSERT INTO share_devices (day, visitor, officer_id) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING`, day, visitor, officer)
	if err != nil {
		return fmt.Errorf("share.Device: %w", db.Map(err))
	}
	return nil
}

// Record classifies a click on link (click.Classify, then the repeat window) and stores it,
// returning after the commit of its group with why it was not counted (click.Counted if it
// was). userAgent and referer are the request's headers as sent; only their class and domain
// are kept. Errors: the database's (the click is then not stored; the caller shows the item
// anyway and logs it), or ctx.Err().
func (r *Recorder) Record(ctx context.Context, link Link, req click.Request, referer string) (click.Reason, error) {
	now := r.now()
	r.mu.Lock()
	salt, err := r.today(ctx, now)
	if err != nil {
		r.mu.Unlock()
		r.failures.Add(1)
		return click.Counted, fmt.Errorf("share.Record: %w", err)
	}
	visitor := click.VisitorHash(salt, req.Addr, req.UserAgent)
	if r.devices[visitor][link.Officer] {
		req.Own = true
	}
	reason := click.Classify(req, r.DataCentres)
	if reason == click.Counted && r.window.Repeat(visitor, link.Code, now) {
		reason = click.Repeat
	}
	r.mu.Unlock()
	c := Click{Link: link, At: now.UTC(), Visitor: visitor, Subnet: click.Subnet(req.Addr), UAClass: click.UAClass(req.UserAgent),
		Referrer: click.ReferrerDomain(referer), Reason: reason}
	if err := r.write(ctx, c); err != nil {
		r.failures.Add(1)
		return reason, fmt.Errorf("share.Record %s: %w", link.Code, err)
	}
	r.recorded.Add(1)
	r.byReason[reasonIndex(reason)].Add(1)
	return reason, nil
}

// write queues a click for the writer and waits for its group's commit.
func (r *Recorder) write(ctx context.Context, c Click) error {
	j := &clickJob{c: c, done: make(chan struct{})}
	r.qmu.Lock()
	r.queue = append(r.queue, j)
	if !r.running {
		r.running = true
		r.full = make(chan struct{}, 1)
		go r.run(r.full)
	}
	if len(r.queue) == FullGroup {
		select {
		case r.full <- struct{}{}:
		default:
		}
	}
	r.qmu.Unlock()
	select {
	case <-j.done:
		return j.err
	case <-ctx.Done():
		// The click may still be committed; the visitor got no response, so nothing was promised.
		return ctx.Err()
	}
}

// run is the writer goroutine: it commits groups until the queue is empty. full receives a
// signal when the queue reaches FullGroup clicks.
func (r *Recorder) run(full chan struct{}) {
	maxBatch := r.MaxBatch
	if maxBatch <= 0 || maxBatch > MaxGroup {
		maxBatch = MaxGroup
	}
	window := r.Window
	if window == 0 {
		window = DefaultWindow
	}
	for {
		// Clicks that arrive while a group commits wait for the next group; a group smaller than
		// FullGroup waits up to the window for more (or until FullGroup are queued).
		select {
		case <-full: // a signal from before the last group
		default:
		}
		r.qmu.Lock()
		queued := len(r.queue)
		r.qmu.Unlock()
		if queued < FullGroup && window > 0 {
			t := time.NewTimer(window)
			select {
			case <-t.C:
			case <-full:
				t.Stop()
			}
		}
		r.qmu.Lock()
		group := r.queue
		if n := groupSize(len(group), maxBatch); n < len(group) {
			// The rest waits for the next group, which takes the clicks that arrive meanwhile.
			group, r.queue = group[:n], group[n:]
		} else {
			r.queue = nil
		}
		if len(group) == 0 {
			r.running = false
			r.qmu.Unlock()
			return
		}
		r.qmu.Unlock()
		r.commit(group)
	}
}

func (r *Recorder) commit(group []*clickJob) {
	r.groups.Add(1)
	cs := make([]Click, len(group))
	for i, j := range group {
		cs[i] = j.c
	}
	r.writing.Lock()
	defer r.writing.Unlock()
	err := r.insert(cs)
	if err != nil && len(group) > 1 {
		for _, j := range group {
			j.err = r.insert([]Click{j.c})
			close(j.done)
		}
		r.wake()
		return
	}
	for _, j := range group {
		j.err = err
		close(j.done)
	}
	r.wake()
}

// DefaultWindow is how long the click writer waits for more clicks before committing a group
// of fewer than FullGroup. A commit's fixed cost on SQLite (locks, the WAL frames of the
// table's last pages) is many times one row's, and a click waits for a commit anyway: measured
// with BenchmarkShareLinkLoad (100 clients on this 2-core machine, where the writer competes
// with the server for CPU), groups grew from about 2.5 clicks to 15 and throughput from about
// 9,000 to 11,000–13,000 clicks/s with 500 µs; 2 ms gave no more (docs/BENCHMARKS.md).
const DefaultWindow = 500 * time.Microsecond

// FullGroup is the group size at which the writer stops waiting for more clicks (the window
// only pays while groups are small).
const FullGroup = 32

// MaxGroup is the most clicks one group commit writes.
const MaxGroup = 512

// groupSize is how many of queued clicks the next group takes: the largest power of two up to
// queued and max, so that every group is one of ten prepared INSERT statements (parsing a
// statement of n rows cost about as much as running it on SQLite).
func groupSize(queued, max int) int {
	n := 1
	for n*2 <= queued && n*2 <= max {
		n *= 2
	}
	return min(n, queued)
}

// insert appends cs (len(cs) a power of two up to MaxGroup) to share_clicks with one prepared
// multi-row INSERT. On SQLite the statement runs on its own, which makes it its own
// transaction (in BEGIN … COMMIT SQLite would also keep a statement journal for it); on
// PostgreSQL it runs in a transaction that first takes the click writers' advisory lock, so
// that transactions writing clicks commit in the order of their ids.
func (r *Recorder) insert(cs []Click) error {
	ctx := context.Background()
	st, err := r.insertStmt(len(cs))
	if err != nil {
		return err
	}
	args := make([]any, 0, len(cs)*len(clickColumns))
	for _, c := range cs {
		args = append(args, c.Link.Code, c.Link.Officer, c.Link.Item, c.Link.Region, c.At, Day(c.At), c.Visitor, c.Subnet, c.UAClass, c.Referrer, string(c.Reason))
	}
	if r.DB.Dialect != db.Postgres {
		_, err := st.ExecContext(ctx, args...)
		return db.Map(err)
	}
	return r.DB.Tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock(7006)`); err != nil {
			return err
		}
		_, err := tx.StmtContext(ctx, st).ExecContext(ctx, args...)
		return err
	})
}

// clickColumns are share_clicks' columns that a click fills, in insert's order.
var clickColumns = []string{"link_code", "officer_id", "item_id", "region_code", "at", "day", "visitor", "subnet", "ua_class", "referrer", "reason"}

// insertStmt returns the prepared INSERT of n clicks, preparing it the first time.
func (r *Recorder) insertStmt(n int) (*sql.Stmt, error) {
	r.smu.Lock()
	defer r.smu.Unlock()
	if st := r.inserts[n]; st != nil {
		return st, nil
	}
	st, err := r.DB.PrepareContext(context.Background(), db.InsertSQL(r.DB.Dialect, "share_clicks", clickColumns, n))
	if err != nil {
		return nil, fmt.Errorf("share_clicks: %w", err)
	}
	if r.inserts == nil {
		r.inserts = map[int]*sql.Stmt{}
	}
	r.inserts[n] = st
	return st, nil
}

// wake tells the roller that clicks were written.
func (r *Recorder) wake() {
	r.rollOnce.Do(func() {
		r.kick = make(chan struct{}, 1)
		go r.roller()
	})
	select {
	case r.kick <- struct{}{}:
	default:
	}
}

// rollPass is one roll-up run for every caller that asked before it started.
type rollPass struct {
	done chan struct{}
	n    int
	err  error
}

// RollUp brings the roll-ups up to date with every click stored before the call, like the
// package's RollUp, but in the recorder's process one roll-up runs at a time, between the
// click writer's commits (never meeting it on SQLite's write lock, whose busy handler sleeps
// 1–100 ms at a time), and callers that arrive while one runs share the next: a dashboard
// reading twelve months of many units, or several viewers at once, cost one roll-up, not one
// each. It returns how many clicks its pass added; errors: the database's, or ctx.Err().
func (r *Recorder) RollUp(ctx context.Context) (int, error) {
	r.pmu.Lock()
	p := r.nextPass
	if p == nil {
		p = &rollPass{done: make(chan struct{})}
		r.nextPass = p
		if !r.passing {
			r.passing = true
			go r.passes()
		}
	}
	r.pmu.Unlock()
	select {
	case <-p.done:
		return p.n, p.err
	case <-ctx.Done():
		return 0, ctx.Err()
	}
}

// passes runs the waiting roll-up passes one after the other until none is waiting.
func (r *Recorder) passes() {
	for {
		r.pmu.Lock()
		p := r.nextPass
		r.nextPass = nil
		if p == nil {
			r.passing = false
			r.pmu.Unlock()
			return
		}
		r.pmu.Unlock()
		p.n, p.err = rollUp(context.Background(), r.DB, &r.stmts, PassBatch, &r.writing)
		r.rollPasses.Add(1)
		close(p.done)
	}
}

// roller rolls up new clicks after each wake, at most every RollupEvery.
func (r *Recorder) roller() {
	every := r.RollupEvery
	if every <= 0 {
		every = time.Second
	}
	for range r.kick {
		time.Sleep(every)
		if r.closed.Load() {
			return // Close rolled up what was written
		}
		_, err := r.RollUp(context.Background())
		if err == nil {
			// A past day's salt goes even when no click came today yet.
			r.writing.Lock()
			_, err = r.DB.ExecContext(context.Background(), `DELETE FROM share_salts WHERE day < $1`, Day(r.now()))
			r.writing.Unlock()
		}
		if err != nil && r.Log != nil {
			r.Log.Error("share roll-up failed; the clicks stay stored and are rolled up on the next try", "err", err)
		}
	}
}

// Close waits until every queued click is written (the writer goroutine drains the queue
// before it stops); call it when the server stops.
func (r *Recorder) Close(ctx context.Context) error {
	for {
		r.qmu.Lock()
		idle := !r.running
		r.qmu.Unlock()
		if idle {
			r.closed.Store(true)
			_, err := RollUp(ctx, r.DB, &r.stmts)
			return err
		}
		select {
		case <-ctx.Done():
			return errors.New("share.Recorder.Close: clicks still queued when the shutdown time ran out")
		case <-time.After(5 * time.Millisecond):
		}
	}
}

// RollUpBatch is the most raw clicks one roll-up transaction takes.
const RollUpBatch = 20_000

// PassBatch is the most raw clicks one transaction of the recorder's roll-up passes takes; the
// click writer waits only for the transaction under way, not for the whole pass. A roll-up's
// cost follows the (officer, item, day) keys more than the clicks, so smaller transactions cost
// more in all: 2,000 gave no better tail than 20,000 in BenchmarkShareLinkLoad (server p99
// 18–20 ms against 10–19 ms, three runs each at load 1.1–1.4).
const PassBatch = 20_000

// RollUp adds the raw clicks past the cursor to the roll-ups and moves the cursor, in one
// transaction per RollUpBatch clicks, until none is left; it returns how many it added.
// Running it twice at once is safe (the cursor row is locked first).
func RollUp(ctx context.Context, d *db.DB, p *prepared) (int, error) {
	return rollUp(ctx, d, p, RollUpBatch, nil)
}

// rollUp is RollUp with batch clicks a transaction, holding lock (if not nil) around each
// transaction only. It stops once the cursor passed the newest click stored when it began (or
// none is left), so that it ends while clicks keep arriving.
func rollUp(ctx context.Context, d *db.DB, p *prepared, batch int, lock sync.Locker) (int, error) {
	var target int64
	if err := d.QueryRowContext(ctx, `SELECT COALESCE(max(id), 0) FROM share_clicks`).Scan(&target); err != nil {
		return 0, fmt.Errorf("share.RollUp: %w", err)
	}
	total := 0
	for {
		if lock != nil {
			lock.Lock()
		}
		n, cursor, err := rollUpBatch(ctx, d, p, batch)
		if lock != nil {
			lock.Unlock()
		}
		total += n
		if err != nil || n < batch || cursor >= target {
			return total, err
		}
	}
}

// rollUpBatch rolls up at most batch clicks past the cursor in one transaction and returns how
// many, and the cursor after them.
func rollUpBatch(ctx context.Context, d *db.DB, p *prepared, batch int) (int, int64, error) {
	var cursor, newest int64
	if err := d.QueryRowContext(ctx, `SELECT last_click, COALESCE((SELECT max(id) FROM share_clicks), 0) FROM share_rollup_state WHERE id = 1`).Scan(&cursor, &newest); err != nil {
		return 0, 0, fmt.Errorf("share.RollUp: %w", err)
	}
	if newest <= cursor {
		return 0, cursor, nil
	}
	n := 0
	err := d.Tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `UPDATE share_rollup_state SET last_click = last_click WHERE id = 1`); err != nil {
			return err
		}
		if err := tx.QueryRowContext(ctx, `SELECT last_click FROM share_rollup_state WHERE id = 1`).Scan(&cursor); err != nil {
			return err
		}
		rows, err := tx.QueryContext(ctx, `SELECT id, officer_id, item_id, region_code, day, reason FROM share_clicks WHERE id > $1 ORDER BY id LIMIT $2`, cursor, batch)
		if err != nil {
			return err
		}
		var ds []delta
		last := cursor
		for rows.Next() {
			var d delta
			var reason string
			if err := rows.Scan(&last, &d.Officer, &d.Item, &d.Region, &d.Day, &reason); err != nil {
				rows.Close()
				return err
			}
			d.Counts[reasonIndex(click.Reason(reason))] = 1
			ds = append(ds, d)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		n = len(ds)
		if n == 0 {
			return nil
		}
		st, err := p.in(ctx, d, tx)
		if err != nil {
			return err
		}
		if err := addRollups(ctx, st, ds); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `UPDATE share_rollup_state SET last_click = $1 WHERE id = 1`, last)
		cursor = last
		return err
	})
	if err != nil {
		return 0, 0, fmt.Errorf("share.RollUp: %w", db.Map(err))
	}
	return n, cursor, nil
}

// delta is what one write adds to the roll-ups of an (officer, item, day).
type delta struct {
	Officer, Item int64
	Region, Day   string
	Shares        int64
	Counts        [7]int64 // 0 counted, then click.Reasons order
}

// SQL of the recorder's statements, prepared once per connection (parsing a statement cost as
// much as running it on SQLite).
const (
	upsertDailySQL = `INSERT INTO share_daily (officer_id, item_id, day, region_code, shares, clicks, head, unfurl, bot, datacentre, self, repeat)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
		ON CONFLICT (officer_id, item_id, day) DO UPDATE SET shares = share_daily.shares + excluded.shares, clicks = share_daily.clicks + excluded.clicks,
		head = share_daily.head + excluded.head, unfurl = share_daily.unfurl + excluded.unfurl, bot = share_daily.bot + excluded.bot,
		datacentre = share_daily.datacentre + excluded.datacentre, self = share_daily.self + excluded.self, repeat = share_daily.repeat + excluded.repeat`
	upsertOfficerMonthSQL = `INSERT INTO share_officer_months (officer_id, month, region_code, shares, clicks, flagged, points) VALUES ($1, $2, $3, $4, $5, $6, $7)
		ON CONFLICT (officer_id, month) DO UPDATE SET shares = share_officer_months.shares + excluded.shares,
		clicks = share_officer_months.clicks + excluded.clicks, flagged = share_officer_months.flagged + excluded.flagged,
		points = share_officer_months.points + excluded.points
		RETURNING shares, clicks, held`
	upsertRegionMonthSQL = `INSERT INTO share_region_months (region_code, month, shares, clicks, head, unfurl, bot, datacentre, self, repeat, actives,
		held_shares, held_clicks, held_actives)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)
		ON CONFLICT (month, region_code) DO UPDATE SET shares = share_region_months.shares + excluded.shares, clicks = share_region_months.clicks + excluded.clicks,
		head = share_region_months.head + excluded.head, unfurl = share_region_months.unfurl + excluded.unfurl, bot = share_region_months.bot + excluded.bot,
		datacentre = share_region_months.datacentre + excluded.datacentre, self = share_region_months.self + excluded.self,
		repeat = share_region_months.repeat + excluded.repeat, actives = share_region_months.actives + excluded.actives,
		held_shares = share_region_months.held_shares + excluded.held_shares, held_clicks = share_region_months.held_clicks + excluded.held_clicks,
		held_actives = share_region_months.held_actives + excluded.held_actives`
	// upsertBannerMonthSQL adds the same sums to the unit's banner-month (share_banner_months,
	// migration 0022): $1 is the first six digits of the unit's code.
	upsertBannerMonthSQL = `INSERT INTO share_banner_months (banner_code, month, shares, clicks, head, unfurl, bot, datacentre, self, repeat, actives,
		held_shares, held_clicks, held_actives)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)
		ON CONFLICT (month, banner_code) DO UPDATE SET shares = share_banner_months.shares + excluded.shares, clicks = share_banner_months.clicks + excluded.clicks,
		head = share_banner_months.head + excluded.head, unfurl = share_banner_months.unfurl + excluded.unfurl, bot = share_banner_months.bot + excluded.bot,
		datacentre = share_banner_months.datacentre + excluded.datacentre, self = share_banner_months.self + excluded.self,
		repeat = share_banner_months.repeat + excluded.repeat, actives = share_banner_months.actives + excluded.actives,
		held_shares = share_banner_months.held_shares + excluded.held_shares, held_clicks = share_banner_months.held_clicks + excluded.held_clicks,
		held_actives = share_banner_months.held_actives + excluded.held_actives`
)

// bannerOf is the key of share_banner_months for a unit's code: its first six digits.
func bannerOf(code string) string {
	if len(code) > 6 {
		return code[:6]
	}
	return code
}

// stmts are the recorder's statements within one transaction.
type stmts struct {
	daily, month, region, banner *sql.Stmt
}

// prepared holds the statements prepared on the database (database/sql keeps one prepared
// copy per connection and reuses it in transactions).
type prepared struct {
	once sync.Once
	s    stmts
	err  error
}

func (p *prepared) in(ctx context.Context, d *db.DB, tx *sql.Tx) (stmts, error) {
	p.once.Do(func() {
		for _, x := range []struct {
			dst **sql.Stmt
			q   string
		}{{&p.s.daily, upsertDailySQL}, {&p.s.month, upsertOfficerMonthSQL}, {&p.s.region, upsertRegionMonthSQL},
			{&p.s.banner, upsertBannerMonthSQL}} {
			if *x.dst, p.err = d.PrepareContext(context.Background(), x.q); p.err != nil {
				return
			}
		}
	})
	if p.err != nil {
		return stmts{}, p.err
	}
	return stmts{daily: tx.StmtContext(ctx, p.s.daily), month: tx.StmtContext(ctx, p.s.month), region: tx.StmtContext(ctx, p.s.region),
		banner: tx.StmtContext(ctx, p.s.banner)}, nil
}

// addRollups adds deltas (any number per key) to share_daily, share_officer_months,
// share_region_months and share_banner_months (keys summed first, one upsert per row; a
// banner-month gets the sum of its units' deltas); an officer-month that gets its
// first share or counted click adds one to its unit's actives. What an officer-month set aside
// by a confirmed case (held) gets is added to its unit's held figures as well.
func addRollups(ctx context.Context, st stmts, ds []delta) error {
	type dayKey struct {
		o, i int64
		day  string
	}
	days := map[dayKey]*delta{}
	var order []dayKey
	type monthKey struct {
		o     int64
		month string
	}
	months := map[monthKey]*delta{}
	var morder []monthKey
	for _, d := range ds {
		k := dayKey{d.Officer, d.Item, d.Day}
		if days[k] == nil {
			cp := d
			cp.Shares, cp.Counts = 0, [7]int64{}
			days[k] = &cp
			order = append(order, k)
		}
		mk := monthKey{d.Officer, d.Day[:7]}
		if months[mk] == nil {
			cp := d
			cp.Shares, cp.Counts = 0, [7]int64{}
			months[mk] = &cp
			morder = append(morder, mk)
		}
		for _, t := range []*delta{days[k], months[mk]} {
			t.Shares += d.Shares
			for i := range d.Counts {
				t.Counts[i] += d.Counts[i]
			}
		}
	}
	for _, k := range order {
		d := days[k]
		if _, err := st.daily.ExecContext(ctx, d.Officer, d.Item, d.Day, d.Region, d.Shares, d.Counts[0], d.Counts[1], d.Counts[2], d.Counts[3], d.Counts[4], d.Counts[5], d.Counts[6]); err != nil {
			return fmt.Errorf("share_daily: %w", err)
		}
	}
	type regionKey struct{ region, month string }
	type regionDelta struct {
		delta
		actives                             int64
		heldShares, heldClicks, heldActives int64
	}
	regions := map[regionKey]*regionDelta{}
	var rorder []regionKey
	for _, mk := range morder {
		d := months[mk]
		var flagged int64
		for _, n := range d.Counts[1:] {
			flagged += n
		}
		var shares, clicks, held int64
		if err := st.month.QueryRowContext(ctx, d.Officer, mk.month, d.Region, d.Shares, d.Counts[0], flagged, Points(d.Shares, d.Counts[0], 0)).Scan(&shares, &clicks, &held); err != nil {
			return fmt.Errorf("share_officer_months: %w", err)
		}
		rk := regionKey{d.Region, mk.month}
		if regions[rk] == nil {
			regions[rk] = &regionDelta{}
			rorder = append(rorder, rk)
		}
		rd := regions[rk]
		rd.Shares += d.Shares
		for i := range d.Counts {
			rd.Counts[i] += d.Counts[i]
		}
		became := shares+clicks > 0 && shares-d.Shares+clicks-d.Counts[0] == 0
		if became {
			rd.actives++
		}
		if held > 0 {
			rd.heldShares += d.Shares
			rd.heldClicks += d.Counts[0]
			if became {
				rd.heldActives++
			}
		}
	}
	banners := map[regionKey]*regionDelta{}
	var border []regionKey
	for _, rk := range rorder {
		d := regions[rk]
		if _, err := st.region.ExecContext(ctx, rk.region, rk.month, d.Shares, d.Counts[0], d.Counts[1], d.Counts[2], d.Counts[3], d.Counts[4], d.Counts[5], d.Counts[6], d.actives,
			d.heldShares, d.heldClicks, d.heldActives); err != nil {
			return fmt.Errorf("share_region_months: %w", err)
		}
		bk := regionKey{bannerOf(rk.region), rk.month}
		b := banners[bk]
		if b == nil {
			b = &regionDelta{}
			banners[bk] = b
			border = append(border, bk)
		}
		b.Shares += d.Shares
		for i := range d.Counts {
			b.Counts[i] += d.Counts[i]
		}
		b.actives += d.actives
		b.heldShares += d.heldShares
		b.heldClicks += d.heldClicks
		b.heldActives += d.heldActives
	}
	for _, bk := range border {
		d := banners[bk]
		if _, err := st.banner.ExecContext(ctx, bk.region, bk.month, d.Shares, d.Counts[0], d.Counts[1], d.Counts[2], d.Counts[3], d.Counts[4], d.Counts[5], d.Counts[6], d.actives,
			d.heldShares, d.heldClicks, d.heldActives); err != nil {
			return fmt.Errorf("share_banner_months: %w", err)
		}
	}
	return nil
}

// Metrics are the recorder's counters since the process started.
type Metrics struct {
	Recorded int64            // clicks stored
	ByReason map[string]int64 // stored clicks by reason ("counted" for counted ones)
	Failures int64            // clicks that could not be stored (each logged)
}

// Metrics returns the counters.
func (r *Recorder) Metrics() Metrics {
	m := Metrics{Recorded: r.recorded.Load(), Failures: r.failures.Load(), ByReason: map[string]int64{"counted": r.byReason[0].Load()}}
	for i, rs := range click.Reasons {
		m.ByReason[string(rs)] = r.byReason[i+1].Load()
	}
	return m
}
