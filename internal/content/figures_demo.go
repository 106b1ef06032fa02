package content

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/kepu/kepu/internal/db"
	"github.com/kepu/kepu/internal/demo"
)

// Seed-scale reach of the demo year (../shared/reference/seed-indicators.csv): pushes to the
// short-video and news platforms ("6000 more than" items), the clicks those platforms report
// ("12000000 more than"), and the clicks on the emergency science videos (510,000). The
// report of the demo year reads them through ReachByRegion.
const (
	demoSeedPushes          = 6_250
	demoSeedEmergencyClicks = 510_000
)

// seedReachDemo runs after reachDemo (prev is its error; nothing is done if it failed) and
// tops the year up to the seed's figures, scaled by the demo's scale: pushes of published
// items to the platforms through the year (a push on the item's publication day or the two
// after, 100–3,800 platform views each as if imported on 28 November), and counted views of
// the emergency science videos on the site, on the days from each video's publication to the
// day before reachDemo's 30-day window, so that the year's counted views of emergency videos
// come to the seed's 510,000 exactly (at scale 1) with reachDemo's own views included.
func seedReachDemo(ctx context.Context, g *demo.Generator, prev error) error {
	if prev != nil {
		return prev
	}
	return g.DB.Tx(ctx, func(tx *sql.Tx) error {
		type pub struct {
			id           int64
			region, kind string
			emergency    bool
			at           time.Time
			title        string
		}
		items, err := db.QueryAll(ctx, tx, func(row db.Scanner) (pub, error) {
			var p pub
			return p, row.Scan(&p.id, &p.region, &p.kind, &p.emergency, &p.at, &p.title)
		}, `SELECT i.id, i.region_code, i.kind, i.emergency, i.publish_at, z.title FROM content_items i JOIN content_versions z ON z.item_id = i.id AND z.lang = 'zh-Hans'
			WHERE i.status = 'published' ORDER BY i.id`)
		if err != nil || len(items) == 0 {
			return err
		}
		r := g.Rand
		last := time.Date(2026, 11, 28, 0, 0, 0, 0, China)
		var have int64
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM content_pushes WHERE pushed_on >= '2026-01-01' AND pushed_on <= '2026-12-31'`).Scan(&have); err != nil {
			return err
		}
		now := time.Now().UTC()
		var pushes [][]any
		for i := range max(0, int64(g.N(demoSeedPushes))-have) {
			it := items[r.IntN(len(items))]
			ch := PushChannels[r.IntN(len(PushChannels))]
			on := it.at.In(China).AddDate(0, 0, r.IntN(3))
			if on.After(last) {
				on = last
			}
			v := int64(100 + r.IntN(3700))
			pushes = append(pushes, []any{it.id, ch.Slug, it.region, on.Format(time.DateOnly), fmt.Sprintf("https://%s.example.org/v/%d", ch.Slug, 100000+i),
				it.title, v, v / int64(20+r.IntN(30)), v / int64(50+r.IntN(100)), last.Format(time.DateOnly), now})
		}
		if err := db.BulkInsert(ctx, tx, g.DB.Dialect, "content_pushes", []string{"item_id", "channel", "region_code", "pushed_on", "url", "title", "views", "likes", "shares",
			"figures_on", "created_at"}, pushes, ""); err != nil {
			return err
		}
		d := reachDelta{}
		addPushRows(d, pushes)
		if err := d.add(ctx, tx, g.DB.Dialect); err != nil {
			return err
		}
		// Counted views of the emergency videos before reachDemo's window (its first day is
		// 29 days before the last).
		windowStart := last.AddDate(0, 0, -29)
		if err := tx.QueryRowContext(ctx, `SELECT COALESCE(SUM(v.views), 0) FROM content_views v JOIN content_items i ON i.id = v.item_id
			WHERE i.emergency AND i.kind = 'video' AND v.day >= '2026-01-01' AND v.day <= '2026-12-31'`).Scan(&have); err != nil {
			return err
		}
		want := int64(g.N(demoSeedEmergencyClicks)) - have
		var videos []pub
		for _, it := range items {
			if it.emergency && it.kind == "video" && it.at.In(China).Before(windowStart.AddDate(0, 0, -1)) {
				videos = append(videos, it)
			}
		}
		if want <= 0 || len(videos) == 0 {
			return nil
		}
		var rows [][]any
		for i, n := range demo.Split(r, want, len(videos)) {
			it := videos[i]
			first := it.at.In(China)
			first = time.Date(first.Year(), first.Month(), first.Day(), 0, 0, 0, 0, China)
			days := int(windowStart.Sub(first).Hours() / 24)
			for d, part := range demo.Split(r, n, days) {
				if part > 0 {
					rows = append(rows, []any{it.id, ChannelWeb, it.region, first.AddDate(0, 0, d).Format(time.DateOnly), part})
				}
			}
		}
		if err := db.BulkInsert(ctx, tx, g.DB.Dialect, "content_views", []string{"item_id", "channel", "region_code", "day", "views"}, rows, ""); err != nil {
			return err
		}
		d = reachDelta{}
		for _, row := range rows {
			d.view(row[0].(int64), row[1].(string), row[2].(string), row[3].(string), row[4].(int64))
		}
		return d.add(ctx, tx, g.DB.Dialect)
	})
}
