package share

import (
	"context"
	"database/sql"
	"fmt"
	"math"
	"math/rand/v2"
	"net/netip"
	"strings"
	"time"

	"github.com/kepu/kepu/internal/content"
	"github.com/kepu/kepu/internal/db"
	"github.com/kepu/kepu/internal/demo"
	"github.com/kepu/kepu/internal/region"
	"github.com/kepu/kepu/internal/registry"
	"github.com/kepu/kepu/internal/share/click"
)

// Demo sizes. The seed report counts 67.56 million shares by 580,000 officers since the
// programme began; a demo year is DemoMonths months ending DemoLastMonth in which each
// officer is active in a month with probability DemoActive and then shares a mean of
// DemoSharesPerActive items, each bringing a mean of DemoClicksPerShare counted clicks — about
// 11 million shares and 33 million counted clicks a year at scale 1, in 1.4 million
// officer-months (a fifth of the officers active in a month).
const (
	DemoMonths          = 12
	DemoLastMonth       = "2026-11"
	DemoActive          = 0.20
	DemoSharesPerActive = 8.0
	DemoClicksPerShare  = 3.0
	// DemoSampleOfficers officers of the last month get real links, raw clicks and daily
	// roll-ups (the rest of the year exists as monthly roll-ups only).
	DemoSampleOfficers = 2000
	// DemoBulkOfficers officers are imported from one file on DemoBulkDay (above BulkBatch):
	// the planted bulk registration.
	DemoBulkOfficers = 250
	DemoBulkDay      = "2026-11-12"
)

