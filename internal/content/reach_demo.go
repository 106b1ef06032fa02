package content

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/kepu/kepu/internal/db"
	"github.com/kepu/kepu/internal/demo"
	"github.com/kepu/kepu/internal/region"
	"github.com/kepu/kepu/internal/registry"
)

// reachDemo adds, after the demo library (prev is its error; nothing is done if it failed),
// 30 days (to 28 November 2026) of counted views on the public pages and on e-station kiosks,
// and pushes to the outside platforms with figures as if imported on 28 November. The
// figures are invented at plausible sizes (tens of views an item a day on the site, a few a
// day on a kiosk, hundreds to thousands on a platform); they come from no source.
func reachDemo(ctx context.Context, g *demo.Generator, prev error) error {
	if prev != nil {
		return prev
	}
	stations, err := (&registry.Store{DB: g.DB, Regions: &region.Store{DB: g.DB}}).KioskStations(ctx, 200)
	if err != nil {
		return err
	}
	return g.DB.Tx(ctx, func(tx *sql.Tx) error {
		type pub struct {
			id     int64
			region string
			at     time.Time
			title  string
		}
		items, err := db.QueryAll(ctx, tx, func(row db.Scanner) (pub, error) {
			var p pub
			return p, row.Scan(&p.id, &p.region, &p.at, &p.title)
		}, `SELECT i.id, i.region_code, i.publish_at, z.title FROM content_items i JOIN content_versions z ON z.item_id = i.id AND z.lang = 'zh-Hans'
			WHERE i.status = 'published' ORDER BY i.id`)
		if err != nil || len(items) == 0 {
			return err
		}
		r := g.Rand
		last := time.Date(2026, 11, 28, 0, 0, 0, 0, China)
		views := map[viewKey]int64{}
		for d := 0; d < 30; d++ {
			day := last.AddDate(0, 0, -d).Format(time.DateOnly)
			for range g.N(120) {
				it := items[r.IntN(len(items))]
				views[viewKey{it.id, ChannelWeb, it.region, day}] += int64(1 + r.IntN(60))
			}
			for range g.N(40) {
				if len(stations) == 0 {
					break
				}
				it, st := items[r.IntN(len(items))], stations[r.IntN(len(stations))]
				views[viewKey{it.id, ChannelEStation, st.RegionCode, day}] += int64(1 + r.IntN(6))
			}
		}
		var rows [][]any
		for k, n := range views {
			rows = append(rows, []any{k.Item, k.Channel, k.Region, k.Day, n})
		}
		if err := db.BulkInsert(ctx, tx, g.DB.Dialect, "content_views", []string{"item_id", "channel", "region_code", "day", "views"}, rows, ""); err != nil {
			return err
		}
		d := reachDelta{}
		for k, n := range views {
			d.view(k.Item, k.Channel, k.Region, k.Day, n)
		}
		var pushes [][]any
		now := time.Now().UTC()
		for i := range g.N(150) {
			it := items[r.IntN(len(items))]
			ch := PushChannels[r.IntN(len(PushChannels))]
			on := it.at.In(China).AddDate(0, 0, r.IntN(3))
			if on.After(last) {
				on = last
			}
			v := int64(100 + r.IntN(5000))
			pushes = append(pushes, []any{it.id, ch.Slug, it.region, on.Format(time.DateOnly), fmt.Sprintf("https://%s.example.org/post/%d", ch.Slug, 1000+i),
				it.title, v, v / int64(20+r.IntN(30)), v / int64(50+r.IntN(100)), last.Format(time.DateOnly), now})
		}
		if err := db.BulkInsert(ctx, tx, g.DB.Dialect, "content_pushes", []string{"item_id", "channel", "region_code", "pushed_on", "url", "title", "views", "likes", "shares",
			"figures_on", "created_at"}, pushes, ""); err != nil {
			return err
		}
		addPushRows(d, pushes)
		return d.add(ctx, tx, g.DB.Dialect)
	})
}

// addPushRows adds to d the demo's push rows as BulkInsert writes them: item_id, channel,
// region_code, pushed_on, url, title, views, likes, shares, ….
func addPushRows(d reachDelta, pushes [][]any) {
	for _, p := range pushes {
		d.push(p[0].(int64), p[1].(string), p[2].(string), p[3].(string), reachAmounts{Views: p[6].(int64), Likes: p[7].(int64), Shares: p[8].(int64), Pushes: 1})
	}
}
