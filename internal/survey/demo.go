package survey

import (
	"context"
	"database/sql"
	"fmt"
	"math"
	"math/rand/v2"
	"sort"

	"github.com/kepu/kepu/internal/db"
	"github.com/kepu/kepu/internal/demo"
	"github.com/kepu/kepu/internal/region"
)

// Frame is the sampling frame of a synthetic survey: the banners of each league with their
// adult population.
type Frame map[string][]FrameUnit

// FrameUnit is one banner of the frame.
type FrameUnit struct {
	Code   string
	Adults int64
}

// SyntheticPlan shapes a synthetic survey: BannersPerLeague banners drawn at random in each
// league (stratum), then PerBanner adults drawn at random in each banner. Share is the target
// literacy share of the population (0–1) around which leagues and banners vary.
type SyntheticPlan struct {
	BannersPerLeague int
	PerBanner        int
	Share            float64
}

// Synthetic is a drawn synthetic survey: its responses (scored by the scheme), the population's
// true literacy share and the population's census margins (sex, urban/rural, age group of the
// whole frame, for raking).
type Synthetic struct {
	Responses []Response
	TrueShare float64
	Margins   []MarginRow
}

// Age multipliers of the chance of being literate, by AgeGroups (mean 1: the age groups are
// equally large, so they do not move the population share).
var ageEffect = []float64{1.4, 1.2, 1.0, 0.8, 0.6}

// urbanShare is the urban share of every banner's adults in the synthetic population.
const urbanShare = 0.55

// Draw draws a stratified two-stage sample from the frame: in each league (stratum)
// plan.BannersPerLeague banners at random (first stage, probability m/M), in each of them
// plan.PerBanner adults at random (second stage, probability k/N_b); weight 1/(p1·p2). Each
// banner b has a literacy share p_b drawn around plan.Share (leagues and banners vary). A rural
// adult is literate with chance lo·a and an urban one with 1.5·lo·a, where lo = p_b / (1.5u +
// 1 − u) keeps the banner's share at p_b (u = 0.55 urban) and a is the age multiplier (mean 1
// over the equally large age groups). The true share is Σ N_b p_b / Σ N_b, the population
// parameter the weighted estimate is unbiased for. Each respondent's answers are drawn so that
// the scheme scores them literate exactly when they were drawn literate. Margins are the
// frame's census counts by sex (51 % men), urban/rural and age group, for the survey's unit.
func Draw(r *rand.Rand, frame Frame, plan SyntheticPlan, sv Survey, items []Item) (Synthetic, error) {
	sc, err := sv.ScoringScheme()
	if err != nil {
		return Synthetic{}, err
	}
	leagues := make([]string, 0, len(frame))
	for l := range frame {
		leagues = append(leagues, l)
	}
	sort.Strings(leagues)
	var out Synthetic
	var popTotal, litTotal float64
	// urban and rural chances keep the banner's share: u·hi + (1−u)·lo = p with hi = 1.5 lo'.
	split := func(p float64) (hi, lo float64) {
		lo = p / (urbanShare*1.5 + (1 - urbanShare))
		return 1.5 * lo, lo
	}
	for _, l := range leagues {
		units := frame[l]
		leagueShare := plan.Share * (0.6 + 0.8*r.Float64())
		shares := make([]float64, len(units))
		for i, u := range units {
			shares[i] = math.Min(0.6, leagueShare*(0.7+0.6*r.Float64()))
			popTotal += float64(u.Adults)
			litTotal += float64(u.Adults) * shares[i]
		}
		m := min(plan.BannersPerLeague, len(units))
		p1 := float64(m) / float64(len(units))
		for _, i := range r.Perm(len(units))[:m] {
			u := units[i]
			k := min(int64(plan.PerBanner), u.Adults)
			p2 := float64(k) / float64(u.Adults)
			hi, lo := split(shares[i])
			for range k {
				p := Respondent{RegionCode: u.Code, Stratum: l, PSU: u.Code, Weight: 1 / (p1 * p2), Prob1: p1, Prob2: p2,
					Urban: r.Float64() < urbanShare, Sex: Sexes[r.IntN(2)]}
				ag := r.IntN(len(AgeGroups))
				p.AgeGroup = AgeGroups[ag]
				chance := lo
				if p.Urban {
					chance = hi
				}
				literate := r.Float64() < math.Min(1, chance*ageEffect[ag])
				answers, s, err := drawAnswers(r, sc, items, literate)
				if err != nil {
					return Synthetic{}, err
				}
				out.Responses = append(out.Responses, Response{SurveyID: sv.ID, Mode: "demo", Respondent: p, Answers: answers, Score: s})
			}
		}
	}
	out.TrueShare = litTotal / popTotal
	root := sv.RegionCode
	pop := int64(popTotal)
	male := pop * 51 / 100
	urban := int64(float64(pop) * urbanShare)
	out.Margins = []MarginRow{{root, "", BySex, "male", male}, {root, "", BySex, "female", pop - male},
		{root, "", ByUrban, "1", urban}, {root, "", ByUrban, "0", pop - urban}}
	for i, a := range AgeGroups {
		n := pop / int64(len(AgeGroups))
		if i == 0 {
			n = pop - n*int64(len(AgeGroups)-1)
		}
		out.Margins = append(out.Margins, MarginRow{root, "", ByAge, a, n})
	}
	return out, nil
}

