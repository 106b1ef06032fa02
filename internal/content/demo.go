package content

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/kepu/kepu/internal/db"
	"github.com/kepu/kepu/internal/demo"
	"github.com/kepu/kepu/internal/region"
)

// demoLine is one line of the demo library's year: how many items of a kind, at which unit
// level, on which topics. Figures: the seed's yearly content output (338 television science
// articles, 262 science videos, 570 online lectures, 66 emergency videos), plus reposts of the
// national science platform, which the seed does not count.
type demoLine struct {
	kind      string
	items     int
	level     region.Level
	emergency bool
	title     string
	topics    []string
	groups    []string
}

var demoLines = []demoLine{
	{kind: "article", items: 338, level: region.LevelLeague, title: "电视科普", topics: []string{"健康", "农牧业", "气象", "天文"}, groups: []string{"farmers", "elderly"}},
	{kind: "video", items: 262, level: region.LevelBanner, title: "科普视频", topics: []string{"科学实验", "生态", "健康"}, groups: []string{"youth"}},
	{kind: "video", items: 66, level: region.LevelBanner, emergency: true, title: "应急科普视频", topics: []string{"应急", "防灾减灾"}},
	{kind: "lecture", items: 570, level: region.LevelLeague, title: "云上科普讲座", topics: []string{"科学家精神", "健康", "农牧业"}, groups: []string{"civil_servants", "farmers"}},
	{kind: "repost", items: 120, level: region.LevelRegion, title: "科普中国精选", topics: []string{"科普中国", "前沿科技"}},
}

// demoMongolian are Unicode traditional Mongolian phrases for the demo's Mongolian versions:
// "science knowledge", "health knowledge", "grassland ecology", "disaster prevention".
var demoMongolian = []string{"ᠰᠢᠨᠵᠢᠯᠡᠬᠦ ᠤᠬᠠᠭᠠᠨ ᠤ ᠮᠡᠳᠡᠯᠭᠡ", "ᠡᠷᠡᠭᠦᠯ ᠮᠡᠨᠳᠦ ᠶᠢᠨ ᠮᠡᠳᠡᠯᠭᠡ", "ᠬᠡᠭᠡᠷᠡ ᠶᠢᠨ ᠡᠺᠣᠯᠣᠭᠢ", "ᠭᠠᠮᠳᠤᠯ ᠠᠴᠠ ᠰᠡᠷᠭᠡᠢᠯᠡᠬᠦ"}

// DemoStep adds a year (2026, to 28 November) of content in the seed's numbers (demoLines):
// 1,356 items at scale 1, a quarter with a Mongolian version; almost all published, with a
// few drafts and items in review so that the workflow has something to show.
func DemoStep() demo.Step {
	return demo.Step{Name: "content", Work: 2, Run: func(ctx context.Context, g *demo.Generator) error {
		regions := &region.Store{DB: g.DB}
		units := map[region.Level][]region.Unit{}
		for _, l := range []region.Level{region.LevelRegion, region.LevelLeague, region.LevelBanner} {
			us, err := regions.UnitsAt(ctx, l)
			if err != nil {
				return err
			}
			units[l] = us
		}
		err := g.DB.Tx(ctx, func(tx *sql.Tx) error { return demoItems(ctx, tx, g, units) })
		err = reachDemo(ctx, g, err)     // views and pushes of the items (reach_demo.go)
		err = seedReachDemo(ctx, g, err) // the year's pushes and emergency-video views at the seed's figures (figures_demo.go)
		g.Tick(2)
		return err
	}}
}

