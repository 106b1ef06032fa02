package stats

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/kepu/kepu/internal/db"
	"github.com/kepu/kepu/internal/region"
)

// Fund directions.
const (
	Income   = "income"
	Spending = "spending"
)

// FundCategory is one line of the national statistics' funds table: income by source or
// spending by use, with its indicator code.
type FundCategory struct {
	Slug, Direction, Code, NameZh, NameEn string
}

// FundCategories are the ledger's categories, after the national science-popularization
// statistics (全国科普统计 科普经费): income (筹集额) by source and spending (使用额) by use.
var FundCategories = []FundCategory{
	{"government", Income, "KJ02", "政府拨款", "government grants"},
	{"special", Income, "KJ03", "科普专项经费", "special funds"},
	{"donation", Income, "KJ04", "捐赠", "donations"},
	{"self-raised", Income, "KJ05", "自筹资金", "self-raised funds"},
	{"other-income", Income, "KJ06", "其他收入", "other income"},
	{"activities", Spending, "KJ12", "科普活动支出", "activities"},
	{"venues", Spending, "KJ13", "科普场馆基建支出", "venue construction"},
	{"operations", Spending, "KJ14", "行政支出", "administration"},
	{"other-spending", Spending, "KJ15", "其他支出", "other spending"},
}

// FundCategoryOf returns the category with the slug.
func FundCategoryOf(slug string) (FundCategory, bool) {
	for _, c := range FundCategories {
		if c.Slug == slug {
			return c, true
		}
	}
	return FundCategory{}, false
}

// FundEntry is one ledger line: money in or out at a unit on a date, in fen.
type FundEntry struct {
	ID         int64
	RegionCode string
	RegionName string
	Direction  string // Income or Spending
	Category   string // FundCategories slug
	AmountFen  int64  // > 0
	BookedOn   string // China date "2006-01-02"
	Note       string
	CreatedBy  int64
	CreatedAt  time.Time
}

// Yuan formats the amount as yuan with two decimals ("1234.50").
func (e FundEntry) Yuan() string { return FormatFen(e.AmountFen) }

// CategoryName is the category's Chinese name.
func (e FundEntry) CategoryName() string {
	c, _ := FundCategoryOf(e.Category)
	return c.NameZh
}

// FormatFen writes fen as yuan with two decimals, no float rounding ("-3.05" for -305).
func FormatFen(fen int64) string {
	sign := ""
	if fen < 0 {
		sign, fen = "-", -fen
	}
	return fmt.Sprintf("%s%d.%02d", sign, fen/100, fen%100)
}

// ParseYuan reads an amount in yuan ("1234", "1234.5", "1,234.50") as fen; more than two
// decimals, signs and anything else are errors. Result > 0 and < 10^15 fen.
func ParseYuan(s string) (int64, error) {
	s = strings.ReplaceAll(strings.TrimSpace(s), ",", "")
	s = strings.ReplaceAll(s, "，", "")
	whole, frac, _ := strings.Cut(s, ".")
	if whole == "" || len(frac) > 2 || strings.Trim(whole, "0123456789") != "" || strings.Trim(frac, "0123456789") != "" || len(whole) > 13 {
		return 0, fmt.Errorf("金额应为元，最多两位小数")
	}
	var fen int64
	for _, c := range whole {
		fen = fen*10 + int64(c-'0')
	}
	frac = (frac + "00")[:2]
	fen = fen*100 + int64(frac[0]-'0')*10 + int64(frac[1]-'0')
	if fen <= 0 {
		return 0, fmt.Errorf("金额应大于零")
	}
	return fen, nil
}

// Funds is the funds ledger's store.
type Funds struct {
	DB      *db.DB
	Regions *region.Store
	Now     func() time.Time // nil = time.Now
	// Changed is called with the unit of every entry added or deleted (the registry forgets
	// its snapshots of the funds figures there and above).
	Changed func(ctx context.Context, code string)
}

func (f *Funds) now() time.Time {
	if f.Now != nil {
		return f.Now()
	}
	return time.Now()
}

// FundInput is a new entry as entered; Validate checks it.
type FundInput struct {
	RegionCode, Category, Amount, BookedOn, Note string
}

// Validate returns field → message (Chinese) for every problem, and the parsed entry.
func (in FundInput) Validate(scope region.Scope) (FundEntry, map[string]string) {
	errs := map[string]string{}
	e := FundEntry{Note: strings.TrimSpace(in.Note)}
	if c, err := region.Normalize(in.RegionCode); err != nil {
		errs["region"] = "请填写正确的区划代码"
	} else if !scope.Contains(c) {
		errs["region"] = "该单位不在您的管辖范围内"
	} else {
		e.RegionCode = c
	}
	if c, ok := FundCategoryOf(in.Category); ok {
		e.Category, e.Direction = c.Slug, c.Direction
	} else {
		errs["category"] = "请选择收支类别"
	}
	if fen, err := ParseYuan(in.Amount); err != nil {
		errs["amount"] = err.Error()
	} else {
		e.AmountFen = fen
	}
	if _, err := time.Parse("2006-01-02", strings.TrimSpace(in.BookedOn)); err != nil {
		errs["booked_on"] = "日期格式应为 2006-01-02"
	} else {
		e.BookedOn = strings.TrimSpace(in.BookedOn)
	}
	if len([]rune(e.Note)) > 200 {
		errs["note"] = "备注最多 200 字"
	}
	return e, errs
}

