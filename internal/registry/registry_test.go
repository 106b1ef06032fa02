package registry_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/kepu/kepu/internal/db"
	"github.com/kepu/kepu/internal/db/dbtest"
	"github.com/kepu/kepu/internal/region"
	"github.com/kepu/kepu/internal/registry"
	"github.com/kepu/kepu/internal/sheet"
	"golang.org/x/text/encoding/simplifiedchinese"
)

func newStore(d *db.DB) *registry.Store {
	return &registry.Store{DB: d, Regions: &region.Store{DB: d}}
}

var (
	league   = region.NewScope("152500")
	banner   = region.NewScope("152502")
	everyone = region.NewScope("150000")
)

func parse(t *testing.T, k *registry.Kind, raw map[string]string) registry.Values {
	t.Helper()
	v, errs := k.Parse(raw)
	if errs != nil {
		t.Fatalf("Parse(%v): %v", raw, errs)
	}
	return v
}

// Every kind's fields exist as columns of its table, with the types the engine expects:
// a record with every field filled goes in and comes back equal.
func TestKindsMatchTables(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		st := newStore(d)
		for _, k := range registry.Kinds() {
			raw := map[string]string{}
			for _, f := range k.Fields {
				raw[f.Key] = f.Example
				if raw[f.Key] == "" {
					switch f.Kind {
					case sheet.Text:
						raw[f.Key] = "样例"
					case sheet.Int, sheet.Decimal:
						raw[f.Key] = "1"
					case sheet.Date:
						raw[f.Key] = "2022-01-01"
					case sheet.Bool:
						raw[f.Key] = "是"
					case sheet.Enum:
						raw[f.Key] = f.Choices[0].Label
					}
				}
			}
			raw[registry.RegionKey] = "152502001"
			if k.MaxLevel < region.LevelTownship {
				raw[registry.RegionKey] = "152502"
			}
			v := parse(t, k, raw)
			id, err := st.Create(ctx, k, everyone, 0, v)
			if err != nil {
				t.Fatalf("%s: Create: %v", k.Slug, err)
			}
			got, err := st.Get(ctx, k, everyone, id)
			if err != nil {
				t.Fatalf("%s: Get: %v", k.Slug, err)
			}
			for key, want := range v {
				if fmt.Sprint(got.Values[key]) != fmt.Sprint(want) {
					t.Errorf("%s.%s: stored %v, read back %v", k.Slug, key, want, got.Values[key])
				}
			}
		}
	})
}

func TestCRUDScopeAndAudit(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		st := newStore(d)
		k := &registry.Museums
		v := parse(t, k, map[string]string{"name": "锡林郭勒盟科技馆", "region_code": "152502", "tier": "盟市级", "floor_area": "12,000", "has_library": "是", "library_holdings": "5000"})
		if _, err := st.Create(ctx, k, banner, 1, parse(t, k, map[string]string{"name": "二连浩特科技馆", "region_code": "152501", "tier": "旗县级"})); err == nil {
			t.Error("a banner admin of 152502 created a museum in 152501")
		}
		id, err := st.Create(ctx, k, banner, 0, v)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := st.Create(ctx, k, banner, 0, v); err == nil || !strings.Contains(err.Error(), "已有相同") {
			t.Errorf("same natural key twice: %v", err)
		}
		if _, err := st.Get(ctx, k, region.NewScope("152501"), id); !errors.Is(err, db.ErrNotFound) {
			t.Errorf("another banner reads the museum: %v", err)
		}
		if _, errs := k.Parse(map[string]string{"name": "x", "region_code": "152502", "tier": "盟市级", "library_holdings": "5"}); errs["library_holdings"] == "" {
			t.Error("holdings without a library accepted")
		}
		v2 := parse(t, k, map[string]string{"name": "锡林郭勒盟科技馆", "region_code": "152502", "tier": "盟市级", "floor_area": "13000", "has_library": "是", "library_holdings": "5000"})
		if err := st.Update(ctx, k, banner, 0, id, v2); err != nil {
			t.Fatal(err)
		}
		if err := st.Update(ctx, k, banner, 0, id, v2); err != nil {
			t.Fatal(err)
		}
		moved := parse(t, k, map[string]string{"name": "锡林郭勒盟科技馆", "region_code": "152501", "tier": "盟市级"})
		if err := st.Update(ctx, k, banner, 0, id, moved); err == nil {
			t.Error("record moved out of the editor's scope")
		}
		h, err := st.History(ctx, k, id)
		if err != nil {
			t.Fatal(err)
		}
		if len(h) != 2 || h[0].Action != "create" || h[1].Action != "update" || len(h[1].Changes) != 1 ||
			h[1].Changes[0].Label != "建筑面积（平方米）" || h[1].Changes[0].From != "12000" || h[1].Changes[0].To != "13000" {
			t.Errorf("history = %+v", h)
		}
		if err := st.Delete(ctx, k, region.NewScope("152501"), 0, id, ""); !errors.Is(err, db.ErrNotFound) {
			t.Errorf("delete from outside the scope: %v", err)
		}
		if err := st.Delete(ctx, k, league, 0, id, ""); err != nil {
			t.Fatal(err)
		}
		if _, err := st.Get(ctx, k, league, id); !errors.Is(err, db.ErrNotFound) {
			t.Errorf("deleted record still shown: %v", err)
		}
		if _, err := st.Create(ctx, k, banner, 0, v); err != nil {
			t.Errorf("natural key of a deleted record cannot be reused: %v", err)
		}
	})
}