// DemoStep adds a year of sharing to the demo network: monthly roll-ups per officer and per
// unit for the whole year at the seed's scale, and for the last month a realistic sample of
// real links with raw clicks (counted and filtered, with their daily roll-ups) plus the four
// gaming patterns of issue 6, planted for Scan to find: a click burst from one address over
// 30 officers' links, one phone signed in as 15 officers, an officer whose clicks per share
// are 100 times the banner's, and DemoBulkOfficers officers registered in one village on one
// day by one file import (through registry.Store.Import, as a unit's staff would).
func DemoStep() demo.Step {
	return demo.Step{Name: "share", Work: registry.DemoOfficers / 20_000 * DemoMonths / 2, Run: func(ctx context.Context, g *demo.Generator) (err error) {
		regs := &registry.Store{DB: g.DB, Regions: &region.Store{DB: g.DB}}
		officers, err := regs.OfficerRegistrations(ctx, region.NewScope("150000"), "0000-00-00", "9999-99-99")
		if err != nil {
			return err
		}
		if len(officers) == 0 {
			return nil
		}
		if err := demoBulkImport(ctx, regs, officers[g.Rand.IntN(len(officers))].Region); err != nil {
			return err
		}
		if officers, err = regs.OfficerRegistrations(ctx, region.NewScope("150000"), "0000-00-00", "9999-99-99"); err != nil {
			return err
		}
		items, err := (&content.Store{DB: g.DB}).Latest(ctx, content.PublicQuery{Limit: 100})
		if err != nil {
			return err
		}
		if len(items) == 0 {
			return fmt.Errorf("share demo: no published content to share")
		}
		r := g.Rand
		last, _ := time.ParseInLocation("2006-01", DemoLastMonth, China)
		defer func() {
			if err == nil {
				s := &Store{DB: g.DB, Regions: regs.Regions, Officers: regs.OfficerCounts}
				err = s.RefreshRegistrations(ctx)
			}
		}()
		return g.DB.Tx(ctx, func(tx *sql.Tx) error {
			// Monthly roll-ups for the year.
			type unitMonth struct{ unit, month string }
			units := map[unitMonth]*[4]int64{} // shares, clicks, flagged, actives
			var order []unitMonth
			rows := make([][]any, 0, 5000)
			flush := func() error {
				if err := db.BulkInsert(ctx, tx, g.DB.Dialect, "share_officer_months",
					[]string{"officer_id", "month", "region_code", "shares", "clicks", "flagged", "points"}, rows, ""); err != nil {
					return err
				}
				g.Tick(len(rows) / 20_000)
				rows = rows[:0]
				return nil
			}
			months := make([]string, DemoMonths)
			for m := range months {
				months[m] = last.AddDate(0, m-DemoMonths+1, 0).Format("2006-01")
			}
			// Officer by officer (the primary key's order: the table's B-tree is appended to).
			for _, o := range officers {
				for _, month := range months {
					if o.RegisteredOn[:7] > month || r.Float64() >= DemoActive {
						continue
					}
					shares := int64(1 + poisson(r, DemoSharesPerActive-1))
					clicks := poisson(r, float64(shares)*DemoClicksPerShare)
					flagged := poisson(r, float64(clicks)*0.25)
					rows = append(rows, []any{o.ID, month, o.Region, shares, clicks, flagged, Points(shares, clicks, 0)})
					k := unitMonth{o.Region, month}
					if units[k] == nil {
						units[k] = &[4]int64{}
						order = append(order, k)
					}
					u := units[k]
					u[0] += shares
					u[1] += clicks
					u[2] += flagged
					u[3]++
					if len(rows) == cap(rows) {
						if err := flush(); err != nil {
							return err
						}
					}
				}
			}
			if err := flush(); err != nil {
				return err
			}
			// Unit-months: flagged clicks split over the reasons in a typical mix.
			mix := []float64{0.06, 0.35, 0.15, 0.03, 0.11, 0.30} // head, unfurl, bot, datacentre, self, repeat
			urows := make([][]any, 0, len(order))
			for _, k := range order {
				u := units[k]
				row := []any{k.unit, k.month, u[0], u[1]}
				left := u[2]
				for i, share := range mix {
					n := int64(float64(u[2]) * share)
					if i == len(mix)-1 {
						n = left
					}
					left -= n
					row = append(row, n)
				}
				urows = append(urows, append(row, u[3]))
			}
			cols := []string{"region_code", "month", "shares", "clicks", "head", "unfurl", "bot", "datacentre", "self", "repeat", "actives"}
			if err := db.BulkInsert(ctx, tx, g.DB.Dialect, "share_region_months", cols, urows, ""); err != nil {
				return err
			}
			// The same sums per banner-month (share_banner_months, migration 0022).
			type bannerMonth struct{ banner, month string }
			banners := map[bannerMonth][]any{}
			var border []bannerMonth
			for _, row := range urows {
				k := bannerMonth{bannerOf(row[0].(string)), row[1].(string)}
				b := banners[k]
				if b == nil {
					b = []any{k.banner, k.month}
					for range row[2:] {
						b = append(b, int64(0))
					}
					banners[k] = b
					border = append(border, k)
				}
				for i, v := range row[2:] {
					b[2+i] = b[2+i].(int64) + v.(int64)
				}
			}
			brows := make([][]any, 0, len(border))
			for _, k := range border {
				brows = append(brows, banners[k])
			}
			cols[0] = "banner_code"
			if err := db.BulkInsert(ctx, tx, g.DB.Dialect, "share_banner_months", cols, brows, ""); err != nil {
				return err
			}
			return demoSample(ctx, tx, g, officers, items, last)
		})
	}}
}

