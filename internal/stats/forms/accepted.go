package forms

import (
	"context"
	"fmt"

	"github.com/kepu/kepu/internal/region"
)

// AcceptedLines sums the given lines of the accepted (locked) forms of year whose unit lies
// inside scope and within's subtree ("" = the whole scope), per the unit's division code (an
// association's own code, a venue's location): code → line code → sum. A line appears only
// where some accepted form carries a value on it; drafts, submitted and returned forms never
// count. It is the stats registry's source of the declared figures (stats.AcceptedForms, the
// indicators X01–X08). Errors: the database's.
func (s *Store) AcceptedLines(ctx context.Context, scope region.Scope, within string, year int, lines []string) (map[string]map[string]int64, error) {
	forms, err := s.List(ctx, scope, within, year, Accepted)
	if err != nil {
		return nil, fmt.Errorf("forms.AcceptedLines: %w", err)
	}
	out := map[string]map[string]int64{}
	for _, f := range forms {
		for _, l := range lines {
			v, ok := f.Figures[l]
			if !ok {
				continue
			}
			m := out[f.Unit.Region]
			if m == nil {
				m = map[string]int64{}
				out[f.Unit.Region] = m
			}
			m[l] += v
		}
	}
	return out, nil
}
