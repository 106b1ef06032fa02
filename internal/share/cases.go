package share

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/kepu/kepu/internal/db"
	"github.com/kepu/kepu/internal/region"
	"github.com/kepu/kepu/internal/registry"
	"github.com/kepu/kepu/internal/share/click"
)

// Case statuses and review actions.
const (
	CaseOpen      = "open"
	CaseConfirmed = "confirmed"
	CaseDismissed = "dismissed"
)

// Detection thresholds of Scan (besides click.DefaultBurst and click.DefaultRatio): a device
// used as FarmOfficers officers in a day; BulkBatch registrations in a day from one source.
const (
	FarmOfficers = 10
	BulkBatch    = 200
)

// ErrCaseStep is returned when a review action does not apply to the case's status.
var ErrCaseStep = errors.New("这条复核记录不在可以这样处理的状态")

// Case is an anti-gaming finding waiting for, or after, review.
type Case struct {
	ID       int64
	Kind     string
	Officer  int64
	Region   string
	Month    string
	Evidence string
	Status   string
	FoundAt  time.Time
	Log      []CaseLogEntry
}

// CaseLogEntry is one review decision.
type CaseLogEntry struct {
	Action  string
	Note    string
	Account int64
	At      time.Time
}

// ScanResult says how many findings each detector made and how many new cases were queued.
type ScanResult struct {
	Found map[string]int
	New   int
}

// Scan runs the detectors on a month of unit's subtree and queues each finding not queued
// before (one case per kind, officer and month): bursts over the raw clicks, device farms over
// the devices officers used, click-to-share ratios per banner over the officer-months, and
// bulk registrations from registry (regs; nil skips them).
func (s *Store) Scan(ctx context.Context, unit, month string, regs *registry.Store) (ScanResult, error) {
	res := ScanResult{Found: map[string]int{}}
	if _, err := s.RollUp(ctx); err != nil {
		return res, err
	}
	from, err := time.ParseInLocation("2006-01", month, China)
	if err != nil {
		return res, fmt.Errorf("share.Scan: month %q: %w", month, err)
	}
	to := from.AddDate(0, 1, 0)
	cond, args := region.NewScope(unit).Where("region_code", 3)
	var findings []click.Finding
	regionOf := map[int64]string{}
	hits, err := db.QueryAll(ctx, s.DB, func(r db.Scanner) (click.Hit, error) {
		var h click.Hit
		var reg string
		err := r.Scan(&h.Officer, &h.Visitor, &h.Subnet, &h.At, &reg)
		regionOf[h.Officer] = reg
		return h, err
	}, `SELECT officer_id, visitor, subnet, at, region_code FROM share_clicks WHERE day >= $1 AND day < $2 AND reason NOT IN ('head', 'unfurl') AND `+cond,
		append([]any{Day(from), Day(to)}, args...)...)
	if err != nil {
		return res, fmt.Errorf("share.Scan: %w", err)
	}
	findings = append(findings, click.Bursts(hits, click.DefaultBurst)...)
	devices, err := db.QueryAll(ctx, s.DB, func(r db.Scanner) (click.Device, error) {
		var d click.Device
		return d, r.Scan(&d.Day, &d.Visitor, &d.Officer)
	}, `SELECT d.day, d.visitor, d.officer_id FROM share_devices d WHERE d.day >= $1 AND d.day < $2`, Day(from), Day(to))
	if err != nil {
		return res, fmt.Errorf("share.Scan: %w", err)
	}
	ratios, err := db.QueryAll(ctx, s.DB, func(r db.Scanner) (click.Ratio, error) {
		var x click.Ratio
		var reg string
		err := r.Scan(&x.Officer, &reg, &x.Shares, &x.Clicks)
		regionOf[x.Officer] = reg
		x.Group = reg[:min(6, len(reg))]
		return x, err
	}, `SELECT officer_id, region_code, shares, clicks FROM share_officer_months WHERE month = $1 AND `+scopeCond(unit, 2),
		append([]any{month}, args...)...)
	if err != nil {
		return res, fmt.Errorf("share.Scan: %w", err)
	}
	// Devices are not stored with a unit: keep the farms whose officers are in the subtree.
	scope := region.NewScope(unit)
	for _, f := range click.DeviceFarms(devices, FarmOfficers) {
		if reg, ok := regionOf[f.Officer]; ok && scope.Contains(reg) {
			findings = append(findings, f)
		} else if u, err := s.OfficerUnit(ctx, f.Officer); err == nil && scope.Contains(u) {
			regionOf[f.Officer] = u
			findings = append(findings, f)
		}
	}
	findings = append(findings, click.RatioOutliers(ratios, click.DefaultRatio)...)
	if regs != nil {
		rs, err := regs.OfficerRegistrations(ctx, scope, Day(from), Day(to.AddDate(0, 0, -1)))
		if err != nil {
			return res, err
		}
		in := make([]click.Registration, len(rs))
		for i, r := range rs {
			in[i] = click.Registration{Officer: r.ID, Day: r.RegisteredOn, Source: r.Source}
			regionOf[r.ID] = r.Region
		}
		findings = append(findings, click.BulkRegistrations(in, BulkBatch)...)
	}
	now := s.now()
	err = s.DB.Tx(ctx, func(tx *sql.Tx) error {
		for _, f := range findings {
			reg := regionOf[f.Officer]
			if reg == "" || !scope.Contains(reg) {
				continue
			}
			res.Found[f.Kind]++
			r, err := tx.ExecContext(ctx, `INSERT INTO share_cases (kind, officer_id, region_code, month, evidence, status, found_at) VALUES ($1, $2, $3, $4, $5, 'open', $6)
				ON CONFLICT (kind, officer_id, month) DO NOTHING`, f.Kind, f.Officer, reg, month, f.Evidence, now)
			if err != nil {
				return err
			}
			if n, _ := r.RowsAffected(); n == 1 {
				res.New++
			}
		}
		return nil
	})
	if err != nil {
		return res, fmt.Errorf("share.Scan: %w", db.Map(err))
	}
	return res, nil
}

