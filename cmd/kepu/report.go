package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/kepu/kepu/internal/activity"
	"github.com/kepu/kepu/internal/content"
	"github.com/kepu/kepu/internal/db"
	"github.com/kepu/kepu/internal/quiz"
	"github.com/kepu/kepu/internal/region"
	"github.com/kepu/kepu/internal/registry"
	"github.com/kepu/kepu/internal/share"
	"github.com/kepu/kepu/internal/stats"
	"github.com/kepu/kepu/internal/stats/forms"
	"github.com/kepu/kepu/internal/stats/report"
	"github.com/kepu/kepu/internal/survey"
	"github.com/kepu/kepu/internal/web"
)

const reportUsage = `Usage:
  kepu report --region 150000 --year 2021 [--out report.html] [--xlsx appendix.xlsx] [--db …] [--base-url …]

Writes the annual report of a unit for a year as one HTML file (style sheet included; print it
to PDF from a browser) to --out, or to standard output; --xlsx also writes the data appendix
(every figure, its definition and exact value). Records links start with --base-url.
`

// report writes the annual report from the command line: the same document the console serves
// at /console/stats/report, over the whole tree (the command line has no account scope).
func (a *app) report(ctx context.Context, args []string) error {
	var unit, out, xlsx string
	var year int
	c, _, err := a.parse("report", args, []string{"db", "base-url"}, func(fs *flag.FlagSet) {
		fs.StringVar(&unit, "region", "", "division code of the unit (e.g. 150000)")
		fs.IntVar(&year, "year", time.Now().In(web.China).Year(), "calendar year of the report")
		fs.StringVar(&out, "out", "", "HTML file to write (default: standard output)")
		fs.StringVar(&xlsx, "xlsx", "", "also write the data appendix to this .xlsx file")
	})
	if err != nil {
		if err == errHelp {
			fmt.Fprint(a.stdout, reportUsage)
		}
		return err
	}
	if unit == "" {
		return usagef("give the unit: --region 150000")
	}
	code, err := region.Normalize(unit)
	if err != nil {
		return usagef("--region %q: %v", unit, err)
	}
	if year < 2000 || year > 2100 {
		return usagef("--year %d: give a calendar year such as 2021", year)
	}
	d, err := a.openMigrated(ctx, c.DB)
	if err != nil {
		return err
	}
	defer d.Close()
	regions := &region.Store{DB: d}
	reg := newStatsRegistry(d, regions)
	ranks, err := (&report.Ranks{DB: d}).Get(ctx, code, year)
	if err != nil {
		return err
	}
	rep, err := report.Build(ctx, reg, regions, stats.Query{Unit: code, Year: year, Scope: region.NewScope(code[:2] + "0000")}, ranks)
	if err != nil {
		return err
	}
	var html bytes.Buffer
	if err := report.Render(&html, rep, report.Options{BaseURL: strings.TrimRight(c.BaseURL, "/"), InlineCSS: true}); err != nil {
		return err
	}
	if out == "" {
		_, err = a.stdout.Write(html.Bytes())
	} else {
		err = os.WriteFile(out, html.Bytes(), 0o644)
	}
	if err != nil {
		return err
	}
	if xlsx != "" {
		var b bytes.Buffer
		if err := report.Appendix(&b, "xlsx", rep, strings.TrimRight(c.BaseURL, "/")); err != nil {
			return err
		}
		if err := os.WriteFile(xlsx, b.Bytes(), 0o644); err != nil {
			return err
		}
	}
	if out != "" || xlsx != "" {
		fmt.Fprintf(a.stderr, "%s: %d figures%s%s\n", rep.Title, len(rep.Figures), written(" → ", out), written(", appendix → ", xlsx))
	}
	return nil
}

func written(prefix, file string) string {
	if file == "" {
		return ""
	}
	return prefix + file
}

// newStatsRegistry builds the indicator registry over the domains' stores.
func newStatsRegistry(d *db.DB, regions *region.Store) *stats.Registry {
	return stats.New(stats.Deps{DB: d, Regions: regions, Registry: &registry.Store{DB: d, Regions: regions},
		Activity: &activity.Store{DB: d, Regions: regions}, Content: &content.Store{DB: d, Regions: regions},
		Survey: &survey.Store{DB: d, Regions: regions}, Share: &share.Store{DB: d, Regions: regions}, Quiz: &quiz.Store{DB: d, Regions: regions},
		Forms: &forms.Store{DB: d, Regions: regions, Registry: &registry.Store{DB: d, Regions: regions}}})
}
