package share

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/kepu/kepu/internal/db"
	"github.com/kepu/kepu/internal/region"
	"github.com/kepu/kepu/internal/share/click"
)

// Store keeps links, clicks, roll-ups, review cases and national figures.
type Store struct {
	DB      *db.DB
	Regions *region.Store
	Now     func() time.Time // nil: time.Now
	// Recorder, when set, is the process's click recorder: roll-ups go through it
	// (Recorder.RollUp), one at a time and between its commits.
	Recorder *Recorder
	// Officers counts the registry's live information officers (registry.Store.OfficerCounts):
	// RefreshRegistrations stores a full count, and RegionFigures adds the officers registered
	// since at once. nil: registrations are the stored count only.
	Officers OfficerCounter
	stmts    prepared
}

func (s *Store) now() time.Time {
	if s.Now != nil {
		return s.Now().UTC()
	}
	return time.Now().UTC()
}

// ErrSignIn is returned for a wrong officer number or sign-in code (one message for both).
var ErrSignIn = errors.New("信息员编号或登录码不对")

func hashCode(code string) string {
	h := sha256.Sum256([]byte(strings.ToLower(strings.TrimSpace(code))))
	return hex.EncodeToString(h[:])
}

// IssueCode gives officer (a registry id, at unit regionCode, checked by the caller through
// registry) a new 10-character sign-in code, replacing any earlier one, and returns it: it is
// shown once and only its SHA-256 is kept.
func (s *Store) IssueCode(ctx context.Context, officer int64, regionCode string, actor int64) (string, error) {
	code := NewCode() + NewCode()[:2]
	_, err := s.DB.ExecContext(ctx, `INSERT INTO share_officers (officer_id, region_code, code_hash, issued_at, issued_by) VALUES ($1, $2, $3, $4, $5)
		ON CONFLICT (officer_id) DO UPDATE SET region_code = excluded.region_code, code_hash = excluded.code_hash, issued_at = excluded.issued_at, issued_by = excluded.issued_by`,
		officer, regionCode, hashCode(code), s.now(), nullID(actor))
	if err != nil {
		return "", fmt.Errorf("share.IssueCode: %w", db.Map(err))
	}
	return code, nil
}

// SignIn checks an officer number and sign-in code and returns the officer's unit.
// Errors: ErrSignIn.
func (s *Store) SignIn(ctx context.Context, officer int64, code string) (string, error) {
	var hash, unit string
	err := s.DB.QueryRowContext(ctx, `SELECT code_hash, region_code FROM share_officers WHERE officer_id = $1`, officer).Scan(&hash, &unit)
	if errors.Is(db.Map(err), db.ErrNotFound) || (err == nil && subtle.ConstantTimeCompare([]byte(hash), []byte(hashCode(code))) != 1) {
		return "", ErrSignIn
	}
	if err != nil {
		return "", fmt.Errorf("share.SignIn: %w", err)
	}
	return unit, nil
}

// OfficerUnit returns the unit of a signed-up officer. Errors: db.ErrNotFound.
func (s *Store) OfficerUnit(ctx context.Context, officer int64) (string, error) {
	var unit string
	err := s.DB.QueryRowContext(ctx, `SELECT region_code FROM share_officers WHERE officer_id = $1`, officer).Scan(&unit)
	return unit, db.Map(err)
}

