package quiz

import (
	"context"
	"sort"
	"sync"
	"time"

	"github.com/kepu/kepu/internal/db"
	"github.com/kepu/kepu/internal/region"
)

// Board levels: a participant is ranked in the whole contest, in their league and in their
// banner.
const (
	BoardContest = "contest"
	BoardLeague  = "league"
	BoardBanner  = "banner"
)

// Rank is a participant's place on one board: 1 is first. Of is how many are ranked there.
type Rank struct {
	Level string
	Code  string // the league or banner ("" for the contest)
	Rank  int64
	Of    int64
}

// Ranks returns a participant's ranks in the contest, their league and their banner (nil when
// they have no finished counted attempt yet). Order: more correct answers first, then less
// total time, then who signed up first. Each rank is a sum over quiz_board_scores (the scores
// above, at most questions + 1 rows), a sum over quiz_board_buckets (the whole seconds below
// at the same score) and a count of those ahead inside the participant's own bucket (same
// score, same whole second), so it costs about the same among 480,000 as among 480.
func (s *Store) Ranks(ctx context.Context, p Participant) ([]Rank, error) {
	if !p.Ranked() {
		return nil, nil
	}
	sec := p.BestMS / 1000
	var out []Rank
	for _, lv := range []struct{ level, code, col string }{{BoardContest, "", ""}, {BoardLeague, p.LeagueCode, "league_code"}, {BoardBanner, p.BannerCode, "banner_code"}} {
		var ahead, total, inBucket int64
		err := s.DB.QueryRowContext(ctx, `SELECT
			(SELECT COALESCE(SUM(n), 0) FROM quiz_board_scores WHERE contest_id = $1 AND scope = $2 AND score > $3)
			+ (SELECT COALESCE(SUM(n), 0) FROM quiz_board_buckets WHERE contest_id = $1 AND scope = $2 AND score = $3 AND sec < $4),
			(SELECT COALESCE(SUM(n), 0) FROM quiz_board_scores WHERE contest_id = $1 AND scope = $2)`, p.ContestID, lv.code, p.BestScore, sec).Scan(&ahead, &total)
		if err != nil {
			return nil, db.Map(err)
		}
		q := `SELECT COUNT(*) FROM quiz_participants WHERE contest_id = $1 AND best_score = $2 AND best_sec = $3 AND (best_ms < $4 OR (best_ms = $4 AND id < $5))`
		args := []any{p.ContestID, p.BestScore, sec, p.BestMS, p.ID}
		if lv.col != "" {
			q = `SELECT COUNT(*) FROM quiz_participants WHERE contest_id = $1 AND ` + lv.col + ` = $6 AND best_score = $2 AND best_sec = $3 AND (best_ms < $4 OR (best_ms = $4 AND id < $5))`
			args = append(args, lv.code)
		}
		if err := s.DB.QueryRowContext(ctx, q, args...).Scan(&inBucket); err != nil {
			return nil, db.Map(err)
		}
		out = append(out, Rank{Level: lv.level, Code: lv.code, Rank: ahead + inBucket + 1, Of: total})
	}
	return out, nil
}

// Entry is one line of a leaderboard. Name is as given at sign-up: show it masked (MaskName).
type Entry struct {
	Rank          int
	ParticipantID int64
	Name          string
	RegionCode    string
	School        string
	Score         int
	MS            int64
}

// Top returns the first limit (at most 100) participants of the contest, or of a league or
// banner when code is a 6-digit league or banner code ("" for the whole contest). One index
// range read: quiz_participants_board / _league / _banner.
func (s *Store) Top(ctx context.Context, contestID int64, code string, limit int) ([]Entry, error) {
	if limit <= 0 || limit > 100 {
		limit = 100
	}
	where := ""
	args := []any{contestID, limit}
	switch region.LevelOf(code) {
	case region.LevelLeague:
		where, args = ` AND league_code = $3`, append(args, code)
	case region.LevelBanner:
		where, args = ` AND banner_code = $3`, append(args, code)
	}
	rank := 0
	return db.QueryAll(ctx, s.DB, func(r db.Scanner) (Entry, error) {
		var e Entry
		rank++
		e.Rank = rank
		err := r.Scan(&e.ParticipantID, &e.Name, &e.RegionCode, &e.School, &e.Score, &e.MS)
		return e, err
	}, `SELECT id, name, region_code, school, best_score, best_ms FROM quiz_participants WHERE contest_id = $1`+where+`
		AND best_score >= 0 ORDER BY best_score DESC, best_sec, best_ms, id LIMIT $2`, args...)
}

// MaskName keeps a name's first character and hides the rest behind one star per character
// ("乌云其其格" → "乌****"), for public leaderboards.
func MaskName(name string) string {
	r := []rune(name)
	if len(r) <= 1 {
		return name
	}
	out := []rune{r[0]}
	for range r[1:] {
		out = append(out, '*')
	}
	return string(out)
}

