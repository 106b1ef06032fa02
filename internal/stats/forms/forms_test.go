package forms_test

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/kepu/kepu/internal/db"
	"github.com/kepu/kepu/internal/db/dbtest"
	"github.com/kepu/kepu/internal/region"
	"github.com/kepu/kepu/internal/registry"
	"github.com/kepu/kepu/internal/stats/forms"
	"github.com/xuri/excelize/v2"
)

func TestLayoutIsConsistent(t *testing.T) {
	seen := map[string]bool{}
	for _, f := range forms.Fields() {
		if seen[f.Code] {
			t.Errorf("code %s twice", f.Code)
		}
		seen[f.Code] = true
		if f.Parent != "" && !seen[f.Parent] {
			t.Errorf("%s: parent %s must come before it", f.Code, f.Parent)
		}
		if f.Unit == "" || f.Label == "" {
			t.Errorf("%s lacks its label or unit", f.Code)
		}
	}
}

func TestCheckRules(t *testing.T) {
	ok := forms.Figures{"KR00": 10, "KR02": 4, "KR12": 4, "KR03": 6, "KR15": 1, "KJ01": 100, "KJ02": 60, "KJ03": 60, "KJ04": 40}
	if p := forms.Check(ok, nil, nil); len(p) != 0 {
		t.Fatalf("a consistent form has problems: %v", p)
	}
	bad := forms.Figures{"KR00": 10, "KR02": 4, "KR12": 5, "KR03": 7, "KJ01": 100, "KJ02": 60, "KJ04": 30, "KJ05": 20, "KC14": 10, "KC15": 11}
	p := forms.Check(bad, nil, nil)
	for _, code := range []string{"KR00", "KR12", "KJ01", "KC15"} {
		if p[code] == "" {
			t.Errorf("%s: no problem reported in %v", code, p)
		}
	}
	if !strings.Contains(p["KR00"], "科普专职人员、科普兼职人员之和（11）") || !strings.Contains(p["KR12"], "不能大于科普专职人员（4）") {
		t.Errorf("messages do not name the lines: %v", p)
	}
	if len(p) != 4 {
		t.Errorf("all problems at once, and only those: %v", p)
	}
	// Year on year: more than 50% off last year needs a remark.
	prev := forms.Figures{"KR00": 10, "KR02": 4, "KR03": 6, "KM06": 100}
	cur := forms.Figures{"KR00": 10, "KR02": 4, "KR03": 6, "KM06": 151}
	if p := forms.Check(cur, nil, prev); p["KM06"] == "" || len(p) != 1 {
		t.Errorf("151 after 100 without a remark: %v", p)
	}
	if p := forms.Check(cur, map[string]string{"KM06": "新开公众号"}, prev); len(p) != 0 {
		t.Errorf("with a remark: %v", p)
	}
	cur["KM06"] = 150
	if p := forms.Check(cur, nil, prev); len(p) != 0 {
		t.Errorf("exactly 50%% is within the threshold: %v", p)
	}
	cur["KM06"] = 49
	if p := forms.Check(cur, nil, prev); p["KM06"] == "" {
		t.Error("a fall of 51% is not flagged")
	}
}

func TestParseFigures(t *testing.T) {
	figs, p := forms.ParseFigures(map[string]string{"KR00": "1,300", "KR02": "１２", "KR03": "-1", "KJ01": "3.5", "KM12": "", "XX99": "5"})
	if figs["KR00"] != 1300 || figs["KR02"] != 12 {
		t.Errorf("figures: %v", figs)
	}
	if p["KR03"] == "" || p["KJ01"] == "" || len(p) != 2 {
		t.Errorf("problems: %v", p)
	}
	if _, ok := figs["KM12"]; ok {
		t.Error("a blank line became a value")
	}
}

func newStore(d *db.DB) *forms.Store {
	regions := &region.Store{DB: d}
	return &forms.Store{DB: d, Regions: regions, Registry: &registry.Store{DB: d, Regions: regions}}
}

