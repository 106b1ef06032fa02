package content

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/kepu/kepu/internal/db"
	"github.com/kepu/kepu/internal/region"
	"github.com/kepu/kepu/internal/sheet"
)

// PushChannels are the outside platforms staff push items to, in the order forms list them.
var PushChannels = []Kind{
	{"wechat", "微信公众号"},
	{"douyin", "抖音"},
	{"kuaishou", "快手"},
	{"toutiao", "今日头条"},
	{"kepuchina", "科普中国"},
}

// ChannelLabel names any channel (outside platforms, "web", "estation") in Chinese; "" for
// an unknown slug.
func ChannelLabel(slug string) string {
	switch slug {
	case ChannelWeb:
		return "本站网页"
	case ChannelEStation:
		return "科普e站"
	}
	for _, k := range PushChannels {
		if k.Slug == slug {
			return k.Label
		}
	}
	return ""
}

// PushInput is a push that staff record: which item went to which platform on which day,
// at which address, under which title there (for matching exports; "" means the item's
// Chinese title), on behalf of which unit.
type PushInput struct {
	ItemID     int64
	Channel    string
	PushedOn   string // China date YYYY-MM-DD
	URL        string
	Title      string
	RegionCode string
}

// Push is a recorded push with its latest imported figures.
type Push struct {
	PushInput
	ID                  int64
	ItemTitle           string
	Views, Likes, Share int64
	FiguresOn           string // "" before any import
	ImportID            int64
}

// MaxPushTitle bounds a push's title (runes); MaxPushURL its address (bytes).
const (
	MaxPushTitle = 200
	MaxPushURL   = 1000
)

// Validate checks a push as typed and trims it; messages are in Chinese, by form field.
func (in *PushInput) Validate() ValidationError {
	errs := ValidationError{}
	in.URL, in.Title, in.PushedOn = strings.TrimSpace(in.URL), strings.TrimSpace(in.Title), strings.TrimSpace(in.PushedOn)
	if in.ItemID <= 0 {
		errs["item_id"] = "请填写内容编号（内容详情页地址中的数字）"
	}
	if ChannelLabel(in.Channel) == "" || in.Channel == ChannelWeb || in.Channel == ChannelEStation {
		errs["channel"] = "请选择推送平台"
	}
	if _, err := time.Parse(time.DateOnly, in.PushedOn); err != nil {
		errs["pushed_on"] = "推送日期须为 2026-11-20 这样的日期"
	}
	u, err := url.Parse(in.URL)
	switch {
	case in.URL == "":
		errs["url"] = "请填写平台上的地址"
	case err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "":
		errs["url"] = "地址须以 http:// 或 https:// 开头"
	case len(in.URL) > MaxPushURL:
		errs["url"] = fmt.Sprintf("地址过长（不超过 %d 个字符）", MaxPushURL)
	}
	if utf8.RuneCountInString(in.Title) > MaxPushTitle {
		errs["title"] = fmt.Sprintf("标题过长（不超过 %d 字）", MaxPushTitle)
	}
	if len(errs) == 0 {
		return nil
	}
	return errs
}

// normURL makes addresses of the same post comparable: scheme-less, host lower-cased, no
// fragment, no trailing slash. Query strings are kept (WeChat articles are told apart by them).
func normURL(s string) string {
	u, err := url.Parse(strings.TrimSpace(s))
	if err != nil || u.Host == "" {
		return strings.TrimSpace(s)
	}
	u.Scheme, u.Fragment, u.Host = "", "", strings.ToLower(u.Host)
	return strings.TrimSuffix(u.String(), "/")
}

