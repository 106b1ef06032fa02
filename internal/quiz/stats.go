package quiz

import (
	"context"
	"fmt"
	"time"

	"github.com/kepu/kepu/internal/db"
	"github.com/kepu/kepu/internal/region"
	"github.com/kepu/kepu/internal/web"
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
// (2 region, 4 league, 6 banner, 9 township; 12 the whole code), as region.Counter's functions
// do. Contests count where they are held; participants and attempts where the people live.
// It is the sum over the months of ParticipationByMonth.
func (s *Store) ParticipationByRegion(ctx context.Context, scope region.Scope, groupLen int, from, to time.Time) (map[string]Participation, error) {
	months, err := s.ParticipationByMonth(ctx, scope, groupLen, from, to)
	if err != nil {
		return nil, err
	}
	out := map[string]Participation{}
	for _, groups := range months {
		for k, p := range groups {
			o := out[k]
			o.Contests, o.Participants, o.Attempts = o.Contests+p.Contests, o.Participants+p.Participants, o.Attempts+p.Attempts
			out[k] = o
		}
	}
	return out, nil
}

// ParticipationByMonth returns, for each China month ("2006-01", UTC+8) that a part of the
// period [from, to) lies in, the Participation of that part of the month by group of region
// codes, as ParticipationByRegion (which sums it) groups them: one call answers a year and its
// twelve months. Months and groups with nothing counted may be missing.
//
// Participants and attempts of the whole China months inside the period are summed
// from quiz_region_months, the roll-up that Register, Start and FillContest keep in the same
// transaction as the rows they write (migration 0014), or, for groups of six digits or fewer
// in a scope of banners or larger units, from quiz_banner_months (the same counts per banner,
// kept beside it, migration 0022: about 100 rows a month instead of 1,200); what lies in a
// part of a month at either end of the period is counted from the rows themselves. All give
// the same counts (TestParticipationRollupIsExact). Contests are read one row each (few) and
// counted by the China month of their start.
func (s *Store) ParticipationByMonth(ctx context.Context, scope region.Scope, groupLen int, from, to time.Time) (map[string]map[string]Participation, error) {
	out := map[string]map[string]Participation{}
	add := func(month, key string, contests, participants, attempts int64) {
		if out[month] == nil {
			out[month] = map[string]Participation{}
		}
		p := out[month][key]
		p.Contests, p.Participants, p.Attempts = p.Contests+contests, p.Participants+participants, p.Attempts+attempts
		out[month][key] = p
	}
	where, args := scope.Where("region_code", 3)
	type contest struct {
		code string
		at   time.Time
	}
	contests, err := db.QueryAll(ctx, s.DB, func(r db.Scanner) (contest, error) {
		var c contest
		err := r.Scan(&c.code, &c.at)
		return c, err
	}, `SELECT region_code, starts_at FROM quiz_contests WHERE starts_at >= $1 AND starts_at < $2 AND `+where, append([]any{from.UTC(), to.UTC()}, args...)...)
	if err != nil {
		return nil, fmt.Errorf("quiz.ParticipationByMonth: %w", err)
	}
	for _, c := range contests {
		add(chinaMonth(c.at), firstDigits(c.code, groupLen), 1, 0, 0)
	}
	first, last, whole := wholeMonths(from, to)
	// The parts of months counted from the rows, each inside one China month.
	parts := [][2]time.Time{{from, to}}
	if whole {
		table, column := "quiz_region_months", "region_code"
		if byBanner(scope, groupLen) {
			table, column = "quiz_banner_months", "banner_code"
		}
		bwhere, bargs := scope.Where(column, 4)
		type monthGroup struct {
			month string
			group
		}
		rows, err := db.QueryAll(ctx, s.DB, func(r db.Scanner) (monthGroup, error) {
			var x monthGroup
			err := r.Scan(&x.month, &x.key, &x.a, &x.b)
			return x, err
		}, `SELECT month, substr(`+column+`, 1, $1), CAST(SUM(participants) AS BIGINT), CAST(SUM(attempts) AS BIGINT)
			FROM `+table+` WHERE month >= $2 AND month < $3 AND `+bwhere+` GROUP BY month, substr(`+column+`, 1, $1)`,
			append([]any{groupLen, first.Format("2006-01"), last.Format("2006-01")}, bargs...)...)
		if err != nil {
			return nil, fmt.Errorf("quiz.ParticipationByMonth: %w", err)
		}
		for _, x := range rows {
			add(x.month, x.key, 0, x.a, x.b)
		}
		parts = [][2]time.Time{{from, first}, {last, to}}
	} else if from.Before(last) && last.Before(to) {
		// No whole month, but the period crosses the start of to's month.
		parts = [][2]time.Time{{from, last}, {last, to}}
	}
	for _, part := range parts {
		if !part[0].Before(part[1]) {
			continue
		}
		rows, err := s.participationCounted(ctx, scope, groupLen, part[0], part[1])
		if err != nil {
			return nil, err
		}
		month := chinaMonth(part[0])
		for _, x := range rows {
			add(month, x.key, 0, x.a, x.b)
		}
	}
	return out, nil
}

// firstDigits is the first n characters of code (all of it when shorter), as SQL's
// substr(code, 1, n).
func firstDigits(code string, n int) string {
	if len(code) < n {
		return code
	}
	return code[:n]
}

// group is one row of a grouped count: a code prefix and one or two counts.
type group struct {
	key  string
	a, b int64
}

func scanGroup(r db.Scanner) (group, error) {
	var x group
	err := r.Scan(&x.key, &x.a, &x.b)
	return x, err
}

// wholeMonths gives the China months that lie wholly inside [from, to): from the start of
// first up to the start of last; whole is false when there is none.
func wholeMonths(from, to time.Time) (first, last time.Time, whole bool) {
	f := from.In(web.China)
	first = time.Date(f.Year(), f.Month(), 1, 0, 0, 0, 0, web.China)
	if first.Before(f) {
		first = first.AddDate(0, 1, 0)
	}
	t := to.In(web.China)
	last = time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, web.China)
	return first, last, first.Before(last)
}

