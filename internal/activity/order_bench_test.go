package activity

import (
	"context"
	"database/sql"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/kepu/kepu/internal/account"
	"github.com/kepu/kepu/internal/db"
	"github.com/kepu/kepu/internal/db/dbtest"
	"github.com/kepu/kepu/internal/region"
	"github.com/kepu/kepu/internal/registry"
)

// benchOrders is how many orders the list benchmark holds: about a decade of a busy province
// (the demo files 300 a year), so that a scan of the whole table would show.
const benchOrders = 50_000

// seedBenchOrders writes benchOrders orders over every township and village, 70% of them
// dispatched to a team in a township of the same league.
func seedBenchOrders(b *testing.B, d *db.DB) {
	b.Helper()
	ctx := context.Background()
	regions := &region.Store{DB: d}
	towns, err := regions.UnitsAt(ctx, region.LevelTownship)
	if err != nil {
		b.Fatal(err)
	}
	villages, err := regions.UnitsAt(ctx, region.LevelVillage)
	if err != nil {
		b.Fatal(err)
	}
	units := append(append([]region.Unit{}, towns...), villages...)
	r := rand.New(rand.NewPCG(1, 1))
	at := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	var rows [][]any
	for i := range benchOrders {
		u := units[r.IntN(len(units))]
		status := OrderStates[r.IntN(len(OrderStates))]
		var kind, team, teamRegion any
		if r.IntN(10) < 7 {
			kind, team, teamRegion = registry.TeamVolunteer, int64(1+r.IntN(1500)), towns[r.IntN(len(towns))].Code
		}
		rows = append(rows, []any{u.Code, "township", u.Name, fmt.Sprintf("主题%d", i), "会议室", at, at.Add(time.Hour), 50, "zh", status, kind, team, teamRegion, at, at})
	}
	err = d.Tx(ctx, func(tx *sql.Tx) error {
		return db.BulkInsert(ctx, tx, d.Dialect, "service_orders", []string{"region_code", "requester_kind", "requester_name", "topic", "place",
			"window_start", "window_end", "audience", "language", "status", "team_kind", "team_id", "team_region_code", "created_at", "updated_at"}, rows, "")
	})
	if err != nil {
		b.Fatal(err)
	}
	if d.Dialect == db.Postgres {
		d.ExecContext(ctx, `ANALYZE service_orders`)
	} else {
		d.ExecContext(ctx, `ANALYZE`)
	}
}

// BenchmarkOrderList measures the first page (50) of the order list — orders whose unit or
// team's unit is in scope — for the region admin, a league, a banner and a township, without
// and with a status filter.
func BenchmarkOrderList(b *testing.B) {
	for _, name := range []string{"sqlite", "postgres"} {
		b.Run(name, func(b *testing.B) {
			var d *db.DB
			if name == "sqlite" {
				d = dbtest.SQLite(b)
			} else {
				d = dbtest.Postgres(b)
			}
			seedBenchOrders(b, d)
			st := &Store{DB: d, Regions: &region.Store{DB: d}}
			for _, who := range []struct{ name, code string }{{"region", "150000"}, {"league", "152500"}, {"banner", "152502"}, {"township", "152502001"}} {
				for _, status := range []string{"", OrderDone} {
					b.Run(fmt.Sprintf("%s/status=%s", who.name, status), func(b *testing.B) {
						f := OrderFilter{Scope: region.NewScope(who.code), Status: status}
						for b.Loop() {
							if _, _, err := st.Orders(context.Background(), f); err != nil {
								b.Fatal(err)
							}
						}
					})
				}
			}
		})
	}
}

// BenchmarkOrderWalk measures one order's whole walk through the store: submit, review,
// dispatch, accept, start (creating its activity draft), finish and rate — seven transactions.
func BenchmarkOrderWalk(b *testing.B) {
	for _, name := range []string{"sqlite", "postgres"} {
		b.Run(name, func(b *testing.B) {
			var d *db.DB
			if name == "sqlite" {
				d = dbtest.SQLite(b)
			} else {
				d = dbtest.Postgres(b)
			}
			ctx := context.Background()
			regions := &region.Store{DB: d}
			st := &Store{DB: d, Regions: regions}
			reg := &registry.Store{DB: d, Regions: regions}
			team, err := reg.Create(ctx, &registry.VolunteerTeams, region.NewScope("150000"), 0, registry.Values{"name": "希日塔拉街道科技志愿服务队", "region_code": "152502001"})
			if err != nil {
				b.Fatal(err)
			}
			who := &account.Principal{Grants: []account.Grant{{Role: account.BannerAdmin, RegionCode: "152502"}}}
			in := OrderInput{RegionCode: "152502001001", RequesterKind: "community", RequesterName: "赛罕社区居委会", Topic: "冬季燃气安全", Place: "活动室",
				WindowStart: time.Date(2026, 6, 10, 1, 0, 0, 0, time.UTC), WindowEnd: time.Date(2026, 6, 10, 3, 0, 0, 0, time.UTC), Audience: 80, Language: "zh"}
			steps := []OrderStep{{Action: ActReview}, {Action: ActDispatch, TeamKind: registry.TeamVolunteer, TeamID: team}, {Action: ActAccept},
				{Action: ActStart}, {Action: ActFinish, Report: "讲座一场"}, {Action: ActRate, Rating: 5}}
			for b.Loop() {
				id, err := st.SubmitOrder(ctx, who, 0, in)
				if err != nil {
					b.Fatal(err)
				}
				for _, s := range steps {
					if err := st.ActOnOrder(ctx, reg, who, 0, id, s); err != nil {
						b.Fatal(err)
					}
				}
			}
		})
	}
}