// TakeLink returns the officer's link to item, creating it (and recording one share in the
// roll-ups, in the same transaction) when the officer has none; created says which.
func (s *Store) TakeLink(ctx context.Context, officer int64, unit string, item int64) (Link, bool, error) {
	l := Link{Officer: officer, Item: item, Region: unit, Created: s.now()}
	created := false
	err := s.DB.Tx(ctx, func(tx *sql.Tx) error {
		err := tx.QueryRowContext(ctx, `SELECT code, region_code, created_at FROM share_links WHERE officer_id = $1 AND item_id = $2`, officer, item).Scan(&l.Code, &l.Region, &l.Created)
		if err == nil {
			return nil
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		for range 5 {
			l.Code = NewCode()
			res, err := tx.ExecContext(ctx, `INSERT INTO share_links (code, officer_id, item_id, region_code, created_at) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (code) DO NOTHING`,
				l.Code, officer, item, unit, l.Created)
			if err != nil {
				return err
			}
			if n, _ := res.RowsAffected(); n == 1 {
				created = true
				st, err := s.stmts.in(ctx, s.DB, tx)
				if err != nil {
					return err
				}
				return addRollups(ctx, st, []delta{{Officer: officer, Item: item, Region: unit, Day: Day(l.Created), Shares: 1}})
			}
		}
		return errors.New("no free link code after 5 tries")
	})
	if err != nil {
		return Link{}, false, fmt.Errorf("share.TakeLink: %w", db.Map(err))
	}
	return l, created, nil
}

// LinkByCode returns a link. Errors: db.ErrNotFound.
func (s *Store) LinkByCode(ctx context.Context, code string) (Link, error) {
	l := Link{Code: code}
	err := s.DB.QueryRowContext(ctx, `SELECT officer_id, item_id, region_code, created_at FROM share_links WHERE code = $1`, code).Scan(&l.Officer, &l.Item, &l.Region, &l.Created)
	if err != nil {
		return l, fmt.Errorf("share.LinkByCode: %w", db.Map(err))
	}
	return l, nil
}

// LinkStats is a link with its counted and flagged clicks (all days).
type LinkStats struct {
	Link
	Clicks, Flagged int64
}

// OfficerLinks returns an officer's links, newest first, at most limit.
func (s *Store) OfficerLinks(ctx context.Context, officer int64, limit int) ([]LinkStats, error) {
	if _, err := s.RollUp(ctx); err != nil {
		return nil, err
	}
	return db.QueryAll(ctx, s.DB, func(r db.Scanner) (LinkStats, error) {
		var l LinkStats
		err := r.Scan(&l.Code, &l.Item, &l.Region, &l.Created, &l.Clicks, &l.Flagged)
		l.Officer = officer
		return l, err
	}, `SELECT l.code, l.item_id, l.region_code, l.created_at,
		COALESCE((SELECT sum(clicks) FROM share_daily d WHERE d.officer_id = l.officer_id AND d.item_id = l.item_id), 0),
		COALESCE((SELECT sum(head + unfurl + bot + datacentre + self + repeat) FROM share_daily d WHERE d.officer_id = l.officer_id AND d.item_id = l.item_id), 0)
		FROM share_links l WHERE l.officer_id = $1 ORDER BY l.created_at DESC, l.code LIMIT $2`, officer, limit)
}

// CheckIn records the officer's check-in for day; checking in twice a day is harmless.
func (s *Store) CheckIn(ctx context.Context, officer int64, day string) error {
	_, err := s.DB.ExecContext(ctx, `INSERT INTO share_checkins (officer_id, day) VALUES ($1, $2) ON CONFLICT DO NOTHING`, officer, day)
	if err != nil {
		return fmt.Errorf("share.CheckIn: %w", db.Map(err))
	}
	return nil
}

// Standing is an officer's engagement: totals over all months, points, level and streak.
type Standing struct {
	Shares, Clicks, CheckIns, Points int64
	Level, Streak                    int
}

// Standing computes an officer's engagement on today (a China date).
func (s *Store) Standing(ctx context.Context, officer int64, today string) (Standing, error) {
	var st Standing
	if _, err := s.RollUp(ctx); err != nil {
		return st, err
	}
	err := s.DB.QueryRowContext(ctx, `SELECT COALESCE(sum(shares), 0), COALESCE(sum(clicks), 0) FROM share_officer_months WHERE officer_id = $1 AND held = 0`, officer).Scan(&st.Shares, &st.Clicks)
	if err != nil {
		return st, fmt.Errorf("share.Standing: %w", err)
	}
	days, err := db.QueryAll(ctx, s.DB, func(r db.Scanner) (string, error) { var d string; return d, r.Scan(&d) },
		`SELECT day FROM share_checkins WHERE officer_id = $1 ORDER BY day DESC LIMIT 400`, officer)
	if err != nil {
		return st, fmt.Errorf("share.Standing: %w", err)
	}
	if err := s.DB.QueryRowContext(ctx, `SELECT count(*) FROM share_checkins WHERE officer_id = $1`, officer).Scan(&st.CheckIns); err != nil {
		return st, fmt.Errorf("share.Standing: %w", err)
	}
	st.Points = Points(st.Shares, st.Clicks, st.CheckIns)
	st.Level = Level(st.Points)
	st.Streak = Streak(days, today)
	return st, nil
}

// Figures are a unit's sharing figures for a month: shares, counted clicks, clicks not
// counted by reason, monthly active officers, counts set aside by confirmed review cases, and
// the national platform's figures (imported, shown beside, never added).
type Figures struct {
	Code, Name  string
	Shares      int64
	Clicks      int64 // counted, including those set aside
	Flagged     map[click.Reason]int64
	Actives     int64 // monthly active officers, including those set aside
	HeldClicks  int64
	HeldShares  int64
	HeldActives int64 // of Actives, the officer-months set aside by confirmed review cases
	Population  int64 // 0 when unknown
	Officers    int64 // registrations (registry)
	National    *National
	FlaggedSum  int64
	PerTenK     float64 // registrations per 10,000 people (0 when the population is unknown)
	ClicksShown int64   // Clicks − HeldClicks: what rankings use
	// ActivesShown is Actives − HeldActives: the monthly active officers rankings use.
	ActivesShown int64
}

// National is the national platform's back-office figures for a unit and month.
type National struct {
	Officers, Shares, Clicks int64
}

// childLen is the code-prefix length of the units one level below a unit.
func childLen(code string) int {
	switch region.LevelOf(code) {
	case region.LevelRegion:
		return 4
	case region.LevelLeague:
		return 6
	case region.LevelBanner:
		return 9
	default:
		return 12
	}
}

// childCode turns a prefix of childLen into the unit's canonical code.
func childCode(prefix string) string {
	if len(prefix) < 6 {
		return prefix + strings.Repeat("0", 6-len(prefix))
	}
	return prefix
}

// RollUp brings the roll-ups up to date with the stored clicks (see Recorder); reports call it
// first, so that they are exact. It returns how many clicks it added.
func (s *Store) RollUp(ctx context.Context) (int, error) {
	if s.Recorder != nil {
		return s.Recorder.RollUp(ctx)
	}
	return RollUp(ctx, s.DB, &s.stmts)
}

// RegionFigures returns the month's figures of each unit one level below parent (and of
// parent itself, first), from the roll-ups (see MonthsFigures), with registrations as of now:
// the last RefreshRegistrations plus the officers registered since (see registrations).
func (s *Store) RegionFigures(ctx context.Context, parent, month string) (Figures, []Figures, error) {
	totals, kids, err := s.MonthsFigures(ctx, parent, []string{month})
	if err != nil {
		return Figures{}, nil, err
	}
	total, out := totals[0], kids[0]
	regs, err := s.registrations(ctx, parent, childLen(parent))
	if err != nil {
		return Figures{}, nil, err
	}
	for i := range out {
		f := &out[i]
		f.Officers = int64(regs[region.Prefix(f.Code)])
		if f.Population > 0 {
			f.PerTenK = float64(f.Officers) * 10000 / float64(f.Population)
		}
		total.Officers += f.Officers
	}
	if total.Population > 0 {
		total.PerTenK = float64(total.Officers) * 10000 / float64(total.Population)
	}
	return total, out, nil
}

// MonthsFigures returns, for each month of months ("2006-01", in the order given), parent's
// figures (totals[i]) and those of each unit one level below it (children[i], in
// region.Store.Children's order), as RegionFigures does but without registrations: Officers
// and PerTenK are zero (registrations are counted as of now, not by month; RegionFigures adds
// them). A unit's figures are the sum over its subtree, parent's the sum over its children, so
// what is recorded at parent's own code is not in them.
//
// The roll-ups are first brought up to date (RollUp), so the figures include every click
// stored before the call. One query answers all months: for a region or a league (children
// grouped by 4 or 6 code digits) from share_banner_months, about 100 rows a month; below,
// from share_region_months. Both are kept in the same transactions (addRollups, setAside);
// TestBannerMonthsAreExact compares them. Errors: the database's.
func (s *Store) MonthsFigures(ctx context.Context, parent string, months []string) (totals []Figures, children [][]Figures, err error) {
	if len(months) == 0 {
		return nil, nil, nil
	}
	if _, err := s.RollUp(ctx); err != nil {
		return nil, nil, err
	}
	first, last := months[0], months[0]
	index := map[string]int{}
	for i, m := range months {
		first, last = min(first, m), max(last, m)
		index[m] = i
	}
	n := childLen(parent)
	table, column := "share_region_months", "region_code"
	if n <= 6 {
		table, column = "share_banner_months", "banner_code"
	}
	cond, args := region.NewScope(parent).Where(column, 3)
	rows, err := s.DB.QueryContext(ctx, fmt.Sprintf(`SELECT month, substr(%[1]s, 1, %[2]d), sum(shares), sum(clicks), sum(head), sum(unfurl), sum(bot), sum(datacentre), sum(self), sum(repeat),
		sum(actives), sum(held_clicks), sum(held_shares), sum(held_actives) FROM %[3]s WHERE month >= $1 AND month <= $2 AND %[4]s GROUP BY month, substr(%[1]s, 1, %[2]d)`,
		column, n, table, cond), append([]any{first, last}, args...)...)
	if err != nil {
		return nil, nil, fmt.Errorf("share.MonthsFigures: %w", err)
	}
	byCode := make([]map[string]*Figures, len(months))
	for i := range byCode {
		byCode[i] = map[string]*Figures{}
	}
	for rows.Next() {
		var m, p string
		f := Figures{Flagged: map[click.Reason]int64{}}
		var c [6]int64
		if err := rows.Scan(&m, &p, &f.Shares, &f.Clicks, &c[0], &c[1], &c[2], &c[3], &c[4], &c[5], &f.Actives, &f.HeldClicks, &f.HeldShares, &f.HeldActives); err != nil {
			rows.Close()
			return nil, nil, fmt.Errorf("share.MonthsFigures: %w", err)
		}
		i, ok := index[m]
		if !ok {
			continue
		}
		for k, rs := range click.Reasons {
			f.Flagged[rs] = c[k]
		}
		f.Code = childCode(p)
		byCode[i][f.Code] = &f
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, nil, fmt.Errorf("share.MonthsFigures: %w", err)
	}
	kids, err := s.Regions.Children(ctx, parent)
	if err != nil {
		return nil, nil, err
	}
	nat, err := s.national(ctx, parent, first, last)
	if err != nil {
		return nil, nil, err
	}
	var name string
	var population int64
	if u, err := s.Regions.Get(ctx, parent); err == nil {
		name = u.Name
		if u.Population != nil {
			population = *u.Population
		}
	}
	totals = make([]Figures, len(months))
	children = make([][]Figures, len(months))
	for i, m := range months {
		total := Figures{Code: parent, Name: name, Population: population, Flagged: map[click.Reason]int64{}, National: nat[m][parent]}
		var out []Figures
		for _, c := range kids {
			f := Figures{Code: c.Code, Name: c.Name, Flagged: map[click.Reason]int64{}}
			if got := byCode[i][c.Code]; got != nil {
				f = *got
				f.Name = c.Name
			}
			if c.Population != nil {
				f.Population = *c.Population
			}
			f.National = nat[m][c.Code]
			out = append(out, f)
		}
		for k := range out {
			f := &out[k]
			for _, rs := range click.Reasons {
				f.FlaggedSum += f.Flagged[rs]
				total.Flagged[rs] += f.Flagged[rs]
			}
			f.ClicksShown = f.Clicks - f.HeldClicks
			f.ActivesShown = f.Actives - f.HeldActives
			total.Shares += f.Shares
			total.Clicks += f.Clicks
			total.Actives += f.Actives
			total.HeldClicks += f.HeldClicks
			total.HeldShares += f.HeldShares
			total.HeldActives += f.HeldActives
			total.FlaggedSum += f.FlaggedSum
		}
		total.ClicksShown = total.Clicks - total.HeldClicks
		total.ActivesShown = total.Actives - total.HeldActives
		totals[i], children[i] = total, out
	}
	return totals, children, nil
}

// OfficerCounter counts the live registered officers of scope with an id above after, per
// code prefix of groupLen digits, and returns the highest id counted (after when none):
// registry.Store.OfficerCounts.
type OfficerCounter func(ctx context.Context, scope region.Scope, groupLen int, after int64) (map[string]int, int64, error)

// RefreshRegistrations counts the registered officers of every unit from the registry
// (s.Officers, grouped by full code) and replaces the stored counts, with the highest officer id
// they include, in one transaction. Officers registered later are added by RegionFigures as
// they come; deletions and moves between units wait for the next refresh (hourly, see
// RegistrationsTTL). Without s.Officers it does nothing.
func (s *Store) RefreshRegistrations(ctx context.Context) error {
	if s.Officers == nil {
		return nil
	}
	roots, err := s.Regions.Roots(ctx)
	if err != nil {
		return err
	}
	codes := make([]string, len(roots))
	for i, r := range roots {
		codes[i] = r.Code
	}
	counts, through, err := s.Officers(ctx, region.NewScope(codes...), 12, 0)
	if err != nil {
		return fmt.Errorf("share.RefreshRegistrations: %w", err)
	}
	now := s.now()
	rows := make([][]any, 0, len(counts))
	for code, n := range counts {
		rows = append(rows, []any{code, int64(n), now, through})
	}
	sort.Slice(rows, func(i, j int) bool { return rows[i][0].(string) < rows[j][0].(string) })
	err = s.DB.Tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM share_registrations`); err != nil {
			return err
		}
		return db.BulkInsert(ctx, tx, s.DB.Dialect, "share_registrations", []string{"region_code", "officers", "counted_at", "through_id"}, rows, "")
	})
	if err != nil {
		return fmt.Errorf("share.RefreshRegistrations: %w", db.Map(err))
	}
	return nil
}

// RegistrationsCounted returns when the registrations were last counted in full (zero: never,
// or before the counts kept their highest officer id, migration 0017).
func (s *Store) RegistrationsCounted(ctx context.Context) (time.Time, error) {
	var at sql.NullTime
	var through int64
	if err := s.DB.QueryRowContext(ctx, `SELECT COALESCE(max(through_id), 0) FROM share_registrations`).Scan(&through); err != nil || through == 0 {
		return time.Time{}, err
	}
	err := s.DB.QueryRowContext(ctx, `SELECT counted_at FROM share_registrations LIMIT 1`).Scan(&at)
	return at.Time, err
}

// registrations returns the registered officers of parent's subtree per code prefix of n
// digits: the stored count plus, through s.Officers, the officers registered since it was made.
func (s *Store) registrations(ctx context.Context, parent string, n int) (map[string]int, error) {
	scope := region.NewScope(parent)
	cond, args := scope.Where("region_code", 1)
	rows, err := s.DB.QueryContext(ctx, fmt.Sprintf(`SELECT substr(region_code, 1, %d), sum(officers), max(through_id) FROM share_registrations WHERE %s GROUP BY substr(region_code, 1, %d)`, n, cond, n), args...)
	if err != nil {
		return nil, fmt.Errorf("share registrations: %w", err)
	}
	defer rows.Close()
	out := map[string]int{}
	var through int64
	for rows.Next() {
		var p string
		var c int
		var t int64
		if err := rows.Scan(&p, &c, &t); err != nil {
			return nil, err
		}
		out[p] = c
		through = max(through, t)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if s.Officers == nil {
		return out, nil
	}
	if through == 0 {
		// Never counted (or nothing in this subtree when it was): the whole subtree is
		// counted now. Ids are global, so take the highest of any unit's stored count.
		if err := s.DB.QueryRowContext(ctx, `SELECT COALESCE(max(through_id), 0) FROM share_registrations`).Scan(&through); err != nil {
			return nil, fmt.Errorf("share registrations: %w", err)
		}
	}
	since, _, err := s.Officers(ctx, scope, n, through)
	if err != nil {
		return nil, fmt.Errorf("share registrations: %w", err)
	}
	for p, c := range since {
		out[p] += c
	}
	return out, nil
}

// Rank orders figures by a measure: "clicks" (counted, set-aside excluded), "actives" (set-aside excluded),
// "officers" (registrations) or "per_population" (registrations per 10,000 people); ties by code.
func Rank(fs []Figures, by string) []Figures {
	out := append([]Figures(nil), fs...)
	key := func(f Figures) float64 {
		switch by {
		case "actives":
			return float64(f.ActivesShown)
		case "officers":
			return float64(f.Officers)
		case "per_population":
			return f.PerTenK
		}
		return float64(f.ClicksShown)
	}
	sort.SliceStable(out, func(i, j int) bool {
		if key(out[i]) != key(out[j]) {
			return key(out[i]) > key(out[j])
		}
		return out[i].Code < out[j].Code
	})
	return out
}

// OfficerRank is an officer's month in a leaderboard.
type OfficerRank struct {
	Officer        int64
	Name           string // from the registry, filled by the handler ("" if not readable)
	Region         string
	Shares, Clicks int64
	Points         int64
	Level          int
}

// TopOfficers returns the officers of unit's subtree with the most points in month (shares × 2
// + counted clicks; months set aside by a confirmed case are left out), at most limit: the
// month's 标兵 list and the officers' leaderboard.
//
// For a league or the region the subtree is matched by code prefix, an expression no index serves,
// so that the database walks the (month, points, officer_id) index from the top and stops at
// limit rows of the subtree (a sort of 200,000 officer-months otherwise, 160 ms on SQLite);
// for a banner and below the (month, region_code) range is small (a few thousand rows) and is used.
func (s *Store) TopOfficers(ctx context.Context, unit, month string, limit int) ([]OfficerRank, error) {
	if _, err := s.RollUp(ctx); err != nil {
		return nil, err
	}
	cond, args := region.NewScope(unit).Where("region_code", 2)
	if l := region.LevelOf(unit); l <= region.LevelLeague {
		p := region.Prefix(unit)
		cond, args = fmt.Sprintf("substr(region_code, 1, %d) = $2", len(p)), []any{p}
	}
	args = append([]any{month}, args...)
	args = append(args, limit)
	return db.QueryAll(ctx, s.DB, func(r db.Scanner) (OfficerRank, error) {
		var o OfficerRank
		err := r.Scan(&o.Officer, &o.Region, &o.Shares, &o.Clicks, &o.Points)
		o.Level = Level(o.Points)
		return o, err
	}, fmt.Sprintf(`SELECT officer_id, region_code, shares, clicks, points FROM share_officer_months
		WHERE month = $1 AND held = 0 AND %s ORDER BY points DESC, officer_id DESC LIMIT $%d`, cond, len(args)), args...)
}

// national returns the national platform's imported figures of parent's subtree for the
// months first through last, by month and unit code.
func (s *Store) national(ctx context.Context, parent, first, last string) (map[string]map[string]*National, error) {
	cond, args := region.NewScope(parent).Where("region_code", 3)
	rows, err := s.DB.QueryContext(ctx, `SELECT month, region_code, officers, shares, clicks FROM share_national WHERE month >= $1 AND month <= $2 AND `+cond,
		append([]any{first, last}, args...)...)
	if err != nil {
		return nil, fmt.Errorf("share national: %w", err)
	}
	defer rows.Close()
	out := map[string]map[string]*National{}
	for rows.Next() {
		var month, code string
		var n National
		if err := rows.Scan(&month, &code, &n.Officers, &n.Shares, &n.Clicks); err != nil {
			return nil, err
		}
		if out[month] == nil {
			out[month] = map[string]*National{}
		}
		out[month][code] = &n
	}
	return out, rows.Err()
}
