package registry_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/kepu/kepu/internal/db"
	"github.com/kepu/kepu/internal/db/dbtest"
	"github.com/kepu/kepu/internal/registry"
)

// The stock rows give every count as of a day that the records give, for regions, leagues and
// banners, in all and narrowed by each stock field, after creates, updates (unit, start date,
// stock fields), deletes with closing dates, and an import that creates and updates; and
// rebuilding them from the records gives the same rows as keeping them write by write.
func TestStocksMatchCounts(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		clock := time.Date(2025, 3, 10, 2, 0, 0, 0, time.UTC) // 2025-03-10 10:00 in China
		st := newStore(d)
		st.Now = func() time.Time { return clock }
		r := rand.New(rand.NewPCG(8, 18))
		codes := []string{"150000", "150102", "152500", "152501", "152502", "152502001", "152502001001"}
		date := func() string {
			if r.IntN(6) == 0 {
				return "" // counts from its entry: today
			}
			return time.Date(2019, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, r.IntN(2260)).Format("2006-01-02")
		}
		pick := func(xs ...string) string { return xs[r.IntN(len(xs))] }
		type rec struct {
			k  *registry.Kind
			id int64
		}
		var recs []rec
		officer := func(i int) map[string]string {
			return map[string]string{"name": fmt.Sprint("信息员", i), "phone": fmt.Sprintf("139%08d", i), "region_code": pick(codes...),
				"registered_on": date(), "status": pick("在册", "注销", "")}
		}
		staff := func(i int) map[string]string {
			m := map[string]string{"name": fmt.Sprint("干部", i), "region_code": pick(codes...), "unit": "科协", "employment": pick("专职", "兼职"), "established_on": date()}
			if m["employment"] == "兼职" {
				m["part_time_role"] = pick("医院院长", "学校校长", "农牧技站站长", "")
			}
			return m
		}
		museum := func(i int) map[string]string {
			return map[string]string{"name": fmt.Sprint("科技馆", i), "region_code": pick(codes[:6]...), "tier": "旗县级",
				"has_library": pick("是", "否", ""), "established_on": date()}
		}
		kinds := []struct {
			k    *registry.Kind
			make func(int) map[string]string
		}{{&registry.InformationOfficers, officer}, {&registry.Staff, staff}, {&registry.Museums, museum}}
		for _, kk := range kinds {
			for i := range 30 {
				raw := kk.make(i)
				id, err := st.Create(ctx, kk.k, everyone, 0, parse(t, kk.k, raw))
				if err != nil {
					t.Fatalf("%s %v: %v", kk.k.Slug, raw, err)
				}
				recs = append(recs, rec{kk.k, id})
			}
		}
		// Updates: another unit, start date or stock field; each a new version of the record.
		for range 40 {
			x := recs[r.IntN(len(recs))]
			old, err := st.Get(ctx, x.k, everyone, x.id)
			if err != nil {
				continue // deleted below in an earlier round
			}
			var raw map[string]string
			for _, kk := range kinds {
				if kk.k == x.k {
					raw = kk.make(r.IntN(1000) + 100)
				}
			}
			// Keep the natural key where the kind has one beyond the unit.
			if x.k == &registry.InformationOfficers {
				raw["phone"] = old.Values.Str("phone")
			}
			raw["name"] = old.Values.Str("name")
			if err := st.Update(ctx, x.k, everyone, 0, x.id, parse(t, x.k, raw)); err != nil {
				t.Fatalf("update %s %d %v: %v", x.k.Slug, x.id, raw, err)
			}
		}
		// Deletes: closed on a given day, today, or on the record's own start (entered in error).
		for _, i := range r.Perm(len(recs))[:25] {
			x := recs[i]
			closed := ""
			if r.IntN(3) > 0 {
				closed = time.Date(2019, 6, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, r.IntN(2100)).Format("2006-01-02")
			}
			if err := st.Delete(ctx, x.k, everyone, 0, x.id, closed); err != nil {
				t.Fatalf("delete %s %d on %q: %v", x.k.Slug, x.id, closed, err)
			}
		}
		// An import: 20 new officers and changes to live ones (unit, date, status).
		var b strings.Builder
		b.WriteString("姓名,手机号,所属区划代码,注册日期,状态\n")
		for i := range 20 {
			o := officer(500 + i)
			fmt.Fprintf(&b, "%s,%s,%s,%s,%s\n", o["name"], o["phone"], o["region_code"], o["registered_on"], o["status"])
		}
		page, err := st.List(ctx, &registry.InformationOfficers, registry.Filter{Scope: everyone, Limit: 8})
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range page.Records {
			o := officer(0)
			fmt.Fprintf(&b, "%s,%s,%s,%s,%s\n", p.Values.Str("name"), p.Values.Str("phone"), o["region_code"], o["registered_on"], pick("在册", "注销"))
		}
		res, err := st.Import(ctx, &registry.InformationOfficers, everyone, 0, strings.NewReader(b.String()), "o.csv", 0)
		if err != nil || len(res.Errors) > 0 || res.Created != 20 {
			t.Fatalf("import: %+v %v", res, err)
		}

		days := []string{"2018-12-31", "2025-03-10", "2025-03-09", "2025-03-11"}
		for y := 2019; y <= 2025; y++ {
			for m := 1; m <= 12; m++ {
				first := time.Date(y, time.Month(m), 1, 0, 0, 0, 0, time.UTC)
				days = append(days, first.AddDate(0, 1, -1).Format("2006-01-02"), first.AddDate(0, 0, r.IntN(28)).Format("2006-01-02"))
			}
		}
		filters := map[*registry.Kind][]map[string]string{
			&registry.InformationOfficers: {nil, {"status": "active"}, {"status": "inactive"}, {"status": "active,inactive"}},
			&registry.Staff:               {nil, {"employment": "full"}, {"employment": "part"}, {"part_time_role": "hospital,school"}, {"part_time_role": "farm_station"}},
			&registry.Museums:             {nil, {"has_library": "true"}, {"has_library": "false"}},
		}
		compare := func(when string) {
			t.Helper()
			units := []string{"150000", "150100", "152500", "152501", "152502"}
			checked, nonzero := 0, 0
			for k, fs := range filters {
				for _, unit := range units {
					for _, day := range days {
						for _, en := range fs {
							f := registry.Filter{Scope: everyone, Within: unit, AsOf: day, Enums: en}
							got, err := st.Count(ctx, k, f)
							if err != nil {
								t.Fatal(err)
							}
							want, err := st.CountFromRecords(ctx, k, f)
							if err != nil {
								t.Fatal(err)
							}
							if got != want {
								t.Fatalf("%s: %s in %s as of %s %v: stock rows %d, records %d", when, k.Slug, unit, day, en, got, want)
							}
							checked++
							if want > 0 {
								nonzero++
							}
						}
					}
				}
				// All units at once, as the statistics ask for a unit's children.
				all, err := st.StocksAsOf(ctx, k, everyone, units, "2024-12-31")
				if err != nil {
					t.Fatal(err)
				}
				for _, unit := range units {
					want, _ := st.CountFromRecords(ctx, k, registry.Filter{Scope: everyone, Within: unit, AsOf: "2024-12-31"})
					if all[unit].All != want {
						t.Errorf("%s: StocksAsOf %s %s = %d, records %d", when, k.Slug, unit, all[unit].All, want)
					}
				}
			}
			if nonzero < checked/3 {
				t.Fatalf("%s: only %d of %d counts are above zero: the comparison says little", when, nonzero, checked)
			}
		}
		compare("kept write by write")
		rows := func() []string {
			var out []string
			for _, table := range []string{"registry_stocks"} {
				got, err := db.QueryAll(ctx, d, func(s db.Scanner) (string, error) {
					var kind, unit, grain, at, field, value string
					var n int64
					err := s.Scan(&kind, &unit, &grain, &at, &field, &value, &n)
					return strings.Join([]string{kind, unit, grain, at, field, value, fmt.Sprint(n)}, " "), err
				}, `SELECT kind, unit, grain, at, field, value, delta FROM `+table+` WHERE delta <> 0`)
				if err != nil {
					t.Fatal(err)
				}
				out = append(out, got...)
			}
			slices.Sort(out)
			return out
		}
		kept := rows()
		if len(kept) == 0 {
			t.Fatal("no stock rows were written")
		}
		if err := st.RebuildStocks(ctx, &registry.InformationOfficers, &registry.Staff, &registry.Museums); err != nil {
			t.Fatal(err)
		}
		if rebuilt := rows(); !slices.Equal(kept, rebuilt) {
			t.Errorf("rebuilt stock rows differ from those kept write by write: %d against %d rows", len(rebuilt), len(kept))
		}
		compare("rebuilt")

		// Townships and villages, and kinds whose rows are not built, are counted from the
		// records, several units in one grouped query.
		counted := func(st *registry.Store, when string, units []string) {
			t.Helper()
			for k, fs := range filters {
				for _, day := range []string{"2022-12-31", "2025-03-10", "2020-06-15"} {
					all, err := st.StocksAsOf(ctx, k, everyone, units, day)
					if err != nil {
						t.Fatal(err)
					}
					for _, unit := range units {
						for _, en := range fs {
							want, err := st.CountFromRecords(ctx, k, registry.Filter{Scope: everyone, Within: unit, AsOf: day, Enums: en})
							if err != nil {
								t.Fatal(err)
							}
							if got, ok := all[unit].Count(en); !ok || got != want {
								t.Errorf("%s: StocksAsOf %s %s as of %s %v = %d (%v), records %d", when, k.Slug, unit, day, en, got, ok, want)
							}
						}
					}
				}
			}
		}
		counted(st, "townships and villages", []string{"152502001", "152502002", "152502001001"})
		if _, err := d.ExecContext(ctx, `DELETE FROM registry_stock_kinds`); err != nil {
			t.Fatal(err)
		}
		counted(newStore(d), "not built", []string{"150000", "152500", "152501", "152502"})
	})
}
