package quiz

import (
	"context"
	"time"

	"github.com/kepu/kepu/internal/db"
	"github.com/kepu/kepu/internal/region"
)

// ContestFigures are a contest's totals: people signed up, people with a finished counted
// attempt, attempts started (person-times; practice apart), answers stored and flagged.
type ContestFigures struct {
	Participants int64
	Ranked       int64
	Attempts     int64
	Practice     int64
	Finished     int64
	Answers      int64
	TooFast      int64
	Late         int64
}

// Figures returns a contest's totals (ContestFigures).
func (s *Store) Figures(ctx context.Context, contestID int64) (ContestFigures, error) {
	var f ContestFigures
	err := s.DB.QueryRowContext(ctx, `SELECT COUNT(*), COALESCE(SUM(CASE WHEN best_score >= 0 THEN 1 ELSE 0 END), 0) FROM quiz_participants WHERE contest_id = $1`, contestID).
		Scan(&f.Participants, &f.Ranked)
	if err != nil {
		return f, db.Map(err)
	}
	err = s.DB.QueryRowContext(ctx, `SELECT COALESCE(SUM(CASE WHEN practice THEN 0 ELSE 1 END), 0), COALESCE(SUM(CASE WHEN practice THEN 1 ELSE 0 END), 0),
		COALESCE(SUM(CASE WHEN finished_at IS NOT NULL AND NOT practice THEN 1 ELSE 0 END), 0) FROM quiz_attempts WHERE contest_id = $1`, contestID).
		Scan(&f.Attempts, &f.Practice, &f.Finished)
	if err != nil {
		return f, db.Map(err)
	}
	err = s.DB.QueryRowContext(ctx, `SELECT COUNT(*), COALESCE(SUM(CASE WHEN w.flag = 'too_fast' THEN 1 ELSE 0 END), 0), COALESCE(SUM(CASE WHEN w.flag = 'late' THEN 1 ELSE 0 END), 0)
		FROM quiz_answers w JOIN quiz_attempts a ON a.id = w.attempt_id WHERE a.contest_id = $1`, contestID).Scan(&f.Answers, &f.TooFast, &f.Late)
	return f, db.Map(err)
}

// FlaggedAttempt is a finished attempt with answers flagged too fast, for review.
type FlaggedAttempt struct {
	AttemptID     int64
	ParticipantID int64
	Name          string
	Score         int
	TotalMS       int64
	Flagged       int
}

// Flagged lists a contest's attempts with the most too-fast answers first (at most limit).
func (s *Store) Flagged(ctx context.Context, contestID int64, limit int) ([]FlaggedAttempt, error) {
	return db.QueryAll(ctx, s.DB, func(r db.Scanner) (FlaggedAttempt, error) {
		var f FlaggedAttempt
		err := r.Scan(&f.AttemptID, &f.ParticipantID, &f.Name, &f.Score, &f.TotalMS, &f.Flagged)
		return f, err
	}, `SELECT a.id, a.participant_id, p.name, a.score, a.total_ms, a.flagged FROM quiz_attempts a JOIN quiz_participants p ON p.id = a.participant_id
		WHERE a.contest_id = $1 AND a.flagged > 0 ORDER BY a.flagged DESC, a.id LIMIT $2`, contestID, limit)
}

// Participation is what the statistics take from quiz contests for units inside a scope in a
// period: contests held (by the contest's unit, started in the period), participants (people
// signed up, by their own unit) and attempts (person-times: counted attempts started in the
// period, by the participant's unit; practice not counted).
type Participation struct {
	Contests     int64
	Participants int64
	Attempts     int64
}

// ParticipationByRegion returns Participation for each group of region codes inside scope in
// the period [from, to) (UTC), grouped by the first groupLen characters of the region code
// (2 region, 4 league, 6 banner, 9 township), as region.Counter's functions do. Contests count
// where they are held; participants and attempts where the people live.
func (s *Store) ParticipationByRegion(ctx context.Context, scope region.Scope, groupLen int, from, to time.Time) (map[string]Participation, error) {
	out := map[string]Participation{}
	where, args := scope.Where("region_code", 4)
	base := []any{groupLen, from.UTC(), to.UTC()}
	type row struct {
		key string
		n   int64
	}
	scan := func(r db.Scanner) (row, error) {
		var x row
		err := r.Scan(&x.key, &x.n)
		return x, err
	}
	contests, err := db.QueryAll(ctx, s.DB, scan, `SELECT substr(region_code, 1, $1), COUNT(*) FROM quiz_contests
		WHERE starts_at >= $2 AND starts_at < $3 AND `+where+` GROUP BY substr(region_code, 1, $1)`, append(base, args...)...)
	if err != nil {
		return nil, err
	}
	for _, x := range contests {
		p := out[x.key]
		p.Contests = x.n
		out[x.key] = p
	}
	people, err := db.QueryAll(ctx, s.DB, scan, `SELECT substr(region_code, 1, $1), COUNT(*) FROM quiz_participants
		WHERE created_at >= $2 AND created_at < $3 AND `+where+` GROUP BY substr(region_code, 1, $1)`, append(base, args...)...)
	if err != nil {
		return nil, err
	}
	for _, x := range people {
		p := out[x.key]
		p.Participants = x.n
		out[x.key] = p
	}
	pwhere, pargs := scope.Where("p.region_code", 4)
	attempts, err := db.QueryAll(ctx, s.DB, scan, `SELECT substr(p.region_code, 1, $1), COUNT(*) FROM quiz_attempts a JOIN quiz_participants p ON p.id = a.participant_id
		WHERE a.started_at >= $2 AND a.started_at < $3 AND NOT a.practice AND `+pwhere+` GROUP BY substr(p.region_code, 1, $1)`, append(base, pargs...)...)
	if err != nil {
		return nil, err
	}
	for _, x := range attempts {
		p := out[x.key]
		p.Attempts = x.n
		out[x.key] = p
	}
	return out, nil
}

// ParticipantCounter counts participants (people) below units, for region.Handler's columns
// (region.Counter.Count).
func (s *Store) ParticipantCounter(ctx context.Context, scope region.Scope, groupLen int) (map[string]int, error) {
	where, args := scope.Where("region_code", 2)
	return s.DB.Counts(ctx, `SELECT substr(region_code, 1, $1), COUNT(*) FROM quiz_participants WHERE `+where+` GROUP BY substr(region_code, 1, $1)`,
		append([]any{groupLen}, args...)...)
}
