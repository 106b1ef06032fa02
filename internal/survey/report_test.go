package survey

import (
	"context"
	"database/sql"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/kepu/kepu/internal/db"
	"github.com/kepu/kepu/internal/db/dbtest"
	"github.com/kepu/kepu/internal/region"
)

// testFrame is 12 leagues of 6 banners each, 40,000–300,000 adults a banner.
func testFrame(r *rand.Rand) Frame {
	f := Frame{}
	for l := 1; l <= 12; l++ {
		league := "15" + two(l) + "00"
		for b := 1; b <= 6; b++ {
			f[league] = append(f[league], FrameUnit{Code: "15" + two(l) + two(b), Adults: int64(40000 + r.IntN(260000))})
		}
	}
	return f
}

func two(n int) string { return string(rune('0'+n/10)) + string(rune('0'+n%10)) }

func demoSurvey() Survey {
	return Survey{ID: 1, RegionCode: "150000", RegionName: "内蒙古自治区", Year: 2025, Scheme: National2024}
}

// The synthetic survey's estimate lands near the population's true share: within 3 standard
// errors and 2 percentage points, over several seeds; its 95% intervals cover the truth in
// most of them.
func TestSyntheticSurveyLandsNearTruth(t *testing.T) {
	items := SampleBank()
	covered := 0
	const seeds = 8
	for seed := range uint64(seeds) {
		r := rand.New(rand.NewPCG(seed, 7))
		syn, err := Draw(r, testFrame(r), SyntheticPlan{BannersPerLeague: 3, PerBanner: 100, Share: 0.10}, demoSurvey(), items)
		if err != nil {
			t.Fatal(err)
		}
		if n := len(syn.Responses); n != 3600 {
			t.Fatalf("sample of %d, want 12 × 3 × 100", n)
		}
		// The scored level agrees with the drawn one: the respondents' literacy is the scheme's.
		for _, rsp := range syn.Responses[:50] {
			s, _ := NationalScheme2024().Score(items, rsp.Answers)
			if s.Literate != rsp.Literate || s.Total != rsp.Total {
				t.Fatalf("stored score differs from the scheme's: %+v vs %+v", s, rsp.Score)
			}
		}
		rep, err := Estimate(demoSurvey(), syn.Responses, nil, nil)
		if err != nil {
			t.Fatal(err)
		}
		o := rep.Overall()
		if o.Suppressed || math.Abs(o.Share-syn.TrueShare) > 3*o.SE || math.Abs(o.Share-syn.TrueShare) > 0.02 {
			t.Errorf("seed %d: estimate %.4f ± %.4f, true share %.4f", seed, o.Share, o.SE, syn.TrueShare)
		}
		if o.Lo <= syn.TrueShare && syn.TrueShare <= o.Hi {
			covered++
		}
		if o.DEff <= 1 {
			t.Errorf("seed %d: a clustered sample with a design effect of %.2f", seed, o.DEff)
		}
		if got := len(rep.Group(GroupLeague)); got != 12 {
			t.Errorf("%d league cells", got)
		}
		if math.Abs(rep.WeightSum-sumAdults(testFrame(rand.New(rand.NewPCG(seed, 7)))))/rep.WeightSum > 0.5 {
			t.Errorf("weights sum to %.0f", rep.WeightSum)
		}
	}
	if covered < seeds-2 {
		t.Errorf("the 95%% interval covered the true share in %d of %d samples", covered, seeds)
	}
}

func sumAdults(f Frame) float64 {
	t := 0.0
	for _, us := range f {
		for _, u := range us {
			t += float64(u.Adults)
		}
	}
	return t
}