// demoSample writes the last month's sample: links, raw clicks and their daily roll-ups for
// DemoSampleOfficers officers (added to the monthly roll-ups already written), and the planted
// patterns.
func demoSample(ctx context.Context, tx *sql.Tx, g *demo.Generator, officers []registry.OfficerRegistration, items []content.Item, last time.Time) error {
	r := g.Rand
	n := min(len(officers), max(100, g.N(DemoSampleOfficers))) // room for the planted patterns at any scale
	perm := r.Perm(len(officers))[:n]
	var salt [32]byte
	for i := range salt {
		salt[i] = byte(r.IntN(256))
	}
	var clicks []Click
	var links [][]any
	var ds []delta
	agents := []string{"Mozilla/5.0 (Linux; Android 12) Mobile MicroMessenger/8.0", "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0) Mobile MicroMessenger/8.0",
		"Mozilla/5.0 (Linux; Android 13) Mobile QQ/9.0", "TelegramBot (like TwitterBot)", "curl/8.5.0", "Mozilla/5.0 (Windows NT 10.0) Chrome/120"}
	addr := func() netipAddr {
		return netipAddr{byte(36 + r.IntN(80)), byte(r.IntN(256)), byte(r.IntN(256)), byte(1 + r.IntN(250))}
	}
	taken := map[[2]int64]Link{}
	mkLink := func(o registry.OfficerRegistration, it int64, at time.Time) Link {
		if l, ok := taken[[2]int64{o.ID, it}]; ok {
			return l
		}
		l := Link{Code: NewCodeFrom(r), Officer: o.ID, Item: it, Region: o.Region, Created: at}
		links = append(links, []any{l.Code, l.Officer, l.Item, l.Region, l.Created})
		ds = append(ds, delta{Officer: o.ID, Item: it, Region: o.Region, Day: Day(at), Shares: 1})
		taken[[2]int64{o.ID, it}] = l
		return l
	}
	record := func(l Link, at time.Time, a netipAddr, ua string, reason click.Reason) {
		ip := a.addr()
		c := Click{Link: l, At: at.UTC(), Visitor: click.VisitorHash(salt[:], ip, ua), Subnet: click.Subnet(ip), UAClass: click.UAClass(ua), Reason: reason}
		clicks = append(clicks, c)
		d := delta{Officer: l.Officer, Item: l.Item, Region: l.Region, Day: Day(c.At)}
		d.Counts[reasonIndex(reason)] = 1
		ds = append(ds, d)
	}
	for _, i := range perm {
		o := officers[i]
		shares := 1 + r.IntN(6)
		for s := range shares {
			at := last.Add(time.Duration(r.IntN(27*24*60)) * time.Minute)
			l := mkLink(o, items[(s+r.IntN(len(items)))%len(items)].ID, at)
			for range poisson(r, 3) {
				ua := agents[r.IntN(len(agents))]
				reason := click.Classify(click.Request{Method: "GET", UserAgent: ua}, nil)
				if reason == click.Counted && r.IntN(10) == 0 {
					reason = click.Repeat
				}
				record(l, at.Add(time.Duration(1+r.IntN(3000))*time.Minute/10), addr(), ua, reason)
			}
		}
	}
	// Planted: a burst — one address and agent over 30 officers' links within 6 minutes.
	burstAt := last.AddDate(0, 0, 20).Add(21 * time.Hour)
	bot := addr()
	for k := range min(30, n) {
		o := officers[perm[k]]
		l := mkLink(o, items[0].ID, burstAt.Add(-time.Hour))
		record(l, burstAt.Add(time.Duration(k)*12*time.Second), bot, agents[0], click.Counted)
	}
	// Planted: a device farm — one phone signed in as 15 officers on one day.
	farm := click.VisitorHash(salt[:], addr().addr(), agents[1])
	var devices [][]any
	for k := min(30, n); k < min(45, n); k++ {
		devices = append(devices, []any{Day(last.AddDate(0, 0, 9)), farm, officers[perm[k]].ID})
	}
	if err := db.BulkInsert(ctx, tx, g.DB.Dialect, "share_links", []string{"code", "officer_id", "item_id", "region_code", "created_at"}, links, ""); err != nil {
		return err
	}
	crow := make([][]any, len(clicks))
	for i, c := range clicks {
		crow[i] = []any{c.Link.Code, c.Link.Officer, c.Link.Item, c.Link.Region, c.At, Day(c.At), c.Visitor, c.Subnet, c.UAClass, c.Referrer, string(c.Reason)}
	}
	if err := db.BulkInsert(ctx, tx, g.DB.Dialect, "share_clicks",
		[]string{"link_code", "officer_id", "item_id", "region_code", "at", "day", "visitor", "subnet", "ua_class", "referrer", "reason"}, crow, ""); err != nil {
		return err
	}
	if err := db.BulkInsert(ctx, tx, g.DB.Dialect, "share_devices", []string{"day", "visitor", "officer_id"}, devices, ""); err != nil {
		return err
	}
	// Planted: a click-to-share ratio 100 times the banner's — in the monthly roll-up. The
	// officer is the sampled one (past the burst and farm officers) of the banner with the most
	// officers, so that its banner has the click.DefaultRatio.MinGroup active officers the
	// detector compares it with at any demo scale.
	if n > 50 {
		perBanner := map[string]int{}
		for _, x := range officers {
			perBanner[x.Region[:6]]++
		}
		o := officers[perm[50]]
		for _, i := range perm[50:] {
			if perBanner[officers[i].Region[:6]] > perBanner[o.Region[:6]] {
				o = officers[i]
			}
		}
		ds = append(ds, delta{Officer: o.ID, Item: items[0].ID, Region: o.Region, Day: Day(last.AddDate(0, 0, 3))})
		ds[len(ds)-1].Counts[0] = 3000
	}
	var st stmts
	for _, x := range []struct {
		dst **sql.Stmt
		q   string
	}{{&st.daily, upsertDailySQL}, {&st.month, upsertOfficerMonthSQL}, {&st.region, upsertRegionMonthSQL}, {&st.banner, upsertBannerMonthSQL}} {
		s, err := tx.PrepareContext(ctx, x.q)
		if err != nil {
			return err
		}
		defer s.Close()
		*x.dst = s
	}
	if err := addRollups(ctx, st, ds); err != nil {
		return err
	}
	// The sample's clicks are in the roll-ups already: move the cursor past them.
	_, err := tx.ExecContext(ctx, `UPDATE share_rollup_state SET last_click = (SELECT COALESCE(max(id), 0) FROM share_clicks) WHERE id = 1`)
	return err
}

