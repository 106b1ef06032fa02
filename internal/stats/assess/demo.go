package assess

import (
	"context"
	"fmt"

	"github.com/kepu/kepu/internal/demo"
	"github.com/kepu/kepu/internal/region"
)

// DemoYear is the demo network's activity year; DemoVenueYear is the last year of the demo
// registry's mobile museum stops and caravan trips (2018–2022 and 2020–2022), which the
// mobile museum and caravan awards rank.
const (
	DemoYear      = 2026
	DemoVenueYear = 2022
)

func one(v float64) *float64 { return &v }

// DemoSystems are the demo network's indicator systems: one for leagues and one for banners
// in the demo year, and the seed's three award selections.
func DemoSystems(root string) []System {
	return []System{
		{Name: fmt.Sprintf("%d年盟市科普工作考核", DemoYear), Year: DemoYear, Level: LevelLeague, Root: root, Items: []Item{
			{Code: "KH02", Weight: 30, Norm: MinMax}, {Code: "KH03", Weight: 30, Norm: Per10kMinMax},
			{Code: "KC07", Weight: 20, Norm: MinMax}, {Code: "KR05", Weight: 20, Norm: MinMax}}},
		{Name: fmt.Sprintf("%d年旗县科普工作考核", DemoYear), Year: DemoYear, Level: LevelBanner, Root: root, Items: []Item{
			{Code: "KH02", Weight: 40, Norm: MinMax, Minimum: one(1)}, {Code: "KH03", Weight: 30, Norm: MinMax},
			{Code: "KR11", Weight: 30, Norm: Per10kMinMax}}},
		{Name: fmt.Sprintf("%d年二十佳科技馆评选", DemoYear), Year: DemoYear, Level: LevelMuseum, Root: root, Award: "museums20", TopN: 20, Items: []Item{
			{Code: "museum.sessions", Weight: 40, Norm: MinMax, Minimum: one(1)}, {Code: "museum.visitors", Weight: 40, Norm: MinMax},
			{Code: "museum.competition", Weight: 10, Norm: MinMax}, {Code: "museum.exhibits", Weight: 10, Norm: MinMax}}},
		{Name: fmt.Sprintf("%d年十佳流动科技馆评选", DemoVenueYear), Year: DemoVenueYear, Level: LevelMobileMuseum, Root: root, Award: "mobile10", TopN: 10, Items: []Item{
			{Code: "mobile.visitors", Weight: 50, Norm: MinMax, Minimum: one(1)}, {Code: "mobile.stops", Weight: 30, Norm: MinMax},
			{Code: "mobile.school_groups", Weight: 20, Norm: MinMax}}},
		{Name: fmt.Sprintf("%d年二十佳科普大篷车评选", DemoVenueYear), Year: DemoVenueYear, Level: LevelCaravan, Root: root, Award: "caravans20", TopN: 20, Items: []Item{
			{Code: "caravan.activities", Weight: 40, Norm: MinMax, Minimum: one(1)}, {Code: "caravan.attendance", Weight: 40, Norm: MinMax},
			{Code: "caravan.trips", Weight: 20, Norm: MinMax}}},
	}
}

// DemoStep adds DemoSystems for the region; the scores are computed from the demo records
// whenever a page asks.
func DemoStep() demo.Step {
	return demo.Step{Name: "assess", Work: 5, Run: func(ctx context.Context, g *demo.Generator) error {
		regions := &region.Store{DB: g.DB}
		roots, err := regions.UnitsAt(ctx, region.LevelRegion)
		if err != nil {
			return err
		}
		if len(roots) == 0 {
			return fmt.Errorf("assess demo: no region loaded")
		}
		st := &Store{DB: g.DB, Regions: regions}
		for _, sys := range DemoSystems(roots[0].Code) {
			if errs := sys.Validate(nil); errs != nil {
				return fmt.Errorf("assess demo %s: %v", sys.Name, errs)
			}
			if _, err := st.Save(ctx, region.NewScope(roots[0].Code), 0, sys); err != nil {
				return err
			}
			g.Tick(1)
		}
		return nil
	}}
}