func TestRevealIsLogged(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		st := newStore(d)
		k := &registry.InformationOfficers
		id, err := st.Create(ctx, k, banner, 0, parse(t, k, map[string]string{"name": "其其格", "phone": "13812345678", "region_code": "152502001001"}))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := st.Reveal(ctx, k, region.NewScope("152501"), 0, id, "phone"); !errors.Is(err, db.ErrNotFound) {
			t.Errorf("reveal outside scope: %v", err)
		}
		if _, err := st.Reveal(ctx, k, banner, 0, id, "name"); err == nil {
			t.Error("reveal of a field that is not personal data")
		}
		phone, err := st.Reveal(ctx, k, banner, 0, id, "phone")
		if err != nil || phone != "13812345678" {
			t.Fatalf("Reveal = %q, %v", phone, err)
		}
		h, _ := st.History(ctx, k, id)
		if last := h[len(h)-1]; last.Action != "reveal" || last.Changes[0].Field != "phone" {
			t.Errorf("reveal not logged: %+v", h)
		}
		if strings.Contains(fmt.Sprint(h[0].Changes), "13812345678") {
			t.Error("the audit trail holds the phone number in clear")
		}
	})
}

func officersCSV(n int, region string) string {
	var b strings.Builder
	b.WriteString("姓名,手机号,所属区划代码,注册日期,状态\n")
	for i := range n {
		fmt.Fprintf(&b, "信息员%d,138%08d,%s,2022-05-%02d,在册\n", i, i, region, 1+i%28)
	}
	return b.String()
}

func TestListFiltersAndPages(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		st := newStore(d)
		k := &registry.InformationOfficers
		for i, code := range []string{"152502001001", "152501", "150102"} {
			res, err := st.Import(ctx, k, everyone, 0, strings.NewReader(strings.ReplaceAll(officersCSV(60, code), ",138", fmt.Sprintf(",13%d", 5+i))), "o.csv", 0)
			if err != nil || len(res.Errors) > 0 {
				t.Fatalf("seed import: %v %v", err, res.Errors)
			}
		}
		f := registry.Filter{Scope: league, Limit: 25}
		seen := map[int64]bool{}
		pages := 0
		for {
			p, err := st.List(ctx, k, f)
			if err != nil {
				t.Fatal(err)
			}
			pages++
			if p.Total != 120 {
				t.Fatalf("total %d, want 120 in league 152500", p.Total)
			}
			for _, r := range p.Records {
				if seen[r.ID] || !league.Contains(r.Region()) {
					t.Fatalf("record %d repeated or outside scope (%s)", r.ID, r.Region())
				}
				seen[r.ID] = true
			}
			if p.Next.ID == 0 {
				break
			}
			f.After = registry.ParseCursor(p.Next.String())
		}
		if len(seen) != 120 || pages != 5 {
			t.Errorf("%d records over %d pages, want 120 over 5", len(seen), pages)
		}
		p, _ := st.List(ctx, k, registry.Filter{Scope: everyone, Within: "152502", Q: "信息员5"})
		if p.Total != 11 { // 信息员5, 信息员50…59
			t.Errorf("text search in 152502: %d", p.Total)
		}
		p, _ = st.List(ctx, k, registry.Filter{Scope: banner, Within: "152501"})
		if p.Total != 0 {
			t.Errorf("Within outside the scope widened it: %d", p.Total)
		}
		p, _ = st.List(ctx, k, registry.Filter{Scope: everyone, Enums: map[string]string{"status": "inactive"}})
		if p.Total != 0 {
			t.Errorf("status filter: %d", p.Total)
		}
		c := st.Counter(k)
		counts, err := c.Count(ctx, everyone, 4)
		if err != nil || counts["1525"] != 120 || counts["1501"] != 60 {
			t.Errorf("counter = %v, %v", counts, err)
		}
	})
}

