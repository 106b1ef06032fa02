package main

import (
	"context"
	"math"
	"path/filepath"
	"testing"

	"github.com/kepu/kepu/internal/db"
	"github.com/kepu/kepu/internal/region"
	"github.com/kepu/kepu/internal/survey"
)

// `kepu demo` adds two synthetic surveys whose reports land near their true shares.
func TestSurveyDemoLandsNearTruth(t *testing.T) {
	path := filepath.Join(t.TempDir(), "demo.db")
	if code, out, errs := kepu(t, nil, "", "demo", "--db", path, "--seed", "11", "--scale", "0.01"); code != 0 {
		t.Fatalf("demo: %d %s %s", code, out, errs)
	}
	ctx := context.Background()
	d, err := db.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	st := &survey.Store{DB: d, Regions: &region.Store{DB: d}}
	all := region.NewScope("150000")
	svs, err := st.List(ctx, all)
	if err != nil || len(svs) != 2 {
		t.Fatalf("demo surveys: %d %v", len(svs), err)
	}
	for _, sv := range svs {
		if sv.DemoTrueShare == nil || sv.Responses < 3000 || sv.Responses > 4000 {
			t.Fatalf("survey %d: %d responses, true share %v", sv.ID, sv.Responses, sv.DemoTrueShare)
		}
		truth := *sv.DemoTrueShare
		for _, rake := range []bool{false, true} {
			rep, err := st.Report(ctx, all, sv.ID, rake)
			if err != nil {
				t.Fatal(err)
			}
			o := rep.Overall()
			if rep.Raked != rake || o.Suppressed || math.Abs(o.Share-truth) > 3*o.SE || math.Abs(o.Share-truth) > 0.02 {
				t.Errorf("%d, raked %v: estimate %.4f ± %.4f, true %.4f", sv.Year, rake, o.Share, o.SE, truth)
			}
			t.Logf("%d, raked %v: %d respondents, estimate %.2f%% (95%% CI %.2f–%.2f), true %.2f%%", sv.Year, rake, o.N, o.Share*100, o.Lo*100, o.Hi*100, truth*100)
			if len(rep.Group(survey.GroupLeague)) != 12 {
				t.Errorf("%d league cells", len(rep.Group(survey.GroupLeague)))
			}
		}
	}
}
