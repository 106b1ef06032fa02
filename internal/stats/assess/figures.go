package assess

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/kepu/kepu/internal/activity"
	"github.com/kepu/kepu/internal/region"
	"github.com/kepu/kepu/internal/registry"
)

// Indicator is one figure a system can weigh, at the levels it exists for.
type Indicator struct {
	Code       string
	Name       string // Chinese
	Unit       string // Chinese unit: 场次, 人次, 座 …
	Definition string
	Levels     []string
}

// For reports whether the indicator exists at a level.
func (ind Indicator) For(level string) bool {
	for _, l := range ind.Levels {
		if l == level {
			return true
		}
	}
	return false
}

// Figure is a subject's value of one indicator and the list of records behind it.
type Figure struct {
	Value   *float64 // nil: missing
	Records string   // URL of the records' list ("" when none is listable)
}

// Row is one unit or venue of a system with its figures.
type Row struct {
	Key        string // division code, or "<kind>-<registry id>" for a venue
	Name       string
	Region     string // the unit's or the venue's division code
	RegionName string
	Population int64             // units only; 0 = unknown
	Figures    map[string]Figure // indicator code → figure
}

// Source computes the rows of a system: every unit or venue of sys.Level inside sys.Root's
// subtree that the scope contains, for sys.Year, with the figures of codes.
type Source interface {
	Indicators() []Indicator
	Rows(ctx context.Context, scope region.Scope, sys System, codes []string) ([]Row, error)
}

func fp(v float64) *float64 { return &v }

// stockDay is the day a stock of the year holds for: its last day, or today (China date) while
// it runs.
func (s *Records) stockDay(year int) string {
	now := time.Now
	if s.Now != nil {
		now = s.Now
	}
	_, end := yearBounds(year)
	return min(end, now().In(registry.China).Format("2006-01-02"))
}

// yearBounds is the China-date span of a year.
func yearBounds(y int) (string, string) {
	return fmt.Sprintf("%d-01-01", y), fmt.Sprintf("%d-12-31", y)
}

// Records computes figures from records through the activity and registry packages' exported
// functions: the units' activity roll-ups and registry counts, and the venues' own activities,
// mobile museum stops and caravan trips.
type Records struct {
	Regions  *region.Store
	Activity *activity.Store
	Registry *registry.Store
	Now      func() time.Time // clock for the current year's stock day; time.Now when nil
}

var unitLevels = []string{LevelLeague, LevelBanner}

// unitKinds are the registry kinds counted per unit: stocks as of the end of the system's year
// (registry.Store.CountsAsOf; today while the year runs).
var unitKinds = []*registry.Kind{&registry.Museums, &registry.MobileMuseums, &registry.Caravans, &registry.EducationBases, &registry.EStations,
	&registry.VolunteerTeams, &registry.Volunteers, &registry.InformationOfficers, &registry.Associations, &registry.Experts}

