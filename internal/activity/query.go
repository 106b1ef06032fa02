package activity

import (
	"context"
	"fmt"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/kepu/kepu/internal/db"
	"github.com/kepu/kepu/internal/region"
	"github.com/kepu/kepu/internal/registry"
)

// Filter selects activity versions. Every list and roll-up takes one, and a roll-up figure's
// drill-down link is the same filter narrowed by the figure's key, so the list behind a figure
// is exactly the records summed into it.
type Filter struct {
	Scope     region.Scope // the caller's scope; always applied
	Region    string       // a unit whose subtree to keep ("" = the whole scope)
	Unit      string       // only the records of exactly this unit, not those below it
	From, To  string       // China dates "2006-01-02", inclusive, on the start date; "" = open
	Type      string       // activity type slug
	Programme string       // programme tag
	Group     string       // target-group slug
	Status    string       // a status; "current" = accepted and not superseded (the counted records)
	Query     string       // words in title, organizer or venue
	// VenueKind and VenueID keep the records that reference this registered facility
	// (Input.VenueKind, VenueID); both or neither.
	VenueKind string
	VenueID   int64
	Flagged   bool  // only records whose figures need a look (see Activity.Flags)
	After     int64 // keyset: ids below this one (lists run newest first)
	Limit     int   // page size; 0 = 50
}

// Counted is the status filter value of the records that figures count: accepted versions not
// superseded by a later accepted correction.
const Counted = "current"

// Values renders the filter as URL query values (scope excluded), for links and pagers.
func (f Filter) Values() url.Values {
	v := url.Values{}
	for k, s := range map[string]string{"region": f.Region, "unit": f.Unit, "from": f.From, "to": f.To, "type": f.Type, "programme": f.Programme,
		"group": f.Group, "status": f.Status, "q": f.Query} {
		if s != "" {
			v.Set(k, s)
		}
	}
	if f.Flagged {
		v.Set("flagged", "1")
	}
	if f.VenueID != 0 {
		v.Set("venue_kind", f.VenueKind)
		v.Set("venue_id", strconv.FormatInt(f.VenueID, 10))
	}
	return v
}

// ParseFilter reads a filter from URL query values; unknown or malformed values are dropped
// (a list link never fails, it just shows more).
func ParseFilter(q url.Values, scope region.Scope) Filter {
	f := Filter{Scope: scope, Query: strings.TrimSpace(q.Get("q")), Flagged: q.Get("flagged") == "1"}
	if c, err := region.Normalize(q.Get("region")); err == nil {
		f.Region = c
	}
	if c, err := region.Normalize(q.Get("unit")); err == nil {
		f.Unit = c
	}
	for _, d := range []struct {
		dst *string
		key string
	}{{&f.From, "from"}, {&f.To, "to"}} {
		if _, err := time.Parse("2006-01-02", q.Get(d.key)); err == nil {
			*d.dst = q.Get(d.key)
		}
	}
	if TypeLabel(q.Get("type")) != "" {
		f.Type = q.Get("type")
	}
	if GroupLabel(q.Get("group")) != "" {
		f.Group = q.Get("group")
	}
	f.Programme = strings.TrimSpace(q.Get("programme"))
	switch s := q.Get("status"); s {
	case Draft, Submitted, Reviewed, Accepted, Returned, Counted:
		f.Status = s
	}
	f.After, _ = strconv.ParseInt(q.Get("after"), 10, 64)
	if id, err := strconv.ParseInt(q.Get("venue_id"), 10, 64); err == nil && id > 0 {
		if _, ok := registry.FacilityKind(q.Get("venue_kind")); ok {
			f.VenueKind, f.VenueID = q.Get("venue_kind"), id
		}
	}
	return f
}

