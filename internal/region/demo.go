package region

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/kepu/kepu/internal/db"
	"github.com/kepu/kepu/internal/demo"
)

// leaguePopulation2020 holds the resident population of Inner Mongolia's leagues and cities at
// the 7th national census (2020 公报; region total 24,049,155). The demo splits each at random
// among the units below, so only the league totals are real.
var leaguePopulation2020 = map[string]int64{
	"150100": 3446100, "150200": 2709378, "150300": 556621, "150400": 4035967,
	"150500": 2873168, "150600": 2153638, "150700": 2242875, "150800": 1538715,
	"150900": 1706328, "152200": 1416929, "152500": 1107075, "152900": 262361,
}

// DemoStep fills every unit's population figure (year 2020): league totals from the census,
// lower levels split at random among their children. Units of provinces other than Inner
// Mongolia get a random league total.
func DemoStep() demo.Step {
	return demo.Step{Name: "regions", Work: 100, Run: func(ctx context.Context, g *demo.Generator) error {
		st := &Store{DB: g.DB}
		roots, err := st.Roots(ctx)
		if err != nil {
			return err
		}
		rows, err := g.DB.QueryContext(ctx, `SELECT code, parent_code FROM regions WHERE level > 1 ORDER BY level, code`)
		if err != nil {
			return db.Map(err)
		}
		children := map[string][]string{}
		for rows.Next() {
			var c, p string
			if err := rows.Scan(&c, &p); err != nil {
				rows.Close()
				return err
			}
			children[p] = append(children[p], c)
		}
		rows.Close()
		pop := map[string]int64{}
		var walk func(code string)
		walk = func(code string) {
			kids := children[code]
			for i, n := range demo.Split(g.Rand, pop[code], len(kids)) {
				pop[kids[i]] = n
				walk(kids[i])
			}
		}
		for _, r := range roots {
			var total int64
			for _, l := range children[r.Code] {
				p, ok := leaguePopulation2020[l]
				if !ok {
					p = 500_000 + g.Rand.Int64N(4_000_000)
				}
				pop[l] = p
				total += p
				walk(l)
			}
			pop[r.Code] = total
		}
		g.Tick(20)
		codes := make([]string, 0, len(pop))
		for c := range pop {
			codes = append(codes, c)
		}
		done := 20
		return g.DB.Tx(ctx, func(tx *sql.Tx) error {
			const batch = 500
			for start := 0; start < len(codes); start += batch {
				end := min(start+batch, len(codes))
				var vals []string
				var args []any
				for _, c := range codes[start:end] {
					vals = append(vals, fmt.Sprintf("(%s, CAST(%s AS BIGINT))", g.DB.Dialect.Placeholder(len(args)+1), g.DB.Dialect.Placeholder(len(args)+2)))
					args = append(args, c, pop[c])
				}
				q := `WITH v(code, pop) AS (VALUES ` + strings.Join(vals, ", ") + `)
					UPDATE regions SET population = v.pop, population_year = 2020 FROM v WHERE regions.code = v.code`
				if _, err := tx.ExecContext(ctx, q, args...); err != nil {
					return fmt.Errorf("demo populations: %w", db.Map(err))
				}
				g.Tick(20 + 80*end/len(codes) - done)
				done = 20 + 80*end/len(codes)
			}
			return nil
		})
	}}
}
