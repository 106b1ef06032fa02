package activity_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/kepu/kepu/internal/activity"
	"github.com/kepu/kepu/internal/db"
	"github.com/kepu/kepu/internal/db/dbtest"
	"github.com/kepu/kepu/internal/region"
	"github.com/kepu/kepu/internal/registry"
)

// venueFixture registers facilities: a museum in banner 152502, one of the same name in banner
// 152501 (outside the banner's scope), a caravan named like a museum in 152502, and a deleted
// e-station.
func venueFixture(t *testing.T, d *db.DB) (reg *registry.Store, museum, caravan, gone int64) {
	t.Helper()
	ctx := context.Background()
	reg = &registry.Store{DB: d, Regions: &region.Store{DB: d}}
	mk := func(k *registry.Kind, v registry.Values) int64 {
		t.Helper()
		id, err := reg.Create(ctx, k, everyone, 0, v)
		if err != nil {
			t.Fatal(err)
		}
		return id
	}
	museum = mk(&registry.Museums, registry.Values{"name": "锡林浩特市科技馆", "region_code": "152502", "tier": "banner"})
	mk(&registry.Museums, registry.Values{"name": "二连浩特市科技馆", "region_code": "152501", "tier": "banner"})
	mk(&registry.Museums, registry.Values{"name": "双名馆", "region_code": "152502", "tier": "banner"})
	caravan = mk(&registry.Caravans, registry.Values{"name": "双名馆", "region_code": "152502", "vehicle_type": "type1"})
	gone = mk(&registry.EStations, registry.Values{"name": "宝力根e站", "region_code": "152502001", "site_type": "village", "plaque_no": "P-1", "accredited_on": "2022-01-01"})
	if err := reg.Delete(ctx, &registry.EStations, everyone, 0, gone, ""); err != nil {
		t.Fatal(err)
	}
	return reg, museum, caravan, gone
}

// An activity's venue reference must be a live facility of a facility kind inside the writer's
// scope; the list filters by it, and a correction keeps it.
func TestVenueReference(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		reg, museum, caravan, gone := venueFixture(t, d)
		st := newStore(d)
		st.Registry = reg
		in := activity.Input{RegionCode: "152502001", Title: "科技馆开放日", Type: "exhibition", Organizer: "市科协", Mode: "offline", Sessions: 1,
			StartsAt: at("2026-05-20 09:00"), EndsAt: at("2026-05-20 11:00"), VenueKind: "museums", VenueID: museum}
		id, err := st.Create(ctx, banner, 0, in)
		if err != nil {
			t.Fatal(err)
		}
		a, err := st.Get(ctx, everyone, id)
		if err != nil || a.VenueKind != "museums" || a.VenueID != museum {
			t.Fatalf("stored venue %q %d, %v", a.VenueKind, a.VenueID, err)
		}
		other, msg, err := reg.FindFacility(ctx, everyone, "二连浩特市科技馆")
		if err != nil || msg != "" {
			t.Fatal(msg, err)
		}
		for _, c := range []struct {
			name string
			kind string
			id   int64
			st   *activity.Store
		}{
			{"outside the scope", "museums", other.ID, st},
			{"deleted", "e-stations", gone, st},
			{"wrong kind for the id", "bases", museum, st},
			{"not a facility kind", "volunteers", 1, st},
			{"kind without id", "museums", 0, st},
			{"no registry to check", "museums", museum, newStore(d)},
		} {
			bad := in
			bad.VenueKind, bad.VenueID = c.kind, c.id
			var verr activity.ValidationError
			if _, err := c.st.Create(ctx, banner, 0, bad); !errors.As(err, &verr) || verr["venue_ref"] == "" {
				t.Errorf("%s: %v", c.name, err)
			}
		}
		// Update may move it to another facility, or drop it.
		in.VenueKind, in.VenueID = "caravans", caravan
		if err := st.Update(ctx, banner, 0, id, in); err != nil {
			t.Fatal(err)
		}
		for _, c := range []struct {
			kind string
			id   int64
			want int
		}{{"caravans", caravan, 1}, {"museums", museum, 0}} {
			p, err := st.List(ctx, activity.Filter{Scope: everyone, VenueKind: c.kind, VenueID: c.id})
			if err != nil || p.Total != c.want {
				t.Errorf("activities at %s %d: %d, %v", c.kind, c.id, p.Total, err)
			}
		}
		f := activity.ParseFilter(activity.Filter{VenueKind: "caravans", VenueID: caravan}.Values(), everyone)
		if f.VenueKind != "caravans" || f.VenueID != caravan {
			t.Errorf("filter round trip: %+v", f)
		}
		if f := activity.ParseFilter(map[string][]string{"venue_kind": {"volunteers"}, "venue_id": {"3"}}, everyone); f.VenueID != 0 {
			t.Errorf("a filter on a non-facility kind kept: %+v", f)
		}
	})
}