// RecordPush records a push of a published item by staff whose scope holds in.RegionCode.
// Errors: ValidationError (by field, in Chinese: a bad field, an item that is not published,
// a region outside scope, an address already recorded on that platform).
func (s *Store) RecordPush(ctx context.Context, scope region.Scope, actor int64, in PushInput) (int64, error) {
	if errs := in.Validate(); errs != nil {
		return 0, errs
	}
	if !scope.Contains(in.RegionCode) {
		return 0, ValidationError{"region_code": "所属单位不在您的管辖范围内"}
	}
	it, err := s.GetPublic(ctx, in.ItemID)
	if errors.Is(err, db.ErrNotFound) {
		return 0, ValidationError{"item_id": fmt.Sprintf("编号 %d 不是已发布的内容", in.ItemID)}
	}
	if err != nil {
		return 0, err
	}
	if in.Title == "" {
		in.Title = it.Zh.Title
	}
	var id int64
	err = s.DB.Tx(ctx, func(tx *sql.Tx) error {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM content_pushes WHERE channel = $1 AND url = $2`, in.Channel, in.URL).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return ValidationError{"url": "这个地址已在该平台登记过"}
		}
		if err := tx.QueryRowContext(ctx, `INSERT INTO content_pushes (item_id, channel, region_code, pushed_on, url, title, created_by, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`, in.ItemID, in.Channel, in.RegionCode, in.PushedOn, in.URL, in.Title, actor, s.now()).Scan(&id); err != nil {
			return err
		}
		d := reachDelta{}
		d.push(in.ItemID, in.Channel, in.RegionCode, in.PushedOn, reachAmounts{Pushes: 1})
		return d.add(ctx, tx, s.DB.Dialect)
	})
	var verr ValidationError
	if errors.As(err, &verr) {
		return 0, verr
	}
	if errors.Is(db.Map(err), db.ErrConflict) {
		return 0, ValidationError{"url": "这个地址已在该平台登记过"}
	}
	if err != nil {
		return 0, fmt.Errorf("content.RecordPush: %w", err)
	}
	return id, nil
}

// PushFilter narrows the list of pushes: the caller's scope, optionally one channel, one
// item, one region (and below), a period of push dates (inclusive, YYYY-MM-DD).
type PushFilter struct {
	Scope    region.Scope
	Channel  string
	ItemID   int64
	Region   string
	From, To string
	Limit    int // 0: 100
}

const pushCols = `p.id, p.item_id, p.channel, p.region_code, p.pushed_on, p.url, p.title, p.views, p.likes, p.shares, COALESCE(p.figures_on, ''),
	COALESCE(p.import_id, 0), z.title`

func scanPush(row db.Scanner) (Push, error) {
	var p Push
	return p, row.Scan(&p.ID, &p.ItemID, &p.Channel, &p.RegionCode, &p.PushedOn, &p.URL, &p.Title, &p.Views, &p.Likes, &p.Share, &p.FiguresOn, &p.ImportID, &p.ItemTitle)
}

// Pushes lists recorded pushes in the filter's scope, latest push date first.
func (s *Store) Pushes(ctx context.Context, f PushFilter) ([]Push, error) {
	where, args := f.Scope.Where("p.region_code", 1)
	conds := []string{where}
	add := func(cond string, v any) {
		args = append(args, v)
		conds = append(conds, fmt.Sprintf(cond, len(args)))
	}
	if f.Channel != "" {
		add("p.channel = $%d", f.Channel)
	}
	if f.ItemID > 0 {
		add("p.item_id = $%d", f.ItemID)
	}
	if f.Region != "" {
		cond, rargs := region.NewScope(f.Region).Where("p.region_code", len(args)+1)
		conds, args = append(conds, cond), append(args, rargs...)
	}
	if f.From != "" {
		add("p.pushed_on >= $%d", f.From)
	}
	if f.To != "" {
		add("p.pushed_on <= $%d", f.To)
	}
	limit := f.Limit
	if limit <= 0 {
		limit = 100
	}
	out, err := db.QueryAll(ctx, s.DB, scanPush, `SELECT `+pushCols+` FROM content_pushes p JOIN content_versions z ON z.item_id = p.item_id AND z.lang = 'zh-Hans'
		WHERE `+strings.Join(conds, " AND ")+fmt.Sprintf(` ORDER BY p.pushed_on DESC, p.id DESC LIMIT %d`, limit), args...)
	if err != nil {
		return nil, fmt.Errorf("content.Pushes: %w", err)
	}
	return out, nil
}

// reachSchema is the columns read from a platform's reach export. Headers are those the
// platforms' back ends use (WeChat 公众平台 图文分析, 抖音/快手 创作者中心, 头条号, 科普中国);
// other columns are ignored.
var reachSchema = sheet.Schema{Name: "平台传播数据", Columns: []sheet.Column{
	{Key: "url", Header: "链接", Aliases: []string{"地址", "网址", "URL", "文章链接", "作品链接", "内容链接", "视频链接"}, Kind: sheet.Text, MaxLen: MaxPushURL},
	{Key: "title", Header: "标题", Aliases: []string{"文章标题", "作品标题", "内容标题", "视频标题", "作品名称"}, Kind: sheet.Text, MaxLen: MaxPushTitle},
	{Key: "date", Header: "发布日期", Aliases: []string{"发布时间", "发表时间", "日期", "群发时间"}, Kind: sheet.Date},
	{Key: "views", Header: "阅读量", Aliases: []string{"阅读数", "播放量", "播放数", "浏览量", "阅读次数", "总阅读量"}, Kind: sheet.Int, Required: true},
	{Key: "likes", Header: "点赞数", Aliases: []string{"点赞量", "点赞", "喜欢", "点赞次数"}, Kind: sheet.Int},
	{Key: "shares", Header: "转发数", Aliases: []string{"转发量", "转发", "分享数", "分享量", "分享次数", "分享"}, Kind: sheet.Int},
}}

// ReachInput is an import of one platform's export on behalf of a unit.
type ReachInput struct {
	Channel    string
	RegionCode string
	FiguresOn  string // the date the figures were taken (YYYY-MM-DD)
	FileName   string
}

// ReachRow is one row of an imported export and the push it matched (PushID 0: none; Note
// says why).
type ReachRow struct {
	Row                  int
	PushID               int64
	URL, Title, Date     string
	Views, Likes, Shares int64
	Note                 string
}

// ReachImport is an import with its rows.
type ReachImport struct {
	ID int64
	ReachInput
	Read, Matched int
	CreatedAt     time.Time
	Rows          []ReachRow
}

// MaxReachBytes bounds an export file: 20 MB.
const MaxReachBytes = 20 << 20

// ImportReach reads a platform's reach export (.xlsx, or .csv in UTF-8 or GBK, through
// internal/sheet) and, in one transaction, sets the figures (views, likes, shares, as the
// platform reports them to date) of the pushes it matches and keeps every row, matched or
// not. A row matches a push of the same channel in scope by its address (normURL), or, when
// it has none or the address is unknown, by title and date together when exactly one push has
// them. Unmatched rows are kept and listed with the reason. Errors: ValidationError (bad form
// fields), sheet.Errors (bad cells, a row without an address or a title and date, two rows
// for one push): then nothing is written.
func (s *Store) ImportReach(ctx context.Context, scope region.Scope, actor int64, in ReachInput, file io.Reader) (int64, error) {
	errs := ValidationError{}
	if ChannelLabel(in.Channel) == "" || in.Channel == ChannelWeb || in.Channel == ChannelEStation {
		errs["channel"] = "请选择平台"
	}
	if !scope.Contains(in.RegionCode) {
		errs["region_code"] = "所属单位不在您的管辖范围内"
	}
	if _, err := time.Parse(time.DateOnly, in.FiguresOn); err != nil {
		errs["figures_on"] = "数据日期须为 2026-11-20 这样的日期"
	}
	if len(errs) > 0 {
		return 0, errs
	}
	pushes, err := s.Pushes(ctx, PushFilter{Scope: scope, Channel: in.Channel, Limit: 1 << 30})
	if err != nil {
		return 0, err
	}
	rows, matched, err := readReach(file, pushes)
	if err != nil {
		return 0, err
	}
	var id int64
	err = s.DB.Tx(ctx, func(tx *sql.Tx) error {
		if err := tx.QueryRowContext(ctx, `INSERT INTO content_reach_imports (channel, region_code, file_name, figures_on, rows_read, rows_matched, created_by, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`, in.Channel, in.RegionCode, in.FileName, in.FiguresOn, len(rows), matched, actor, s.now()).Scan(&id); err != nil {
			return err
		}
		d := reachDelta{}
		for _, r := range rows {
			var push any
			if r.PushID != 0 {
				push = r.PushID
				// The roll-up takes the change of the push's figures (the row as it is in
				// this transaction, so two rows for one push would still add up).
				var item int64
				var channel, code, on string
				var old reachAmounts
				if err := tx.QueryRowContext(ctx, `SELECT item_id, channel, region_code, pushed_on, views, likes, shares FROM content_pushes WHERE id = $1`+s.DB.Dialect.ForUpdate(), r.PushID).
					Scan(&item, &channel, &code, &on, &old.Views, &old.Likes, &old.Shares); err != nil {
					return err
				}
				d.push(item, channel, code, on, reachAmounts{Views: r.Views - old.Views, Likes: r.Likes - old.Likes, Shares: r.Shares - old.Shares})
				if _, err := tx.ExecContext(ctx, `UPDATE content_pushes SET views = $1, likes = $2, shares = $3, figures_on = $4, import_id = $5 WHERE id = $6`,
					r.Views, r.Likes, r.Shares, in.FiguresOn, id, r.PushID); err != nil {
					return err
				}
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO content_reach_rows (import_id, row_no, push_id, url, title, published_on, views, likes, shares, note)
				VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`, id, r.Row, push, r.URL, r.Title, r.Date, r.Views, r.Likes, r.Shares, r.Note); err != nil {
				return err
			}
		}
		return d.add(ctx, tx, s.DB.Dialect)
	})
	if err != nil {
		return 0, fmt.Errorf("content.ImportReach: %w", db.Map(err))
	}
	return id, nil
}

