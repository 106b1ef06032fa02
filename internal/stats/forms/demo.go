package forms

import (
	"context"
	"fmt"
	"math/rand/v2"

	"github.com/kepu/kepu/internal/demo"
	"github.com/kepu/kepu/internal/region"
	"github.com/kepu/kepu/internal/registry"
)

// DemoYear is the demo network's current year: its forms are in progress, last year's
// (DemoYear-1) are filed and accepted for a sample of units.
const DemoYear = 2026

// DemoStep files the demo forms: for the region, every league, a third of the banners, one
// township in twenty and half the science museums, last year's form accepted (figures
// consistent with the layout's rules); for a part of them this year's form is open, some
// saved, some submitted, one in ten returned with reasons. The region's and the leagues' forms
// of this year are filed and accepted (the report of the demo year reads them): they carry
// the seed's declared figures (demoDeclared), last year's at about 85% of them.
func DemoStep() demo.Step {
	return demo.Step{Name: "forms", Work: 10, Run: func(ctx context.Context, g *demo.Generator) error {
		regions := &region.Store{DB: g.DB}
		s := &Store{DB: g.DB, Regions: regions, Registry: &registry.Store{DB: g.DB, Regions: regions}}
		root, err := regions.Roots(ctx)
		if err != nil || len(root) == 0 {
			return err
		}
		units, err := s.Units(ctx, region.NewScope(root[0].Code), "")
		if err != nil {
			return err
		}
		r := g.Rand
		var sample []Unit
		for _, u := range units {
			keep := false
			switch {
			case u.Kind == Venue:
				keep = r.IntN(2) == 0
			case region.LevelOf(u.Region) <= region.LevelLeague:
				keep = true
			case region.LevelOf(u.Region) == region.LevelBanner:
				keep = r.IntN(3) == 0
			default:
				keep = r.IntN(20) == 0
			}
			if keep {
				sample = append(sample, u)
			}
		}
		g.Tick(1)
		for i, u := range sample {
			base := demoFigures(r, u)
			declared := demoDeclared(u)
			for code, v := range declared {
				if base[code] = v * 85 / 100; base[code] == 0 || Changed(v, base[code]) {
					base[code] = v // a small count: the same as this year's
				}
			}
			fixProgramme(base)
			last, err := s.Open(ctx, u, DemoYear-1, 0)
			if err != nil {
				return err
			}
			if err := s.Save(ctx, last.ID, 0, base, nil); err != nil {
				return err
			}
			last.Figures, last.Status = base, Draft
			if _, err := s.Submit(ctx, last, 0); err != nil {
				return err
			}
			if err := s.Review(ctx, last.ID, 0, true, ""); err != nil {
				return err
			}
			if declared == nil && r.IntN(3) == 0 {
				continue // this year's not started
			}
			cur, err := s.Open(ctx, u, DemoYear, 0)
			if err != nil {
				return err
			}
			figs := Figures{}
			for code, v := range base {
				figs[code] = v
			}
			grow(r, figs)
			for code, v := range declared {
				figs[code] = v
			}
			fixProgramme(figs)
			if err := s.Save(ctx, cur.ID, 0, figs, nil); err != nil {
				return err
			}
			if declared == nil && r.IntN(2) == 0 {
				continue // saved, being filled in
			}
			cur.Figures, cur.Status = figs, Draft
			if probs, err := s.Submit(ctx, cur, 0); err != nil {
				return fmt.Errorf("forms demo: %s: %w %v", u.Key, err, probs)
			}
			if declared != nil {
				if err := s.Review(ctx, cur.ID, 0, true, ""); err != nil {
					return err
				}
				continue
			}
			if r.IntN(10) == 0 {
				if err := s.Review(ctx, cur.ID, 0, false, "科普经费使用额与财务决算不一致，请核对后重新提交。"); err != nil {
					return err
				}
			}
			if i%max(1, len(sample)/8) == 0 {
				g.Tick(1)
			}
		}
		return nil
	}}
}

