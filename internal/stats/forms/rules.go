package forms

import (
	"fmt"
	"strings"

	"github.com/kepu/kepu/internal/sheet"
)

// Figures are a form's values: field code → non-negative integer. A code that is absent was
// left blank (counted as 0 by the rules and in summaries).
type Figures map[string]int64

// Problems says what is wrong with a form: field code → message in Chinese, shown beside the
// line. The rules run all at once, so every problem is listed together.
type Problems map[string]string

// ParseFigures reads the typed values of the form (field code → text, "" for blank) as the
// imports read numbers (full-width digits, "1,300"; not "1300多", not negative, not
// fractional). Problems are per code.
func ParseFigures(raw map[string]string) (Figures, Problems) {
	figs, probs := Figures{}, Problems{}
	for _, f := range Fields() {
		s := strings.TrimSpace(raw[f.Code])
		if s == "" {
			continue
		}
		v, msg := sheet.Column{Kind: sheet.Int, Min: sheet.F(0), Max: sheet.F(1e15)}.Parse(s, false)
		if msg != "" {
			probs[f.Code] = msg
			continue
		}
		figs[f.Code] = v.(int64)
	}
	return figs, probs
}

// Check applies the layout's rules to figures: every "其中" line ≤ its parent; the disjoint
// parts of a total (full-time + part-time staff, income by source, spending by use) sum to at
// most the total; and a line that changed by more than YoYThreshold from last year's accepted
// value (prev; nil when there is none) needs a remark. Messages are in Chinese and name the
// lines concerned.
func Check(figs Figures, remarks map[string]string, prev Figures) Problems {
	probs := Problems{}
	parts := map[string]int64{}
	var order []string
	for _, f := range Fields() {
		if f.Parent == "" {
			continue
		}
		p, _ := FieldOf(f.Parent)
		if f.Disjoint {
			if _, seen := parts[f.Parent]; !seen {
				order = append(order, f.Parent)
			}
			parts[f.Parent] += figs[f.Code]
		} else if figs[f.Code] > figs[f.Parent] {
			probs[f.Code] = fmt.Sprintf("%s（%d）不能大于%s（%d）", f.Label, figs[f.Code], p.Label, figs[f.Parent])
		}
	}
	for _, parent := range order {
		if sum := parts[parent]; sum > figs[parent] {
			p, _ := FieldOf(parent)
			var names []string
			for _, f := range Fields() {
				if f.Parent == parent && f.Disjoint {
					names = append(names, f.Label)
				}
			}
			probs[parent] = fmt.Sprintf("%s之和（%d）不能大于%s（%d）", strings.Join(names, "、"), sum, p.Label, figs[parent])
		}
	}
	if prev != nil {
		for _, f := range Fields() {
			if _, ok := probs[f.Code]; ok {
				continue
			}
			if Changed(figs[f.Code], prev[f.Code]) && strings.TrimSpace(remarks[f.Code]) == "" {
				probs[f.Code] = fmt.Sprintf("与上年（%d）相比变化超过%d%%，请在备注中说明原因", prev[f.Code], int(YoYThreshold*100))
			}
		}
	}
	return probs
}

// Changed reports whether cur differs from last year's prev by more than YoYThreshold of prev
// (false when prev is 0: there is no base to compare with).
func Changed(cur, prev int64) bool {
	if prev <= 0 {
		return false
	}
	d := cur - prev
	if d < 0 {
		d = -d
	}
	return float64(d) > YoYThreshold*float64(prev)
}