func unit(t *testing.T, s *forms.Store, key string) forms.Unit {
	t.Helper()
	u, err := s.UnitByKey(context.Background(), region.NewScope("150000"), key)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func TestWorkflowSummaryAndScope(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		s := newStore(d)
		// A museum in 152502 files its own form, pre-filled from its registry record.
		k := &registry.Museums
		v, errs := k.Parse(map[string]string{"name": "锡林浩特市科技馆", "region_code": "152502", "tier": "旗县级", "floor_area": "6000", "exhibits": "120"})
		if len(errs) > 0 {
			t.Fatal(errs)
		}
		mid, err := s.Registry.Create(ctx, k, region.NewScope("150000"), 0, v)
		if err != nil {
			t.Fatal(err)
		}
		units, err := s.Units(ctx, region.NewScope("152502"), "")
		if err != nil {
			t.Fatal(err)
		}
		var keys []string
		for _, u := range units {
			keys = append(keys, u.Key)
			if !region.Within(u.Region, "152502") {
				t.Errorf("unit %s outside the banner's scope", u.Key)
			}
		}
		if len(units) < 3 || units[0].Key != "152502" || !strings.Contains(strings.Join(keys, " "), "museums-") {
			t.Fatalf("units of 152502: %v", keys)
		}
		museum := units[len(units)-1]
		if museum.Kind != forms.Venue || museum.ReviewLevel() != region.LevelBanner || unit(t, s, "152502").ReviewLevel() != region.LevelLeague {
			t.Errorf("review levels: %+v", museum)
		}
		mf, err := s.Open(ctx, museum, 2025, 0)
		if err != nil {
			t.Fatal(err)
		}
		if mf.Figures["KC11"] != 6000 || mf.Figures["KC13"] != 120 || mf.Prefilled["KC01"] != 1 || mf.Status != forms.Draft {
			t.Errorf("venue form not pre-filled from its record: %+v", mf)
		}
		_ = mid
		// Submit with problems: refused, all of them returned.
		bad := forms.Figures{"KR00": 1, "KR02": 2, "KC11": 100, "KC12": 200}
		if err := s.Save(ctx, mf.ID, 0, bad, nil); err != nil {
			t.Fatal(err)
		}
		mf, _ = s.Find(ctx, museum.Key, 2025)
		probs, err := s.Submit(ctx, mf, 0)
		if !errors.Is(err, forms.ErrProblems) || probs["KR00"] == "" || probs["KC12"] == "" {
			t.Fatalf("bad form submitted: %v %v", probs, err)
		}
		good := forms.Figures{"KR00": 3, "KR02": 2, "KC11": 100, "KC12": 80, "KM06": 10}
		if err := s.Save(ctx, mf.ID, 0, good, nil); err != nil {
			t.Fatal(err)
		}
		mf, _ = s.Find(ctx, museum.Key, 2025)
		if _, err := s.Submit(ctx, mf, 0); err != nil {
			t.Fatal(err)
		}
		if err := s.Save(ctx, mf.ID, 0, good, nil); !errors.Is(err, forms.ErrLocked) {
			t.Errorf("a submitted form was saved: %v", err)
		}
		if err := s.Review(ctx, mf.ID, 0, false, " "); !errors.Is(err, forms.ErrProblems) {
			t.Errorf("returned without reasons: %v", err)
		}
		if err := s.Review(ctx, mf.ID, 0, false, "展厅面积请核对"); err != nil {
			t.Fatal(err)
		}
		mf, _ = s.Find(ctx, museum.Key, 2025)
		if mf.Status != forms.Returned || mf.Reasons != "展厅面积请核对" || !mf.Editable() {
			t.Errorf("returned form: %+v", mf)
		}
		if _, err := s.Submit(ctx, mf, 0); err != nil {
			t.Fatal(err)
		}
		if err := s.Review(ctx, mf.ID, 0, true, ""); err != nil {
			t.Fatal(err)
		}
		if err := s.Review(ctx, mf.ID, 0, true, ""); !errors.Is(err, forms.ErrState) {
			t.Errorf("accepted twice: %v", err)
		}
		if err := s.Save(ctx, mf.ID, 0, bad, nil); !errors.Is(err, forms.ErrLocked) {
			t.Errorf("an accepted form was changed: %v", err)
		}
		events, _ := s.Events(ctx, mf.ID)
		if len(events) != 7 || events[4].Action != "return" || events[4].Reasons != "展厅面积请核对" {
			t.Errorf("events: %+v", events)
		}
		// The banner's own form, accepted too; the summary adds both and lists the rest.
		bf, err := s.Open(ctx, unit(t, s, "152502"), 2025, 0)
		if err != nil {
			t.Fatal(err)
		}
		if err := s.Save(ctx, bf.ID, 0, forms.Figures{"KR00": 7, "KR03": 7, "KM06": 5}, nil); err != nil {
			t.Fatal(err)
		}
		bf, _ = s.Find(ctx, "152502", 2025)
		s.Submit(ctx, bf, 0)
		if err := s.Review(ctx, bf.ID, 0, true, ""); err != nil {
			t.Fatal(err)
		}
		// A township form still in draft is not summed.
		tf, _ := s.Open(ctx, unit(t, s, "152502001"), 2025, 0)
		s.Save(ctx, tf.ID, 0, forms.Figures{"KM06": 1000}, nil)
		sum, err := s.Summarize(ctx, region.NewScope("152500"), "152502", 2025)
		if err != nil {
			t.Fatal(err)
		}
		if sum.Figures["KR00"] != 10 || sum.Figures["KM06"] != 15 || sum.Included != 2 || sum.Expected != len(units) || len(sum.Missing) != len(units)-2 {
			t.Errorf("summary: %+v", sum)
		}
		var draftListed bool
		for _, m := range sum.Missing {
			if m.Unit.Key == "152502001" && m.Status == forms.Draft {
				draftListed = true
			}
			if m.Unit.Key == "152502" || m.Unit.Key == museum.Key {
				t.Errorf("accepted %s listed as missing", m.Unit.Key)
			}
		}
		if !draftListed {
			t.Error("the township's draft is not among the missing")
		}
		// Scope: another banner sees none of it.
		other := region.NewScope("152501")
		if _, err := s.Get(ctx, other, mf.ID); !errors.Is(err, db.ErrNotFound) {
			t.Errorf("152501 reads 152502's form: %v", err)
		}
		if l, _ := s.List(ctx, other, "", 2025, ""); len(l) != 0 {
			t.Errorf("152501 lists %d forms of 152502", len(l))
		}
		if _, err := s.Summarize(ctx, other, "152502", 2025); !errors.Is(err, db.ErrNotFound) {
			t.Errorf("152501 summarizes 152502: %v", err)
		}
		if _, err := s.UnitByKey(ctx, other, museum.Key); !errors.Is(err, db.ErrNotFound) {
			t.Errorf("152501 resolves 152502's museum: %v", err)
		}
		// Next year: a big change needs a remark, measured against last year's accepted form.
		nf, _ := s.Open(ctx, museum, 2026, 0)
		s.Save(ctx, nf.ID, 0, forms.Figures{"KR00": 3, "KR02": 2, "KC11": 100, "KC12": 80, "KM06": 40}, nil)
		nf, _ = s.Find(ctx, museum.Key, 2026)
		if probs, err := s.Submit(ctx, nf, 0); !errors.Is(err, forms.ErrProblems) || probs["KM06"] == "" || len(probs) != 1 {
			t.Errorf("year-on-year: %v %v", probs, err)
		}
	})
}

