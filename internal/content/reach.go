package content

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/kepu/kepu/internal/account"
	"github.com/kepu/kepu/internal/db"
	"github.com/kepu/kepu/internal/region"
	"github.com/kepu/kepu/internal/web"
)

// ReachChannels are every channel the report shows, in its column order: Kepu's own pages,
// then the outside platforms.
func ReachChannels() []Kind {
	return append([]Kind{{ChannelWeb, ChannelLabel(ChannelWeb)}, {ChannelEStation, ChannelLabel(ChannelEStation)}}, PushChannels...)
}

// ReachQuery chooses the figures of a report: a period of China dates (inclusive,
// YYYY-MM-DD), the caller's scope, and optional narrowing to one channel, item, region (and
// below) or day. By is the dimension rows are grouped by: item, channel, region or day.
type ReachQuery struct {
	Scope    region.Scope
	From, To string
	By       string
	Channel  string
	ItemID   int64
	Region   string
	Day      string
	// Emergency keeps emergency science communication only (items flagged 应急科普), the
	// report of its own the issue asks for.
	Emergency bool
	// Kind keeps items of one kind (article, video, …; "" = every kind).
	Kind string
	// Source keeps one kind of record: "view" (counted views on Kepu's pages and kiosks) or
	// "push" (pushes to outside platforms with their imported figures); "" = both.
	Source string
}

// ReachDims are the dimensions a report may be grouped by.
var ReachDims = []string{"item", "channel", "region", "day"}

// ReachLine is one row of a report: the key of its group (an item id, a channel slug, a
// division code or a date), its views per channel, and the totals. Views on Kepu's pages are
// counted views; on platforms the latest imported figures of pushes made on that day.
type ReachLine struct {
	Key, Label           string
	ByChannel            map[string]int64
	Views, Likes, Shares int64
}

// Reach sums views (and the platforms' likes and shares) by q.By and by channel, largest
// total first (days: latest first; at most 500 lines), and the totals per channel for the
// whole selection. By region, figures are rolled up to the units one level below q.Region,
// or below the caller's unit when the scope has one root (rollUp).
func (s *Store) Reach(ctx context.Context, q ReachQuery) ([]ReachLine, ReachLine, error) {
	col := map[string]string{"item": "item_id", "channel": "channel", "region": "region_code", "day": "day"}[q.By]
	if col == "" {
		col = "item_id"
	}
	inner, args := reachSource(q)
	rows, err := s.DB.QueryContext(ctx, `SELECT `+col+`, channel, SUM(views), SUM(likes), SUM(shares) FROM (`+inner+`) r GROUP BY `+col+`, channel`, args...)
	if err != nil {
		return nil, ReachLine{}, fmt.Errorf("content.Reach: %w", err)
	}
	defer rows.Close()
	lines := map[string]*ReachLine{}
	total := ReachLine{Key: "total", ByChannel: map[string]int64{}}
	root := q.Region
	if roots := q.Scope.Roots(); root == "" && len(roots) == 1 {
		root = roots[0]
	}
	for rows.Next() {
		var key, ch string
		var v, l, sh int64
		if err := rows.Scan(&key, &ch, &v, &l, &sh); err != nil {
			return nil, total, fmt.Errorf("content.Reach: %w", err)
		}
		if q.By == "region" && root != "" {
			key = rollUp(key, root)
		}
		ln := lines[key]
		if ln == nil {
			ln = &ReachLine{Key: key, ByChannel: map[string]int64{}}
			lines[key] = ln
		}
		ln.ByChannel[ch] += v
		ln.Views, ln.Likes, ln.Shares = ln.Views+v, ln.Likes+l, ln.Shares+sh
		total.ByChannel[ch] += v
		total.Views, total.Likes, total.Shares = total.Views+v, total.Likes+l, total.Shares+sh
	}
	if err := rows.Err(); err != nil {
		return nil, total, fmt.Errorf("content.Reach: %w", err)
	}
	out := make([]ReachLine, 0, len(lines))
	for _, ln := range lines {
		out = append(out, *ln)
	}
	sort.Slice(out, func(i, j int) bool {
		if q.By == "day" {
			return out[i].Key > out[j].Key
		}
		if out[i].Views != out[j].Views {
			return out[i].Views > out[j].Views
		}
		return out[i].Key < out[j].Key
	})
	if len(out) > 500 {
		out = out[:500]
	}
	return out, total, nil
}