// participationCounted counts participants (key, a) and counted attempts (key, b) in
// [from, to) from the participant and attempt rows themselves, without the roll-up.
func (s *Store) participationCounted(ctx context.Context, scope region.Scope, groupLen int, from, to time.Time) ([]group, error) {
	base := []any{groupLen, from.UTC(), to.UTC()}
	where, args := scope.Where("region_code", 4)
	people, err := db.QueryAll(ctx, s.DB, scanGroup, `SELECT substr(region_code, 1, $1), COUNT(*), 0 FROM quiz_participants
		WHERE created_at >= $2 AND created_at < $3 AND `+where+` GROUP BY substr(region_code, 1, $1)`, append(base, args...)...)
	if err != nil {
		return nil, fmt.Errorf("quiz.ParticipationByRegion: %w", err)
	}
	pwhere, pargs := scope.Where("p.region_code", 4)
	attempts, err := db.QueryAll(ctx, s.DB, scanGroup, `SELECT substr(p.region_code, 1, $1), 0, COUNT(*) FROM quiz_attempts a JOIN quiz_participants p ON p.id = a.participant_id
		WHERE a.started_at >= $2 AND a.started_at < $3 AND NOT a.practice AND `+pwhere+` GROUP BY substr(p.region_code, 1, $1)`, append(base, pargs...)...)
	if err != nil {
		return nil, fmt.Errorf("quiz.ParticipationByRegion: %w", err)
	}
	return append(people, attempts...), nil
}

// chinaMonth is the China month ("2006-01") of t, the roll-up's month of a sign-up.
func chinaMonth(t time.Time) string { return t.In(web.China).Format("2006-01") }

