package quiz

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/kepu/kepu/internal/db"
	"github.com/kepu/kepu/internal/db/dbtest"
	"github.com/kepu/kepu/internal/region"
)

// BenchParticipants is the seed's campaign: 480,000 participants (here all in one contest);
// KEPU_BENCH_PARTICIPANTS sets another number.
var BenchParticipants = func() int {
	if n, err := strconv.Atoi(os.Getenv("KEPU_BENCH_PARTICIPANTS")); err == nil && n > 0 {
		return n
	}
	return 480_000
}()

// BenchContest is LoadTestContest for a benchmark: it fails tb on an error.
func BenchContest(tb testing.TB, d *db.DB, n int) (*Store, Contest) {
	tb.Helper()
	s := &Store{DB: d, Regions: &region.Store{DB: d}}
	c, err := LoadTestContest(context.Background(), s, n)
	if err != nil {
		tb.Fatal(err)
	}
	return s, c
}

// BenchmarkBoards measures, among 480,000 participants of one contest, a participant's own
// ranks (contest, league and banner together: what Ranks returns, for participants picked at
// random) and a region's top-100 board (a banner's, a league's, the whole contest's).
//
//	go test -run xxx -bench Boards -benchtime 2000x ./internal/quiz/
func BenchmarkBoards(b *testing.B) {
	dbtest.Bench(b, func(b *testing.B, d *db.DB) {
		s, c := BenchContest(b, d, BenchParticipants)
		ctx := context.Background()
		ids, err := db.QueryAll(ctx, d, func(r db.Scanner) (int64, error) {
			var id int64
			return id, r.Scan(&id)
		}, `SELECT id FROM quiz_participants WHERE contest_id = $1`, c.ID)
		if err != nil || len(ids) != BenchParticipants {
			b.Fatalf("%d participants: %v", len(ids), err)
		}
		r := rand.New(rand.NewPCG(1, 1))
		ps := make([]Participant, 1000)
		for i := range ps {
			ps[i], _ = s.Participant(ctx, ids[r.IntN(len(ids))])
		}
		b.Run("rank", func(b *testing.B) {
			for i := range b.N {
				rs, err := s.Ranks(ctx, ps[i%len(ps)])
				if err != nil || len(rs) != 3 || rs[0].Of != int64(BenchParticipants) {
					b.Fatalf("%+v %v", rs, err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N)/1000, "ms/rank")
		})
		for _, code := range []string{"152502", "150100", ""} {
			name := "top/" + code
			if code == "" {
				name = "top/contest"
			}
			b.Run(name, func(b *testing.B) {
				for range b.N {
					top, err := s.Top(ctx, c.ID, code, 100)
					if err != nil || len(top) != 100 {
						b.Fatalf("%d %v", len(top), err)
					}
				}
				b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N)/1000, "ms/board")
			})
		}
	})
}

// BenchmarkWriter submits b.N answers through the group-commit writer alone (no HTTP), from
// 64 goroutines, by b.N/10 participants who joined the contest's 480,000, each answering their
// 10 questions in turn; every answer is committed before Do returns.
//
//	go test -run xxx -bench Writer -benchtime 20000x ./internal/quiz/
func BenchmarkWriter(b *testing.B) {
	dbtest.Bench(b, func(b *testing.B, d *db.DB) {
		s, c := BenchContest(b, d, BenchParticipants)
		ctx := context.Background()
		if d.Dialect == db.SQLite {
			d.ExecContext(ctx, `PRAGMA wal_checkpoint(TRUNCATE)`)
		}
		w := &Writer{Store: s}
		m := (b.N + c.Questions - 1) / c.Questions
		type player struct{ pid, aid, qid int64 }
		players := make([]player, m)
		for i := range players {
			pid, _, err := s.Register(ctx, c.ID, SignUp{Name: "压测", Phone: fmt.Sprintf("17%09d", i), RegionCode: "152502001"})
			if err != nil {
				b.Fatal(err)
			}
			a, err := s.Start(ctx, Participant{ID: pid, ContestID: c.ID}, false)
			if err != nil {
				b.Fatal(err)
			}
			out, err := w.Do(ctx, Step{AttemptID: a.ID, ParticipantID: pid, Serve: true})
			if err != nil {
				b.Fatal(err)
			}
			players[i] = player{pid, a.ID, out.Next.Question.ID}
		}
		var next atomic.Int64
		var wg sync.WaitGroup
		b.ResetTimer()
		for range 64 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for {
					i := int(next.Add(1)) - 1
					if i >= len(players) {
						return
					}
					p := players[i]
					for seq := 1; seq <= c.Questions; seq++ {
						out, err := w.Do(ctx, Step{AttemptID: p.aid, ParticipantID: p.pid, Answer: &AnswerInput{Seq: seq, QuestionID: p.qid, Choice: "A", Next: seq < c.Questions}})
						if err != nil {
							b.Error(err)
							return
						}
						if out.Next != nil {
							p.qid = out.Next.Question.ID
						}
					}
				}
			}()
		}
		wg.Wait()
		b.StopTimer()
		var stored int
		d.QueryRowContext(ctx, `SELECT COUNT(*) FROM quiz_answers`).Scan(&stored)
		if stored != m*c.Questions {
			b.Fatalf("stored %d answers, want %d", stored, m*c.Questions)
		}
		b.ReportMetric(float64(stored)/b.Elapsed().Seconds(), "answers/s")
	})
}

// BenchmarkSignUpAndStart signs a person up and starts their counted attempt, one after the
// other: the writes that also keep the participation roll-up (quiz_region_months). Measured
// before and after the roll-up in docs/BENCHMARKS.md (statistics).
//
//	go test ./internal/quiz -run xxx -bench SignUpAndStart -benchtime 2000x
func BenchmarkSignUpAndStart(b *testing.B) {
	dbtest.Bench(b, func(b *testing.B, d *db.DB) {
		s, c := BenchContest(b, d, 1000)
		ctx := context.Background()
		towns := []string{"152502001", "152502002", "150102001", "150102002"}
		i := 0
		for b.Loop() {
			i++
			pid, _, err := s.Register(ctx, c.ID, SignUp{Name: "人", Phone: fmt.Sprintf("1860%07d", i), RegionCode: towns[i%len(towns)]})
			if err != nil {
				b.Fatal(err)
			}
			if _, err := s.Start(ctx, Participant{ID: pid, ContestID: c.ID}, false); err != nil {
				b.Fatal(err)
			}
		}
	})
}