// demoBulkImport plants a bulk registration: DemoBulkOfficers officers of village registered
// on DemoBulkDay by one file import (phone numbers 147…, a prefix the registry demo does not
// use). The officers then share like any other (from DemoBulkDay's month on).
func demoBulkImport(ctx context.Context, regs *registry.Store, village string) error {
	var b strings.Builder
	b.WriteString("姓名,手机号,所属区划代码,注册日期,状态\n")
	for i := range DemoBulkOfficers {
		fmt.Fprintf(&b, "批量信息员%d,147%08d,%s,%s,在册\n", i+1, 20_000_000+i, village, DemoBulkDay)
	}
	res, err := regs.Import(ctx, &registry.InformationOfficers, region.NewScope("150000"), 0, strings.NewReader(b.String()), "信息员批量登记.csv", 0)
	if err != nil {
		return fmt.Errorf("share demo: bulk registration: %w", err)
	}
	if len(res.Errors) > 0 || res.Created+res.Unchanged != DemoBulkOfficers {
		return fmt.Errorf("share demo: bulk registration: %d created, problems %v", res.Created, res.Errors)
	}
	return nil
}

// poisson draws from a Poisson distribution of mean lambda (normal approximation above 30).
func poisson(r *rand.Rand, lambda float64) int64 {
	if lambda <= 0 {
		return 0
	}
	if lambda > 30 {
		return max(0, int64(math.Round(lambda+math.Sqrt(lambda)*r.NormFloat64())))
	}
	l, k, p := math.Exp(-lambda), int64(0), 1.0
	for {
		p *= r.Float64()
		if p <= l {
			return k
		}
		k++
	}
}

// netipAddr is an IPv4 address drawn by the demo.
type netipAddr [4]byte

func (a netipAddr) addr() netip.Addr { return netip.AddrFrom4(a) }

// NewCodeFrom draws a link code from a seeded source (the demo's codes repeat with the seed).
func NewCodeFrom(r *rand.Rand) string {
	b := make([]byte, CodeLen)
	for i := range b {
		b[i] = codeAlphabet[r.IntN(len(codeAlphabet))]
	}
	return string(b)
}