// rollUp returns the unit one level below root that code lies in (code itself when it is not
// deeper than that), so that a league's report by region lists its banners and a banner's
// its townships.
func rollUp(code, root string) string {
	target := region.LevelOf(root) + 1
	for region.LevelOf(code) > target {
		code = region.ParentOf(code)
	}
	return code
}

// reachSource is the union of the daily view roll-up and the pushes, in scope and period,
// narrowed by the query, as (item_id, channel, region_code, day, views, likes, shares, kind)
// where kind is 'view' or 'push' and id the push's id (0 for views).
func reachSource(q ReachQuery) (string, []any) {
	var args []any
	part := func(table, day, cols string) string {
		cond, sargs := q.Scope.Where("region_code", len(args)+1)
		args = append(args, sargs...)
		conds := []string{cond}
		add := func(c string, v any) {
			args = append(args, v)
			conds = append(conds, fmt.Sprintf(c, len(args)))
		}
		if q.From != "" {
			add(day+" >= $%d", q.From)
		}
		if q.To != "" {
			add(day+" <= $%d", q.To)
		}
		if q.Day != "" {
			add(day+" = $%d", q.Day)
		}
		if q.Channel != "" {
			add("channel = $%d", q.Channel)
		}
		if q.ItemID > 0 {
			add("item_id = $%d", q.ItemID)
		}
		if q.Emergency {
			conds = append(conds, "item_id IN (SELECT id FROM content_items WHERE emergency)")
		}
		if q.Kind != "" {
			add("item_id IN (SELECT id FROM content_items WHERE kind = $%d)", q.Kind)
		}
		if q.Region != "" {
			c, rargs := region.NewScope(q.Region).Where("region_code", len(args)+1)
			conds, args = append(conds, c), append(args, rargs...)
		}
		return `SELECT ` + cols + ` FROM ` + table + ` WHERE ` + strings.Join(conds, " AND ")
	}
	switch q.Source {
	case "view":
		return part("content_views", "day", `item_id, channel, region_code, day, views, 0 AS likes, 0 AS shares, 'view' AS kind, 0 AS id`), args
	case "push":
		return part("content_pushes", "pushed_on", `item_id, channel, region_code, pushed_on AS day, views, likes, shares, 'push' AS kind, id`), args
	}
	a := part("content_views", "day", `item_id, channel, region_code, day, views, 0 AS likes, 0 AS shares, 'view' AS kind, 0 AS id`)
	b := part("content_pushes", "pushed_on", `item_id, channel, region_code, pushed_on AS day, views, likes, shares, 'push' AS kind, id`)
	return a + ` UNION ALL ` + b, args
}

// ReachRecord is one record behind a figure: a day's roll-up of counted views, or a push with
// its imported figures.
type ReachRecord struct {
	Kind                  string // view or push
	ID                    int64  // the push's id (0 for views)
	ItemID                int64
	ItemTitle             string
	Channel, ChannelLabel string
	RegionCode            string
	RegionName            string
	Day                   string
	Views, Likes, Shares  int64
}

// MaxReachRecords bounds the records ReachRecords lists.
const MaxReachRecords = 1000

// ReachRecords lists the records a report figure is made of (at most MaxReachRecords), latest
// day first.
func (s *Store) ReachRecords(ctx context.Context, q ReachQuery) ([]ReachRecord, error) {
	inner, args := reachSource(q)
	out, err := db.QueryAll(ctx, s.DB, func(row db.Scanner) (ReachRecord, error) {
		var r ReachRecord
		err := row.Scan(&r.ItemID, &r.Channel, &r.RegionCode, &r.Day, &r.Views, &r.Likes, &r.Shares, &r.Kind, &r.ID, &r.ItemTitle)
		r.ChannelLabel = ChannelLabel(r.Channel)
		return r, err
	}, `SELECT r.item_id, r.channel, r.region_code, r.day, r.views, r.likes, r.shares, r.kind, r.id, COALESCE(z.title, '') FROM (`+inner+`) r
		LEFT JOIN content_versions z ON z.item_id = r.item_id AND z.lang = 'zh-Hans' ORDER BY r.day DESC, r.views DESC LIMIT `+strconv.Itoa(MaxReachRecords), args...)
	if err != nil {
		return nil, fmt.Errorf("content.ReachRecords: %w", err)
	}
	codes := make([]string, len(out))
	for i, r := range out {
		codes[i] = r.RegionCode
	}
	if s.Regions != nil {
		if names, err := s.Regions.Names(ctx, codes); err == nil {
			for i := range out {
				out[i].RegionName = names[out[i].RegionCode]
			}
		}
	}
	return out, nil
}