func TestSuppression(t *testing.T) {
	items := SampleBank()
	r := rand.New(rand.NewPCG(1, 2))
	syn, err := Draw(r, testFrame(r), SyntheticPlan{BannersPerLeague: 2, PerBanner: 60, Share: 0.08}, demoSurvey(), items)
	if err != nil {
		t.Fatal(err)
	}
	// 29 respondents of one more league: its cell is suppressed for its size.
	for i := range 29 {
		p := syn.Responses[i]
		p.RegionCode, p.Stratum, p.PSU = "152901", "152900", "152901"
		if i%2 == 0 {
			p.PSU = "152902"
		}
		syn.Responses = append(syn.Responses, p)
	}
	rep, err := Estimate(demoSurvey(), syn.Responses, nil, map[string]string{"152900": "阿拉善盟"})
	if err != nil {
		t.Fatal(err)
	}
	var small, unreliable, shown int
	for _, c := range rep.Cells {
		switch {
		case c.Key == "152900":
			if !c.Suppressed || c.N != 29 || !strings.Contains(c.Reason, "样本量 29 少于 30") || c.Label != "阿拉善盟" {
				t.Errorf("small cell: %+v", c)
			}
			small++
		case c.Suppressed && strings.Contains(c.Reason, "变异系数"):
			if c.N < MinCell || !(c.CV > MaxCV || c.Share == 0) {
				t.Errorf("suppressed for CV wrongly: %+v", c)
			}
			unreliable++
		case c.Suppressed:
			t.Errorf("suppressed for another reason: %+v", c)
		default:
			if c.CV > MaxCV || c.N < MinCell {
				t.Errorf("shown but unreliable: %+v", c)
			}
			shown++
		}
	}
	// 120 respondents a league at 8 %: league cells have CVs near 30 %, some above.
	if small != 1 || unreliable == 0 || shown == 0 {
		t.Errorf("small %d, unreliable %d, shown %d", small, unreliable, shown)
	}
	if _, err := Estimate(demoSurvey(), nil, nil, nil); err != ErrNoResponses {
		t.Errorf("no responses: %v", err)
	}
}

func TestRakeMarginsNameTheCategory(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	syn, err := Draw(r, testFrame(r), SyntheticPlan{BannersPerLeague: 2, PerBanner: 40, Share: 0.1}, demoSurvey(), SampleBank())
	if err != nil {
		t.Fatal(err)
	}
	sv := demoSurvey()
	// A margin category nobody in the sample is in.
	ms := append(append([]MarginRow(nil), syn.Margins...), MarginRow{RegionCode: "150000", Variable: ByAge, Category: "70-79", Population: 1000})
	_, err = Estimate(sv, syn.Responses, ms, nil)
	if err == nil || !strings.Contains(err.Error(), "年龄组的类别“70-79”") || !strings.Contains(err.Error(), "没有受访者") {
		t.Errorf("margin category without respondents: %v", err)
	}
	// A sample category the margins lack.
	var noRural []MarginRow
	for _, m := range syn.Margins {
		if !(m.Variable == ByUrban && m.Category == "0") {
			noRural = append(noRural, m)
		}
	}
	_, err = Estimate(sv, syn.Responses, noRural, nil)
	if err == nil || !strings.Contains(err.Error(), "城乡为“乡村”") {
		t.Errorf("sample category without a margin: %v", err)
	}
	// League margins that leave a league out name it.
	league := []MarginRow{{RegionCode: "150100", Variable: BySex, Category: "male", Population: 10}, {RegionCode: "150100", Variable: BySex, Category: "female", Population: 10}}
	_, err = Estimate(sv, syn.Responses, league, map[string]string{"150200": "包头市"})
	if err == nil || !strings.Contains(err.Error(), "包头市") {
		t.Errorf("league without margins: %v", err)
	}
}

// Raked to the population's own margins, the estimate stays near the truth and the weights
// sum to the population.
func TestRakedEstimate(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	frame := testFrame(r)
	syn, err := Draw(r, frame, SyntheticPlan{BannersPerLeague: 3, PerBanner: 100, Share: 0.1}, demoSurvey(), SampleBank())
	if err != nil {
		t.Fatal(err)
	}
	rep, err := Estimate(demoSurvey(), syn.Responses, syn.Margins, nil)
	if err != nil {
		t.Fatal(err)
	}
	o := rep.Overall()
	if !rep.Raked || math.Abs(rep.WeightSum-float64(int64(sumAdults(frame))))/rep.WeightSum > 1e-6 {
		t.Errorf("raked weights sum to %.0f, population %.0f", rep.WeightSum, sumAdults(frame))
	}
	if math.Abs(o.Share-syn.TrueShare) > 3*o.SE {
		t.Errorf("raked estimate %.4f ± %.4f, truth %.4f", o.Share, o.SE, syn.TrueShare)
	}
}