// Indicators lists every figure Records computes.
func (s *Records) Indicators() []Indicator {
	out := []Indicator{
		{"act.activities", "科普活动（项）", "项", "当年已确认的活动记录数", unitLevels},
		{"act.sessions", "科普活动场次", "场次", "当年已确认活动的场次合计", unitLevels},
		{"act.declared", "活动申报人次", "人次", "当年已确认活动的申报人次合计", unitLevels},
		{"act.verified", "活动核验人次", "人次", "当年已确认活动中扫码签到的人次合计", unitLevels},
		{"act.live", "直播观看人数", "人次", "当年已确认活动的直播观看人数合计", unitLevels},
	}
	for _, k := range unitKinds {
		out = append(out, Indicator{"reg." + k.Slug, k.Name + "数", k.Unit, "年末在册的" + k.Name + "（当年未结束时为今天）", unitLevels})
	}
	m := []string{LevelMuseum}
	out = append(out,
		Indicator{"museum.sessions", "场馆展教活动场次", "场次", "当年登记场馆为该馆的展教、竞赛研学、联合活动场次", m},
		Indicator{"museum.visitors", "活动参与人次（申报）", "人次", "上述活动的申报人次合计", m},
		Indicator{"museum.verified", "活动核验人次", "人次", "上述活动中扫码签到的人次合计", m},
		Indicator{"museum.competition", "竞赛、制作、研学场次", "场次", "上述活动中科技竞赛、制作、科普研学的场次", m},
		Indicator{"museum.floor_area", "建筑面积", "平方米", "登记册中的建筑面积", m},
		Indicator{"museum.exhibits", "展品数", "件", "登记册中的展品数", m},
	)
	mm := []string{LevelMobileMuseum}
	out = append(out,
		Indicator{"mobile.stops", "巡展站点数", "站", "当年开始的巡展站点数", mm},
		Indicator{"mobile.visitors", "巡展参观人次", "人次", "当年开始的巡展站点参观人次合计", mm},
		Indicator{"mobile.school_groups", "学校团体", "个", "当年巡展接待的学校团体合计", mm},
		Indicator{"mobile.faults_fixed", "展品修复", "次", "当年巡展中修复展品的次数", mm},
		Indicator{"mobile.exhibits", "展品数", "件", "登记册中该套展品数", mm},
	)
	cv := []string{LevelCaravan}
	out = append(out,
		Indicator{"caravan.trips", "出车次数", "次", "当年的出车记录数", cv},
		Indicator{"caravan.activities", "开展活动场次", "场", "当年出车开展的活动场次合计", cv},
		Indicator{"caravan.attendance", "参加人次", "人次", "当年出车活动的参加人次合计", cv},
		Indicator{"caravan.km", "行驶里程", "公里", "当年出车行驶里程合计", cv},
		Indicator{"caravan.materials", "发放资料", "份", "当年发放资料份数合计", cv},
	)
	return out
}

// Rows computes the rows of a system (see Source).
func (s *Records) Rows(ctx context.Context, scope region.Scope, sys System, codes []string) ([]Row, error) {
	switch sys.Level {
	case LevelLeague, LevelBanner:
		return s.unitRows(ctx, scope, sys)
	case LevelMuseum:
		return s.museumRows(ctx, scope, sys)
	case LevelMobileMuseum:
		return s.mobileRows(ctx, scope, sys)
	case LevelCaravan:
		return s.caravanRows(ctx, scope, sys)
	}
	return nil, fmt.Errorf("assess.Rows: unknown level %q", sys.Level)
}

// parents are the units whose children are the system's subjects.
func (s *Records) parents(ctx context.Context, sys System) ([]string, error) {
	if sys.Level == LevelLeague || region.LevelOf(sys.Root) == region.LevelLeague {
		return []string{sys.Root}, nil
	}
	leagues, err := s.Regions.Children(ctx, sys.Root)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, l := range leagues {
		out = append(out, l.Code)
	}
	return out, nil
}

func activityLink(f activity.Filter) string { return "/console/activities?" + f.Values().Encode() }