// Import returns an import in scope with its rows, unmatched rows first. Errors:
// db.ErrNotFound (also outside scope).
func (s *Store) Import(ctx context.Context, scope region.Scope, id int64) (ReachImport, error) {
	cond, args := scope.Where("region_code", 2)
	var im ReachImport
	err := s.DB.QueryRowContext(ctx, `SELECT id, channel, region_code, file_name, figures_on, rows_read, rows_matched, created_at FROM content_reach_imports
		WHERE id = $1 AND `+cond, append([]any{id}, args...)...).Scan(&im.ID, &im.Channel, &im.RegionCode, &im.FileName, &im.FiguresOn, &im.Read, &im.Matched, &im.CreatedAt)
	if err != nil {
		return im, fmt.Errorf("content.Import %d: %w", id, db.Map(err))
	}
	im.Rows, err = db.QueryAll(ctx, s.DB, func(row db.Scanner) (ReachRow, error) {
		var r ReachRow
		return r, row.Scan(&r.Row, &r.PushID, &r.URL, &r.Title, &r.Date, &r.Views, &r.Likes, &r.Shares, &r.Note)
	}, `SELECT row_no, COALESCE(push_id, 0), url, title, published_on, views, likes, shares, note FROM content_reach_rows WHERE import_id = $1
		ORDER BY CASE WHEN push_id IS NULL THEN 0 ELSE 1 END, row_no`, id)
	if err != nil {
		return im, fmt.Errorf("content.Import %d: %w", id, err)
	}
	return im, nil
}