// where builds the condition of a filter on activities aliased "a", placeholders from $next.
func (f Filter) where(next int) (string, []any) {
	w, args := f.Scope.Where("a.region_code", next)
	conds := []string{"a.deleted_at IS NULL", w}
	add := func(cond string, arg any) {
		args = append(args, arg)
		conds = append(conds, strings.ReplaceAll(cond, "$?", fmt.Sprintf("$%d", next+len(args)-1)))
	}
	if f.Region != "" {
		rw, rargs := region.NewScope(f.Region).Where("a.region_code", next+len(args))
		conds = append(conds, rw)
		args = append(args, rargs...)
	}
	if f.Unit != "" {
		add("a.region_code = $?", f.Unit)
	}
	if f.From != "" {
		add("a.starts_on >= $?", f.From)
	}
	if f.To != "" {
		add("a.starts_on <= $?", f.To)
	}
	if f.Type != "" {
		add("a.type = $?", f.Type)
	}
	if f.Programme != "" {
		add("EXISTS (SELECT 1 FROM activity_programmes p WHERE p.activity_id = a.id AND p.programme = $?)", f.Programme)
	}
	if f.Group != "" {
		add("EXISTS (SELECT 1 FROM activity_target_groups g WHERE g.activity_id = a.id AND g.target_group = $?)", f.Group)
	}
	switch f.Status {
	case "":
	case Counted:
		conds = append(conds, "a.status = 'accepted' AND a.superseded_at IS NULL")
	default:
		add("a.status = $?", f.Status)
	}
	if f.Query != "" {
		like := "%" + db.EscapeLike(f.Query) + "%"
		add(`(a.title LIKE $? ESCAPE '\' OR a.organizer LIKE $? ESCAPE '\' OR a.venue LIKE $? ESCAPE '\')`, like)
	}
	if f.VenueID != 0 {
		add("a.venue_kind = $?", f.VenueKind)
		add("a.venue_id = $?", f.VenueID)
	}
	if f.Flagged {
		conds = append(conds, `((a.capacity > 0 AND (a.verified_attendance > a.capacity + a.walkin_allowance
			OR a.declared_attendance > (a.capacity + a.walkin_allowance) * (CASE WHEN a.sessions > 1 THEN a.sessions ELSE 1 END)))
			OR (a.declared_attendance > 0 AND a.verified_attendance > a.declared_attendance))`)
	}
	return strings.Join(conds, " AND "), args
}

// Page is one page of a list, newest first, with the total of the whole filter.
type Page struct {
	Items []Activity
	Total int
	Next  int64 // pass as Filter.After for the next page; 0 at the end
}

// List returns a page of versions matching the filter, newest id first.
func (s *Store) List(ctx context.Context, f Filter) (Page, error) {
	var p Page
	where, args := f.where(1)
	if err := s.DB.QueryRowContext(ctx, `SELECT count(*) FROM activities a WHERE `+where, args...).Scan(&p.Total); err != nil {
		return p, fmt.Errorf("activity.List: %w", db.Map(err))
	}
	limit := f.Limit
	if limit <= 0 || limit > 500 {
		limit = 50
	}
	if f.After > 0 {
		args = append(args, f.After)
		where += fmt.Sprintf(" AND a.id < $%d", len(args))
	}
	items, err := db.QueryAll(ctx, s.DB, scanActivity, `SELECT `+activityCols+` FROM activities a WHERE `+where+fmt.Sprintf(` ORDER BY a.id DESC LIMIT %d`, limit+1), args...)
	if err != nil {
		return p, fmt.Errorf("activity.List: %w", err)
	}
	if len(items) > limit {
		items = items[:limit]
		p.Next = items[limit-1].ID
	}
	p.Items = items
	codes := make([]string, len(items))
	for i, a := range items {
		codes[i] = a.RegionCode
	}
	names, err := s.Regions.Names(ctx, codes)
	if err != nil {
		return p, err
	}
	for i := range p.Items {
		p.Items[i].RegionName = names[p.Items[i].RegionCode]
	}
	return p, nil
}