func (s *Records) unitRows(ctx context.Context, scope region.Scope, sys System) ([]Row, error) {
	parents, err := s.parents(ctx, sys)
	if err != nil {
		return nil, err
	}
	from, to := yearBounds(sys.Year)
	var rows []Row
	for _, p := range parents {
		if scope.Narrow(p).Empty() {
			continue
		}
		kids, err := s.Regions.Children(ctx, p)
		if err != nil {
			return nil, err
		}
		roll, err := s.Activity.Rollup(ctx, activity.Filter{Scope: scope, Region: p, From: from, To: to}, activity.ByRegion)
		if err != nil {
			return nil, fmt.Errorf("assess.Rows: %w", err)
		}
		figs := map[string]activity.RollupRow{}
		for _, r := range roll.Rows {
			figs[r.Key] = r
		}
		groupLen := 4
		if region.LevelOf(p) == region.LevelLeague {
			groupLen = 6
		}
		counts := map[string]map[string]int{}
		day := s.stockDay(sys.Year)
		for _, k := range unitKinds {
			m, err := s.Registry.CountsAsOf(ctx, k, scope.Narrow(p), groupLen, day)
			if err != nil {
				return nil, err
			}
			counts[k.Slug] = m
		}
		for _, u := range kids {
			if !scope.Contains(u.Code) {
				continue // a unit is ranked only by those whose scope holds all of it
			}
			row := Row{Key: u.Code, Name: u.Name, Region: u.Code, RegionName: u.Name, Figures: map[string]Figure{}}
			if u.Population != nil {
				row.Population = *u.Population
			}
			r, ok := figs[u.Code]
			if !ok {
				r.Filter = activity.Filter{Region: u.Code, From: from, To: to, Status: activity.Counted}
			}
			link := activityLink(r.Filter)
			row.Figures["act.activities"] = Figure{fp(float64(r.Activities)), link}
			row.Figures["act.sessions"] = Figure{fp(float64(r.Sessions)), link}
			row.Figures["act.declared"] = Figure{fp(float64(r.Declared)), link}
			row.Figures["act.verified"] = Figure{fp(float64(r.Verified)), link}
			row.Figures["act.live"] = Figure{fp(float64(r.Live)), link}
			for _, k := range unitKinds {
				row.Figures["reg."+k.Slug] = Figure{fp(float64(counts[k.Slug][u.Code[:groupLen]])), "/console/registry/" + k.Slug + "?" + url.Values{"within": {u.Code}, "asof": {day}}.Encode()}
			}
			rows = append(rows, row)
		}
	}
	return rows, nil
}

// allRecords lists every live record of a kind inside the scope and within root.
func (s *Records) allRecords(ctx context.Context, k *registry.Kind, scope region.Scope, root string) ([]registry.Record, error) {
	var out []registry.Record
	f := registry.Filter{Scope: scope, Within: root, Limit: 500}
	if !scope.Contains(root) {
		f.Within = "" // the scope lies inside root: list the scope
		if scope.Narrow(root).Empty() {
			return nil, nil
		}
		f.Scope = scope.Narrow(root)
	}
	for {
		page, err := s.Registry.List(ctx, k, f)
		if err != nil {
			return nil, err
		}
		out = append(out, page.Records...)
		if page.Next.ID == 0 {
			return out, nil
		}
		f.After = page.Next
	}
}

func num(v any) float64 {
	switch x := v.(type) {
	case int64:
		return float64(x)
	case float64:
		return x
	}
	return 0
}

// optional is a registry field's value, nil when it was not filled in.
func optional(v registry.Values, key string) *float64 {
	if _, ok := v[key]; !ok {
		return nil
	}
	return fp(num(v[key]))
}

func venueRow(kind string, r registry.Record) Row {
	return Row{Key: fmt.Sprintf("%s-%d", kind, r.ID), Name: r.Values.Str("name"), Region: r.Region(), RegionName: r.RegionName, Figures: map[string]Figure{}}
}

// museumRows: a museum's activities are the counted records of the year in the caller's scope
// that reference it as their registered venue (activity.Filter.VenueKind/VenueID, whatever
// their unit), of the types a museum holds. Names are not matched: records written before the
// reference existed were linked by migration 0016 where their venue was exactly one museum's
// name.
func (s *Records) museumRows(ctx context.Context, scope region.Scope, sys System) ([]Row, error) {
	recs, err := s.allRecords(ctx, &registry.Museums, scope, sys.Root)
	if err != nil {
		return nil, err
	}
	from, to := yearBounds(sys.Year)
	var rows []Row
	for _, r := range recs {
		row := venueRow("museum", r)
		f := activity.Filter{Scope: scope, VenueKind: registry.Museums.Slug, VenueID: r.ID, From: from, To: to}
		roll, err := s.Activity.Rollup(ctx, f, activity.ByType)
		if err != nil {
			return nil, fmt.Errorf("assess.Rows: %w", err)
		}
		var sessions, visitors, verified, comp float64
		for _, t := range roll.Rows {
			switch t.Key {
			case "exhibition", "competition", "joint":
				sessions += float64(t.Sessions)
				visitors += float64(t.Declared)
				verified += float64(t.Verified)
				if t.Key == "competition" {
					comp += float64(t.Sessions)
				}
			}
		}
		link := activityLink(roll.Base)
		row.Figures["museum.sessions"] = Figure{fp(sessions), link}
		row.Figures["museum.visitors"] = Figure{fp(visitors), link}
		row.Figures["museum.verified"] = Figure{fp(verified), link}
		cf := roll.Base
		cf.Type = "competition"
		row.Figures["museum.competition"] = Figure{fp(comp), activityLink(cf)}
		self := fmt.Sprintf("/console/registry/museums/%d", r.ID)
		row.Figures["museum.floor_area"] = Figure{optional(r.Values, "floor_area"), self}
		row.Figures["museum.exhibits"] = Figure{optional(r.Values, "exhibits"), self}
		rows = append(rows, row)
	}
	return rows, nil
}