func TestXLSXRoundTripAndImport(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		s := newStore(d)
		all := region.NewScope("150000")
		yes := func(forms.Unit) bool { return true }
		figs := forms.Figures{"KR00": 12, "KR02": 5, "KR03": 7, "KJ01": 1000, "KJ02": 900, "KH04": 34567}
		var buf bytes.Buffer
		err := forms.WriteXLSX(&buf, []forms.Sheet{
			{UnitKey: "152502", UnitName: "锡林浩特市科协", Year: 2024, Figures: figs, Remarks: map[string]string{"KR00": "=cmd"}},
			{UnitKey: "152501", UnitName: "二连浩特市科协", Year: 2024, Figures: forms.Figures{"KM06": 3}},
		})
		if err != nil {
			t.Fatal(err)
		}
		good := buf.Bytes()
		sheets, err := forms.ReadXLSX(bytes.NewReader(good), 1<<20)
		if err != nil {
			t.Fatal(err)
		}
		if len(sheets) != 2 || sheets[0].UnitKey != "152502" || sheets[0].Year != 2024 || len(sheets[0].Figures) != len(figs) || sheets[0].Figures["KH04"] != 34567 {
			t.Fatalf("round trip: %+v", sheets)
		}
		if !strings.HasSuffix(sheets[0].Remarks["KR00"], "=cmd") || strings.HasPrefix(sheets[0].Remarks["KR00"], "=") {
			t.Errorf("a formula-like remark was written as is: %q", sheets[0].Remarks["KR00"])
		}
		// A banner may not import its own form (the league reviews it): refused, nothing written.
		bannerOnly := func(u forms.Unit) bool { return u.ReviewLevel() >= region.LevelBanner }
		if _, err := s.Import(ctx, all, bannerOnly, 0, 2026, bytes.NewReader(good), 1<<20); err == nil {
			t.Error("imported forms the importer may not review")
		}
		// A damaged workbook: every problem named by sheet, row, column and field; nothing written.
		x, _ := excelize.OpenReader(bytes.NewReader(good))
		name := x.GetSheetList()[0]
		x.SetCellValue(name, "D8", "十二")   // KR02 (row 6 heading, 7 KR00, 8 KR02)
		x.SetCellValue(name, "A9", "KR99") // an unknown code
		x.SetCellValue(name, "B3", "2030")
		var bad bytes.Buffer
		x.WriteTo(&bad)
		_, err = s.Import(ctx, all, yes, 0, 2026, bytes.NewReader(bad.Bytes()), 1<<20)
		var ies forms.ImportErrors
		if !errors.As(err, &ies) {
			t.Fatalf("damaged file: %v", err)
		}
		msg := ies.Error()
		for _, want := range []string{"第 8 行“数值”列（KR02 科普专职人员）", "第 9 行“代码”列（KR99）", name} {
			if !strings.Contains(msg, want) {
				t.Errorf("errors lack %q: %s", want, msg)
			}
		}
		if l, _ := s.List(ctx, all, "", 2024, ""); len(l) != 0 {
			t.Errorf("a refused file wrote %d forms", len(l))
		}
		// Inconsistent figures are refused with the row of the line.
		var incons bytes.Buffer
		forms.WriteXLSX(&incons, []forms.Sheet{{UnitKey: "152502", UnitName: "x", Year: 2023, Figures: forms.Figures{"KR00": 1, "KR02": 5}}})
		if _, err := s.Import(ctx, all, yes, 0, 2026, &incons, 1<<20); err == nil || !strings.Contains(err.Error(), "第 7 行") {
			t.Errorf("inconsistent figures: %v", err)
		}
		n, err := s.Import(ctx, all, yes, 0, 2026, bytes.NewReader(good), 1<<20)
		if err != nil || n != 2 {
			t.Fatalf("import: %d %v", n, err)
		}
		f, err := s.Find(ctx, "152502", 2024)
		if err != nil || f.Status != forms.Accepted || !f.Imported || f.Figures["KJ01"] != 1000 {
			t.Errorf("imported form: %+v %v", f, err)
		}
		// Importing again replaces an imported form; a form filed in the system is never overwritten.
		if _, err := s.Import(ctx, all, yes, 0, 2026, bytes.NewReader(good), 1<<20); err != nil {
			t.Errorf("re-import: %v", err)
		}
		filed, _ := s.Open(ctx, unit(t, s, "152502"), 2023, 0)
		_ = filed
		var again bytes.Buffer
		forms.WriteXLSX(&again, []forms.Sheet{{UnitKey: "152502", UnitName: "x", Year: 2023, Figures: forms.Figures{"KM06": 1}}})
		if _, err := s.Import(ctx, all, yes, 0, 2026, &again, 1<<20); err == nil || !strings.Contains(err.Error(), "已在系统中填报") {
			t.Errorf("overwrote a filed form: %v", err)
		}
		// The imported year is last year's base for 2025.
		h, _ := s.History(ctx, "152502", 2025, 5)
		if len(h) != 1 || h[0].Year != 2024 {
			t.Errorf("history: %+v", h)
		}
	})
}

// A pre-fill source that fails for part of the form leaves those lines blank and opens the form
// with the rest; one that gives nothing at all stops the opening.
func TestPrefillPartialFailure(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		s := newStore(d)
		s.Prefill = func(ctx context.Context, code string, year int, inds []string) (map[string]int64, error) {
			return map[string]int64{"KR02": 4}, errors.New("funds source down")
		}
		f, err := s.Open(ctx, unit(t, s, "152502"), 2025, 0)
		if err != nil || f.Figures["KR02"] != 4 || f.Prefilled["KR02"] != 4 {
			t.Errorf("partial pre-fill: %+v %v", f.Figures, err)
		}
		s.Prefill = func(ctx context.Context, code string, year int, inds []string) (map[string]int64, error) {
			return nil, errors.New("registry down")
		}
		if _, err := s.Open(ctx, unit(t, s, "152501"), 2025, 0); err == nil {
			t.Error("a form opened although its pre-fill failed outright")
		}
	})
}
