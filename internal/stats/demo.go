package stats

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/kepu/kepu/internal/db"
	"github.com/kepu/kepu/internal/demo"
	"github.com/kepu/kepu/internal/region"
)

// demoBudget is a year's income in yuan by level, in the style of a regional association's
// accounts: the region's own budget, a league's and a banner's (each unit draws around it).
var demoBudget = map[region.Level]int64{region.LevelRegion: 30_000_000, region.LevelLeague: 3_000_000, region.LevelBanner: 500_000}

// DemoStep adds a year (2026, to 28 November, like the activity demo) of funds-ledger entries
// for the region, every league and every banner: government grants each quarter (about 70% of
// income), special funds twice a year (about 20%), a few donations and self-raised funds, and
// monthly spending by use that comes to 80–95% of income. Scale thins the banners.
func DemoStep() demo.Step {
	return demo.Step{Name: "stats", Work: 1, Run: func(ctx context.Context, g *demo.Generator) error {
		regions := &region.Store{DB: g.DB}
		var units []region.Unit
		for _, l := range []region.Level{region.LevelRegion, region.LevelLeague, region.LevelBanner} {
			us, err := regions.UnitsAt(ctx, l)
			if err != nil {
				return err
			}
			if l == region.LevelBanner {
				n := g.N(len(us))
				us = us[:min(n, len(us))]
			}
			units = append(units, us...)
		}
		err := g.DB.Tx(ctx, func(tx *sql.Tx) error { return demoFunds(ctx, tx, g, units) })
		g.Tick(1)
		return err
	}}
}

func demoFunds(ctx context.Context, tx *sql.Tx, g *demo.Generator, units []region.Unit) error {
	r := g.Rand
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, china)
	const days = 331 // to 28 November
	now := time.Date(2026, 11, 28, 18, 0, 0, 0, china).UTC()
	var rows [][]any
	add := func(code, cat string, fen int64, day int, note string) {
		if fen <= 0 {
			return
		}
		c, _ := FundCategoryOf(cat)
		rows = append(rows, []any{code, c.Direction, cat, fen, start.AddDate(0, 0, min(day, days-1)).Format("2006-01-02"), note, now})
	}
	for _, u := range units {
		budget := demoBudget[u.Level] * 100 // fen
		budget = budget*int64(70+r.IntN(61))/100 + int64(r.IntN(100))
		gov := budget * 70 / 100
		for q, part := range demo.Split(r, gov, 4) {
			add(u.Code, "government", part, q*91+r.IntN(20), fmt.Sprintf("%d 年第 %d 季度财政拨款", 2026, q+1))
		}
		for h, part := range demo.Split(r, budget*20/100, 2) {
			add(u.Code, "special", part, h*160+60+r.IntN(30), "科普专项经费")
		}
		for _, part := range demo.Split(r, budget*4/100, 1+r.IntN(3)) {
			add(u.Code, "donation", part, r.IntN(days), "企业捐赠")
		}
		add(u.Code, "self-raised", budget*5/100, 150+r.IntN(60), "自筹资金")
		add(u.Code, "other-income", budget*1/100, 300+r.IntN(30), "其他收入")
		spend := budget * int64(80+r.IntN(16)) / 100
		uses := []struct {
			cat   string
			share int64
			note  string
		}{{"activities", 55, "科普活动"}, {"venues", 25, "场馆展品更新"}, {"operations", 15, "办公运行"}, {"other-spending", 5, "其他"}}
		for _, use := range uses {
			for m, part := range demo.Split(r, spend*use.share/100, 11) {
				add(u.Code, use.cat, part, m*30+r.IntN(28), use.note)
			}
		}
	}
	return db.BulkInsert(ctx, tx, g.DB.Dialect, "stats_fund_entries", []string{"region_code", "direction", "category", "amount_fen", "booked_on", "note", "created_at"}, rows, "")
}