// Dimensions a roll-up can group by.
const (
	ByRegion    = "region"    // the units one level below Filter.Region (or the scope's root)
	ByMonth     = "month"     // China calendar month of the start, "2026-03"
	ByQuarter   = "quarter"   // "2026-Q1"
	ByYear      = "year"      // "2026"
	ByType      = "type"      // activity type
	ByProgramme = "programme" // programme tag (a record with two tags counts under both)
	ByGroup     = "group"     // target group (likewise)
)

// Figures are the counts of a set of records, kept apart by how they were obtained.
type Figures struct {
	Activities int   // records
	Sessions   int64 // 场次
	Declared   int64 // declared person-times
	Verified   int64 // verified person-times (distinct tickets checked in)
	Live       int64 // live-stream viewers
	Replay     int64 // replay views
}

func (f *Figures) add(o Figures) {
	f.Activities += o.Activities
	f.Sessions += o.Sessions
	f.Declared += o.Declared
	f.Verified += o.Verified
	f.Live += o.Live
	f.Replay += o.Replay
}

// RollupRow is one group of a roll-up: its key, a label for people, its figures and the
// filter that lists the records behind them.
type RollupRow struct {
	Key   string
	Label string
	Figures
	Filter Filter
}

// Rollup is a roll-up's rows and total. For multi-valued dimensions (programme, group) the
// rows may add up to more than the total, which counts each record once.
type Rollup struct {
	By    string
	Rows  []RollupRow
	Total Figures
	Base  Filter // the filter every row narrows
}

const figureCols = `count(*), COALESCE(SUM(a.sessions), 0), COALESCE(SUM(a.declared_attendance), 0), COALESCE(SUM(a.verified_attendance), 0),
	COALESCE(SUM(a.live_viewers), 0), COALESCE(SUM(a.replay_views), 0)`

// Rollup sums the counted records (accepted, current; f.Status is forced to Counted) matching
// f, grouped by one dimension (By* constants). A unit's row includes everything below it. Rows
// come in the dimension's natural order (division code, calendar, taxonomy order, or figures
// for programmes). Errors: an unknown dimension.
func (s *Store) Rollup(ctx context.Context, f Filter, by string) (Rollup, error) {
	f.Status, f.After, f.Limit = Counted, 0, 0
	out := Rollup{By: by, Base: f}
	where, args := f.where(1)
	var key, from string
	switch by {
	case ByRegion:
		parent := f.Region
		if parent == "" {
			if roots := f.Scope.Roots(); len(roots) == 1 {
				parent = roots[0]
			}
		}
		if parent == "" || region.LevelOf(parent) >= region.LevelVillage {
			return out, fmt.Errorf("activity.Rollup: no units below %q to group by", parent)
		}
		out.Base.Region = parent
		n := childPrefixLen(parent)
		key = fmt.Sprintf("substr(a.region_code, 1, %d)", n)
		from = "activities a"
	case ByMonth, ByQuarter:
		key, from = "substr(a.starts_on, 1, 7)", "activities a"
	case ByYear:
		key, from = "substr(a.starts_on, 1, 4)", "activities a"
	case ByType:
		key, from = "a.type", "activities a"
	case ByProgramme:
		key, from = "p.programme", "activities a JOIN activity_programmes p ON p.activity_id = a.id"
	case ByGroup:
		key, from = "g.target_group", "activities a JOIN activity_target_groups g ON g.activity_id = a.id"
	default:
		return out, fmt.Errorf("activity.Rollup: unknown dimension %q", by)
	}
	rows, err := s.DB.QueryContext(ctx, `SELECT `+key+`, `+figureCols+` FROM `+from+` WHERE `+where+` GROUP BY `+key, args...)
	if err != nil {
		return out, fmt.Errorf("activity.Rollup: %w", db.Map(err))
	}
	defer rows.Close()
	groups := map[string]Figures{}
	for rows.Next() {
		var k string
		var fg Figures
		if err := rows.Scan(&k, &fg.Activities, &fg.Sessions, &fg.Declared, &fg.Verified, &fg.Live, &fg.Replay); err != nil {
			return out, db.Map(err)
		}
		if by == ByQuarter {
			k = quarterOf(k)
		}
		g := groups[k]
		g.add(fg)
		groups[k] = g
	}
	if err := rows.Err(); err != nil {
		return out, db.Map(err)
	}
	if by == ByProgramme || by == ByGroup {
		// A record may sit in several groups, so the total is counted on its own.
		if err := s.DB.QueryRowContext(ctx, `SELECT `+figureCols+` FROM activities a WHERE `+where, args...).Scan(
			&out.Total.Activities, &out.Total.Sessions, &out.Total.Declared, &out.Total.Verified, &out.Total.Live, &out.Total.Replay); err != nil {
			return out, fmt.Errorf("activity.Rollup: %w", db.Map(err))
		}
	} else {
		for _, fg := range groups { // each record is in exactly one group
			out.Total.add(fg)
		}
	}
	if by == ByRegion {
		return out, s.regionRows(ctx, &out, groups)
	}
	out.rows(groups, f)
	return out, nil
}

