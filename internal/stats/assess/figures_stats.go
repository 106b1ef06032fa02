package assess

import (
	"context"
	"fmt"

	"github.com/kepu/kepu/internal/region"
	"github.com/kepu/kepu/internal/stats"
)

// Indicators reads the figures of leagues and banners from the core indicator registry
// (stats.Registry: every indicator there can be weighed, by its code, e.g. KH02, KC07, KR11)
// and the venues' figures from Records, which computes them per museum, mobile museum set and
// caravan (the core registry counts by division unit only).
type Indicators struct {
	Stats   *stats.Registry
	Records *Records
}

// Indicators lists the core registry's indicators for leagues and banners, then the venue
// figures of Records.
func (s *Indicators) Indicators() []Indicator {
	var out []Indicator
	for _, ind := range s.Stats.All() {
		out = append(out, Indicator{Code: ind.Code, Name: ind.NameZh, Unit: ind.Unit, Definition: ind.Definition, Levels: unitLevels})
	}
	for _, ind := range s.Records.Indicators() {
		if !ind.For(LevelLeague) {
			out = append(out, ind)
		}
	}
	return out
}

// Rows computes a system's rows (see Source). Units: each unit of the level inside the root
// that the scope contains, with stats values for sys.Year; a value the registry does not know
// (Value.Known false) is missing.
func (s *Indicators) Rows(ctx context.Context, scope region.Scope, sys System, codes []string) ([]Row, error) {
	if IsVenue(sys.Level) {
		return s.Records.Rows(ctx, scope, sys, codes)
	}
	var known []string
	for _, c := range codes {
		if _, ok := s.Stats.Get(c); ok {
			known = append(known, c)
		}
	}
	parents, err := s.Records.parents(ctx, sys)
	if err != nil {
		return nil, err
	}
	var rows []Row
	for _, p := range parents {
		if scope.Narrow(p).Empty() {
			continue
		}
		kids, err := s.Records.Regions.Children(ctx, p)
		if err != nil {
			return nil, err
		}
		var in []region.Unit
		for _, k := range kids {
			if scope.Contains(k.Code) {
				in = append(in, k)
			}
		}
		if len(in) == 0 {
			continue
		}
		vals := make([][]stats.Value, len(in))
		if len(known) > 0 {
			if scope.Contains(p) {
				if vals, err = s.Stats.ChildrenValues(ctx, stats.Query{Unit: p, Year: sys.Year, Scope: scope}, known...); err != nil {
					return nil, fmt.Errorf("assess.Rows: %w", err)
				}
			} else { // the caller holds only some children: ask for each one
				for i, k := range in {
					if vals[i], err = s.Stats.Values(ctx, stats.Query{Unit: k.Code, Year: sys.Year, Scope: scope}, known...); err != nil {
						return nil, fmt.Errorf("assess.Rows: %w", err)
					}
				}
			}
		}
		if len(vals) != len(in) {
			return nil, fmt.Errorf("assess.Rows: %d children valued, %d expected", len(vals), len(in))
		}
		for i, u := range in {
			row := Row{Key: u.Code, Name: u.Name, Region: u.Code, RegionName: u.Name, Figures: map[string]Figure{}}
			if u.Population != nil {
				row.Population = *u.Population
			}
			for j, code := range known {
				v := vals[i][j]
				f := Figure{Records: v.Records}
				if v.Known {
					f.Value = fp(v.Value)
				}
				row.Figures[code] = f
			}
			rows = append(rows, row)
		}
	}
	return rows, nil
}
