package report_test

import (
	"context"
	"fmt"
	"math"
	"strconv"
	"strings"
	"testing"

	"github.com/kepu/kepu/internal/activity"
	"github.com/kepu/kepu/internal/content"
	"github.com/kepu/kepu/internal/db"
	"github.com/kepu/kepu/internal/db/dbtest"
	"github.com/kepu/kepu/internal/region"
	"github.com/kepu/kepu/internal/registry"
	"github.com/kepu/kepu/internal/stats"
	"github.com/kepu/kepu/internal/stats/report"
	"github.com/kepu/kepu/internal/survey"
)

// literate answers every item of survey.SampleBank right (the national scheme scores it
// literate).
const literate = ",对,对,错,对,对,错,错,错,对,C,B,A,AB,对,B,错,AC,B,对"

// responsesCSV is an import file of the sample bank's questionnaire with the given rows.
func responsesCSV(rows ...string) *strings.Reader {
	head := "区划代码,层,初级抽样单元,权数,第一阶段入样概率,第二阶段入样概率,城乡,性别,年龄组"
	for i := 1; i <= len(survey.SampleBank()); i++ {
		head += fmt.Sprintf(",第%d题", i)
	}
	return strings.NewReader(head + "\n" + strings.Join(rows, "\n") + "\n")
}

// The report's lead sentence on civic scientific literacy states the survey's estimate: with a
// league survey of 12 literate respondents of weight 300 and 20 of weight 100 who answered
// nothing, the weighted share is 3,600 ÷ 5,600 = 64.29 % (the unweighted 37.5 % would be
// wrong), and the lead says so, linked to the
// survey's report; the survey store's own estimate is the same figure. Without a survey of the
// unit, the lead says there is none.
func TestReportLiteracyLead(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		regions := &region.Store{DB: d}
		surveys := &survey.Store{DB: d, Regions: regions}
		reg := stats.New(stats.Deps{DB: d, Regions: regions, Registry: &registry.Store{DB: d, Regions: regions},
			Activity: &activity.Store{DB: d, Regions: regions}, Content: &content.Store{DB: d, Regions: regions}, Survey: surveys})
		all := region.NewScope("150000")
		build := func(unit string) *report.Report {
			t.Helper()
			rep, err := report.Build(ctx, reg, regions, stats.Query{Unit: unit, Year: demoYear, Scope: all}, nil)
			if err != nil {
				t.Fatal(err)
			}
			return rep
		}
		lead := func(rep *report.Report) string {
			var s []string
			for _, x := range rep.Lead {
				s = append(s, x.Text())
			}
			return strings.Join(s, "")
		}
		none := fmt.Sprintf(report.NoSurveyText, demoYear, "全盟")
		if got := lead(build("152500")); !strings.Contains(got, none) || strings.Contains(got, "公民具备科学素质比例（抽样调查）") {
			t.Errorf("lead without a survey: %q", got)
		}

		id, err := surveys.Create(ctx, all, 0, survey.Input{RegionCode: "152500", Title: "锡林郭勒盟公民科学素质调查", Year: demoYear, Scheme: survey.National2024, Sample: true})
		if err != nil {
			t.Fatal(err)
		}
		// 12 literate respondents of weight 300 (imported) and 20 of weight 100 who answered
		// nothing (interviewed), in two banners: the survey reports from 30 respondents up.
		var rows []string
		for i := range 12 {
			rows = append(rows, fmt.Sprintf("%s,s1,p%d,300,,,城镇,女,30-39%s", []string{"152502", "152501"}[i%2], 1+i%2, literate))
		}
		if n, err := surveys.Import(ctx, all, 0, id, responsesCSV(rows...)); err != nil || n != 12 {
			t.Fatalf("import: %d %v", n, err)
		}
		for i := range 20 {
			p := survey.Respondent{RegionCode: []string{"152502", "152501"}[i%2], Stratum: "s1", PSU: "p" + strconv.Itoa(1+i%2), Weight: 100, Sex: "male", AgeGroup: "50-59"}
			if _, err := surveys.Interview(ctx, all, 0, id, p, nil); err != nil {
				t.Fatal(err)
			}
		}
		const want = 3600.0 / 5600 * 100 // percent
		hs, err := surveys.Headlines(ctx, all, demoYear)
		if err != nil || len(hs) != 1 || hs[0].Suppressed || math.Abs(hs[0].Share-want) > 1e-9 || hs[0].N != 32 {
			t.Fatalf("the survey's estimate: %+v %v, want %.4f%% of 32", hs, err, want)
		}

		rep := build("152500")
		var fig *report.Figure
		for _, f := range rep.Figures {
			if f.Code == "L01" {
				fig = f
			}
		}
		if fig == nil || !fig.Known || math.Abs(fig.Value-math.Round(want*100)/100) > 1e-9 {
			t.Fatalf("L01 in the report: %+v, the survey's estimate %.4f", fig, want)
		}
		text := fmt.Sprintf("%.2f", want) // 64.29
		var sentence report.Sentence
		for _, s := range rep.Lead {
			if strings.Contains(s.Text(), fig.Name) {
				sentence = s
			}
		}
		wantText := fmt.Sprintf("%d年，全盟%s%s%%。", demoYear, fig.Name, text)
		if sentence.Text() != wantText {
			t.Errorf("lead sentence %q, want %q", sentence.Text(), wantText)
		}
		linked := false
		for _, p := range sentence {
			if p.Text == text+"%" && p.Href == fmt.Sprintf("/console/surveys/%d/report", id) {
				linked = true
			}
		}
		if !linked {
			t.Errorf("the figure is not linked to the survey's report: %+v", sentence)
		}
		if strings.Contains(lead(rep), none) {
			t.Errorf("the lead says there is no survey although there is one: %q", lead(rep))
		}
		// The year after, with no new survey, the figure is the same measurement carried
		// forward: the lead names the survey's year and compares with nothing.
		next, err := report.Build(ctx, reg, regions, stats.Query{Unit: "152500", Year: demoYear + 1, Scope: all}, nil)
		if err != nil {
			t.Fatal(err)
		}
		carried := lead(next)
		if !strings.Contains(carried, fmt.Sprintf("%s%%（%d年调查结果，%d年未再调查）", text, demoYear, demoYear+1)) || strings.Contains(carried, "持平") {
			t.Errorf("lead of the year after the survey: %q", carried)
		}
		// A banner inside the league has no survey of its own: its report says so.
		if got := lead(build("152502")); !strings.Contains(got, fmt.Sprintf(report.NoSurveyText, demoYear, "全市")) {
			t.Errorf("banner lead: %q", got)
		}
	})
}