func demoItems(ctx context.Context, tx *sql.Tx, g *demo.Generator, units map[region.Level][]region.Unit) error {
	r := g.Rand
	var next int64
	if err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(id), 0) FROM content_items`).Scan(&next); err != nil {
		return db.Map(err)
	}
	cols := []string{"id", "region_code", "kind", "status", "emergency", "featured", "topics", "target_groups", "video_url", "duration_seconds",
		"speaker", "starts_at", "ends_at", "stream_url", "replay_url", "source_platform", "source_url", "publish_at", "created_at", "updated_at"}
	var items, versions, topics, steps [][]any
	yearStart := time.Date(2026, 1, 1, 0, 0, 0, 0, China)
	for _, l := range demoLines {
		pool := units[l.level]
		for i := range g.N(l.items) {
			next++
			u := pool[r.IntN(len(pool))]
			at := yearStart.AddDate(0, 0, r.IntN(331)).Add(time.Duration(8+r.IntN(10)) * time.Hour).UTC()
			status := Published
			switch x := r.IntN(100); {
			case x < 3:
				status = Draft
			case x < 6:
				status = Review
			case x < 7:
				status = Withdrawn
			}
			var publish any
			if status == Published || status == Withdrawn {
				publish = at
			}
			topic := l.topics[r.IntN(len(l.topics))]
			var video, speaker, stream, replay, platform, source string
			var dur int
			var starts, ends any
			switch l.kind {
			case "video":
				video, dur = fmt.Sprintf("https://video.example.org/kepu/%d.mp4", next), 60+r.IntN(600)
			case "lecture":
				speaker = fmt.Sprintf("%s 研究员", demo.PersonName(r))
				starts, ends = at, at.Add(90*time.Minute)
				stream, replay = fmt.Sprintf("https://live.example.org/%d", next), fmt.Sprintf("https://live.example.org/%d/replay", next)
			case "repost":
				platform, source = "科普中国", fmt.Sprintf("https://www.kepuchina.cn/article/%d", 100000+next)
			}
			items = append(items, []any{next, u.Code, l.kind, status, l.emergency, i%40 == 0, topic, joinGroups(l.groups), video, dur,
				speaker, starts, ends, stream, replay, platform, source, publish, at, at})
			title := fmt.Sprintf("%s：%s（第 %d 期）", l.title, topic, i+1)
			versions = append(versions, []any{next, Chinese, title, u.Name + "科协供稿的" + topic + "科普内容。",
				fmt.Sprintf("<h2>%s</h2><p>%s科协围绕“%s”编写的科普内容，面向基层群众。</p><ul><li>要点一</li><li>要点二</li></ul>", topic, u.Name, topic)})
			if i%4 == 0 {
				mn := demoMongolian[r.IntN(len(demoMongolian))]
				versions = append(versions, []any{next, Mongolian, mn, mn, "<p>" + mn + " " + mn + "</p>"})
			}
			topics = append(topics, []any{next, topic})
			steps = append(steps, []any{next, "create", "", at})
			if status != Draft {
				steps = append(steps, []any{next, "submit", "", at})
			}
			if publish != nil {
				steps = append(steps, []any{next, "publish", "", at})
			}
		}
	}
	for _, b := range []struct {
		table string
		cols  []string
		rows  [][]any
	}{{"content_items", cols, items}, {"content_versions", []string{"item_id", "lang", "title", "summary", "body"}, versions},
		{"content_topics", []string{"item_id", "topic"}, topics}, {"content_steps", []string{"item_id", "step", "note", "at"}, steps}} {
		if err := db.BulkInsert(ctx, tx, g.DB.Dialect, b.table, b.cols, b.rows, ""); err != nil {
			return err
		}
	}
	if err := db.SyncSequence(ctx, tx, g.DB.Dialect, "content_items"); err != nil {
		return err
	}
	for _, it := range items { // the roll-up of published items, as Act keeps it
		if it[3] == Published {
			if err := countPublished(ctx, tx, it[1].(string), it[2].(string), it[4].(bool), 1); err != nil {
				return err
			}
		}
	}
	return Reindex(ctx, tx, g.DB.Dialect) // the bulk insert above bypasses the store's indexing
}

func joinGroups(g []string) string {
	out := ""
	for i, s := range g {
		if i > 0 {
			out += "\n"
		}
		out += s
	}
	return out
}
