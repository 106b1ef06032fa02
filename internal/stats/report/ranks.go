package report

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/kepu/kepu/internal/db"
)

// Ranks keeps the national ranks an operator enters for a unit and year (the seed's "排在全国
// 第N位": CAST publishes them, Kepu cannot compute them), as one settings row per unit and
// year ("report.ranks.<unit>.<year>") holding a JSON object of indicator code → rank. No
// table of its own: ranks are a handful of numbers a year.
type Ranks struct{ DB *db.DB }

func ranksKey(unit string, year int) string { return fmt.Sprintf("report.ranks.%s.%d", unit, year) }

// Get returns the ranks of a unit and year (an empty map when none were entered).
func (s *Ranks) Get(ctx context.Context, unit string, year int) (map[string]int, error) {
	v, err := s.DB.Setting(ctx, ranksKey(unit, year))
	if errors.Is(err, db.ErrNotFound) {
		return map[string]int{}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("report.Ranks.Get: %w", err)
	}
	m := map[string]int{}
	if err := json.Unmarshal([]byte(v), &m); err != nil {
		return nil, fmt.Errorf("report.Ranks.Get: %w", err)
	}
	return m, nil
}

// Set replaces the ranks of a unit and year; ranks must be 1–100 (entries of 0 are dropped).
func (s *Ranks) Set(ctx context.Context, unit string, year int, ranks map[string]int) error {
	m := map[string]int{}
	for c, r := range ranks {
		if r < 0 || r > 100 {
			return fmt.Errorf("report.Ranks.Set: rank %d of %s outside 1–100", r, c)
		}
		if r > 0 {
			m[c] = r
		}
	}
	b, err := json.Marshal(m)
	if err != nil {
		return err
	}
	return s.DB.SetSetting(ctx, ranksKey(unit, year), string(b))
}
