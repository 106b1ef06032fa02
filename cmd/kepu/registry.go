package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/kepu/kepu/internal/region"
	"github.com/kepu/kepu/internal/registry"
	"github.com/kepu/kepu/internal/sheet"
)

const registryUsage = `Usage:
  kepu registry import --kind KIND [--region CODE] FILE.xlsx|FILE.csv   all rows or none; prints every problem
  kepu registry export --kind KIND [--region CODE] [--format xlsx|csv] > FILE   personal data masked
  kepu registry template --kind KIND [--format xlsx|csv] > FILE

KIND is one of: %s. --region limits the command to a unit's subtree (default: the whole
province). Imports from the command line are recorded without an account.
`

func kindList() string {
	var s []string
	for _, k := range registry.Kinds() {
		s = append(s, k.Slug+" ("+k.Name+")")
	}
	return strings.Join(s, ", ")
}

func (a *app) registry(ctx context.Context, args []string) error {
	if len(args) == 0 || args[0] == "help" {
		fmt.Fprintf(a.stdout, registryUsage, kindList())
		if len(args) == 0 {
			return usagef("which subcommand? (import, export, template)")
		}
		return nil
	}
	var kindName, regionCode, format string
	extra := func(fs *flag.FlagSet) {
		fs.StringVar(&kindName, "kind", "", "registry kind: "+kindList())
		fs.StringVar(&regionCode, "region", "", "division code of the subtree to work in (default: the whole province)")
		fs.StringVar(&format, "format", "xlsx", "xlsx or csv")
	}
	c, _, err := a.parse("registry "+args[0], args[1:], []string{"db", "province"}, extra)
	if err != nil {
		return err
	}
	k, ok := registry.KindBySlug(kindName)
	if !ok {
		return usagef("--kind %q: use one of %s", kindName, kindList())
	}
	if format != "xlsx" && format != "csv" {
		return usagef("--format %q: xlsx or csv", format)
	}
	if args[0] == "template" {
		return sheet.Template(a.stdout, format, k.Schema())
	}
	d, err := a.openMigrated(ctx, c.DB)
	if err != nil {
		return err
	}
	defer d.Close()
	regions := &region.Store{DB: d}
	if regionCode == "" {
		regionCode = c.Province
	}
	u, err := regions.Get(ctx, regionCode)
	if err != nil {
		return err
	}
	scope := region.NewScope(u.Code)
	st := &registry.Store{DB: d, Regions: regions}
	switch args[0] {
	case "import":
		if len(c.Args) != 1 {
			return usagef("give one file, e.g. kepu registry import --kind %s officers.xlsx", k.Slug)
		}
		f, err := os.Open(c.Args[0])
		if err != nil {
			return err
		}
		defer f.Close()
		if st, err := f.Stat(); err == nil && st.Size() > sheet.DefaultMaxBytes {
			return fmt.Errorf("%s is %d MB, over the %d MB limit; split it", c.Args[0], st.Size()>>20, sheet.DefaultMaxBytes>>20)
		}
		res, err := st.Import(ctx, k, scope, 0, f, filepath.Base(c.Args[0]), 0)
		if err != nil {
			return err
		}
		if len(res.Errors) > 0 {
			for _, e := range res.Errors {
				fmt.Fprintln(a.stderr, e.Error())
			}
			if res.More > 0 {
				fmt.Fprintf(a.stderr, "另有 %d 处错误未列出\n", res.More)
			}
			return fmt.Errorf("%s: %d problem(s), nothing imported", c.Args[0], len(res.Errors)+res.More)
		}
		fmt.Fprintf(a.stdout, "%s: %d rows, %d new, %d updated, %d unchanged (import #%d)\n", c.Args[0], res.Rows, res.Created, res.Updated, res.Unchanged, res.ImportID)
		return nil
	case "export":
		return st.Export(ctx, k, registry.Filter{Scope: scope}, a.stdout, format)
	}
	return usagef("unknown subcommand %q\n"+registryUsage, args[0], kindList())
}