// scopeCond is the region condition of a unit's subtree from parameter $next on, for queries
// that already hold the same arguments (Scan reuses one argument list).
func scopeCond(unit string, next int) string {
	c, _ := region.NewScope(unit).Where("region_code", next)
	return c
}

// Cases lists the cases of unit's subtree with a status and of a kind ("" for any), newest
// first, at most 200 (one bulk registration alone queues hundreds: the kind filter reaches the
// others).
func (s *Store) Cases(ctx context.Context, unit, status, kind string) ([]Case, error) {
	cond, args := region.NewScope(unit).Where("region_code", 3)
	return db.QueryAll(ctx, s.DB, func(r db.Scanner) (Case, error) {
		var c Case
		return c, r.Scan(&c.ID, &c.Kind, &c.Officer, &c.Region, &c.Month, &c.Evidence, &c.Status, &c.FoundAt)
	}, `SELECT id, kind, officer_id, region_code, month, evidence, status, found_at FROM share_cases
		WHERE ($1 = '' OR status = $1) AND ($2 = '' OR kind = $2) AND `+cond+` ORDER BY id DESC LIMIT `+strconv.Itoa(CasesListed), append([]any{status, kind}, args...)...)
}

// CasesListed is the most cases Cases returns.
const CasesListed = 200

// CasesCount counts the cases Cases would list without its limit.
func (s *Store) CasesCount(ctx context.Context, unit, status, kind string) (int, error) {
	cond, args := region.NewScope(unit).Where("region_code", 3)
	var n int
	err := s.DB.QueryRowContext(ctx, `SELECT count(*) FROM share_cases WHERE ($1 = '' OR status = $1) AND ($2 = '' OR kind = $2) AND `+cond,
		append([]any{status, kind}, args...)...).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("share.CasesCount: %w", err)
	}
	return n, nil
}

// CaseLog returns a case's decisions, oldest first.
func (s *Store) CaseLog(ctx context.Context, id int64) ([]CaseLogEntry, error) {
	return db.QueryAll(ctx, s.DB, func(r db.Scanner) (CaseLogEntry, error) {
		var e CaseLogEntry
		var acc *int64
		err := r.Scan(&e.Action, &e.Note, &acc, &e.At)
		if acc != nil {
			e.Account = *acc
		}
		return e, err
	}, `SELECT action, note, account_id, at FROM share_case_log WHERE case_id = $1 ORDER BY id`, id)
}