// readReach reads an export and matches its rows to pushes (see ImportReach); it touches no
// database. Errors: sheet.Errors for bad content, others for a failing reader.
func readReach(file io.Reader, pushes []Push) ([]ReachRow, int, error) {
	byURL := map[string]int64{}
	byTitle := map[string][]int64{}
	for _, p := range pushes {
		byURL[normURL(p.URL)] = p.ID
		k := strings.TrimSpace(p.Title) + "\x00" + p.PushedOn
		byTitle[k] = append(byTitle[k], p.ID)
	}
	var rows []ReachRow
	firstRow := map[int64]int{}
	res, err := sheet.Read(file, reachSchema, MaxReachBytes, func(rec *sheet.Record) error {
		r := ReachRow{Row: rec.Row, URL: rec.Str("url"), Title: rec.Str("title")}
		if d, ok := rec.Date("date"); ok {
			r.Date = d.Format(time.DateOnly)
		}
		r.Views, _ = rec.Int("views")
		r.Likes, _ = rec.Int("likes")
		r.Shares, _ = rec.Int("shares")
		if r.URL == "" && (r.Title == "" || r.Date == "") {
			rec.Fail("", "既没有链接，也没有标题和发布日期，无法对应到推送记录")
		}
		if rec.Failed() {
			return nil
		}
		if id, ok := byURL[normURL(r.URL)]; ok && r.URL != "" {
			r.PushID = id
		} else if ids := byTitle[r.Title+"\x00"+r.Date]; r.Title != "" && r.Date != "" && len(ids) == 1 {
			r.PushID = ids[0]
		} else if len(ids) > 1 {
			r.Note = fmt.Sprintf("有 %d 条推送的标题和日期都相同，请按链接对应", len(ids))
		} else if r.URL != "" {
			r.Note = "没有登记过这个链接的推送"
		} else {
			r.Note = "没有登记过这个标题和日期的推送"
		}
		if r.PushID != 0 {
			if first, dup := firstRow[r.PushID]; dup {
				rec.Fail("", "与第 %d 行对应同一条推送", first)
				return nil
			}
			firstRow[r.PushID] = rec.Row
		}
		rows = append(rows, r)
		return nil
	})
	if err != nil {
		return nil, 0, fmt.Errorf("content.readReach: %w", err)
	}
	if err := res.Err(); err != nil {
		return nil, 0, err
	}
	return rows, len(firstRow), nil
}

// Imports lists the latest imports in scope (without their rows), newest first.
func (s *Store) Imports(ctx context.Context, scope region.Scope, limit int) ([]ReachImport, error) {
	cond, args := scope.Where("region_code", 1)
	out, err := db.QueryAll(ctx, s.DB, func(row db.Scanner) (ReachImport, error) {
		var im ReachImport
		return im, row.Scan(&im.ID, &im.Channel, &im.RegionCode, &im.FileName, &im.FiguresOn, &im.Read, &im.Matched, &im.CreatedAt)
	}, `SELECT id, channel, region_code, file_name, figures_on, rows_read, rows_matched, created_at FROM content_reach_imports WHERE `+cond+
		fmt.Sprintf(` ORDER BY id DESC LIMIT %d`, limit), args...)
	if err != nil {
		return nil, fmt.Errorf("content.Imports: %w", err)
	}
	return out, nil
}