// The report import's 登记场馆 column names a facility (or 类别：名称); a name that matches
// nothing in scope, or several, refuses the file with the row and column.
func TestImportVenueReference(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		reg, museum, caravan, _ := venueFixture(t, d)
		st := newStore(d)
		st.Registry = reg
		head := "区划代码,活动名称,活动类型,主办单位,登记场馆,开始日期,形式,场次,参与人次\n"
		row := func(title, ref string) string {
			return "152502001," + title + ",场馆展教活动,市科协," + ref + ",2026-05-20,线下,1,100\n"
		}
		for _, c := range []struct {
			name, rows string
			want       []string
		}{
			{"unknown", row("甲", "不存在馆"), []string{"第 2 行", "登记场馆", "没有名为“不存在馆”"}},
			{"outside scope", row("甲", "二连浩特市科技馆"), []string{"登记场馆", "没有名为"}},
			{"deleted", row("甲", "宝力根e站"), []string{"没有名为"}},
			{"ambiguous", row("甲", "锡林浩特市科技馆") + row("乙", "双名馆"), []string{"第 3 行", "不止一个", "科技馆：双名馆"}},
		} {
			res, err := st.Import(ctx, banner, 0, strings.NewReader(head+c.rows), c.name+".csv", 0)
			if err != nil {
				t.Fatalf("%s: %v", c.name, err)
			}
			msg := res.Errors.Error()
			for _, w := range c.want {
				if !strings.Contains(msg, w) {
					t.Errorf("%s: errors %q lack %q", c.name, msg, w)
				}
			}
			if res.Created != 0 {
				t.Errorf("%s: created %d", c.name, res.Created)
			}
		}
		res, err := st.Import(ctx, banner, 0, strings.NewReader(head+row("甲", "锡林浩特市科技馆")+row("乙", "科普大篷车：双名馆")+row("丙", "")), "ok.csv", 0)
		if err != nil || len(res.Errors) != 0 || res.Created != 3 {
			t.Fatalf("good file: %v %v", err, res.Errors)
		}
		want := map[string][2]any{"甲": {"museums", museum}, "乙": {"caravans", caravan}, "丙": {"", int64(0)}}
		p, err := st.List(ctx, activity.Filter{Scope: everyone})
		if err != nil {
			t.Fatal(err)
		}
		for _, a := range p.Items {
			if w := want[a.Title]; a.VenueKind != w[0] || a.VenueID != w[1] {
				t.Errorf("%s: venue %s %d, want %v", a.Title, a.VenueKind, a.VenueID, w)
			}
		}
		// The same file again changes nothing; one with another venue is refused.
		res, _ = st.Import(ctx, banner, 0, strings.NewReader(head+row("甲", "锡林浩特市科技馆")), "again.csv", 0)
		if res.Unchanged != 1 || len(res.Errors) != 0 {
			t.Errorf("same file again: %+v", res)
		}
		res, _ = st.Import(ctx, banner, 0, strings.NewReader(head+row("甲", "科普大篷车：双名馆")), "moved.csv", 0)
		if len(res.Errors) != 1 {
			t.Errorf("a row naming another venue: %+v", res)
		}
	})
}

// Migration 0016 links the rows written before the venue reference existed: a venue that is
// exactly one live museum's name becomes a reference to it; a name two museums share, a
// deleted museum's, or a name that only appears in the title stays unlinked.
func TestVenueMigrationLinksOldRows(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		reg, museum, _, _ := venueFixture(t, d)
		if _, err := reg.Create(ctx, &registry.Museums, everyone, 0, registry.Values{"name": "双名馆", "region_code": "152501", "tier": "banner"}); err != nil {
			t.Fatal(err)
		}
		st := newStore(d)
		ids := map[string]int64{}
		for _, c := range []struct{ title, venue string }{{"甲", "锡林浩特市科技馆"}, {"乙", "双名馆"}, {"锡林浩特市科技馆开放日", ""}, {"丁", "锡林浩特市科技馆 "}} {
			id, err := st.Create(ctx, everyone, 0, activity.Input{RegionCode: "152502", Title: c.title, Type: "exhibition", Organizer: "市科协", Venue: c.venue,
				Mode: "offline", Sessions: 1, StartsAt: at("2026-05-20 09:00"), EndsAt: at("2026-05-20 11:00")})
			if err != nil {
				t.Fatal(err)
			}
			ids[c.title] = id
		}
		// Validate trims the venue; write the old row's stray space back as an import once could.
		if _, err := d.ExecContext(ctx, `UPDATE activities SET venue = $1 WHERE id = $2`, "锡林浩特市科技馆 ", ids["丁"]); err != nil {
			t.Fatal(err)
		}
		ms, err := db.Migrations()
		if err != nil {
			t.Fatal(err)
		}
		var update string
		for _, m := range ms {
			if m.Version == 16 {
				sqlText := m.For(d.Dialect)
				update = sqlText[strings.Index(sqlText, "UPDATE activities"):]
			}
		}
		if update == "" {
			t.Fatal("no migration 0016")
		}
		if _, err := d.ExecContext(ctx, update); err != nil {
			t.Fatal(err)
		}
		for title, want := range map[string]int64{"甲": museum, "乙": 0, "锡林浩特市科技馆开放日": 0, "丁": 0} {
			a, err := st.Get(ctx, everyone, ids[title])
			if err != nil {
				t.Fatal(err)
			}
			if a.VenueID != want || (want != 0) != (a.VenueKind == "museums") {
				t.Errorf("%s: linked to %s %d, want museum %d", title, a.VenueKind, a.VenueID, want)
			}
		}
	})
}
