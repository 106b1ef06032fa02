package stats_test

import (
	"context"
	"encoding/csv"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/kepu/kepu/internal/activity"
	"github.com/kepu/kepu/internal/content"
	"github.com/kepu/kepu/internal/db"
	"github.com/kepu/kepu/internal/db/dbtest"
	"github.com/kepu/kepu/internal/quiz"
	"github.com/kepu/kepu/internal/region"
	"github.com/kepu/kepu/internal/registry"
	"github.com/kepu/kepu/internal/share"
	"github.com/kepu/kepu/internal/stats"
	"github.com/kepu/kepu/internal/stats/forms"
	"github.com/kepu/kepu/internal/survey"
)

var everyone = region.NewScope("150000")

func newRegistry(d *db.DB) *stats.Registry {
	regions := &region.Store{DB: d}
	return stats.New(stats.Deps{DB: d, Regions: regions, Registry: &registry.Store{DB: d, Regions: regions},
		Activity: &activity.Store{DB: d, Regions: regions}, Content: &content.Store{DB: d, Regions: regions},
		Survey: &survey.Store{DB: d, Regions: regions}, Share: &share.Store{DB: d, Regions: regions}, Quiz: &quiz.Store{DB: d, Regions: regions},
		Forms: &forms.Store{DB: d, Regions: regions, Registry: &registry.Store{DB: d, Regions: regions}}})
}

// Every indicator computes on an empty network: zeros (or unknown) and no error.
func TestValuesOnEmptyNetwork(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		r := newRegistry(d)
		ctx := context.Background()
		vs, err := r.Values(ctx, stats.Query{Unit: "150000", Year: 2026, Scope: everyone})
		if err != nil {
			t.Fatal(err)
		}
		if len(vs) != len(r.All()) {
			t.Fatalf("%d values for %d indicators", len(vs), len(r.All()))
		}
		for _, v := range vs {
			if v.Value != 0 && v.Code != "L02" { // L02 is CAST's published share
				t.Errorf("%s = %v on an empty network", v.Code, v.Value)
			}
		}
		kids, err := r.Children(ctx, "KH02", stats.Query{Unit: "150000", Year: 2026, Scope: everyone})
		if err != nil || len(kids) != 12 {
			t.Fatalf("children: %d, %v", len(kids), err)
		}
		if _, err := r.Monthly(ctx, "KJ01", stats.Query{Unit: "152502", Year: 2026, Scope: everyone}); err != nil {
			t.Fatal(err)
		}
	})
}