func TestImport(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		st := newStore(d)
		k := &registry.InformationOfficers
		file := officersCSV(30, "152502001001")
		res, err := st.Import(ctx, k, banner, 0, strings.NewReader(file), "a.csv", 0)
		if err != nil || len(res.Errors) > 0 || res.Created != 30 {
			t.Fatalf("first import: %+v %v", res, err)
		}
		// The same file again, this time saved by Excel on Chinese Windows (GB18030): no change.
		gb, _ := simplifiedchinese.GB18030.NewEncoder().Bytes([]byte(file))
		res, err = st.Import(ctx, k, banner, 0, bytes.NewReader(gb), "a.csv", 0)
		if err != nil || res.Created != 0 || res.Updated != 0 || res.Unchanged != 30 {
			t.Fatalf("second import: %+v %v", res, err)
		}
		// A changed name is an update with an audit entry; a file without the status column
		// leaves statuses as they are.
		res, err = st.Import(ctx, k, banner, 0, strings.NewReader("姓名,手机号,所属区划代码\n新名字,13800000003,152502001001\n"), "b.csv", 0)
		if err != nil || res.Updated != 1 || res.Created != 0 {
			t.Fatalf("update import: %+v %v", res, err)
		}
		p, _ := st.List(ctx, k, registry.Filter{Scope: banner, Q: "新名字"})
		if len(p.Records) != 1 || p.Records[0].Values.Str("status") != "active" || p.Records[0].Values.Str("registered_on") != "2022-05-04" {
			t.Errorf("after partial import: %+v", p.Records)
		}
		h, _ := st.History(ctx, k, p.Records[0].ID)
		if len(h) != 1 || h[0].Action != "import" || h[0].Changes[0].From != "信息员3" {
			t.Errorf("history = %+v", h)
		}
		// Bad file: nothing written, every problem listed.
		bad := "姓名,手机号,所属区划代码,注册日期,状态\n" +
			"甲,13900000001,152502001001,2022-01-01,在册\n" +
			"乙,13900000001,152502001001,2022-01-01,在册\n" + // duplicate phone in the file
			"丙,13900000002,152501,2022-01-01,在册\n" + // outside the scope
			"丁,13900000003,159999,昨天,在册\n" + // unknown code, bad date
			"戊,1390000000,152502001001,,\n" + // 10-digit phone
			"己,13800000004,152502001001,,\n" // fine: an update
		res, err = st.Import(ctx, k, banner, 0, strings.NewReader(bad), "bad.csv", 0)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, e := range res.Errors {
			got = append(got, e.Error())
		}
		want := []string{
			"第 3 行，“手机号”列：与第 2 行重复（13900000001）",
			"第 4 行，“所属区划代码”列：区划 152501 不在您的管理范围内",
			"第 5 行，“注册日期”列：“昨天”不是日期",
			"第 5 行，“所属区划代码”列：区划代码 159999 不存在",
			"第 6 行，“手机号”列：手机号应为 1 开头的 11 位数字",
		}
		all := strings.Join(got, "\n")
		for _, w := range want {
			if !strings.Contains(all, w) {
				t.Errorf("missing %q in\n%s", w, all)
			}
		}
		if res.Created+res.Updated != 0 {
			t.Errorf("a rejected file wrote %d records", res.Created+res.Updated)
		}
		if p, _ := st.List(ctx, k, registry.Filter{Scope: everyone}); p.Total != 30 {
			t.Errorf("%d officers after a rejected import, want 30", p.Total)
		}
		// A key registered outside the importer's scope is refused, not moved.
		if _, err := st.Create(ctx, k, everyone, 0, parse(t, k, map[string]string{"name": "外", "phone": "13700000000", "region_code": "152501"})); err != nil {
			t.Fatal(err)
		}
		res, _ = st.Import(ctx, k, banner, 0, strings.NewReader("姓名,手机号,所属区划代码\n外,13700000000,152502\n"), "c.csv", 0)
		if len(res.Errors) != 1 || !strings.Contains(res.Errors[0].Msg, "已登记在区划 152501") {
			t.Errorf("key outside scope: %+v", res.Errors)
		}
	})
}

func TestBaseStatus(t *testing.T) {
	k := &registry.EducationBases
	today := time.Date(2026, 11, 29, 0, 0, 0, 0, time.UTC)
	for on, want := range map[string]string{"2024-01-01": "命名有效", "2021-12-01": "待复审", "2022-05-29": "待复审", "2022-05-30": "命名有效", "2021-11-29": "已过期", "2019-01-01": "已过期"} {
		if got := k.Status(registry.Values{"accredited_on": on}, today); got != want {
			t.Errorf("accredited %s: %s, want %s", on, got, want)
		}
	}
}

