package stats

import (
	"context"
	"net/url"

	"github.com/kepu/kepu/internal/quiz"
	"github.com/kepu/kepu/internal/region"
)

// quizFetcher reads science quiz contests through quiz.Store.ParticipationByRegion for the
// period: contests held (where they are held, started in the period), participants (people
// signed up in the period, where they live) and counted attempts (person-times, practice
// apart). Keys: "contests", "participants", "attempts".
func (r *Registry) quizFetcher() *fetcher {
	f := &fetcher{name: "quiz"}
	cells := func(p quiz.Participation, unit string) map[string]cell {
		link := "/console/quiz?" + url.Values{"region": {unit}}.Encode()
		return map[string]cell{
			"contests":     {exact: p.Contests, known: true, records: link},
			"participants": {exact: p.Participants, known: true, records: link},
			"attempts":     {exact: p.Attempts, known: true, records: link},
		}
	}
	by := func(ctx context.Context, q Query, groupLen int) (map[string]quiz.Participation, error) {
		from, to := q.Span()
		return r.deps.Quiz.ParticipationByRegion(ctx, q.Scope.Narrow(q.Unit), groupLen, from, to)
	}
	f.unit = func(ctx context.Context, q Query) (map[string]cell, error) {
		if r.deps.Quiz == nil {
			return nil, nil
		}
		m, err := by(ctx, q, 2)
		if err != nil {
			return nil, err
		}
		var t quiz.Participation
		for _, p := range m {
			t.Contests, t.Participants, t.Attempts = t.Contests+p.Contests, t.Participants+p.Participants, t.Attempts+p.Attempts
		}
		return cells(t, q.Unit), nil
	}
	f.own = func(ctx context.Context, q Query) (map[string]cell, error) {
		if r.deps.Quiz == nil {
			return nil, nil
		}
		m, err := by(ctx, q, 12) // whole codes: the unit's own key is its code
		if err != nil {
			return nil, err
		}
		return cells(m[q.Unit], q.Unit), nil
	}
	f.children = func(ctx context.Context, q Query, kids []region.Unit) (map[string]map[string]cell, error) {
		out := map[string]map[string]cell{}
		if r.deps.Quiz == nil {
			return out, nil
		}
		n := childPrefixLen(q.Unit)
		m, err := by(ctx, q, n)
		if err != nil {
			return nil, err
		}
		for _, k := range kids {
			out[k.Code] = cells(m[prefixOf(k.Code, n)], k.Code)
		}
		return out, nil
	}
	return f
}

func (r *Registry) quizIndicators() []*Indicator {
	f := r.quizFetcher()
	qz := func(d def, key string) *Indicator {
		d.agg, d.basis, d.period, d.section = Sum, Verified, Flow, SectionActivities
		return d.ind(f, key, "quiz")
	}
	return []*Indicator{
		qz(def{code: "KH30", zh: "科普知识答题活动", en: "science knowledge quiz campaigns", unit: "项", unitEn: "campaigns", headline: true,
			seed: "science knowledge quiz campaigns on TV and mobile", definition: "期内开始的答题竞赛（按举办单位计）"}, "contests"),
		qz(def{code: "KH31", zh: "答题参与人数", en: "quiz participants", unit: "人", unitEn: "people",
			seed: "quiz participants", definition: "期内报名的答题参与者（按本人所在区划计，一人一次）"}, "participants"),
		qz(def{code: "KH32", zh: "答题人次", en: "quiz attempts", unit: "人次", unitEn: "person-times",
			definition: "期内开始的计分答题次数（练习不计）"}, "attempts"),
	}
}