func inYear(date string, year int) bool { return strings.HasPrefix(date, fmt.Sprintf("%d-", year)) }

func registryLink(slug, q, within string) string {
	v := url.Values{"q": {q}}
	if within != "" {
		v.Set("within", within)
	}
	return "/console/registry/" + slug + "?" + v.Encode()
}

// eventSpec says how a kind of venue is scored on the events it records in the registry (a
// mobile museum set's stops, a caravan's trips): the number of events dated in the year and the
// sums of some of their fields, each a figure linked to the events' list.
type eventSpec struct {
	venues, events *registry.Kind
	kind           string      // venueRow's kind, the prefix of the figure keys
	dateField      string      // the event's date, filtered to the system's year
	venueField     string      // the event's reference to its venue, by name
	eventsSlug     string      // the events' registry list, for the links
	countFigure    string      // the figure key of the number of events
	sums           [][2]string // figure key, event field summed
	// extra adds figures read from the venue record itself.
	extra func(row *Row, venue registry.Record)
}

// eventRows scores every venue of spec in scope on its events in the year (any unit in scope).
func (s *Records) eventRows(ctx context.Context, scope region.Scope, sys System, spec eventSpec) ([]Row, error) {
	venues, err := s.allRecords(ctx, spec.venues, scope, sys.Root)
	if err != nil || len(venues) == 0 {
		return nil, err
	}
	events, err := s.allRecords(ctx, spec.events, scope, sys.Root)
	if err != nil {
		return nil, err
	}
	by := map[string][]float64{} // venue name → event count, then one sum per spec.sums
	for _, e := range events {
		if !inYear(e.Values.Str(spec.dateField), sys.Year) {
			continue
		}
		name := e.Values.Str(spec.venueField)
		x := by[name]
		if x == nil {
			x = make([]float64, 1+len(spec.sums))
			by[name] = x
		}
		x[0]++
		for i, f := range spec.sums {
			x[1+i] += num(e.Values[f[1]])
		}
	}
	var rows []Row
	for _, r := range venues {
		row := venueRow(spec.kind, r)
		x := by[row.Name]
		if x == nil {
			x = make([]float64, 1+len(spec.sums))
		}
		link := registryLink(spec.eventsSlug, row.Name, "")
		row.Figures[spec.countFigure] = Figure{fp(x[0]), link}
		for i, f := range spec.sums {
			row.Figures[f[0]] = Figure{fp(x[1+i]), link}
		}
		if spec.extra != nil {
			spec.extra(&row, r)
		}
		rows = append(rows, row)
	}
	return rows, nil
}

// mobileRows: a set's figures are its stops that started in the year, and its exhibits.
func (s *Records) mobileRows(ctx context.Context, scope region.Scope, sys System) ([]Row, error) {
	return s.eventRows(ctx, scope, sys, eventSpec{venues: &registry.MobileMuseums, events: &registry.MobileMuseumStops, kind: "mobile",
		dateField: "start_on", venueField: "museum_set", eventsSlug: "mobile-museum-stops", countFigure: "mobile.stops",
		sums: [][2]string{{"mobile.visitors", "visitors"}, {"mobile.school_groups", "school_groups"}, {"mobile.faults_fixed", "faults_fixed"}},
		extra: func(row *Row, r registry.Record) {
			row.Figures["mobile.exhibits"] = Figure{optional(r.Values, "exhibits"), fmt.Sprintf("/console/registry/mobile-museums/%d", r.ID)}
		}})
}

