package forms

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"

	"github.com/kepu/kepu/internal/region"
	"github.com/kepu/kepu/internal/stats"
)

// Records gives, for a division unit and year, the URL of the list of the records behind each
// pre-filled line of the unit's own form, by indicator code: the records at the unit itself
// (its "本级" part), the same ones the line was pre-filled from. Codes without such a list are
// left out. Like Prefill it may return links and an error together.
type Records func(ctx context.Context, code string, year int, indicators []string) (map[string]string, error)

// OwnListed are the stats sources (stats.Indicator.Source) whose Own values carry the list of
// the unit's own records: activities at exactly the unit (activity.Filter.Unit) and the funds
// entries booked to it (the ledger's exact=1). The other sources count a unit's own records
// without a list to link (stats' registry and content counts, as of this writing), and asking
// them is costly: the region form's links took 8.8 s with every source asked and 3.3 ms with
// these two on the seed-scale demo (BenchmarkStatsAPI, docs/BENCHMARKS.md). Add a source here
// when it learns to list its own records.
var OwnListed = []string{"activity", "funds"}

// RecordsFrom reads the links from the stats indicator registry: each indicator's Own value
// (stats.Registry.Own) carries the list of the unit's own records, for the sources in
// OwnListed; other lines get no link rather than a list of the whole subtree, which would not
// be the line's records. One query per section, as in PrefillFrom.
func RecordsFrom(reg *stats.Registry) Records {
	return func(ctx context.Context, code string, year int, indicators []string) (map[string]string, error) {
		bySection := map[string][]string{}
		var sections []string
		for _, c := range indicators {
			ind, ok := reg.Get(c)
			if !ok || !ind.Additive() || !slices.Contains(OwnListed, ind.Source) {
				continue
			}
			if bySection[ind.Section] == nil {
				sections = append(sections, ind.Section)
			}
			bySection[ind.Section] = append(bySection[ind.Section], c)
		}
		out := map[string]string{}
		var errs []error
		for _, sec := range sections {
			vals, err := reg.Own(ctx, stats.Query{Unit: code, Year: year, Scope: region.NewScope(code)}, bySection[sec]...)
			if err != nil {
				errs = append(errs, fmt.Errorf("forms: records of %s %d, section %s: %w", code, year, sec, err))
				continue
			}
			for _, v := range vals {
				if v.Known && v.Records != "" {
					out[v.Code] = v.Records
				}
			}
		}
		return out, errors.Join(errs...)
	}
}

// lineRecords returns the records behind the pre-filled lines of a form, by line code: for a
// venue, its registry record (every pre-filled line of a venue's form comes from it); for an
// association, Handler.Records' lists of the unit's own records. A failing source leaves its
// lines without a link and is logged once, here: a link is a help, not a reason to refuse the
// form.
func (h *Handler) lineRecords(ctx context.Context, f Form) map[string]string {
	out := map[string]string{}
	if f.Unit.Kind == Venue {
		slug, id, _ := strings.Cut(f.Unit.Key, "-")
		rec := fmt.Sprintf("/console/registry/%s/%s", slug, id)
		for code := range f.Prefilled {
			out[code] = rec
		}
		return out
	}
	if h.Records == nil || len(f.Prefilled) == 0 {
		return out
	}
	var codes []string
	for _, fl := range Fields() {
		if _, ok := f.Prefilled[fl.Code]; ok && fl.Indicator != "" {
			codes = append(codes, fl.Indicator)
		}
	}
	links, err := h.Records(ctx, f.Unit.Region, f.Year, codes)
	if err != nil {
		log := h.Store.Log
		if log == nil {
			log = slog.Default()
		}
		log.Error("forms: records links incomplete", "unit", f.Unit.Key, "year", f.Year, "err", err)
	}
	for _, fl := range Fields() {
		if l, ok := links[fl.Indicator]; ok && fl.Indicator != "" {
			if _, pre := f.Prefilled[fl.Code]; pre {
				out[fl.Code] = l
			}
		}
	}
	return out
}