// Every figure of the seed report (testdata/seed-indicators.csv, a copy of
// ../shared/reference/seed-indicators.csv) is some indicator's Seed, and every Seed names a
// row of the file. The award shortlists are the assessment package's; the 2015→2020 change is
// the report's comparison of two L01/L02 values.
func TestSeedFiguresCovered(t *testing.T) {
	f, err := os.Open("testdata/seed-indicators.csv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	r := stats.New(stats.Deps{})
	bySeed := map[string]*stats.Indicator{}
	for _, ind := range r.All() {
		if ind.Seed != "" {
			bySeed[ind.Seed] = ind
		}
	}
	inFile := map[string]bool{}
	for _, row := range rows[1:] {
		name := row[1]
		inFile[name] = true
		if strings.HasPrefix(name, "awards:") || strings.HasPrefix(name, "change ") {
			continue
		}
		ind := bySeed[name]
		if ind == nil {
			t.Errorf("seed figure %q has no indicator", name)
			continue
		}
		if row[0] != "outcome" && ind.Section != row[0] {
			t.Errorf("%s (%q): section %s, the seed's %s", ind.Code, name, ind.Section, row[0])
		}
	}
	for seed, ind := range bySeed {
		if !inFile[seed] {
			t.Errorf("%s names seed figure %q, which the file lacks", ind.Code, seed)
		}
	}
}

// Each indicator is well formed: names, unit, definition, and a known section.
func TestIndicatorDefinitions(t *testing.T) {
	r := stats.New(stats.Deps{})
	sections := map[string]bool{}
	for _, s := range stats.Sections {
		sections[s.Code] = true
	}
	for _, ind := range r.All() {
		if ind.NameZh == "" || ind.NameEn == "" || ind.Unit == "" || ind.UnitEn == "" || ind.Definition == "" || !sections[ind.Section] || ind.Source == "" {
			t.Errorf("%s is incomplete: %+v", ind.Code, *ind)
		}
		if got, ok := r.Get(ind.Code); !ok || got != ind {
			t.Errorf("Get(%s) does not return it", ind.Code)
		}
	}
	if _, ok := r.Get("nope"); ok {
		t.Error("Get of an unknown code succeeded")
	}
	if len(r.Headline()) < 10 {
		t.Errorf("only %d headline indicators", len(r.Headline()))
	}
}

// With MaxAge set, figures come from stats_snapshots until they expire; a funds-ledger entry
// forgets the funds snapshots of its unit and the units above it at once.
func TestSnapshots(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		r := newRegistry(d)
		now := time.Date(2026, 11, 1, 12, 0, 0, 0, time.UTC)
		r.Now = func() time.Time { return now }
		r.MaxAge = 10 * time.Minute
		q := stats.Query{Unit: "150000", Year: 2026, Scope: everyone}
		value := func(code string) int64 {
			t.Helper()
			v, err := r.Value(ctx, code, q)
			if err != nil {
				t.Fatal(err)
			}
			return v.Exact
		}
		if value("KC01") != 0 || value("KJ01") != 0 {
			t.Fatal("not empty")
		}
		regions := &region.Store{DB: d}
		reg := &registry.Store{DB: d, Regions: regions}
		if _, err := reg.Create(ctx, kindOf(t, "museums"), everyone, 0, registry.Values{"name": "锡林郭勒盟科技馆", "region_code": "152500", "tier": "league", "established_on": "2026-05-01"}); err != nil { // opened before the clock's day (entered on the real one)
			t.Fatal(err)
		}
		if value("KC01") != 0 {
			t.Error("a fresh snapshot was not reused")
		}
		if v, err := r.Value(stats.Refreshing(ctx), "KC01", q); err != nil || v.Exact != 1 {
			t.Errorf("under Refreshing KC01 = %d, %v; want 1 computed from the registry", v.Exact, err)
		}
		if value("KC01") != 1 {
			t.Error("the refreshed figure was not stored as the snapshot")
		}
		e, errs := stats.FundInput{RegionCode: "152502", Category: "donation", Amount: "10.01", BookedOn: "2026-05-04"}.Validate(everyone)
		if len(errs) > 0 {
			t.Fatal(errs)
		}
		if _, err := r.Funds.Add(ctx, everyone, 0, e); err != nil {
			t.Fatal(err)
		}
		if got := value("KJ01"); got != 1001 {
			t.Errorf("KJ01 after an entry = %d fen, want 1001 (the ledger forgets its snapshots)", got)
		}
		now = now.Add(11 * time.Minute)
		if value("KC01") != 1 {
			t.Error("an expired snapshot was reused")
		}
		kids, err := r.Children(ctx, "KJ04", q)
		if err != nil {
			t.Fatal(err)
		}
		for _, k := range kids {
			if (k.Unit == "152500") != (k.Exact == 1001) {
				t.Errorf("child %s: %d", k.Unit, k.Exact)
			}
		}
	})
}

func kindOf(t *testing.T, slug string) *registry.Kind {
	k, ok := registry.KindBySlug(slug)
	if !ok {
		t.Fatal(slug)
	}
	return k
}

// A year's sharing figure links to the sharing report of the year's last month that has begun:
// December of the running year lies ahead, and its report would show zeros.
func TestShareFigureLinksToABegunMonth(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		r := newRegistry(d)
		r.Now = func() time.Time { return time.Date(2026, 6, 15, 4, 0, 0, 0, time.UTC) }
		for _, c := range []struct {
			year  int
			month string
		}{{2026, "2026-06"}, {2025, "2025-12"}} {
			v, err := r.Value(context.Background(), "SH01", stats.Query{Unit: "150000", Year: c.year, Scope: everyone})
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(v.Records, "month="+c.month) {
				t.Errorf("SH01 of %d links to %s, want the report of %s", c.year, v.Records, c.month)
			}
		}
	})
}