// rows turns the groups of a roll-up by any dimension but ByRegion into its rows, each with
// the filter that lists its records (f's bounds clip a calendar row), in the dimension's order.
func (out *Rollup) rows(groups map[string]Figures, f Filter) {
	by := out.By
	for k, fg := range groups {
		row := RollupRow{Key: k, Label: k, Figures: fg, Filter: out.Base}
		switch by {
		case ByMonth, ByQuarter, ByYear:
			row.Filter.From, row.Filter.To = periodBounds(k, f.From, f.To)
		case ByType:
			row.Label, row.Filter.Type = TypeLabel(k), k
		case ByProgramme:
			row.Filter.Programme = k
		case ByGroup:
			row.Label, row.Filter.Group = GroupLabel(k), k
		}
		out.Rows = append(out.Rows, row)
	}
	order := map[string]int{}
	list := Types
	if by == ByGroup {
		list = TargetGroups
	}
	for i, t := range list {
		order[t.Slug] = i
	}
	sort.Slice(out.Rows, func(i, j int) bool {
		a, b := out.Rows[i], out.Rows[j]
		switch by {
		case ByType, ByGroup:
			return order[a.Key] < order[b.Key]
		case ByProgramme:
			if a.Activities != b.Activities {
				return a.Activities > b.Activities
			}
		}
		return a.Key < b.Key
	})
}

// regionRows turns code-prefix groups into one row per child unit of the parent, in code
// order, including units with nothing recorded (a zero is a figure too), and the parent's own
// records (those entered at the parent itself) as a row of their own.
func (s *Store) regionRows(ctx context.Context, out *Rollup, groups map[string]Figures) error {
	parent := out.Base.Region
	children, err := s.Regions.Children(ctx, parent)
	if err != nil {
		return err
	}
	n := childPrefixLen(parent)
	for _, c := range children {
		if out.Base.Scope.Narrow(c.Code).Empty() {
			continue
		}
		key := c.Code[:n]
		row := RollupRow{Key: c.Code, Label: c.Name, Figures: groups[key], Filter: out.Base}
		row.Filter.Region = c.Code
		delete(groups, key)
		out.Rows = append(out.Rows, row)
	}
	var own Figures
	for _, fg := range groups {
		own.add(fg) // records at the parent unit itself (their code's prefix is the parent's)
	}
	if own.Activities > 0 {
		row := RollupRow{Key: parent, Label: "本级", Figures: own, Filter: out.Base}
		row.Filter.Region, row.Filter.Unit = parent, parent
		out.Rows = append(out.Rows, row)
	}
	return nil
}

