package main

import (
	"context"
	"fmt"
	"os"

	"github.com/kepu/kepu/internal/demo"
)

// demo fills a new database with the synthetic demo network.
func (a *app) demo(ctx context.Context, args []string) error {
	c, _, err := a.parse("demo", args, []string{"db", "seed", "scale"}, nil)
	if err != nil {
		return err
	}
	if c.sources["db"] == "default" {
		c.DB = "kepu-data/demo.db"
	}
	d, err := a.openDB(ctx, c.DB, true)
	if err != nil {
		return err
	}
	defer d.Close()
	rep, err := demo.Run(ctx, d, c.Seed, c.Scale, demoSteps(), a.stderr)
	if err != nil {
		return err
	}
	size := ""
	if d.Path != "" {
		d.ExecContext(ctx, `PRAGMA wal_checkpoint(TRUNCATE)`)
		if st, err := os.Stat(d.Path); err == nil {
			size = fmt.Sprintf(", %.1f MB", float64(st.Size())/1e6)
		}
	}
	fmt.Fprintf(a.stdout, "demo network of seed %d written to %s in %.1f s%s\n", rep.Seed, d.Where, rep.Duration.Seconds(), size)
	return nil
}