// Statements that keep quiz_region_months (migration 0014) in step with the rows they count,
// each run in the transaction that writes the row.
const (
	// countSignUp: $1 contest, $2 the participant's region code, $3 the China month of signing up.
	countSignUp = `INSERT INTO quiz_region_months (contest_id, region_code, month, participants, attempts) VALUES ($1, $2, $3, 1, 0)
		ON CONFLICT (contest_id, region_code, month) DO UPDATE SET participants = quiz_region_months.participants + 1`
	// countAttempt: $1 participant, $2 the China month of the attempt's day (counted attempts only).
	countAttempt = `INSERT INTO quiz_region_months (contest_id, region_code, month, participants, attempts)
		SELECT contest_id, region_code, $2, 0, 1 FROM quiz_participants WHERE id = $1
		ON CONFLICT (contest_id, region_code, month) DO UPDATE SET attempts = quiz_region_months.attempts + 1`
	// addMonths is BulkInsert's suffix for rows (contest_id, region_code, month, participants, attempts).
	addMonths = `ON CONFLICT (contest_id, region_code, month) DO UPDATE SET participants = quiz_region_months.participants + excluded.participants,
		attempts = quiz_region_months.attempts + excluded.attempts`
)

// Statements that keep quiz_banner_months (migration 0022: the same counts summed per banner,
// the first six digits of the region code, and month) in step, run beside the statements
// above in the same transaction.
const (
	// countSignUpBanner: $1 the first six digits of the participant's region code, $2 the China month of signing up.
	countSignUpBanner = `INSERT INTO quiz_banner_months (banner_code, month, participants, attempts) VALUES ($1, $2, 1, 0)
		ON CONFLICT (month, banner_code) DO UPDATE SET participants = quiz_banner_months.participants + 1`
	// countAttemptBanner: $1 participant, $2 the China month of the attempt's day (counted attempts only).
	countAttemptBanner = `INSERT INTO quiz_banner_months (banner_code, month, participants, attempts)
		SELECT substr(region_code, 1, 6), $2, 0, 1 FROM quiz_participants WHERE id = $1
		ON CONFLICT (month, banner_code) DO UPDATE SET attempts = quiz_banner_months.attempts + 1`
	// addBannerMonths is BulkInsert's suffix for rows (banner_code, month, participants, attempts).
	addBannerMonths = `ON CONFLICT (month, banner_code) DO UPDATE SET participants = quiz_banner_months.participants + excluded.participants,
		attempts = quiz_banner_months.attempts + excluded.attempts`
)

// bannerColumns are the columns of quiz_banner_months that FillContest writes.
var bannerColumns = []string{"banner_code", "month", "participants", "attempts"}

// bannerOf is the key of quiz_banner_months for a region code: its first six digits.
func bannerOf(code string) string {
	if len(code) > 6 {
		return code[:6]
	}
	return code
}

// byBanner reports whether quiz_banner_months answers a grouping of groupLen digits inside
// scope: groups of six digits or fewer, and a scope made of whole banners or larger units.
func byBanner(scope region.Scope, groupLen int) bool {
	if groupLen > 6 {
		return false
	}
	for _, r := range scope.Roots() {
		if len(region.Prefix(r)) > 6 {
			return false
		}
	}
	return true
}

// monthColumns are the columns of quiz_region_months that FillContest writes.
var monthColumns = []string{"contest_id", "region_code", "month", "participants", "attempts"}

// ParticipantCounter counts participants (people) below units, for region.Handler's columns
// (region.Counter.Count), from the roll-up quiz_region_months.
func (s *Store) ParticipantCounter(ctx context.Context, scope region.Scope, groupLen int) (map[string]int, error) {
	where, args := scope.Where("region_code", 2)
	return s.DB.Counts(ctx, `SELECT substr(region_code, 1, $1), CAST(SUM(participants) AS BIGINT) FROM quiz_region_months WHERE `+where+` GROUP BY substr(region_code, 1, $1)`,
		append([]any{groupLen}, args...)...)
}