func TestHeadlinesAndTrend(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		ctx, s := context.Background(), newStore(d)
		id, err := s.Create(ctx, all, 0, Input{RegionCode: "150000", Title: "演示", Year: 2020, Scheme: National2024, Sample: true})
		if err != nil {
			t.Fatal(err)
		}
		sv, _ := s.Get(ctx, all, id)
		items, _ := s.Items(ctx, id)
		r := rand.New(rand.NewPCG(9, 9))
		frame := Frame{}
		banners, _ := s.Regions.UnitsAt(ctx, region.LevelBanner)
		for _, b := range banners {
			if l := LeagueOf(b.Code); l != "" && !region.IsDevelopmentZone(b.Code) {
				frame[l] = append(frame[l], FrameUnit{b.Code, 100000})
			}
		}
		syn, err := Draw(r, frame, SyntheticPlan{BannersPerLeague: 2, PerBanner: 50, Share: 0.09}, sv, items)
		if err != nil {
			t.Fatal(err)
		}
		if err := s.DB.Tx(ctx, func(tx *sql.Tx) error { return s.insertResponses(ctx, tx, 0, syn.Responses) }); err != nil {
			t.Fatal(err)
		}
		hs, err := s.Headlines(ctx, all, 2020)
		if err != nil || len(hs) != 1 || hs[0].Suppressed || math.Abs(hs[0].Share-syn.TrueShare*100) > 3 || hs[0].Lo >= hs[0].Share || hs[0].N != len(syn.Responses) {
			t.Fatalf("headlines: %+v %v (truth %.2f)", hs, err, syn.TrueShare*100)
		}
		// A banner admin's headline is its own banner's respondents only (or none).
		hb, _ := s.Headlines(ctx, xilinhot, 0)
		for _, h := range hb {
			if h.N >= len(syn.Responses) {
				t.Errorf("banner sees the whole sample: %+v", h)
			}
		}
		tr, err := s.Trend(ctx, all, "150000")
		if err != nil {
			t.Fatal(err)
		}
		var y2020 *TrendPoint
		for i := range tr {
			if tr[i].Year == 2020 {
				y2020 = &tr[i]
			}
		}
		if y2020 == nil || y2020.Estimate == nil || y2020.Region == nil || y2020.Region.Share != 8.73 || y2020.China.Share != 10.56 {
			t.Errorf("trend 2020: %+v", y2020)
		}
		if tr[0].Year != 2007 || tr[0].Estimate != nil || tr[0].China == nil {
			t.Errorf("trend starts %+v", tr[0])
		}
	})
}

// Margins whose totals disagree (sex sums to 1,000, urban/rural to 3,000), or that the sample
// cannot meet together, give an error that says so and no report.
func TestMarginsThatCannotAllHold(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	syn, err := Draw(r, testFrame(r), SyntheticPlan{BannersPerLeague: 2, PerBanner: 40, Share: 0.1}, demoSurvey(), SampleBank())
	if err != nil {
		t.Fatal(err)
	}
	ms := []MarginRow{{RegionCode: "150000", Variable: BySex, Category: "male", Population: 500}, {RegionCode: "150000", Variable: BySex, Category: "female", Population: 500},
		{RegionCode: "150000", Variable: ByUrban, Category: "1", Population: 2000}, {RegionCode: "150000", Variable: ByUrban, Category: "0", Population: 1000}}
	rep, err := Estimate(demoSurvey(), syn.Responses, ms, nil)
	if err == nil || !strings.Contains(err.Error(), "总数不一致") || !strings.Contains(err.Error(), "3000") || len(rep.Cells) != 0 {
		t.Errorf("inconsistent margins: %v, %d cells", err, len(rep.Cells))
	}
	// Totals that agree, but a sample where every man is urban and every woman rural cannot
	// have 50 % men and 80 % urban: raking reaches a cycle's fixed point that meets only the
	// last margin, and the report refuses it.
	for i := range syn.Responses {
		syn.Responses[i].Urban = syn.Responses[i].Sex == "male"
	}
	ms[2].Population, ms[3].Population = 800, 200
	rep, err = Estimate(demoSurvey(), syn.Responses, ms, nil)
	if err == nil || !strings.Contains(err.Error(), "不能同时满足") || !strings.Contains(err.Error(), "性别“") || len(rep.Cells) != 0 {
		t.Errorf("margins that cannot hold together: %v, %d cells", err, len(rep.Cells))
	}
}

func TestImportMissingDesignColumn(t *testing.T) {
	items := SampleBank()
	csv := strings.Replace(sheetText("152502,s1,p1,120.5,,,城镇,女,30-39"+allRight), "初级抽样单元", "备注", 1)
	_, err := parseRows(strings.NewReader(csv), demoSurvey(), items, nil)
	if err == nil || !strings.Contains(err.Error(), "初级抽样单元") {
		t.Errorf("missing PSU column: %v", err)
	}
}
