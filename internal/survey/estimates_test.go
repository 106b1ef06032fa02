package survey

import (
	"context"
	"database/sql"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/kepu/kepu/internal/db"
	"github.com/kepu/kepu/internal/db/dbtest"
	"github.com/kepu/kepu/internal/region"
)

// A stored estimate is served only while nothing that it was computed from has changed: after
// every kind of write that can change a survey's estimate (a response online, by interview, by
// import, edited, deleted; the margins replaced, cleared; the survey's scoring changed) the
// report equals one computed afresh from the rows, for the whole region and a league, raked
// and not. Before each write the stored reports are overwritten with a planted figure (N = -1)
// at the survey's current version, and the test first checks that the planted figure is what
// Report serves: so a write that failed to make the store stale would serve the planted figure
// and fail the comparison.
func TestStoredEstimateFollowsEveryWrite(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		ctx, s := context.Background(), newStore(d)
		id, err := s.Create(ctx, all, 0, Input{RegionCode: "150000", Title: "演示", Year: 2025, Scheme: National2024, Sample: true})
		if err != nil {
			t.Fatal(err)
		}
		sv, _ := s.Get(ctx, all, id)
		items, _ := s.Items(ctx, id)
		frame := Frame{}
		banners, _ := s.Regions.UnitsAt(ctx, region.LevelBanner)
		for _, b := range banners {
			if l := LeagueOf(b.Code); l != "" && !region.IsDevelopmentZone(b.Code) {
				frame[l] = append(frame[l], FrameUnit{b.Code, 100000})
			}
		}
		syn, err := Draw(rand.New(rand.NewPCG(3, 4)), frame, SyntheticPlan{BannersPerLeague: 2, PerBanner: 40, Share: 0.12}, sv, items)
		if err != nil {
			t.Fatal(err)
		}
		// The demo's way in: one transaction of bulk inserts, then the margins.
		if err := s.DB.Tx(ctx, func(tx *sql.Tx) error { return s.insertResponses(ctx, tx, 0, syn.Responses) }); err != nil {
			t.Fatal(err)
		}
		if err := s.SetMargins(ctx, all, id, syn.Margins); err != nil {
			t.Fatal(err)
		}

		type ask struct {
			scope region.Scope
			rake  bool
		}
		asks := []ask{{all, true}, {all, false}, {xilin, true}, {xilin, false}}
		// check compares what Report and LatestHeadline serve with a computation from the rows.
		check := func(t *testing.T, when string) {
			t.Helper()
			for _, a := range asks {
				got, gerr := s.Report(ctx, a.scope, id, a.rake)
				sv, err := s.Get(ctx, a.scope, id)
				if err != nil {
					t.Fatal(err)
				}
				want, werr := fromRows(t, s, a.scope, sv, a.rake)
				if g, w := fmt.Sprintf("%+v %v", got, gerr), fmt.Sprintf("%+v %v", want, werr); g != w {
					t.Errorf("%s: report of %v (rake %v) is not the one computed from the rows:\n got %.300s\nwant %.300s", when, a.scope.Roots(), a.rake, g, w)
				}
			}
			sv, _ := s.Get(ctx, all, id)
			want, werr := fromRows(t, s, all, sv, true)
			wh := headlineOf(sv, want, werr)
			h, ok, err := s.LatestHeadline(ctx, all, "150000", 2025)
			if err != nil || ok != !wh.Suppressed || (ok && fmt.Sprintf("%+v", h) != fmt.Sprintf("%+v", wh)) {
				t.Errorf("%s: headline %+v %v %v, want %+v", when, h, ok, err, wh)
			}
		}
		// plant overwrites every stored report of the survey with a figure no computation gives,
		// at the version it is stored for, and checks that Report serves it (the store is read).
		// A report that cannot be estimated (margins the sample cannot meet) is not stored.
		plant := func(t *testing.T) {
			t.Helper()
			check(t, "before planting") // stores the reports of every ask at the current version
			planted, err := encodeReport(Report{N: -1, Cells: []Cell{{Group: GroupOverall, N: -1, Share: 0.5, Lo: 0.4, Hi: 0.6}}})
			if err != nil {
				t.Fatal(err)
			}
			sv, _ := s.Get(ctx, all, id)
			res, err := s.DB.ExecContext(ctx, s.q(`UPDATE survey_estimates SET body = ? WHERE survey_id = ? AND version = ?`), planted, id, sv.Version)
			if err != nil {
				t.Fatal(err)
			}
			stored := 0
			for _, a := range asks {
				if _, err := fromRows(t, s, a.scope, sv, a.rake); err != nil {
					continue
				}
				stored++
				if rep, err := s.Report(ctx, a.scope, id, a.rake); err != nil || rep.N != -1 {
					t.Fatalf("the stored report of %v (rake %v) is not served: N %d, %v", a.scope.Roots(), a.rake, rep.N, err)
				}
			}
			if n, _ := res.RowsAffected(); n != int64(stored) || stored != len(asks) {
				t.Fatalf("%d stored reports at version %d, want %d (of %d)", n, sv.Version, stored, len(asks))
			}
		}
		anID := func(t *testing.T) int64 {
			t.Helper()
			var rid int64
			if err := s.DB.QueryRowContext(ctx, s.q(`SELECT MIN(id) FROM survey_responses WHERE survey_id = ? AND region_code LIKE '1525%'`), id).Scan(&rid); err != nil {
				t.Fatal(err)
			}
			return rid
		}
		exec := func(t *testing.T, query string, args ...any) {
			t.Helper()
			if _, err := s.DB.ExecContext(ctx, s.q(query), args...); err != nil {
				t.Fatal(err)
			}
		}
		rescaled := func(f int64) []MarginRow {
			out := make([]MarginRow, len(syn.Margins))
			for i, m := range syn.Margins {
				m.Population = m.Population * f / 10
				out[i] = m
			}
			return out
		}
		writes := []struct {
			name  string
			write func(t *testing.T)
		}{
			{"interview", func(t *testing.T) {
				if _, err := s.Interview(ctx, xilin, 0, id, person("152502"), nil); err != nil {
					t.Fatal(err)
				}
			}},
			{"online response", func(t *testing.T) {
				p := person("152501")
				p.Urban, p.Sex = false, "male"
				code, err := s.Invite(ctx, all, id, p)
				if err != nil {
					t.Fatal(err)
				}
				if _, err := s.Respond(ctx, code, nil); err != nil {
					t.Fatal(err)
				}
			}},
			{"import", func(t *testing.T) {
				if _, err := s.Import(ctx, xilin, 0, id, sheetOf("152502,s1,p1,120.5,,,城镇,女,30-39"+allRight, "152501,s1,p2,300,,,乡村,男,40-49"+allRight)); err != nil {
					t.Fatal(err)
				}
			}},
			{"edited literacy", func(t *testing.T) {
				exec(t, `UPDATE survey_responses SET literate = NOT literate WHERE id = ?`, anID(t))
			}},
			{"edited weight", func(t *testing.T) {
				exec(t, `UPDATE survey_responses SET weight = weight * 3 WHERE id = ?`, anID(t))
			}},
			{"deleted response", func(t *testing.T) {
				exec(t, `DELETE FROM survey_responses WHERE id = ?`, anID(t))
			}},
			{"margins replaced", func(t *testing.T) {
				if err := s.SetMargins(ctx, all, id, rescaled(11)); err != nil {
					t.Fatal(err)
				}
			}},
			{"margins imported", func(t *testing.T) {
				csv := "区划代码,变量,类别,人口数\n"
				for _, m := range rescaled(12) {
					csv += fmt.Sprintf("%s,%s,%s,%d\n", m.RegionCode, VariableLabel(m.Variable), CategoryLabel(m.Variable, m.Category), m.Population)
				}
				if _, err := s.ImportMargins(ctx, all, id, strings.NewReader(csv)); err != nil {
					t.Fatal(err)
				}
			}},
			{"margin edited", func(t *testing.T) {
				// 1,000 women counted as men: the totals still agree, the estimate moves.
				exec(t, `UPDATE survey_margins SET population = population + CASE category WHEN 'male' THEN 1000 ELSE -1000 END WHERE survey_id = ? AND variable = 'sex'`, id)
			}},
			{"margins cleared", func(t *testing.T) {
				if err := s.ClearMargins(ctx, all, id); err != nil {
					t.Fatal(err)
				}
			}},
			{"margins set again", func(t *testing.T) {
				if err := s.SetMargins(ctx, all, id, syn.Margins); err != nil {
					t.Fatal(err)
				}
			}},
		}
		check(t, "first")
		for _, w := range writes {
			plant(t)
			w.write(t)
			check(t, "after "+w.name)
		}
		// The survey's scoring changed: its version moves (the stored reports are not served).
		before, _ := s.Get(ctx, all, id)
		exec(t, `UPDATE survey_surveys SET scheme = 'benchmark' WHERE id = ?`, id)
		if after, _ := s.Get(ctx, all, id); after.Version == before.Version {
			t.Errorf("changing the scoring left the version at %d", after.Version)
		}
		// An unchanged survey is served from the store: the rows are not read again.
		exec(t, `UPDATE survey_surveys SET scheme = 'national2024' WHERE id = ?`, id)
		plant(t)
	})
}