// RegionRow is a league or banner on the regions board.
type RegionRow struct {
	Code         string
	Name         string
	Participants int64   // people signed up
	Ranked       int64   // people with a finished counted attempt
	Population   int64   // resident population (region.Unit.Population; 0 when unknown)
	PerTenK      float64 // participants per 10,000 residents (0 when the population is unknown)
	AvgScore     float64 // mean best score of the ranked
}

// RegionBoard ranks the leagues (level region.LevelLeague) or banners (region.LevelBanner)
// inside within ("" for all) by participation rate against their population, and returns the
// same rows ordered by average score in byScore. Populations come from region.Store.UnitsAt.
// The figures are computed at most once a minute per contest and level (a GROUP BY over the
// contest's participants) and shared by every viewer.
func (s *Store) RegionBoard(ctx context.Context, contestID int64, level region.Level, within string) (byRate, byScore []RegionRow, err error) {
	rows, err := s.boards.get(contestID, level, s.now(), func() ([]RegionRow, error) { return s.regionRows(ctx, contestID, level) })
	if err != nil {
		return nil, nil, err
	}
	for _, r := range rows {
		if within == "" || region.Within(r.Code, within) {
			byRate = append(byRate, r)
		}
	}
	byScore = append([]RegionRow(nil), byRate...)
	sort.SliceStable(byRate, func(i, j int) bool { return byRate[i].PerTenK > byRate[j].PerTenK })
	sort.SliceStable(byScore, func(i, j int) bool { return byScore[i].AvgScore > byScore[j].AvgScore })
	return byRate, byScore, nil
}

func (s *Store) regionRows(ctx context.Context, contestID int64, level region.Level) ([]RegionRow, error) {
	col := "banner_code"
	if level == region.LevelLeague {
		col = "league_code"
	}
	counts, err := db.QueryAll(ctx, s.DB, func(r db.Scanner) (RegionRow, error) {
		var row RegionRow
		var sum int64
		err := r.Scan(&row.Code, &row.Participants, &row.Ranked, &sum)
		if row.Ranked > 0 {
			row.AvgScore = float64(sum) / float64(row.Ranked)
		}
		return row, err
	}, `SELECT `+col+`, COUNT(*), SUM(CASE WHEN best_score >= 0 THEN 1 ELSE 0 END), SUM(CASE WHEN best_score >= 0 THEN best_score ELSE 0 END)
		FROM quiz_participants WHERE contest_id = $1 GROUP BY `+col, contestID)
	if err != nil {
		return nil, err
	}
	units, err := s.Regions.UnitsAt(ctx, level)
	if err != nil {
		return nil, err
	}
	byCode := map[string]region.Unit{}
	for _, u := range units {
		byCode[u.Code] = u
	}
	for i := range counts {
		u := byCode[counts[i].Code]
		counts[i].Name = u.Name
		if u.Population != nil && *u.Population > 0 {
			counts[i].Population = *u.Population
			counts[i].PerTenK = float64(counts[i].Participants) * 10000 / float64(*u.Population)
		}
	}
	return counts, nil
}

// boardCache keeps region boards for a minute.
type boardCache struct {
	mu sync.Mutex
	m  map[boardKey]boardVal
}

type boardKey struct {
	contest int64
	level   region.Level
}

type boardVal struct {
	at   time.Time
	rows []RegionRow
}

// BoardTTL is how long a region board is reused.
const BoardTTL = time.Minute

func (c *boardCache) get(contest int64, level region.Level, now time.Time, load func() ([]RegionRow, error)) ([]RegionRow, error) {
	c.mu.Lock()
	v, ok := c.m[boardKey{contest, level}]
	c.mu.Unlock()
	if ok && now.Sub(v.at) < BoardTTL {
		return v.rows, nil
	}
	rows, err := load()
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	if c.m == nil {
		c.m = map[boardKey]boardVal{}
	}
	c.m[boardKey{contest, level}] = boardVal{at: now, rows: rows}
	c.mu.Unlock()
	return rows, nil
}

// Seconds is the entry's total time in seconds, one decimal.
func (e Entry) Seconds() string { return Seconds(e.MS) }

// RateText is participants per 10,000 residents with two decimals ("–" without a population).
func (r RegionRow) RateText() string {
	if r.Population == 0 {
		return "–"
	}
	return Rate(r.PerTenK)
}

// AvgText is the average best score with two decimals.
func (r RegionRow) AvgText() string { return Avg(r.AvgScore) }

// LevelKey is the message key naming the board.
func (r Rank) LevelKey() string { return "quiz.level." + r.Level }