// ReachCell is one figure of the report with the address of its records.
type ReachCell struct {
	N    int64
	Href string
}

// ReportRow is a report line as the page shows it.
type ReportRow struct {
	Label, Href          string
	Cells                []ReachCell // one per ReachChannels
	Views, Likes, Shares ReachCell
}

// ReachPage is the console reach report.
type ReachPage struct {
	web.Page
	Q        ReachQuery
	Dims     []Option
	Channels []Kind
	Rows     []ReportRow
	Total    ReportRow
	Records  []ReachRecord
	Error    string
	// Sums are the whole selection's figures on the records page (ReachByRegion), which may
	// list fewer records than it counts (MaxReachRecords).
	Sums ReachFigures
}

func (h *Handler) reachQuery(r *http.Request) (ReachQuery, string) {
	v := r.URL.Query()
	today := h.Store.now().In(China)
	q := ReachQuery{Scope: ViewScope(account.FromContext(r.Context())), From: strings.TrimSpace(v.Get("from")), To: strings.TrimSpace(v.Get("to")), By: v.Get("by"),
		Channel: v.Get("channel"), Region: strings.TrimSpace(v.Get("region")), Day: strings.TrimSpace(v.Get("day")), Emergency: v.Get("emergency") == "1"}
	if KindLabel(v.Get("kind")) != "" {
		q.Kind = v.Get("kind")
	}
	if s := v.Get("source"); s == "view" || s == "push" {
		q.Source = s
	}
	if q.From == "" {
		q.From = today.AddDate(0, 0, -29).Format(time.DateOnly)
	}
	if q.To == "" {
		q.To = today.Format(time.DateOnly)
	}
	msg := ""
	for _, d := range []string{q.From, q.To} {
		if _, err := time.Parse(time.DateOnly, d); err != nil {
			msg = "起止日期须为 2026-11-20 这样的日期"
		}
	}
	if q.Day != "" {
		if _, err := time.Parse(time.DateOnly, q.Day); err != nil {
			msg = "日期须为 2026-11-20 这样的日期"
		}
	}
	if msg == "" && q.From > q.To {
		msg = "开始日期晚于结束日期"
	}
	if ChannelLabel(q.Channel) == "" {
		q.Channel = ""
	}
	if q.Region != "" {
		code, err := region.Normalize(q.Region)
		if err != nil {
			msg = "区划代码须为 2、4、6、9 或 12 位数字"
		}
		q.Region = code
	}
	q.ItemID, _ = strconv.ParseInt(v.Get("item"), 10, 64)
	ok := false
	for _, d := range ReachDims {
		ok = ok || d == q.By
	}
	if !ok {
		q.By = "item"
	}
	return q, msg
}

// outOfScope refuses (404, as the statistics pages do) a region outside the caller's scope:
// its figures would otherwise read as zeros, a wrong answer rather than a refusal.
func (q ReachQuery) outOfScope() error {
	if q.Region != "" && !q.Scope.Contains(q.Region) {
		return web.NotFound(fmt.Errorf("content reach: region %s outside the caller's scope", q.Region))
	}
	return nil
}

// link is the records page of a figure: the query narrowed by set (key → value).
func (q ReachQuery) link(set map[string]string) string {
	v := url.Values{"from": {q.From}, "to": {q.To}}
	put := func(k, val string) {
		if val != "" && val != "0" {
			v.Set(k, val)
		}
	}
	put("channel", q.Channel)
	put("item", strconv.FormatInt(q.ItemID, 10))
	put("region", q.Region)
	put("day", q.Day)
	if q.Emergency {
		put("emergency", "1")
	}
	put("kind", q.Kind)
	put("source", q.Source)
	for k, val := range set {
		put(k, val)
	}
	return "/console/reach/records?" + v.Encode()
}