// fromRows is the report computed as Store.Report did before estimates were stored: from all
// of Responses' rows, the margins in scope and the leagues' names.
func fromRows(t *testing.T, s *Store, scope region.Scope, sv Survey, rake bool) (Report, error) {
	t.Helper()
	ctx := context.Background()
	rs, err := s.Responses(ctx, scope, sv.ID)
	if err != nil {
		t.Fatal(err)
	}
	names, err := s.leagueNames(ctx, rs)
	if err != nil {
		t.Fatal(err)
	}
	var use []MarginRow
	note := ""
	if rake {
		ms, err := s.Margins(ctx, sv.ID)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range ms {
			if !scope.Contains(m.RegionCode) {
				use, note = nil, "人口边际属于您管辖范围以外的区划，本报告未作加权调整"
				break
			}
			use = append(use, m)
		}
	}
	rep, err := Estimate(sv, rs, use, names)
	rep.RakeNote = note
	if err != nil {
		return rep, &ReportError{err}
	}
	return rep, nil
}

// LatestHeadline picks what the statistics fetcher used to pick from Headlines of the unit's
// scope: the survey of exactly the unit, year not after the one asked, newest year and then
// highest id, not suppressed; for a league, not the region's surveys seen from it.
func TestLatestHeadlineIsHeadlinesBest(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		ctx, s := context.Background(), newStore(d)
		frame := Frame{}
		banners, _ := s.Regions.UnitsAt(ctx, region.LevelBanner)
		for _, b := range banners {
			if l := LeagueOf(b.Code); l != "" && !region.IsDevelopmentZone(b.Code) {
				frame[l] = append(frame[l], FrameUnit{b.Code, 100000})
			}
		}
		r := rand.New(rand.NewPCG(5, 6))
		survey := func(unit string, year, perBanner int, share float64) {
			id, err := s.Create(ctx, all, 0, Input{RegionCode: unit, Title: "调查", Year: year, Scheme: National2024, Sample: true})
			if err != nil {
				t.Fatal(err)
			}
			sv, _ := s.Get(ctx, all, id)
			items, _ := s.Items(ctx, id)
			f := frame
			if unit != "150000" {
				f = Frame{unit: frame[unit]}
			}
			syn, err := Draw(r, f, SyntheticPlan{BannersPerLeague: 2, PerBanner: perBanner, Share: share}, sv, items)
			if err != nil {
				t.Fatal(err)
			}
			if err := s.DB.Tx(ctx, func(tx *sql.Tx) error { return s.insertResponses(ctx, tx, 0, syn.Responses) }); err != nil {
				t.Fatal(err)
			}
		}
		survey("150000", 2020, 30, 0.1)
		survey("150000", 2024, 30, 0.1)
		survey("150000", 2024, 30, 0.1)
		survey("152500", 2022, 80, 0.4)
		survey("152500", 2024, 5, 0.4) // 10 respondents: suppressed
		if _, err := s.Create(ctx, all, 0, Input{RegionCode: "152500", Title: "无答卷", Year: 2023, Scheme: National2024}); err != nil {
			t.Fatal(err)
		}
		old := func(scope region.Scope, unit string, year int) (Headline, bool) {
			hs, err := s.Headlines(ctx, scope.Narrow(unit), 0)
			if err != nil {
				t.Fatal(err)
			}
			var best *Headline
			for i, h := range hs {
				if h.RegionCode != unit || h.Year > year || h.Suppressed {
					continue
				}
				if best == nil || h.Year > best.Year || (h.Year == best.Year && h.SurveyID > best.SurveyID) {
					best = &hs[i]
				}
			}
			if best == nil {
				return Headline{}, false
			}
			return *best, true
		}
		found := 0
		for _, scope := range []region.Scope{all, xilin, xilinhot} {
			for _, unit := range []string{"150000", "152500", "152502", "150100"} {
				for _, year := range []int{2019, 2020, 2022, 2023, 2024, 2026} {
					for range 2 { // computed, then stored
						wh, wok := old(scope, unit, year)
						h, ok, err := s.LatestHeadline(ctx, scope.Narrow(unit), unit, year)
						if err != nil || ok != wok || fmt.Sprintf("%+v", h) != fmt.Sprintf("%+v", wh) {
							t.Errorf("%v %s %d: %+v %v %v, want %+v %v", scope.Roots(), unit, year, h, ok, err, wh, wok)
						}
						if ok {
							found++
						}
					}
				}
			}
		}
		if found == 0 {
			t.Error("no headline found at all")
		}
		if h, ok, _ := s.LatestHeadline(ctx, xilin, "152500", 2024); !ok || h.Year != 2022 {
			t.Errorf("the league's 2024 survey (10 respondents) is suppressed, its 2022 one holds: %+v %v", h, ok)
		}
	})
}
