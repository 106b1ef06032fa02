package stats

import (
	"context"
	"fmt"
	"net/url"
	"strings"

	"github.com/kepu/kepu/internal/quiz"
	"github.com/kepu/kepu/internal/region"
)

// quizFetcher reads science quiz contests through quiz.Store.ParticipationByMonth for the
// period: contests held (where they are held, started in the period), participants (people
// signed up in the period, where they live) and counted attempts (person-times, practice
// apart). Keys: "contests", "participants", "attempts".
//
// A unit's figures and its children's come from one call for the whole year, grouped by
// month and by the children's code prefix (quizMemo): the year, its twelve months and the
// children of a dashboard cost one query of each kind. The unit's figures are the sum of all
// the groups (every group lies in the scope narrowed to the unit); its own (f.own) are read
// apart, by whole code.
func (r *Registry) quizFetcher() *fetcher {
	f := &fetcher{name: "quiz"}
	memo := &quizMemo{}
	cells := func(p quiz.Participation, unit string) map[string]cell {
		link := "/console/quiz?" + url.Values{"region": {unit}}.Encode()
		return map[string]cell{
			"contests":     {exact: p.Contests, known: true, records: link},
			"participants": {exact: p.Participants, known: true, records: link},
			"attempts":     {exact: p.Attempts, known: true, records: link},
		}
	}
	// byPrefix returns the period's figures by code prefix of childPrefixLen(q.Unit) digits.
	byPrefix := func(ctx context.Context, q Query) (map[string]quiz.Participation, error) {
		scope := q.Scope.Narrow(q.Unit)
		n := childPrefixLen(q.Unit)
		from, to := q.Span()
		// A month is read with the rest of its year (one query for the dashboard's thirteen
		// periods) when results are shared; live, the period alone.
		yfrom, yto := Query{Year: q.Year}.Span()
		if r.MaxAge <= 0 {
			yfrom, yto = from, to
		}
		key := fmt.Sprintf("%s|%d|%d|%s", q.Unit, q.Year, n, strings.Join(scope.Roots(), ","))
		months, err := memo.get(ctx, r, key, func(ctx context.Context) (map[string]map[string]quiz.Participation, error) {
			return r.deps.Quiz.ParticipationByMonth(ctx, scope, n, yfrom, yto)
		})
		if err != nil {
			return nil, err
		}
		out := map[string]quiz.Participation{}
		for m, groups := range months {
			if q.Month != 0 && m != fmt.Sprintf("%04d-%02d", q.Year, q.Month) {
				continue
			}
			for k, p := range groups {
				o := out[k]
				o.Contests, o.Participants, o.Attempts = o.Contests+p.Contests, o.Participants+p.Participants, o.Attempts+p.Attempts
				out[k] = o
			}
		}
		return out, nil
	}
	f.unit = func(ctx context.Context, q Query) (map[string]cell, error) {
		if r.deps.Quiz == nil {
			return nil, nil
		}
		m, err := byPrefix(ctx, q)
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
		from, to := q.Span()
		m, err := r.deps.Quiz.ParticipationByRegion(ctx, q.Scope.Narrow(q.Unit), 12, from, to) // whole codes: the unit's own key is its code
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
		m, err := byPrefix(ctx, q)
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

// quizMemo shares quiz.ParticipationByMonth results (a unit's year by month and child prefix,
// for a scope) between the batches of statistics, as sourceMemo says.
type quizMemo = sourceMemo[map[string]map[string]quiz.Participation]

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
