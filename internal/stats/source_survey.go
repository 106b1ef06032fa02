package stats

import (
	"context"
	"fmt"
	"strconv"

	"github.com/kepu/kepu/internal/region"
	"github.com/kepu/kepu/internal/survey"
)

// surveyFetcher reads civic scientific literacy through survey.Store.LatestHeadline: the overall
// share (percent, with its 95% CI) of the latest survey of exactly the unit whose year is not
// after the year asked and whose share is not suppressed (Latest: a survey's figure holds until
// the next one; the estimate is the survey's stored one while no response or margin changed),
// and the published figure (survey.PublishedFigures: CAST's releases, Inner Mongolia at the
// region only).
// Keys: "share", "published".
func (r *Registry) surveyFetcher() *fetcher {
	f := &fetcher{name: "survey"}
	f.unit = func(ctx context.Context, q Query) (map[string]cell, error) {
		out := map[string]cell{}
		if r.deps.Survey != nil {
			best, ok, err := r.deps.Survey.LatestHeadline(ctx, q.Scope.Narrow(q.Unit), q.Unit, q.Year)
			if err != nil {
				return nil, err
			}
			if ok {
				out["share"] = cell{float: true, value: round(best.Share, 2), low: round(best.Lo, 2), high: round(best.Hi, 2), known: true,
					asOf: strconv.Itoa(best.Year), records: fmt.Sprintf("/console/surveys/%d/report", best.SurveyID)}
			}
		}
		if region.LevelOf(q.Unit) == region.LevelRegion && q.Unit[:2] == "15" {
			var best *survey.Published
			for _, p := range survey.PublishedFigures() {
				if p.Area == "Inner Mongolia" && p.Year <= q.Year && (best == nil || p.Year > best.Year) {
					p := p
					best = &p
				}
			}
			if best != nil {
				out["published"] = cell{float: true, value: best.Share, known: true, asOf: strconv.Itoa(best.Year), records: "/console/surveys/trend"}
			}
		}
		return out, nil
	}
	return f
}

func (r *Registry) surveyIndicators() []*Indicator {
	f := r.surveyFetcher()
	lit := func(d def, basis Basis, key string) *Indicator {
		d.agg, d.basis, d.period, d.section, d.unit, d.unitEn = Latest, basis, Stock, SectionLiteracy, "%", "percent"
		return d.ind(f, key, "survey")
	}
	return []*Indicator{
		lit(def{code: "L01", zh: "公民具备科学素质比例（抽样调查）", en: "share of citizens with civic scientific literacy (survey estimate)", headline: true,
			seed: "share of citizens with civic scientific literacy", definition: "本单位最近一次（不晚于所选年份）公民科学素质抽样调查的总体比例估计，附 95% 置信区间；按调查设计加权（有边际时校准）"}, Verified, "share"),
		lit(def{code: "L02", zh: "公民具备科学素质比例（公布值）", en: "share of citizens with civic scientific literacy (published)",
			definition: "中国科协公布的本区比例（不晚于所选年份的最近一次），仅自治区一级"}, Declared, "published"),
	}
}
