package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/kepu/kepu/internal/demo"
	"github.com/kepu/kepu/internal/region"
	"github.com/kepu/kepu/internal/stats"
	"github.com/kepu/kepu/internal/stats/dashboard"
	"github.com/kepu/kepu/internal/web"
)

// serve runs the web server until the process is interrupted.
func (a *app) serve(ctx context.Context, args []string) error {
	c, _, err := a.parse("serve", args, []string{"addr", "db", "automigrate", "dev", "demo", "seed", "scale", "province", "base-url", "checkin-grace", "trusted-proxies"}, nil)
	if err != nil {
		return err
	}
	if c.Demo && c.sources["db"] == "default" {
		c.DB = "kepu-data/demo.db"
	}
	proxies, err := web.ParsePrefixes(c.TrustedProxies)
	if err != nil {
		return usagef("--trusted-proxies: %v", err)
	}
	// Listen first: a wrong --addr must fail before anything is created or printed.
	ln, err := net.Listen("tcp", c.Addr)
	if err != nil {
		return fmt.Errorf("cannot listen on --addr %q: %v; give host:port (e.g. :8080) of a free port", c.Addr, err)
	}
	defer ln.Close()
	d, err := a.openDB(ctx, c.DB, c.AutoMigrate)
	if err != nil {
		return err
	}
	defer d.Close()
	if c.Demo {
		if seed, err := d.Setting(ctx, demo.MarkerSetting); err == nil {
			a.log.Info("demo network present", "db", d.Where, "seed", seed)
		} else {
			rep, err := demo.Run(ctx, d, c.Seed, c.Scale, demoSteps(), a.stderr)
			if err != nil {
				return err
			}
			a.log.Info("demo network generated", "db", d.Where, "seed", rep.Seed, "seconds", rep.Duration.Seconds())
		}
	}
	sc := siteConfig{Province: c.Province, Dev: c.Dev, SecureCookies: strings.HasPrefix(c.BaseURL, "https://"), CheckInGrace: c.CheckInGrace, TrustedProxies: proxies}
	if c.sources["base-url"] != "default" {
		sc.BaseURL = strings.TrimRight(c.BaseURL, "/")
	}
	s, err := newSite(ctx, d, sc, a.log)
	if err != nil {
		return err
	}
	base := strings.TrimRight(c.BaseURL, "/")
	if c.sources["base-url"] == "default" {
		// Printed links follow the port actually listened on.
		base = "http://localhost:" + strconv.Itoa(ln.Addr().(*net.TCPAddr).Port)
	}
	if token, ok, err := s.Accounts.CreateSetupToken(ctx); err != nil {
		return err
	} else if ok {
		fmt.Fprintf(a.stdout, "\nNo accounts yet. Open this one-time link within 24 hours to create the first region admin:\n\n  %s/setup/%s\n\n",
			base, token)
	}
	if c.Demo {
		fmt.Fprintf(a.stdout, "\nDemo network ready at %s — sign in as admin / kepu-demo (see README for the other demo accounts).\n\n", base)
	}
	srv := &http.Server{Handler: s.Handler, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 60 * time.Second,
		WriteTimeout: 120 * time.Second, IdleTimeout: 120 * time.Second}
	a.log.Info("kepu listening", "addr", ln.Addr().String(), "db", d.Where, "province", s.Root.Code)
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	rctx, stopRefresh := context.WithCancel(ctx)
	defer stopRefresh()
	go refreshFigures(rctx, s, a.log)
	select {
	case err := <-errc:
		if !errors.Is(err, http.ErrServerClosed) {
			return err
		}
	case <-ctx.Done():
		a.log.Info("shutting down")
		sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		err := srv.Shutdown(sctx)
		if ferr := s.Close(sctx); ferr != nil {
			a.log.Error("writing pending counts", "err", ferr)
		}
		return err
	}
	return nil
}

// refreshDelay is how long refreshFigures waits after start before its first round.
var refreshDelay = time.Minute

// refreshFigures recomputes the whole region's dashboard figures (this year and last) from the
// domains under stats.Refreshing a minute after start and then every half of the snapshots'
// MaxAge, until ctx ends, and then each league's dashboard of this year under
// stats.RefreshingOlderThan that half: what the region's pass has just computed (the leagues'
// figures of both years, as the region's children) is read, the rest (their banners, their
// months) computed. A viewer's first dashboard or report of the region or a league then reads
// snapshots at most MaxAge old rather than waiting seconds for the domains; a banner's first
// view is computed then (docs/BENCHMARKS.md, statistics). Failures are logged and the next
// round tries again.
func refreshFigures(ctx context.Context, s *site, log *slog.Logger) {
	every := s.Stats.MaxAge / 2
	if every <= 0 {
		return
	}
	// The first round waits a minute: a server that has just started (or restarted under a
	// load of share clicks) serves before it spends seconds of SQLite time on the figures.
	select {
	case <-ctx.Done():
		return
	case <-time.After(refreshDelay):
	}
	for {
		year := time.Now().In(web.China).Year()
		root := region.NewScope(s.Root.Code)
		refresh := func(rctx context.Context, unit string, y int) {
			start := time.Now()
			if _, err := dashboard.Build(rctx, s.Stats, s.Regions, stats.Query{Unit: unit, Year: y, Scope: root}); err != nil {
				if ctx.Err() == nil {
					log.Error("refreshing figures", "region", unit, "year", y, "err", err)
				}
				return
			}
			log.Info("figures refreshed", "region", unit, "year", y, "seconds", time.Since(start).Seconds())
		}
		round := stats.Refreshing(ctx) // one for both years: last year's figures of this year's pass are read
		for _, y := range []int{year, year - 1} {
			refresh(round, s.Root.Code, y)
		}
		leagues, err := s.Regions.Children(ctx, s.Root.Code)
		if err != nil && ctx.Err() == nil {
			log.Error("refreshing figures: the leagues", "err", err)
		}
		for _, l := range leagues {
			if ctx.Err() != nil {
				return
			}
			refresh(stats.RefreshingOlderThan(ctx, every), l.Code, year)
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(every):
		}
	}
}