// Decide applies a review action to a case of scope: "confirm" (open → confirmed: the
// officer's month is set aside — its shares, counted clicks, points and place among the
// unit's monthly actives are left out of rankings, the 标兵 list and points, and shown apart
// as set aside; the roll-ups keep them), "dismiss" (open → dismissed) or "reopen" (confirmed or dismissed → open; a
// confirmed case's counts come back). Every decision is logged with its note and account.
// Errors: db.ErrNotFound (no such case in scope), ErrCaseStep.
func (s *Store) Decide(ctx context.Context, scope region.Scope, id int64, action, note string, actor int64) error {
	err := s.DB.Tx(ctx, func(tx *sql.Tx) error {
		var c Case
		err := tx.QueryRowContext(ctx, `SELECT officer_id, region_code, month, status FROM share_cases WHERE id = $1`, id).Scan(&c.Officer, &c.Region, &c.Month, &c.Status)
		if err != nil {
			return err
		}
		if !scope.Contains(c.Region) {
			return db.ErrNotFound
		}
		var next string
		hold := 0
		switch {
		case action == "confirm" && c.Status == CaseOpen:
			next, hold = CaseConfirmed, 1
		case action == "dismiss" && c.Status == CaseOpen:
			next = CaseDismissed
		case action == "reopen" && c.Status == CaseConfirmed:
			next, hold = CaseOpen, -1
		case action == "reopen" && c.Status == CaseDismissed:
			next = CaseOpen
		default:
			return ErrCaseStep
		}
		if _, err := tx.ExecContext(ctx, `UPDATE share_cases SET status = $1 WHERE id = $2`, next, id); err != nil {
			return err
		}
		if hold != 0 {
			if err := setAside(ctx, tx, c.Officer, c.Region, c.Month, hold); err != nil {
				return err
			}
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO share_case_log (case_id, action, note, account_id, at) VALUES ($1, $2, $3, $4, $5)`, id, action, note, nullID(actor), s.now())
		return err
	})
	if err != nil {
		return fmt.Errorf("share.Decide: %w", db.Map(err))
	}
	return nil
}

// setAside adds hold (+1 or −1) to an officer-month's count of confirmed cases; when it goes
// from 0 to 1 the month's shares, counted clicks and (when it has any) its place among the
// unit's monthly actives are added to the unit's set-aside figures (held_shares, held_clicks,
// held_actives, in share_region_months and share_banner_months), and taken back when it
// returns to 0. A month with nothing counted yet (a bulk registration, say) gets an empty row
// that is set aside, so that what the officer does later that month is set aside too (addRollups adds it to the held figures as it comes).
func setAside(ctx context.Context, tx *sql.Tx, officer int64, unit, month string, hold int) error {
	var held int
	var shares, clicks int64
	err := tx.QueryRowContext(ctx, `SELECT held, region_code, shares, clicks FROM share_officer_months WHERE officer_id = $1 AND month = $2`, officer, month).Scan(&held, &unit, &shares, &clicks)
	if errors.Is(err, sql.ErrNoRows) {
		if hold <= 0 {
			return nil
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO share_officer_months (officer_id, month, region_code, held) VALUES ($1, $2, $3, $4)`, officer, month, unit, hold)
		return err
	}
	if err != nil {
		return err
	}
	now := held + hold
	if now < 0 {
		now = 0
	}
	if _, err := tx.ExecContext(ctx, `UPDATE share_officer_months SET held = $1 WHERE officer_id = $2 AND month = $3`, now, officer, month); err != nil {
		return err
	}
	sign := int64(0)
	switch {
	case held == 0 && now > 0:
		sign = 1
	case held > 0 && now == 0:
		sign = -1
	}
	active := int64(0)
	if shares+clicks > 0 {
		active = 1
	}
	if sign != 0 {
		_, err = tx.ExecContext(ctx, `UPDATE share_region_months SET held_clicks = held_clicks + $1, held_shares = held_shares + $2, held_actives = held_actives + $3
			WHERE region_code = $4 AND month = $5`, sign*clicks, sign*shares, sign*active, unit, month)
		if err == nil {
			// The unit's banner-month (migration 0022) exists whenever the unit-month does.
			_, err = tx.ExecContext(ctx, `UPDATE share_banner_months SET held_clicks = held_clicks + $1, held_shares = held_shares + $2, held_actives = held_actives + $3
				WHERE banner_code = $4 AND month = $5`, sign*clicks, sign*shares, sign*active, bannerOf(unit), month)
		}
	}
	return err
}
