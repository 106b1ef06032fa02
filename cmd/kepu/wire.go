package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"

	"github.com/kepu/kepu/internal/account"
	"github.com/kepu/kepu/internal/db"
	"github.com/kepu/kepu/internal/demo"
	"github.com/kepu/kepu/internal/region"
	"github.com/kepu/kepu/internal/registry"
	"github.com/kepu/kepu/internal/web"
)

// demoSteps lists every domain's part of the demo network, in order.
func demoSteps() []demo.Step {
	return []demo.Step{region.DemoStep(), account.DemoStep(), registry.DemoStep()}
}

// site is the assembled application: the HTTP handler and the stores the commands use.
type site struct {
	Handler  http.Handler
	Accounts *account.Store
	Regions  *region.Store
	Registry *registry.Store
	Root     region.Unit
}

// newSite wires every domain onto one web server.
func newSite(ctx context.Context, d *db.DB, province string, dev, secureCookies bool, log *slog.Logger) (*site, error) {
	regions := &region.Store{DB: d}
	root, err := regions.Get(ctx, province)
	if err != nil {
		if errors.Is(err, db.ErrNotFound) {
			return nil, fmt.Errorf("province %s is not loaded in %s; run `kepu regions load --province %s` first", province, d.Where, province)
		}
		return nil, err
	}
	if root.Level != region.LevelRegion {
		return nil, fmt.Errorf("--province %s: give a 2-digit province code such as 15", province)
	}
	secret, err := csrfKey(ctx, d)
	if err != nil {
		return nil, err
	}
	kit, err := web.NewKit(log, dev, account.Templates(), region.Templates(), registry.Templates())
	if err != nil {
		return nil, err
	}
	accounts := &account.Store{DB: d, Regions: regions}
	acc := &account.Handler{Kit: kit, Store: accounts, Regions: regions, Limits: account.NewLoginLimits(),
		SecureCookies: secureCookies, RootRegion: root.Code}
	records := &registry.Store{DB: d, Regions: regions}
	counters := []region.Counter{{Key: "regions.count.accounts", Staff: true, Count: accounts.CountByRegion}}
	for _, k := range registry.Kinds() {
		if k.Counted {
			counters = append(counters, records.Counter(k))
		}
	}
	reg := &region.Handler{Kit: kit, Store: regions, ScopeOf: account.ScopeOf, Root: root.Code, Counters: counters}
	rh := &registry.Handler{Kit: kit, Store: records, AccountNames: accounts.Usernames}
	h := web.NewServer(kit, web.ServerConfig{Secret: secret, Session: acc.Session, Ping: d.PingContext, HTTPS: secureCookies}, reg, rh, acc)
	return &site{Handler: h, Accounts: accounts, Regions: regions, Registry: records, Root: root}, nil
}

// csrfKey returns the installation's CSRF key, creating it on first use.
func csrfKey(ctx context.Context, d *db.DB) ([]byte, error) {
	v, err := d.Setting(ctx, "csrf_key")
	if errors.Is(err, db.ErrNotFound) {
		b := make([]byte, 32)
		rand.Read(b)
		v = hex.EncodeToString(b)
		if err := d.SetSetting(ctx, "csrf_key", v); err != nil {
			return nil, err
		}
		// Two processes starting at once: keep whichever key won.
		v, err = d.Setting(ctx, "csrf_key")
	}
	if err != nil {
		return nil, err
	}
	return hex.DecodeString(strings.TrimSpace(v))
}
