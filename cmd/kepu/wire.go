package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/netip"
	"strings"

	"time"

	"github.com/kepu/kepu/internal/account"
	"github.com/kepu/kepu/internal/activity"
	"github.com/kepu/kepu/internal/content"
	"github.com/kepu/kepu/internal/db"
	"github.com/kepu/kepu/internal/demo"
	"github.com/kepu/kepu/internal/quiz"
	"github.com/kepu/kepu/internal/region"
	"github.com/kepu/kepu/internal/registry"
	"github.com/kepu/kepu/internal/share"
	"github.com/kepu/kepu/internal/stats"
	"github.com/kepu/kepu/internal/stats/assess"
	"github.com/kepu/kepu/internal/stats/dashboard"
	"github.com/kepu/kepu/internal/stats/forms"
	"github.com/kepu/kepu/internal/stats/report"
	"github.com/kepu/kepu/internal/survey"
	"github.com/kepu/kepu/internal/web"
)

// siteTemplates lists every domain's page templates (the tests check each page is rendered).
func siteTemplates() []web.Templates {
	return []web.Templates{account.Templates(), region.Templates(), registry.Templates(), activity.Templates(), content.Templates(), share.Templates(), survey.Templates(), quiz.Templates(), stats.Templates(), forms.Templates(),
		assess.Templates(), dashboard.Templates(), report.Templates()}
}

// demoSteps lists every domain's part of the demo network, in order.
func demoSteps() []demo.Step {
	return []demo.Step{region.DemoStep(), account.DemoStep(), registry.DemoStep(), activity.DemoStep(), content.DemoStep(), share.DemoStep(), survey.DemoStep(), quiz.DemoStep(), stats.DemoStep(), forms.DemoStep(), assess.DemoStep(), report.DemoStep()}
}

// site is the assembled application: the HTTP handler and the stores the commands use.
type site struct {
	Handler  http.Handler
	Accounts *account.Store
	Regions  *region.Store
	Registry *registry.Store
	Activity *activity.Store
	Quiz     *quiz.Store
	Stats    *stats.Registry // every indicator (internal/stats)
	Root     region.Unit
	// Close writes what the site keeps in memory between writes (content view counts).
	Close func(ctx context.Context) error
}

// siteConfig is what the web side takes from the configuration.
type siteConfig struct {
	Province      string        // 2-digit province code
	Dev           bool          // templates and static files from disk
	SecureCookies bool          // served over https
	CheckInGrace  time.Duration // check-ins accepted this long after an activity ends
	// TrustedProxies are the reverse proxies whose X-Forwarded-For names the visitor.
	TrustedProxies []netip.Prefix
	// BaseURL is the public address set with --base-url ("" when not set: each request's own
	// host), for addresses in QR codes, feeds, calendar files and certificates.
	BaseURL string
}

