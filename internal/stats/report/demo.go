package report

import (
	"context"

	"github.com/kepu/kepu/internal/demo"
	"github.com/kepu/kepu/internal/stats"
)

// DemoYear is the demo network's year (the activity demo's).
const DemoYear = 2026

// seedRanks are the national ranks the seed report states, by the seed-indicators.csv
// "indicator" (../shared/reference/seed-indicators.csv, column national_rank).
var seedRanks = map[string]int{
	"science and technology museums at banner level and above":        1,
	"mobile science museum sets":                                      2,
	"science caravans":                                                3,
	"science volunteer teams":                                         6,
	"science volunteers":                                              6,
	"science information officers":                                    7,
	"items shared by information officers from the national platform": 4,
}

// DemoStep enters the seed's national ranks for the region and the demo year, as an operator
// would, so that the demo report says "排在全国第1位" where the seed does.
func DemoStep() demo.Step {
	return demo.Step{Name: "report", Work: 1, Run: func(ctx context.Context, g *demo.Generator) error {
		ranks := map[string]int{}
		for _, ind := range stats.New(stats.Deps{}).All() {
			if r, ok := seedRanks[ind.Seed]; ok {
				ranks[ind.Code] = r
			}
		}
		g.Tick(1)
		return (&Ranks{DB: g.DB}).Set(ctx, "150000", DemoYear, ranks)
	}}
}
