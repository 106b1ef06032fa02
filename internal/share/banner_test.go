package share

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/kepu/kepu/internal/db"
	"github.com/kepu/kepu/internal/db/dbtest"
	"github.com/kepu/kepu/internal/region"
)

// bannerColumns are the summed columns of share_region_months and share_banner_months.
var bannerColumns = []string{"shares", "clicks", "head", "unfurl", "bot", "datacentre", "self", "repeat", "actives", "held_clicks", "held_shares", "held_actives"}

// checkBannerMonths fails t unless share_banner_months holds, for every banner and month, the
// sums of share_region_months over the units whose code starts with the banner's six digits,
// and no other row with a count. It returns the total of every count compared.
func checkBannerMonths(t *testing.T, d *db.DB, when string) int64 {
	t.Helper()
	ctx := context.Background()
	read := func(q string) map[string][]int64 {
		rows, err := d.QueryContext(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		out := map[string][]int64{}
		for rows.Next() {
			var b, m string
			v := make([]int64, len(bannerColumns))
			dst := []any{&b, &m}
			for i := range v {
				dst = append(dst, &v[i])
			}
			if err := rows.Scan(dst...); err != nil {
				t.Fatal(err)
			}
			out[b+" "+m] = v
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		return out
	}
	sums := make([]string, len(bannerColumns))
	for i, c := range bannerColumns {
		sums[i] = "CAST(SUM(" + c + ") AS BIGINT)"
	}
	want := read(`SELECT substr(region_code, 1, 6), month, ` + strings.Join(sums, ", ") + ` FROM share_region_months GROUP BY substr(region_code, 1, 6), month`)
	got := read(`SELECT banner_code, month, ` + strings.Join(bannerColumns, ", ") + ` FROM share_banner_months`)
	var total int64
	for k, w := range want {
		for i := range w {
			if got[k] == nil || got[k][i] != w[i] {
				t.Errorf("%s: banner-month %s: share_banner_months %v, share_region_months sums %v (%s)", when, k, got[k], w, strings.Join(bannerColumns, " "))
				break
			}
			total += w[i]
		}
	}
	for k, g := range got {
		if want[k] == nil {
			for _, n := range g {
				if n != 0 {
					t.Errorf("%s: banner-month %s: share_banner_months %v, no unit-month", when, k, g)
					break
				}
			}
		}
	}
	return total
}

// share_banner_months, the per-banner roll-up that the region's and the leagues' figures read,
// holds the sums of share_region_months after every kind of write that changes them: links
// taken (shares), clicks of every reason rolled up over two months, a review case confirmed
// (counts set aside) and reopened, and the migration's backfill; and MonthsFigures of the
// region and a league (from share_banner_months) agree with those of the banner and township
// (from share_region_months) and with RegionFigures. The demo's bulk load is checked in
// TestDemoPlantedPatterns.
func TestBannerMonthsAreExact(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		f := newFixture(t, d, 26)
		links := f.takeLinks(t)
		click := func(i int, ua, addr string) {
			if _, err := f.rec.Record(ctx, links[i], get(ua, addr), ""); err != nil {
				t.Fatal(err)
			}
		}
		// June: ordinary visitors, a bot, a data centre, repeats and a script over 25 links.
		for v := range 10 {
			*f.now = f.now.Add(7 * time.Minute)
			click(25, phoneUA, fmt.Sprintf("112.%d.1.1", v))
			click(v%3, phoneUA, fmt.Sprintf("112.%d.1.1", v))
			click(v%3, phoneUA, fmt.Sprintf("112.%d.1.1", v)) // repeat
		}
		click(4, "Googlebot/2.1", "66.249.66.1")
		click(5, phoneUA, "47.92.1.1")
		for i := range 25 {
			*f.now = f.now.Add(12 * time.Second)
			click(i, phoneUA, "113.5.5.5")
		}
		// July: more clicks, a new month for some officers.
		*f.now = time.Date(2026, 7, 2, 3, 0, 0, 0, time.UTC)
		for v := range 6 {
			click(v, phoneUA, fmt.Sprintf("115.%d.1.1", v))
		}
		if _, err := f.store.RollUp(ctx); err != nil {
			t.Fatal(err)
		}
		if checkBannerMonths(t, d, "after links and clicks") == 0 {
			t.Fatal("nothing rolled up")
		}
		figures := func(when string) {
			t.Helper()
			months := []string{"2026-05", "2026-06", "2026-07"}
			// All the fixture's officers live in two villages of township 152502001: the
			// region's, league 152500's, banner 152502's and the township's totals are the same.
			var first []Figures
			for _, parent := range []string{"150000", "152500", "152502", "152502001"} {
				totals, kids, err := f.store.MonthsFigures(ctx, parent, months)
				if err != nil {
					t.Fatal(err)
				}
				for i, m := range months {
					one, oneKids, err := f.store.RegionFigures(ctx, parent, m)
					if err != nil {
						t.Fatal(err)
					}
					one.Officers, one.PerTenK = 0, 0
					if fmt.Sprint(one) != fmt.Sprint(totals[i]) || len(oneKids) != len(kids[i]) {
						t.Errorf("%s: %s %s: MonthsFigures %+v, RegionFigures %+v", when, parent, m, totals[i], one)
					}
					for k := range oneKids {
						oneKids[k].Officers, oneKids[k].PerTenK = 0, 0
						if fmt.Sprint(oneKids[k]) != fmt.Sprint(kids[i][k]) {
							t.Errorf("%s: %s %s child %s: MonthsFigures %+v, RegionFigures %+v", when, parent, m, oneKids[k].Code, kids[i][k], oneKids[k])
						}
					}
				}
				if first == nil {
					first = totals
					continue
				}
				for i, m := range months {
					a, b := first[i], totals[i]
					if a.Shares != b.Shares || a.Clicks != b.Clicks || a.FlaggedSum != b.FlaggedSum || a.Actives != b.Actives ||
						a.HeldClicks != b.HeldClicks || a.HeldShares != b.HeldShares || a.HeldActives != b.HeldActives || fmt.Sprint(a.Flagged) != fmt.Sprint(b.Flagged) {
						t.Errorf("%s: %s: region %+v, %s %+v", when, m, a, parent, b)
					}
				}
			}
			if first[1].Shares != 26 || first[1].Clicks == 0 || first[1].FlaggedSum == 0 || first[2].Clicks == 0 {
				t.Errorf("%s: region's months %+v", when, first)
			}
		}
		figures("after links and clicks")

		res, err := f.store.Scan(ctx, "152502", "2026-06", nil)
		if err != nil || res.New == 0 {
			t.Fatalf("scan: %+v %v", res, err)
		}
		cases, err := f.store.Cases(ctx, "152502", CaseOpen, "")
		if err != nil || len(cases) == 0 {
			t.Fatalf("cases %d %v", len(cases), err)
		}
		banner := region.NewScope("152502")
		for _, c := range cases[:3] {
			if err := f.store.Decide(ctx, banner, c.ID, "confirm", "脚本", 1); err != nil {
				t.Fatal(err)
			}
		}
		// A click after the confirmation is set aside as it is rolled up.
		*f.now = time.Date(2026, 6, 20, 3, 0, 0, 0, time.UTC)
		click(0, phoneUA, "116.1.1.1")
		click(1, phoneUA, "116.1.1.2")
		if _, err := f.store.RollUp(ctx); err != nil {
			t.Fatal(err)
		}
		var held int64
		if err := d.QueryRowContext(ctx, `SELECT COALESCE(SUM(held_clicks + held_shares + held_actives), 0) FROM share_banner_months`).Scan(&held); err != nil || held == 0 {
			t.Fatalf("nothing set aside: %d %v", held, err)
		}
		checkBannerMonths(t, d, "after confirming cases")
		figures("after confirming cases")
		if err := f.store.Decide(ctx, banner, cases[0].ID, "reopen", "复核有误", 2); err != nil {
			t.Fatal(err)
		}
		checkBannerMonths(t, d, "after reopening a case")
		figures("after reopening a case")

		ms, err := db.Migrations()
		if err != nil {
			t.Fatal(err)
		}
		var backfill string
		for _, m := range ms {
			if sql := m.For(d.Dialect); strings.Contains(sql, "CREATE TABLE share_banner_months") {
				backfill = sql[strings.Index(sql, "INSERT INTO share_banner_months"):strings.Index(sql, "CREATE TABLE quiz_banner_months")]
			}
		}
		if backfill == "" {
			t.Fatal("no backfill of share_banner_months in the migrations")
		}
		for _, q := range []string{`DELETE FROM share_banner_months`, backfill} {
			if _, err := d.ExecContext(ctx, q); err != nil {
				t.Fatalf("backfill: %v", err)
			}
		}
		checkBannerMonths(t, d, "after the migration's backfill")
		figures("after the migration's backfill")
	})
}
