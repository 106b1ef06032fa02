package registry

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/kepu/kepu/internal/db"
	"github.com/kepu/kepu/internal/demo"
	"github.com/kepu/kepu/internal/region"
)

// Demo sizes, from ../shared/reference/seed-indicators.csv: museums at banner level and above
// ("90 more than"), region-level education bases (177), information officers (580,000).
const (
	DemoMuseums  = 92
	DemoBases    = 177
	DemoOfficers = 580_000
)

// DemoStep adds the registry to the demo network: museums (one region museum, one per league,
// the rest in banners; 49 with libraries), education bases, and information officers spread
// over the villages in proportion to their (demo) population.
func DemoStep() demo.Step {
	return demo.Step{Name: "registry", Work: DemoOfficers/1000 + 10, Run: func(ctx context.Context, g *demo.Generator) error {
		regions := &region.Store{DB: g.DB}
		leagues, err := regions.UnitsAt(ctx, region.LevelLeague)
		if err != nil {
			return err
		}
		banners, err := regions.UnitsAt(ctx, region.LevelBanner)
		if err != nil {
			return err
		}
		villages, err := regions.UnitsAt(ctx, region.LevelVillage)
		if err != nil {
			return err
		}
		r := g.Rand
		now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
		common := []string{"created_at", "updated_at"}
		return g.DB.Tx(ctx, func(tx *sql.Tx) error {
			// Museums.
			var museums [][]any
			add := func(code, name, tier string, area float64) {
				lib := len(museums) < 49
				var holdings any
				if lib {
					holdings = int64(2000 + r.IntN(30000))
				}
				museums = append(museums, []any{name, code, tier, area, int64(50 + r.IntN(400)), "open", r.IntN(3) == 0, lib, lib, holdings, "", now, now})
			}
			add("150105", "内蒙古科技馆", "region", 48000)
			for _, l := range leagues {
				add(l.Code, l.Name+"科技馆", "league", float64(5000+r.IntN(15000)))
			}
			perm := r.Perm(len(banners))
			for _, i := range perm[:max(0, min(len(perm), g.N(DemoMuseums)-1-len(leagues)))] {
				add(banners[i].Code, banners[i].Name+"科技馆", "banner", float64(1000+r.IntN(5000)))
			}
			r.Shuffle(len(museums), func(i, j int) { museums[i], museums[j] = museums[j], museums[i] })
			if err := db.BulkInsert(ctx, tx, g.DB.Dialect, Museums.Table, append(Museums.columns(), common...), museums, ""); err != nil {
				return err
			}
			// Education bases.
			kinds := []struct{ suffix, category string }{{"自然保护区", "nature"}, {"农牧业科技园", "production"}, {"气象科普馆", "venue"},
				{"地质博物馆", "venue"}, {"现代农业示范园", "production"}, {"草原生态研究站", "research"}, {"数字科普馆", "online"}, {"森林公园", "nature"}}
			var bases [][]any
			for i := range g.N(DemoBases) {
				b := banners[r.IntN(len(banners))]
				kd := kinds[r.IntN(len(kinds))]
				on := time.Date(2018+r.IntN(8), time.Month(1+r.IntN(12)), 1+r.IntN(28), 0, 0, 0, 0, time.UTC)
				bases = append(bases, []any{fmt.Sprintf("%s%s（%d号）", b.Name, kd.suffix, i+1), b.Code, kd.category, on.Format("2006-01-02"), "", now, now})
			}
			if err := db.BulkInsert(ctx, tx, g.DB.Dialect, EducationBases.Table, append(EducationBases.columns(), common...), bases, ""); err != nil {
				return err
			}
			g.Tick(10)
			// Information officers, in batches, over the villages by population.
			var total int64
			for _, v := range villages {
				total += pop(v)
			}
			officers := g.N(DemoOfficers)
			counts := make([]int, len(villages))
			given := 0
			for i, v := range villages {
				counts[i] = int(int64(officers) * pop(v) / max(total, 1))
				given += counts[i]
			}
			for given < officers {
				counts[r.IntN(len(counts))]++
				given++
			}
			const batch = 5000
			rows := make([][]any, 0, batch)
			n := 0
			flush := func() error {
				if err := db.BulkInsert(ctx, tx, g.DB.Dialect, InformationOfficers.Table, append(InformationOfficers.columns(), common...), rows, ""); err != nil {
					return err
				}
				g.Tick(len(rows) / 1000)
				rows = rows[:0]
				return nil
			}
			for i, v := range villages {
				for range counts[i] {
					status := "active"
					if r.IntN(100) < 3 {
						status = "inactive"
					}
					on := time.Date(2019, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, r.IntN(1460))
					rows = append(rows, []any{demo.PersonName(r), demoPhone(n), v.Code, on.Format("2006-01-02"), status, now, now})
					n++
					if len(rows) == batch {
						if err := flush(); err != nil {
							return err
						}
					}
				}
			}
			if len(rows) > 0 {
				return flush()
			}
			return nil
		})
	}}
}

func pop(u region.Unit) int64 {
	if u.Population != nil && *u.Population > 0 {
		return *u.Population
	}
	return 1000
}

// demoPhone returns the n-th of a sequence of distinct 11-digit mobile numbers that looks
// random: n times an odd constant, modulo 10^8, is a bijection on 0…10^8-1.
func demoPhone(n int) string {
	prefixes := []string{"139", "138", "137", "136", "135", "150", "151", "152", "158", "159", "186", "187", "188", "189", "133", "153"}
	p := prefixes[n%len(prefixes)]
	return fmt.Sprintf("%s%08d", p, (uint64(n/len(prefixes))*48271+12345)%100_000_000)
}