// reach serves GET /console/reach: the report (views first flushed, so it is exact).
func (h *Handler) reach(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	q, msg := h.reachQuery(r)
	if err := q.outOfScope(); err != nil {
		return err
	}
	p := ReachPage{Page: h.Kit.Page(r, "reach.title"), Q: q, Channels: ReachChannels(), Error: msg}
	for _, d := range ReachDims {
		p.Dims = append(p.Dims, Option{Value: d, Label: p.T("reach.by." + d), Selected: d == q.By})
	}
	if msg != "" {
		return h.Kit.Render.HTML(w, r, http.StatusUnprocessableEntity, "content/reach", p)
	}
	if err := h.Views.Flush(ctx); err != nil {
		return err
	}
	lines, total, err := h.Store.Reach(ctx, q)
	if err != nil {
		return err
	}
	labels, err := h.reachLabels(ctx, q.By, lines)
	if err != nil {
		return err
	}
	dimKey := map[string]string{"item": "item", "channel": "channel", "region": "region", "day": "day"}[q.By]
	row := func(ln ReachLine, set map[string]string) ReportRow {
		rr := ReportRow{Label: labels[ln.Key], Href: q.link(set)}
		for _, c := range p.Channels {
			s := map[string]string{"channel": c.Slug}
			for k, v := range set {
				s[k] = v
			}
			rr.Cells = append(rr.Cells, ReachCell{N: ln.ByChannel[c.Slug], Href: q.link(s)})
		}
		rr.Views, rr.Likes, rr.Shares = ReachCell{ln.Views, rr.Href}, ReachCell{ln.Likes, rr.Href}, ReachCell{ln.Shares, rr.Href}
		return rr
	}
	for _, ln := range lines {
		rr := row(ln, map[string]string{dimKey: ln.Key})
		if rr.Label == "" {
			rr.Label = ln.Key
		}
		p.Rows = append(p.Rows, rr)
	}
	p.Total = row(total, nil)
	return h.Kit.Render.HTML(w, r, http.StatusOK, "content/reach", p)
}

// reachLabels names the keys of report lines: item titles, channel and region names; days
// stand for themselves.
func (h *Handler) reachLabels(ctx context.Context, by string, lines []ReachLine) (map[string]string, error) {
	out := map[string]string{}
	switch by {
	case "channel":
		for _, ln := range lines {
			out[ln.Key] = ChannelLabel(ln.Key)
		}
	case "region":
		codes := make([]string, len(lines))
		for i, ln := range lines {
			codes[i] = ln.Key
		}
		names, err := h.Regions.Names(ctx, codes)
		if err != nil {
			return nil, err
		}
		for _, ln := range lines {
			out[ln.Key] = names[ln.Key] + "（" + ln.Key + "）"
		}
	case "item":
		var ids []string
		for _, ln := range lines {
			if _, err := strconv.ParseInt(ln.Key, 10, 64); err == nil {
				ids = append(ids, ln.Key)
			}
		}
		if len(ids) > 0 {
			rows, err := h.Store.DB.QueryContext(ctx, `SELECT item_id, title FROM content_versions WHERE lang = 'zh-Hans' AND item_id IN (`+strings.Join(ids, ",")+`)`)
			if err != nil {
				return nil, fmt.Errorf("content.reachLabels: %w", err)
			}
			defer rows.Close()
			for rows.Next() {
				var id, title string
				if err := rows.Scan(&id, &title); err != nil {
					return nil, err
				}
				out[id] = "#" + id + " " + title
			}
			if err := rows.Err(); err != nil {
				return nil, err
			}
		}
	}
	return out, nil
}

// reachRecords serves GET /console/reach/records: the records behind a figure.
func (h *Handler) reachRecords(w http.ResponseWriter, r *http.Request) error {
	q, msg := h.reachQuery(r)
	if err := q.outOfScope(); err != nil {
		return err
	}
	p := ReachPage{Page: h.Kit.Page(r, "reach.records"), Q: q, Channels: ReachChannels(), Error: msg}
	if msg != "" {
		return h.Kit.Render.HTML(w, r, http.StatusUnprocessableEntity, "content/reach_records", p)
	}
	if err := h.Views.Flush(r.Context()); err != nil {
		return err
	}
	recs, err := h.Store.ReachRecords(r.Context(), q)
	if err != nil {
		return err
	}
	p.Records = recs
	by, err := h.Store.ReachByRegion(r.Context(), q)
	if err != nil {
		return err
	}
	for _, f := range by {
		p.Sums.Pushes, p.Sums.CountedViews, p.Sums.PlatformViews = p.Sums.Pushes+f.Pushes, p.Sums.CountedViews+f.CountedViews, p.Sums.PlatformViews+f.PlatformViews
	}
	return h.Kit.Render.HTML(w, r, http.StatusOK, "content/reach_records", p)
}
