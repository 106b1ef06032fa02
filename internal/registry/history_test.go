package registry_test

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"testing"
	"time"

	"github.com/kepu/kepu/internal/db"
	"github.com/kepu/kepu/internal/db/dbtest"
	"github.com/kepu/kepu/internal/region"
	"github.com/kepu/kepu/internal/registry"
)

// A record counts as of a day when it began on or before it (its Since date, or the day it was
// entered when that is empty) and had not closed by its end; deleted records keep counting for
// the days before they closed, and a closing date may be given (not in the future).
func TestCountAsOf(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		clock := time.Date(2025, 3, 10, 2, 0, 0, 0, time.UTC) // 2025-03-10 10:00 in China
		st := newStore(d)
		st.Now = func() time.Time { return clock }
		k := &registry.Museums
		mk := func(name, since string) int64 {
			raw := map[string]string{"name": name, "region_code": "152502", "tier": "旗县级", "established_on": since}
			id, err := st.Create(ctx, k, everyone, 0, parse(t, k, raw))
			if err != nil {
				t.Fatal(err)
			}
			return id
		}
		old := mk("老馆", "2019-05-01")
		newer := mk("新馆", "2024-12-31")
		mk("后建馆", "2025-01-01")
		undated := mk("未填日期馆", "") // counts from its entry, 2025-03-10
		other := mk("误录馆", "2020-01-01")
		wrong := mk("又一误录馆", "2020-01-01")
		// Closed in 2024 (given), closed today, and entered in error (closed on its own start).
		if err := st.Delete(ctx, k, everyone, 0, old, "2024-06-30"); err != nil {
			t.Fatal(err)
		}
		if err := st.Delete(ctx, k, everyone, 0, other, ""); err != nil {
			t.Fatal(err)
		}
		if err := st.Delete(ctx, k, everyone, 0, wrong, "2020-01-01"); err != nil {
			t.Fatal(err)
		}
		var verr registry.ValidationError
		if err := st.Delete(ctx, k, everyone, 0, newer, "2025-03-11"); !errors.As(err, &verr) || verr["closed_on"] == "" {
			t.Errorf("a closing date in the future: %v", err)
		}
		if err := st.Delete(ctx, k, everyone, 0, newer, "2025-2-1"); !errors.As(err, &verr) {
			t.Errorf("a badly written closing date: %v", err)
		}
		for _, c := range []struct {
			asOf  string
			names []string
		}{
			{"2019-04-30", nil},
			{"2019-05-01", []string{"老馆"}},
			{"2023-12-31", []string{"老馆", "误录馆"}},
			{"2024-06-29", []string{"老馆", "误录馆"}},
			{"2024-06-30", []string{"误录馆"}},
			{"2024-12-31", []string{"新馆", "误录馆"}},
			{"2025-03-09", []string{"后建馆", "新馆", "误录馆"}},
			{"2025-03-10", []string{"后建馆", "新馆", "未填日期馆"}},
			{"", []string{"后建馆", "新馆", "未填日期馆"}}, // live
		} {
			f := registry.Filter{Scope: everyone, Within: "152502", AsOf: c.asOf}
			n, err := st.Count(ctx, k, f)
			if err != nil {
				t.Fatal(err)
			}
			page, err := st.List(ctx, k, f)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, r := range page.Records {
				got = append(got, r.Values.Str("name"))
				if name := r.Values.Str("name"); name == "老馆" && r.ClosedOn != "2024-06-30" || name == "新馆" && r.ClosedOn != "" {
					t.Errorf("%s: closed on %q", name, r.ClosedOn)
				}
			}
			sort.Strings(got)
			if n != len(c.names) || len(got) != len(c.names) || page.Total != n {
				t.Errorf("as of %q: count %d, listed %v, want %v", c.asOf, n, got, c.names)
				continue
			}
			for i := range got {
				if got[i] != c.names[i] {
					t.Errorf("as of %q: listed %v, want %v", c.asOf, got, c.names)
					break
				}
			}
			if c.asOf == "" {
				continue
			}
			// The grouped counts agree, and scope still limits them.
			m, err := st.CountsAsOf(ctx, k, everyone, 6, c.asOf)
			if err != nil {
				t.Fatal(err)
			}
			if m["152502"] != n {
				t.Errorf("CountsAsOf %s = %v, Count %d", c.asOf, m, n)
			}
			if m, err := st.CountsAsOf(ctx, k, banner.Narrow("152501"), 6, c.asOf); err != nil || len(m) != 0 {
				t.Errorf("CountsAsOf outside the scope: %v %v", m, err)
			}
		}
		_ = undated
		if _, err := st.CountsAsOf(ctx, k, everyone, 6, "2025-13-01"); err == nil {
			t.Error("CountsAsOf took a bad date")
		}
		h, err := st.History(ctx, k, old)
		if err != nil {
			t.Fatal(err)
		}
		if last := h[len(h)-1]; last.Action != "delete" || len(last.Changes) != 1 || last.Changes[0].To != "2024-06-30" {
			t.Errorf("delete's audit entry: %+v", last)
		}
	})
}

// TestCountOwn: Filter.Own counts the records at exactly the Within unit, none below it, and
// the scope still limits it (a unit outside the scope counts none).
func TestCountOwn(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		st := newStore(d)
		k := &registry.Museums
		for i, code := range []string{"152502", "152502", "152502001", "152501"} {
			raw := map[string]string{"name": fmt.Sprintf("馆%d", i), "region_code": code, "tier": "旗县级"}
			if _, err := st.Create(ctx, k, everyone, 0, parse(t, k, raw)); err != nil {
				t.Fatal(err)
			}
		}
		for _, c := range []struct {
			scope  region.Scope
			within string
			own    bool
			want   int
		}{
			{everyone, "152502", true, 2},
			{everyone, "152502", false, 3},
			{everyone, "152502001", true, 1},
			{everyone, "152500", true, 0},
			{region.NewScope("152501"), "152502", true, 0},
		} {
			n, err := st.Count(ctx, k, registry.Filter{Scope: c.scope, Within: c.within, Own: c.own})
			if err != nil {
				t.Fatal(err)
			}
			if n != c.want {
				t.Errorf("count within %s (own %v, scope %v): %d, want %d", c.within, c.own, c.scope, n, c.want)
			}
		}
	})
}