// childPrefixLen is how many leading digits of a code name the child unit of parent that
// contains it: 4 below the region (leagues 1525·00), 6 below a league, 9 below a banner, 12
// below a township.
func childPrefixLen(parent string) int {
	switch region.LevelOf(parent) {
	case region.LevelRegion:
		return 4
	case region.LevelLeague:
		return 6
	case region.LevelBanner:
		return 9
	}
	return 12
}

func quarterOf(month string) string {
	m, err := strconv.Atoi(month[5:])
	if len(month) != 7 || err != nil {
		return month
	}
	return fmt.Sprintf("%s-Q%d", month[:4], (m-1)/3+1)
}

// periodBounds gives the first and last date of a year, quarter or month key, clipped to the
// filter's own bounds.
func periodBounds(key, from, to string) (string, string) {
	var start, end time.Time
	switch {
	case len(key) == 4:
		y, _ := strconv.Atoi(key)
		start = time.Date(y, 1, 1, 0, 0, 0, 0, time.UTC)
		end = start.AddDate(1, 0, -1)
	case strings.Contains(key, "-Q"):
		y, _ := strconv.Atoi(key[:4])
		q, _ := strconv.Atoi(key[6:])
		start = time.Date(y, time.Month(3*(q-1)+1), 1, 0, 0, 0, 0, time.UTC)
		end = start.AddDate(0, 3, -1)
	default:
		t, _ := time.Parse("2006-01", key)
		start, end = t, t.AddDate(0, 1, -1)
	}
	f, e := start.Format("2006-01-02"), end.Format("2006-01-02")
	if from > f {
		f = from
	}
	if to != "" && to < e {
		e = to
	}
	return f, e
}

// Upcoming is an activity open for public sign-up, with its places taken.
type Upcoming struct {
	Activity
	Confirmed int // tickets holding a place
}

// OpenForSignup lists the activities whose version in force (inForce: a draft correction does
// not count yet) has public sign-up open and which have not ended by now, soonest first,
// inside the subtree of unit ("" = everywhere): what a village e-station screen or a phone
// shows the public. Confirmed is the places taken, as the sign-up page counts them
// (placesTakenSQL). At most limit (1–200) rows.
func (s *Store) OpenForSignup(ctx context.Context, unit string, now time.Time, limit int) ([]Upcoming, error) {
	if limit < 1 || limit > 200 {
		limit = 50
	}
	cond, args := "1 = 1", []any{now.UTC()}
	if unit != "" {
		cond, args = region.NewScope(unit).Where("a.region_code", 2)
		args = append([]any{now.UTC()}, args...)
	}
	out, err := db.QueryAll(ctx, s.DB, func(row db.Scanner) (Upcoming, error) {
		var u Upcoming
		var err error
		u.Activity, err = scanActivity(scanPrefix{row, &u.Confirmed})
		return u, err
	}, `SELECT `+placesTakenSQL("a.series_id")+`, `+activityCols+`
		FROM activities a WHERE a.signup_open AND a.capacity > 0 AND a.ends_at > $1 AND a.deleted_at IS NULL AND `+cond+` AND `+inForce("a.")+`
		AND a.version = (SELECT MAX(b.version) FROM activities b WHERE b.series_id = a.series_id AND b.deleted_at IS NULL AND `+inForce("b.")+`)
		ORDER BY a.starts_at, a.id`+fmt.Sprintf(" LIMIT %d", limit), args...)
	if err != nil {
		return nil, fmt.Errorf("activity.OpenForSignup: %w", err)
	}
	codes := make([]string, len(out))
	for i, u := range out {
		codes[i] = u.RegionCode
	}
	names, err := s.Regions.Names(ctx, codes)
	if err != nil {
		return nil, err
	}
	for i := range out {
		out[i].RegionName = names[out[i].RegionCode]
	}
	return out, nil
}

// scanPrefix reads leading columns into extra before handing the rest to a row scanner.
type scanPrefix struct {
	row   db.Scanner
	extra any
}

func (p scanPrefix) Scan(dest ...any) error { return p.row.Scan(append([]any{p.extra}, dest...)...) }