// demoFigures are one unit's figures that satisfy Check: totals first, then parts that sum to
// at most the total, "其中" lines at most their parent.
func demoFigures(r *rand.Rand, u Unit) Figures {
	scale := int64(1)
	switch {
	case u.Kind == Venue:
		scale = 3
	case region.LevelOf(u.Region) == region.LevelRegion:
		scale = 40
	case region.LevelOf(u.Region) == region.LevelLeague:
		scale = 12
	case region.LevelOf(u.Region) == region.LevelBanner:
		scale = 4
	}
	n := func(lo, hi int64) int64 { return (lo + r.Int64N(hi-lo+1)) * scale }
	part := func(total int64, pct int) int64 { return total * int64(pct) / 100 }
	f := Figures{}
	f["KR02"], f["KR03"] = n(2, 8), n(5, 30)
	f["KR00"] = f["KR02"] + f["KR03"]
	f["KR12"], f["KR13"] = part(f["KR02"], 40+r.IntN(40)), part(f["KR02"], 30+r.IntN(40))
	f["KR14"], f["KR15"] = part(f["KR03"], 20+r.IntN(50)), part(f["KR03"], 30+r.IntN(40))
	f["KR16"], f["KR04"], f["KR05"] = f["KR03"]*int64(2+r.IntN(4)), n(1, 10), n(20, 200)
	if u.Kind == Venue {
		f["KC01"], f["KC11"] = 1, 2000+r.Int64N(12000)
		f["KC12"], f["KC14"] = part(f["KC11"], 50+r.IntN(30)), 5000+r.Int64N(120000)
		f["KC15"], f["KC13"] = part(f["KC14"], 30+r.IntN(40)), 100+r.Int64N(300)
	} else {
		f["KC05"], f["KC07"], f["KC03"] = n(0, 3), n(2, 20), n(0, 1)
	}
	f["KJ02"], f["KJ04"], f["KJ05"], f["KJ06"] = n(100_000, 900_000), n(0, 50_000), n(10_000, 200_000), n(0, 20_000)
	f["KJ01"] = f["KJ02"] + f["KJ04"] + f["KJ05"] + f["KJ06"]
	f["KJ03"] = part(f["KJ02"], 30+r.IntN(50))
	spend := part(f["KJ01"], 80+r.IntN(20))
	f["KJ14"], f["KJ12"], f["KJ13"], f["KJ15"] = part(spend, 10), part(spend, 60), part(spend, 20), part(spend, 10)
	f["KJ16"] = part(f["KJ13"], 70)
	f["KJ11"] = f["KJ14"] + f["KJ12"] + f["KJ13"] + f["KJ15"]
	f["KM16"], f["KM17"], f["KM05"], f["KM06"] = n(0, 1), n(1, 3), n(5, 60), n(20, 300)
	for i := 31; i <= 37; i += 2 {
		c := n(1, 20)
		f[code("KH", i)], f[code("KH", i+1)] = c, c*(30+r.Int64N(200))
	}
	f["KH26"], f["KH21"] = n(1, 5), n(0, 6)
	f["KH02"] = f["KH31"] + f["KH33"] + f["KH35"] + f["KH37"] + f["KH26"]
	f["KH03"] = f["KH32"] + f["KH34"] + f["KH36"] + f["KH38"]
	f["KH04"] = part(f["KH03"], 10+r.IntN(30))
	return f
}

func code(prefix string, i int) string {
	return prefix + string(rune('0'+i/10)) + string(rune('0'+i%10))
}

// grow raises every line by the same 0–30% (rounded down, so parts still sum to at most their
// total and no line, however small, changes by more than YoYThreshold).
func grow(r *rand.Rand, f Figures) {
	pct := int64(100 + r.IntN(31))
	for c, v := range f {
		if c == "KC01" {
			continue
		}
		f[c] = v * pct / 100
	}
}

// demoDeclared are the seed's declared figures (../shared/reference/seed-indicators.csv) as the
// demo's region and league associations file them for the demo year, so that the region's sum
// of accepted forms reads like the seed: the region association alone files the museum society
// (42 venues), the topic reads (4,616,000), the 4K TV platform (3,100,000 households,
// 2,167,000 clicks); the newspaper pages (20多: 11 + 12 × 1 = 23), articles (60多: 40 + 12 × 2 =
// 64), experts sent (600多: 300 + 12 × 27 = 624) and live streams (100多: 60 + 12 × 4 = 108)
// are split between the region and its 12 leagues. Other units file none (nil).
func demoDeclared(u Unit) Figures {
	if u.Kind != Association {
		return nil
	}
	switch region.LevelOf(u.Region) {
	case region.LevelRegion:
		return Figures{"X01": 42, "X02": 4_616_000, "X03": 11, "X04": 40, "X05": 3_100_000, "X06": 2_167_000, "X07": 300, "X08": 60}
	case region.LevelLeague:
		return Figures{"X03": 1, "X04": 2, "X07": 27, "X08": 4}
	}
	return nil
}

// fixProgramme makes the hundred-experts programme's sessions (KH23) at least a dozen times
// its live streams (X08 is a "其中" line of KH23), as the seed's 1,500 sessions to 100 streams.
func fixProgramme(f Figures) {
	if n, ok := f["X08"]; ok && f["KH23"] < n*12 {
		f["KH23"] = n * 15
	}
}