// drawAnswers draws answers whose score agrees with literate: each item right with a chance
// that suits the level, redrawn until the scheme agrees (a few tries at most in practice).
// Now and then an item is left unanswered, as real respondents do.
func drawAnswers(r *rand.Rand, sc Scheme, items []Item, literate bool) ([]Answer, Score, error) {
	right := 0.45
	if literate {
		right = 0.95
	}
	for range 200 {
		answers := make([]Answer, len(items))
		for i, it := range items {
			switch x := r.Float64(); {
			case x < 0.03:
				answers[i] = nil
			case x < right:
				answers[i] = Answer(it.Answer)
			default:
				answers[i] = wrong(r, it)
			}
		}
		s, err := sc.Score(items, answers)
		if err != nil {
			return nil, Score{}, err
		}
		if s.Literate == literate {
			return answers, s, nil
		}
	}
	return nil, Score{}, fmt.Errorf("survey.drawAnswers: no answers of the wanted level after 200 draws")
}

func wrong(r *rand.Rand, it Item) Answer {
	for {
		c := r.IntN(it.Choices())
		if len(it.Answer) != 1 || it.Answer[0] != c {
			return Answer{c}
		}
	}
}

// demoSurveys are the demo's synthetic surveys of the region: a 2020 survey whose population
// share is near the published 8.73 % and a 2025 one near 13 %.
var demoSurveys = []struct {
	year  int
	share float64
	title string
}{
	{2020, 0.0873, "内蒙古公民科学素质抽样调查（演示）"},
	{2025, 0.13, "内蒙古公民科学素质抽样调查（演示）"},
}

// DemoStep adds the demo's synthetic surveys: stratified by league, two-stage (3 banners per
// league, then 100 adults per banner: 3,400–3,600 respondents each at any scale, since a
// survey of fewer would not show what the estimates do), scored by the 2024 national scheme
// on the sample bank, with the census margins of the synthetic population. Each survey's true
// share is stored with it, so the report shows the estimate landing near it.
func DemoStep() demo.Step {
	return demo.Step{Name: "survey", Work: 2, Run: func(ctx context.Context, g *demo.Generator) error {
		regions := &region.Store{DB: g.DB}
		st := &Store{DB: g.DB, Regions: regions}
		roots, err := regions.Roots(ctx)
		if err != nil || len(roots) == 0 {
			return fmt.Errorf("survey demo: no region loaded: %v", err)
		}
		root := roots[0]
		banners, err := regions.UnitsAt(ctx, region.LevelBanner)
		if err != nil {
			return err
		}
		frame := Frame{}
		for _, b := range banners {
			l := LeagueOf(b.Code)
			if l == "" || region.IsDevelopmentZone(b.Code) {
				continue
			}
			adults := int64(50000 + g.Rand.IntN(250000))
			if b.Population != nil && *b.Population > 1000 {
				adults = *b.Population * 7 / 10
			}
			frame[l] = append(frame[l], FrameUnit{b.Code, adults})
		}
		scope := region.NewScope(root.Code)
		for _, ds := range demoSurveys {
			id, err := st.Create(ctx, scope, 0, Input{RegionCode: root.Code, Title: ds.title, TitleMn: "ᠰᠢᠨᠵᠢᠯᠡᠬᠦ ᠤᠬᠠᠭᠠᠨ ᠤ ᠰᠤᠳᠤᠯᠭ᠎ᠠ", Year: ds.year, Scheme: National2024, Sample: true})
			if err != nil {
				return err
			}
			sv, err := st.Get(ctx, scope, id)
			if err != nil {
				return err
			}
			items, err := st.Items(ctx, id)
			if err != nil {
				return err
			}
			syn, err := Draw(g.Rand, frame, SyntheticPlan{BannersPerLeague: 3, PerBanner: 100, Share: ds.share}, sv, items)
			if err != nil {
				return err
			}
			err = g.DB.Tx(ctx, func(tx *sql.Tx) error {
				if _, err := tx.ExecContext(ctx, st.q(`UPDATE survey_surveys SET demo_true_share = ? WHERE id = ?`), syn.TrueShare, id); err != nil {
					return err
				}
				for i := 0; i < len(syn.Responses); i += 500 {
					if err := st.insertResponses(ctx, tx, 0, syn.Responses[i:min(i+500, len(syn.Responses))]); err != nil {
						return err
					}
				}
				return nil
			})
			if err != nil {
				return db.Map(err)
			}
			if err := st.SetMargins(ctx, scope, id, syn.Margins); err != nil {
				return err
			}
			g.Tick(1)
		}
		return nil
	}}
}