// caravanRows: a caravan's figures are its trips in the year.
func (s *Records) caravanRows(ctx context.Context, scope region.Scope, sys System) ([]Row, error) {
	return s.eventRows(ctx, scope, sys, eventSpec{venues: &registry.Caravans, events: &registry.CaravanTrips, kind: "caravan",
		dateField: "trip_on", venueField: "caravan", eventsSlug: "caravan-trips", countFigure: "caravan.trips",
		sums: [][2]string{{"caravan.activities", "activities"}, {"caravan.attendance", "attendance"}, {"caravan.km", "km"}, {"caravan.materials", "materials"}}})
}

// Ranked is one subject's row and score.
type Ranked struct {
	Row
	Result
}

// Ranking is a system's scored subjects in rank order, the indicators of its items, and for
// venue levels the evidence indicators (every figure of the kind).
type Ranking struct {
	System   System
	Items    []Indicator // one per System.Items
	Evidence []Indicator // every indicator of the level
	Rows     []Ranked
}

// Engine scores systems on a Source.
type Engine struct {
	Source Source
}

// Catalogue returns the indicators usable at a level.
func (e *Engine) Catalogue(level string) []Indicator {
	var out []Indicator
	for _, ind := range e.Source.Indicators() {
		if ind.For(level) {
			out = append(out, ind)
		}
	}
	return out
}

// Known reports whether code is an indicator of level (System.Validate's check).
func (e *Engine) Known(level, code string) bool {
	for _, ind := range e.Catalogue(level) {
		if ind.Code == code {
			return true
		}
	}
	return false
}

// Rank scores a system for the caller: only the units or venues inside the caller's scope are
// scored and ranked, among themselves (min–max scales and ranks too), so a banner admin ranks
// only inside its subtree.
func (e *Engine) Rank(ctx context.Context, scope region.Scope, sys System) (Ranking, error) {
	out := Ranking{System: sys}
	byCode := map[string]Indicator{}
	for _, ind := range e.Catalogue(sys.Level) {
		byCode[ind.Code] = ind
	}
	var codes []string
	for _, it := range sys.Items {
		ind, ok := byCode[it.Code]
		if !ok {
			ind = Indicator{Code: it.Code, Name: it.Code}
		}
		out.Items = append(out.Items, ind)
		codes = append(codes, it.Code)
	}
	if IsVenue(sys.Level) {
		// Venues' evidence is every figure of their kind (a handful, computed together).
		out.Evidence = e.Catalogue(sys.Level)
		codes = codes[:0]
		for _, ind := range out.Evidence {
			codes = append(codes, ind.Code)
		}
	}
	rows, err := e.Source.Rows(ctx, scope, sys, codes)
	if err != nil {
		return out, err
	}
	subjects := make([]Subject, len(rows))
	index := map[string]int{}
	for i, r := range rows {
		s := Subject{Key: r.Key, Population: r.Population, Values: map[string]*float64{}}
		for code, f := range r.Figures {
			s.Values[code] = f.Value
		}
		subjects[i] = s
		index[r.Key] = i
	}
	for _, res := range Score(sys.Items, subjects) {
		out.Rows = append(out.Rows, Ranked{Row: rows[index[res.Key]], Result: res})
	}
	return out, nil
}

// Shortlist is the top n qualified rows of a ranking (ties at the cut all stay in, so a
// shortlist may run longer than n).
func (r Ranking) Shortlist(n int) []Ranked {
	var out []Ranked
	for _, x := range r.Rows {
		if !x.Qualified || (n > 0 && x.Rank > n) {
			break
		}
		out = append(out, x)
	}
	return out
}