// newSite wires every domain onto one web server.
func newSite(ctx context.Context, d *db.DB, sc siteConfig, log *slog.Logger) (*site, error) {
	province, dev, secureCookies := sc.Province, sc.Dev, sc.SecureCookies
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
	secret, err := secretKey(ctx, d, "csrf_key")
	if err != nil {
		return nil, err
	}
	ticketKey, err := secretKey(ctx, d, "ticket_key")
	if err != nil {
		return nil, err
	}
	kit, err := web.NewKit(log, dev, siteTemplates()...)
	if err != nil {
		return nil, err
	}
	kit.BaseURL = sc.BaseURL
	accounts := &account.Store{DB: d, Regions: regions}
	acc := &account.Handler{Kit: kit, Store: accounts, Regions: regions, Limits: account.NewLoginLimits(),
		SecureCookies: secureCookies, RootRegion: root.Code}
	records := &registry.Store{DB: d, Regions: regions}
	// Databases that held registry records before the stock rows existed get them built once.
	if err := records.BuildStocks(ctx); err != nil {
		return nil, err
	}
	counters := []region.Counter{{Key: "regions.count.accounts", Staff: true, Count: accounts.CountByRegion}}
	for _, k := range registry.Kinds() {
		if k.Counted {
			counters = append(counters, records.Counter(k))
		}
	}
	reg := &region.Handler{Kit: kit, Store: regions, ScopeOf: account.ScopeOf, Root: root.Code, Counters: counters}
	rh := &registry.Handler{Kit: kit, Store: records, AccountNames: accounts.Usernames}
	acts := &activity.Store{DB: d, Regions: regions, Registry: records}
	ah := &activity.Handler{Kit: kit, Store: acts, Regions: regions, Registry: records, Log: log, TicketKey: ticketKey, CheckInGrace: sc.CheckInGrace,
		AccountNames: accounts.Usernames}
	cs := &content.Store{DB: d, Regions: regions}
	// Databases that held content before the search index existed get it built once.
	if _, err := cs.EnsureIndexed(ctx); err != nil {
		return nil, err
	}
	ch := &content.Handler{Kit: kit, Store: cs, Regions: regions, AccountNames: accounts.Usernames}
	surveys := &survey.Store{DB: d, Regions: regions}
	svh := &survey.Handler{Kit: kit, Store: surveys, Regions: regions}
	shareKey, err := secretKey(ctx, d, "share_key")
	if err != nil {
		return nil, err
	}
	clicks := &share.Recorder{DB: d, Log: log}
	sh := &share.Handler{Kit: kit, Store: &share.Store{DB: d, Regions: regions, Recorder: clicks, Officers: records.OfficerCounts}, Recorder: clicks, Items: cs, Officers: records,
		Key: shareKey, SecureCookies: secureCookies}
	if err := sh.LoadDataCentres(ctx); err != nil {
		return nil, err
	}
	qs := &quiz.Store{DB: d, Regions: regions}
	qh := &quiz.Handler{Kit: kit, Store: qs, Regions: regions, Log: log, BaseURL: sc.BaseURL}
	fs := &forms.Store{DB: d, Regions: regions, Registry: records, Log: log} // the declared figures X01–X08 read its accepted forms
	figures := stats.New(stats.Deps{DB: d, Regions: regions, Registry: records, Activity: acts, Content: cs, Survey: surveys, Share: sh.Store, Quiz: qs, Forms: fs})
	fs.Prefill, fs.Accepted = forms.PrefillFrom(figures), func(ctx context.Context, code string) {
		if err := figures.Forget(ctx, code, "forms"); err != nil {
			log.Error("stats: forgetting the forms' figures", "unit", code, "err", err) // they expire with MaxAge anyway
		}
	}
	figures.MaxAge = 2 * time.Minute // figures reused from stats_snapshots for 2 minutes (a cold region dashboard is ~50 ms); the ledger forgets its own
	fh := &stats.Handler{Kit: kit, Registry: figures, Root: root.Code}
	formsH := &forms.Handler{Kit: kit, Store: fs, AccountNames: accounts.Usernames}
	// Assessment (issue 8): units scored on the indicator registry, venues on their own records.
	asH := &assess.Handler{Kit: kit, Store: &assess.Store{DB: d, Regions: regions}, Regions: regions,
		Engine: &assess.Engine{Source: &assess.Indicators{Stats: figures, Records: &assess.Records{Regions: regions, Activity: acts, Registry: records}}}}
	// The dashboard and the annual report read the same indicator registry.
	dh := &dashboard.Handler{Kit: kit, Stats: figures, Regions: regions, Boundaries: &dashboard.Boundaries{DB: d}, Root: root.Code}
	rph := &report.Handler{Kit: kit, Stats: figures, Regions: regions, Ranks: &report.Ranks{DB: d}}
	formsH.Records = forms.RecordsFrom(figures) // a form's pre-filled lines link to the unit's own records
	h := web.NewServer(kit, web.ServerConfig{Secret: secret, Session: acc.Session, Ping: d.PingContext, HTTPS: secureCookies, TrustedProxies: sc.TrustedProxies}, reg, rh, ah, ch, svh, acc, sh, qh, fh, formsH, asH, dh, rph)
	closeAll := func(ctx context.Context) error { return errors.Join(ch.Views.Close(ctx), clicks.Close(ctx)) }
	return &site{Handler: h, Accounts: accounts, Regions: regions, Registry: records, Activity: acts, Quiz: qs, Stats: figures, Root: root, Close: closeAll}, nil
}

// secretKey returns one of the installation's 32-byte keys (csrf_key, ticket_key), creating
// it on first use.
func secretKey(ctx context.Context, d *db.DB, name string) ([]byte, error) {
	v, err := d.Setting(ctx, name)
	if errors.Is(err, db.ErrNotFound) {
		b := make([]byte, 32)
		rand.Read(b)
		v = hex.EncodeToString(b)
		if err := d.SetSetting(ctx, name, v); err != nil {
			return nil, err
		}
		// Two processes starting at once: keep whichever key won.
		v, err = d.Setting(ctx, name)
	}
	if err != nil {
		return nil, err
	}
	return hex.DecodeString(strings.TrimSpace(v))
}
