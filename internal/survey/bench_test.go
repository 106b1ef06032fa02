package survey

import (
	"context"
	"database/sql"
	"math/rand/v2"
	"testing"

	"github.com/kepu/kepu/internal/db"
	"github.com/kepu/kepu/internal/db/dbtest"
	"github.com/kepu/kepu/internal/region"
)

// benchFrame is 12 leagues of 25 banners (300 PSUs of 1,000 respondents: 300,000).
func benchFrame(r *rand.Rand) Frame {
	f := Frame{}
	for l := 1; l <= 12; l++ {
		league := "15" + two(l) + "00"
		for b := 1; b <= 25; b++ {
			f[league] = append(f[league], FrameUnit{Code: "15" + two(l) + two(b), Adults: int64(100000 + r.IntN(200000))})
		}
	}
	return f
}

// BenchmarkEstimateReport is a whole report of a national-size sample: 300,000 respondents,
// 12 strata, 300 PSUs; raked to sex, age group and urban/rural; the overall share and 21 domain
// shares (12 leagues, 2 urban/rural, 2 sexes, 5 age groups) with logit intervals.
func BenchmarkEstimateReport(b *testing.B) {
	r := rand.New(rand.NewPCG(1, 1))
	syn, err := Draw(r, benchFrame(r), SyntheticPlan{BannersPerLeague: 25, PerBanner: 1000, Share: 0.12}, demoSurvey(), SampleBank())
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for b.Loop() {
		rep, err := Estimate(demoSurvey(), syn.Responses, syn.Margins, nil)
		if err != nil || len(rep.Cells) != 22 {
			b.Fatal(err, len(rep.Cells))
		}
	}
}

// BenchmarkStoreReport is the report page's work on the demo's survey size (3,600 respondents,
// 36 PSUs): read the responses in scope, the margins and the league names, rake, estimate and
// store (computed), or read the stored estimate and the league names (stored).
func BenchmarkStoreReport(b *testing.B) {
	dbtest.Bench(b, func(b *testing.B, d *db.DB) {
		ctx, s := context.Background(), newStore(d)
		id, err := s.Create(ctx, all, 0, Input{RegionCode: "150000", Title: "bench", Year: 2025, Scheme: National2024, Sample: true})
		if err != nil {
			b.Fatal(err)
		}
		sv, _ := s.Get(ctx, all, id)
		items, _ := s.Items(ctx, id)
		r := rand.New(rand.NewPCG(2, 2))
		syn, err := Draw(r, realFrame(ctx, b, s), SyntheticPlan{BannersPerLeague: 3, PerBanner: 100, Share: 0.1}, sv, items)
		if err != nil {
			b.Fatal(err)
		}
		err = s.DB.Tx(ctx, func(tx *sql.Tx) error {
			for i := 0; i < len(syn.Responses); i += 500 {
				if err := s.insertResponses(ctx, tx, 0, syn.Responses[i:min(i+500, len(syn.Responses))]); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
		if err := s.SetMargins(ctx, all, id, syn.Margins); err != nil {
			b.Fatal(err)
		}
		b.ResetTimer()
		// computed: no stored estimate (the first report after a write), computed and stored.
		b.Run("computed", func(b *testing.B) {
			for b.Loop() {
				b.StopTimer()
				if _, err := s.DB.ExecContext(ctx, `DELETE FROM survey_estimates`); err != nil {
					b.Fatal(err)
				}
				b.StartTimer()
				if rep, err := s.Report(ctx, all, id, true); err != nil || !rep.Raked {
					b.Fatal(err)
				}
			}
		})
		// stored: the survey unchanged since its estimate was stored.
		b.Run("stored", func(b *testing.B) {
			for b.Loop() {
				if rep, err := s.Report(ctx, all, id, true); err != nil || !rep.Raked {
					b.Fatal(err)
				}
			}
		})
	})
}

// realFrame is the embedded division tree's banners by league, 100,000 adults each.
func realFrame(ctx context.Context, t testing.TB, s *Store) Frame {
	banners, err := s.Regions.UnitsAt(ctx, region.LevelBanner)
	if err != nil {
		t.Fatal(err)
	}
	frame := Frame{}
	for _, b := range banners {
		if l := LeagueOf(b.Code); l != "" && !region.IsDevelopmentZone(b.Code) {
			frame[l] = append(frame[l], FrameUnit{b.Code, 100000})
		}
	}
	return frame
}
