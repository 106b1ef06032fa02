package dashboard

import (
	"fmt"
	"strconv"

	"github.com/kepu/kepu/internal/stats"
	"github.com/kepu/kepu/internal/stats/report"
)

// Cell is a figure as a table cell shows it: the exact value and the link to its records.
type Cell struct {
	Text string // "1,349", "12,345.60" (yuan), "8.73"; "—" when nothing is recorded
	Href string // the records behind it; "" when not listable
}

// CellOf formats a value exactly: counts with thousands separators, money in yuan with fen,
// ratios and shares with two decimals.
func CellOf(v stats.Value) Cell {
	if !v.Known {
		return Cell{Text: "—"}
	}
	ind := v.Indicator
	var s string
	switch {
	case ind != nil && ind.Money:
		s = fmt.Sprintf("%s.%02d", report.Thousands(v.Exact/100), abs(v.Exact%100))
	case ind != nil && (ind.Agg == stats.Sum || ind.Agg == stats.DistinctCount):
		s = report.Thousands(v.Exact)
	default:
		s = strconv.FormatFloat(v.Value, 'f', 2, 64)
	}
	return Cell{Text: s, Href: v.Records}
}

func abs(x int64) int64 {
	if x < 0 {
		return -x
	}
	return x
}

// CurCell is this year's figure.
func (r *Row) CurCell() Cell { return CellOf(r.Cur) }

// PrevCell is the year before's figure.
func (r *Row) PrevCell() Cell { return CellOf(r.Prev) }

// ChangeText is the change from the year before: "+12 (+3.5%)", "−4", "+0.52" (ratios in
// points); "—" when either year is not known.
func (r *Row) ChangeText() string {
	if !r.Cur.Known || !r.Prev.Known || r.Partial {
		return "—"
	}
	var s string
	if r.Ind.Agg == stats.Sum || r.Ind.Agg == stats.DistinctCount {
		d := int64(r.Change)
		if d >= 0 {
			s = "+" + report.Thousands(d)
		} else {
			s = "−" + report.Thousands(-d)
		}
	} else {
		s = fmt.Sprintf("%+.2f", r.Change)
	}
	if r.HasPct {
		s += fmt.Sprintf(" (%+.1f%%)", r.Percent)
	}
	return s
}

// RankText is "3 / 12" (rank among the siblings that have a value), or "—".
func (r *Row) RankText() string {
	if r.Rank == 0 {
		return "—"
	}
	return fmt.Sprintf("%d / %d", r.Rank, r.Siblings)
}

// Cells formats a trend's months.
func (t Trend) Cells() []Cell {
	out := make([]Cell, 12)
	for i, v := range t.Months {
		out[i] = CellOf(v)
	}
	return out
}

// Cells formats a child unit's values.
func (c Child) Cells() []Cell {
	out := make([]Cell, len(c.Values))
	for i, v := range c.Values {
		out[i] = CellOf(v)
	}
	return out
}
