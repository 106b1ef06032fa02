package forms

import (
	"context"
	"errors"
	"fmt"
	"math"

	"github.com/kepu/kepu/internal/region"
	"github.com/kepu/kepu/internal/stats"
)

// PrefillFrom pre-fills association forms from the stats indicator registry: each line with an
// Indicator gets the indicator's value recorded at the unit itself (stats.Registry.Own, the
// "本级" part), so that a township's activities are in the township's form and not again in
// its banner's, and a summary of forms adds each record once. Values are rounded to whole
// units (money to whole yuan); indicators the registry does not know, or knows nothing of for
// the unit, are left out (the line stays for hand entry). A section whose source fails is left
// out too, and its error is returned beside the rest (see Store.Open).
func PrefillFrom(reg *stats.Registry) Prefill {
	return func(ctx context.Context, code string, year int, indicators []string) (map[string]int64, error) {
		var known []string
		for _, c := range indicators {
			if ind, ok := reg.Get(c); ok && ind.Additive() {
				known = append(known, c)
			}
		}
		out := map[string]int64{}
		if len(known) == 0 {
			return out, nil
		}
		// One query per section, so that one failing source leaves the other sections filled.
		bySection := map[string][]string{}
		var sections []string
		for _, c := range known {
			ind, _ := reg.Get(c)
			if bySection[ind.Section] == nil {
				sections = append(sections, ind.Section)
			}
			bySection[ind.Section] = append(bySection[ind.Section], c)
		}
		var errs []error
		for _, sec := range sections {
			vals, err := reg.Own(ctx, stats.Query{Unit: code, Year: year, Scope: region.NewScope(code)}, bySection[sec]...)
			if err != nil {
				errs = append(errs, fmt.Errorf("forms: pre-fill of %s %d, section %s: %w", code, year, sec, err))
				continue
			}
			for _, v := range vals {
				if v.Known {
					out[v.Code] = int64(math.Round(v.Value))
				}
			}
		}
		return out, errors.Join(errs...)
	}
}
