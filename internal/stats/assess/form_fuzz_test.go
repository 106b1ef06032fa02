package assess

import (
	"net/url"
	"testing"
)

// FuzzForm: any posted form gives a system or field errors, never a panic, and a system that
// passes validation has only positive finite weights and known normalizations.
func FuzzForm(f *testing.F) {
	f.Add("考核", "2026", "banner", "152500", "", "KH02", "60", "minmax", "", "")
	f.Add("x", "1e9", "museum", "15", "museums20", "museum.sessions", "NaN", "capita", "Inf", "-1")
	f.Fuzz(func(t *testing.T, name, year, level, root, award, code, weight, norm, min, topN string) {
		v := url.Values{"name": {name}, "year": {year}, "level": {level}, "root": {root}, "award": {award}, "top_n": {topN},
			"code_0": {code}, "weight_0": {weight}, "norm_0": {norm}, "min_0": {min}}
		sys, errs := parseForm(v)
		verrs := sys.Validate(func(level, code string) bool { return code != "" })
		if len(errs) > 0 || len(verrs) > 0 {
			return
		}
		for _, it := range sys.Items {
			if !(it.Weight > 0) || it.Weight > 1e6 || normLabel(it.Norm) == "" {
				t.Fatalf("accepted item %+v", it)
			}
		}
		Score(sys.Items, []Subject{{Key: "a", Values: map[string]*float64{code: fp(1)}, Population: 10}})
	})
}
