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
	dbtest.Bench(b, func(b *testing.B, d *db.DB) {
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

// BenchmarkOrderWalk measures one order's whole walk through the store: submit, review,
// dispatch, accept, start (creating its activity draft), finish and rate — seven transactions,
// each by a signed-in account as on the site (so each action also reads the account's earlier
// steps for OrderDuties): a township operator files and rates, the banner association reviews
// and dispatches, a second operator serves for the township's team.
func BenchmarkOrderWalk(b *testing.B) {
	dbtest.Bench(b, func(b *testing.B, d *db.DB) {
		ctx := context.Background()
		regions := &region.Store{DB: d}
		in := OrderInput{RegionCode: "152502001001", RequesterKind: "community", RequesterName: "赛罕社区居委会", Topic: "冬季燃气安全", Place: "活动室",
			WindowStart: time.Date(2026, 6, 10, 1, 0, 0, 0, time.UTC), WindowEnd: time.Date(2026, 6, 10, 3, 0, 0, 0, time.UTC), Audience: 80, Language: "zh"}
		st := &Store{DB: d, Regions: regions, Now: func() time.Time { return in.WindowStart.Add(30 * time.Minute) }}
		reg := &registry.Store{DB: d, Regions: regions}
		accounts := &account.Store{DB: d, Regions: regions}
		hash, err := account.HashPassword("bench-password")
		if err != nil {
			b.Fatal(err)
		}
		staff := func(name string, role account.Role, code string) *account.Principal {
			p := &account.Principal{Username: name, Grants: []account.Grant{{Role: role, RegionCode: code}}}
			if p.ID, err = accounts.Create(ctx, account.NewAccount{Username: name, DisplayName: name, Phone: "13912345678", PasswordHash: hash, Grants: p.Grants}); err != nil {
				b.Fatal(err)
			}
			return p
		}
		requester, banner, server := staff("req", account.TownshipOperator, "152502001"), staff("banner", account.BannerAdmin, "152502"),
			staff("team", account.TownshipOperator, "152502001")
		team, err := reg.Create(ctx, &registry.VolunteerTeams, region.NewScope("150000"), 0, registry.Values{"name": "希日塔拉街道科技志愿服务队", "region_code": "152502001"})
		if err != nil {
			b.Fatal(err)
		}
		steps := []struct {
			who *account.Principal
			st  OrderStep
		}{{banner, OrderStep{Action: ActReview}}, {banner, OrderStep{Action: ActDispatch, TeamKind: registry.TeamVolunteer, TeamID: team}},
			{server, OrderStep{Action: ActAccept}}, {server, OrderStep{Action: ActStart}}, {server, OrderStep{Action: ActFinish, Report: "讲座一场"}},
			{requester, OrderStep{Action: ActRate, Rating: 5}}}
		for b.Loop() {
			id, err := st.SubmitOrder(ctx, requester, requester.ID, in)
			if err != nil {
				b.Fatal(err)
			}
			for _, s := range steps {
				if err := st.ActOnOrder(ctx, reg, s.who, s.who.ID, id, s.st); err != nil {
					b.Fatal(err)
				}
			}
		}
	})
}
