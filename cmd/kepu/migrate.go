package main

import (
	"context"
	"fmt"

	"github.com/kepu/kepu/internal/db"
	"github.com/kepu/kepu/internal/region"
)

// migrate applies pending migrations and loads the embedded division tree into an empty
// regions table.
func (a *app) migrate(ctx context.Context, args []string) error {
	c, _, err := a.parse("migrate", args, []string{"db"}, nil)
	if err != nil {
		return err
	}
	d, err := db.Open(ctx, c.DB)
	if err != nil {
		return err
	}
	defer d.Close()
	n, err := d.Migrate(ctx)
	if err != nil {
		return err
	}
	loaded, err := (&region.Store{DB: d}).EnsureLoaded(ctx)
	if err != nil {
		return err
	}
	v, _ := d.Applied(ctx)
	fmt.Fprintf(a.stdout, "%s: %d migration(s) applied, schema version %d\n", d.Where, n, v)
	if loaded {
		fmt.Fprintf(a.stdout, "division tree of province %s loaded (%s)\n", region.DefaultProvince, region.Source)
	}
	return nil
}

// openMigrated opens the database for a command. SQLite (the embedded default) is migrated
// on the spot; PostgreSQL must already be migrated, or the command stops and says how to fix
// it. Either way the division tree is loaded into an empty regions table.
func (a *app) openMigrated(ctx context.Context, dbFlag string) (*db.DB, error) {
	return a.openDB(ctx, dbFlag, false)
}

func (a *app) openDB(ctx context.Context, dbFlag string, automigrate bool) (*db.DB, error) {
	d, err := db.Open(ctx, dbFlag)
	if err != nil {
		return nil, err
	}
	pending, err := d.Pending(ctx)
	if err != nil {
		d.Close()
		return nil, err
	}
	if len(pending) > 0 {
		if d.Dialect == db.Postgres && !automigrate {
			d.Close()
			return nil, fmt.Errorf("%s has %d pending migration(s) (next: %04d_%s); run `kepu migrate --db …` first, or start with --automigrate",
				d.Where, len(pending), pending[0].Version, pending[0].Name)
		}
		n, err := d.Migrate(ctx)
		if err != nil {
			d.Close()
			return nil, err
		}
		a.log.Info("migrated", "db", d.Where, "applied", n)
	}
	if loaded, err := (&region.Store{DB: d}).EnsureLoaded(ctx); err != nil {
		d.Close()
		return nil, err
	} else if loaded {
		a.log.Info("division tree loaded", "province", region.DefaultProvince, "source", region.Source)
	}
	return d, nil
}