// A stop names its museum set, which must exist once in the caller's scope; dates and fault
// counts are checked across fields.
func TestReferencesAndCrossFieldRules(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		st := newStore(d)
		stop := map[string]string{"museum_set": "第1套", "host_venue": "阿巴嘎旗一中", "region_code": "152522", "start_on": "2022-03-01", "end_on": "2022-05-31"}
		v := parse(t, &registry.MobileMuseumStops, stop)
		if _, err := st.Create(ctx, &registry.MobileMuseumStops, league, 0, v); err == nil || !strings.Contains(err.Error(), "没有名为“第1套”的流动科技馆") {
			t.Errorf("stop of a missing set: %v", err)
		}
		if _, err := st.Create(ctx, &registry.MobileMuseums, everyone, 0, parse(t, &registry.MobileMuseums, map[string]string{"name": "第1套", "region_code": "150100"})); err != nil {
			t.Fatal(err)
		}
		if _, err := st.Create(ctx, &registry.MobileMuseumStops, league, 0, v); err == nil {
			t.Error("a league admin referred to a set outside the league")
		}
		if _, err := st.Create(ctx, &registry.MobileMuseumStops, everyone, 0, v); err != nil {
			t.Errorf("stop of a known set: %v", err)
		}
		bad := map[string]string{"museum_set": "第1套", "host_venue": "x", "region_code": "152522", "start_on": "2022-03-01", "end_on": "2022-02-01", "faults_opened": "1", "faults_fixed": "2"}
		if _, errs := registry.MobileMuseumStops.Parse(bad); errs["end_on"] == "" {
			t.Errorf("end before start: %v", errs)
		}
		bad["end_on"] = ""
		if _, errs := registry.MobileMuseumStops.Parse(bad); errs["faults_fixed"] == "" {
			t.Errorf("more fixes than faults: %v", errs)
		}
		res, err := st.Import(ctx, &registry.MobileMuseumStops, everyone, 0, strings.NewReader("流动科技馆,巡展场地,巡展地区划代码,开始日期\n第9套,某中学,152522,2022-06-01\n"), "s.csv", 0)
		if err != nil || len(res.Errors) != 1 || !strings.Contains(res.Errors[0].Error(), "第 2 行，“流动科技馆”列：您的管理范围内没有名为“第9套”的流动科技馆") {
			t.Errorf("import with an unknown set: %v %v", res.Errors, err)
		}
	})
}

func TestVolunteerIDNumber(t *testing.T) {
	for id, ok := range map[string]bool{"150102199001011230": true, "150102199001011231": false, "11010519491231002X": true, "11010519491231002x": true, "1501021990010112": false, "15010219900101123A": false} {
		_, errs := registry.Volunteers.Parse(map[string]string{"name": "萨仁", "phone": "13812345678", "region_code": "152502", "id_number": id})
		if (errs == nil) != ok {
			t.Errorf("ID %s: errors %v, want valid=%v", id, errs, ok)
		}
	}
}

// A blank status means the default ("空白视为在册") on forms, on first imports and on
// re-imports alike, and a re-import of the same file changes nothing.
func TestBlankDefaults(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		st := newStore(d)
		k := &registry.InformationOfficers
		file := "姓名,手机号,所属区划代码,状态\n甲,13800000001,152502001001,\n乙,13800000002,152502001001,注销\n"
		for i := range 2 {
			res, err := st.Import(ctx, k, banner, 0, strings.NewReader(file), "f.csv", 0)
			if err != nil || len(res.Errors) > 0 {
				t.Fatalf("import %d: %+v %v", i+1, res.Errors, err)
			}
			if i == 1 && res.Unchanged != 2 {
				t.Errorf("re-import: %+v", res)
			}
		}
		p, _ := st.List(ctx, k, registry.Filter{Scope: banner, Q: "甲"})
		rec := p.Records[0]
		if rec.Values.Str("status") != "active" {
			t.Errorf("blank status imported as %q", rec.Values.Str("status"))
		}
		v, errs := k.Parse(map[string]string{"name": "甲", "phone": "13800000001", "region_code": "152502001001", "status": ""})
		if errs != nil {
			t.Fatal(errs)
		}
		if err := st.Update(ctx, k, banner, 0, rec.ID, v); err != nil {
			t.Errorf("update with a blank status: %v", err)
		}
		// Every problem of a form at once: bad name length, bad date, unknown code, short phone.
		_, errs = k.Parse(map[string]string{"name": strings.Repeat("名", 31), "phone": "1380000", "region_code": "159999001", "registered_on": "2023-13-45"})
		merged := errs
		for key, msg := range st.Check(ctx, k, banner, registry.Values{"region_code": "159999001"}) {
			merged[key] = msg
		}
		for _, key := range []string{"name", "phone", "registered_on", "region_code"} {
			if merged[key] == "" {
				t.Errorf("no message for %s in %v", key, merged)
			}
		}
	})
}