// Add records an entry (validated by FundInput.Validate) and returns its id. Errors:
// ErrOutOfScope when the unit is outside scope, db.ErrNotFound for an unknown unit.
func (f *Funds) Add(ctx context.Context, scope region.Scope, actor int64, e FundEntry) (int64, error) {
	if !scope.Contains(e.RegionCode) {
		return 0, ErrOutOfScope
	}
	if _, err := f.Regions.Get(ctx, e.RegionCode); err != nil {
		return 0, err
	}
	var id int64
	err := f.DB.QueryRowContext(ctx, `INSERT INTO stats_fund_entries (region_code, direction, category, amount_fen, booked_on, note, created_by, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`, e.RegionCode, e.Direction, e.Category, e.AmountFen, e.BookedOn, e.Note, nullActor(actor), f.now().UTC()).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("stats.Funds.Add: %w", db.Map(err))
	}
	if f.Changed != nil {
		f.Changed(ctx, e.RegionCode)
	}
	return id, nil
}

// Delete marks an entry deleted. Errors: db.ErrNotFound when absent or outside scope.
func (f *Funds) Delete(ctx context.Context, scope region.Scope, id int64) error {
	w, args := scope.Where("region_code", 3)
	var code string
	w2, args2 := scope.Where("region_code", 2)
	err := f.DB.QueryRowContext(ctx, `SELECT region_code FROM stats_fund_entries WHERE id = $1 AND deleted_at IS NULL AND `+w2, append([]any{id}, args2...)...).Scan(&code)
	if err != nil {
		return db.Map(err)
	}
	res, err := f.DB.ExecContext(ctx, `UPDATE stats_fund_entries SET deleted_at = $1 WHERE id = $2 AND deleted_at IS NULL AND `+w, append([]any{f.now().UTC(), id}, args...)...)
	if err != nil {
		return fmt.Errorf("stats.Funds.Delete: %w", db.Map(err))
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return db.ErrNotFound
	}
	if f.Changed != nil {
		f.Changed(ctx, code)
	}
	return nil
}

func nullActor(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

// FundFilter selects ledger entries: the scope, a unit's subtree (or exactly the unit when
// Exact), a period of China dates (inclusive), a category.
type FundFilter struct {
	Scope    region.Scope
	Region   string
	Exact    bool
	From, To string
	Category string
	Limit    int // 0 = 200
}

func (ff FundFilter) where(next int) (string, []any) {
	sc := ff.Scope
	if ff.Region != "" {
		sc = sc.Narrow(ff.Region)
	}
	w, args := sc.Where("region_code", next)
	conds := []string{"deleted_at IS NULL", w}
	add := func(cond string, v any) {
		args = append(args, v)
		conds = append(conds, strings.ReplaceAll(cond, "$?", fmt.Sprintf("$%d", next+len(args)-1)))
	}
	if ff.Exact && ff.Region != "" {
		add("region_code = $?", ff.Region)
	}
	if ff.From != "" {
		add("booked_on >= $?", ff.From)
	}
	if ff.To != "" {
		add("booked_on <= $?", ff.To)
	}
	if ff.Category != "" {
		add("category = $?", ff.Category)
	}
	return strings.Join(conds, " AND "), args
}

// List returns entries matching the filter, latest date first, with unit names.
func (f *Funds) List(ctx context.Context, ff FundFilter) ([]FundEntry, error) {
	limit := ff.Limit
	if limit <= 0 || limit > 1000 {
		limit = 200
	}
	w, args := ff.where(1)
	list, err := db.QueryAll(ctx, f.DB, func(s db.Scanner) (FundEntry, error) {
		var e FundEntry
		var by *int64
		err := s.Scan(&e.ID, &e.RegionCode, &e.Direction, &e.Category, &e.AmountFen, &e.BookedOn, &e.Note, &by, &e.CreatedAt)
		if by != nil {
			e.CreatedBy = *by
		}
		return e, err
	}, `SELECT id, region_code, direction, category, amount_fen, booked_on, note, created_by, created_at FROM stats_fund_entries WHERE `+w+
		fmt.Sprintf(` ORDER BY booked_on DESC, id DESC LIMIT %d`, limit), args...)
	if err != nil {
		return nil, fmt.Errorf("stats.Funds.List: %w", err)
	}
	codes := make([]string, len(list))
	for i, e := range list {
		codes[i] = e.RegionCode
	}
	names, err := f.Regions.Names(ctx, codes)
	if err != nil {
		return nil, err
	}
	for i := range list {
		list[i].RegionName = names[list[i].RegionCode]
	}
	return list, nil
}

// Totals sums the entries matching the filter by category (slug → fen), and by prefix of the
// unit code when groupLen > 0 (prefix → slug → fen; the prefix of a unit shorter than
// groupLen is its whole canonical code's first groupLen digits, as region.Prefix pads).
func (f *Funds) Totals(ctx context.Context, ff FundFilter, groupLen int) (map[string]map[string]int64, error) {
	w, args := ff.where(1)
	key, group := "''", "category"
	if groupLen > 0 {
		key = fmt.Sprintf("substr(region_code, 1, %d)", groupLen)
		group = key + ", category"
	}
	rows, err := f.DB.QueryContext(ctx, `SELECT `+key+`, category, SUM(amount_fen) FROM stats_fund_entries WHERE `+w+` GROUP BY `+group, args...)
	if err != nil {
		return nil, fmt.Errorf("stats.Funds.Totals: %w", db.Map(err))
	}
	defer rows.Close()
	out := map[string]map[string]int64{}
	for rows.Next() {
		var k, c string
		var fen int64
		if err := rows.Scan(&k, &c, &fen); err != nil {
			return nil, db.Map(err)
		}
		if out[k] == nil {
			out[k] = map[string]int64{}
		}
		out[k][c] += fen
	}
	return out, rows.Err()
}
