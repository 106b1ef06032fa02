package assess

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/kepu/kepu/internal/db"
	"github.com/kepu/kepu/internal/region"
	"github.com/kepu/kepu/internal/web"
)

// Levels a system ranks: units of a division level, or venues of a kind.
const (
	LevelLeague       = "league"        // 盟市
	LevelBanner       = "banner"        // 旗县
	LevelMuseum       = "museum"        // 科技馆
	LevelMobileMuseum = "mobile_museum" // 流动科技馆 (sets)
	LevelCaravan      = "caravan"       // 科普大篷车
)

// Levels lists them in form order with their Chinese names.
var Levels = []struct{ Slug, Label string }{
	{LevelLeague, "盟市"}, {LevelBanner, "旗县（市、区）"}, {LevelMuseum, "科技馆"}, {LevelMobileMuseum, "流动科技馆"}, {LevelCaravan, "科普大篷车"},
}

// LevelLabel names a level in Chinese ("" for an unknown slug).
func LevelLabel(slug string) string {
	for _, l := range Levels {
		if l.Slug == slug {
			return l.Label
		}
	}
	return ""
}

// IsVenue reports whether a level ranks venues rather than division units.
func IsVenue(level string) bool {
	return level == LevelMuseum || level == LevelMobileMuseum || level == LevelCaravan
}

// Award is an award selection in the seed's style: the top N of a venue kind.
type Award struct {
	Slug  string
	Name  string // as the seed writes it
	Level string
	TopN  int
}

// Awards are the seed's three award selections ("二十佳科技馆, 十佳流动科技馆, 二十佳科普大篷车").
var Awards = []Award{
	{"museums20", "二十佳科技馆", LevelMuseum, 20},
	{"mobile10", "十佳流动科技馆", LevelMobileMuseum, 10},
	{"caravans20", "二十佳科普大篷车", LevelCaravan, 20},
}

// AwardOf returns the award of a slug.
func AwardOf(slug string) (Award, bool) {
	for _, a := range Awards {
		if a.Slug == slug {
			return a, true
		}
	}
	return Award{}, false
}

// System is an indicator system: what it ranks (Level inside Root's subtree), for which
// year, and on which items. Award, when set, makes the system an award selection whose
// shortlist is its top TopN qualified venues.
type System struct {
	ID        int64
	Name      string
	Year      int
	Level     string
	Root      string // division code whose subtree is ranked
	RootName  string
	Award     string // an Awards slug or ""
	TopN      int
	Items     []Item
	CreatedBy int64
	CreatedAt time.Time
	UpdatedAt time.Time
}

// Limits of a system.
const (
	MaxItems   = 30
	MaxNameLen = 60
)

// Validate checks a system against the indicator catalogue (known(level, code) says whether an
// indicator can be used at a level) and returns field → message in Chinese; keys are "name",
// "year", "level", "root", "award", "items" and "item.N" (N from 0).
func (s *System) Validate(known func(level, code string) bool) web.FieldErrors {
	errs := web.FieldErrors{}
	s.Name = strings.TrimSpace(s.Name)
	switch n := len([]rune(s.Name)); {
	case n == 0:
		errs["name"] = "请填写名称"
	case n > MaxNameLen:
		errs["name"] = fmt.Sprintf("名称最多 %d 个字", MaxNameLen)
	}
	if s.Year < 2000 || s.Year > 2100 {
		errs["year"] = "年份应在 2000 到 2100 之间"
	}
	if LevelLabel(s.Level) == "" {
		errs["level"] = "请选择评价对象"
	}
	if _, err := region.Normalize(s.Root); err != nil {
		errs["root"] = "区划代码无效：" + err.Error()
	} else if s.Level == LevelLeague && region.LevelOf(s.Root) != region.LevelRegion {
		errs["root"] = "评价盟市时，范围应为自治区"
	} else if s.Level == LevelBanner && region.LevelOf(s.Root) > region.LevelLeague {
		errs["root"] = "评价旗县时，范围应为自治区或盟市"
	}
	if s.Award != "" {
		a, ok := AwardOf(s.Award)
		switch {
		case !ok:
			errs["award"] = "未知的评选"
		case a.Level != s.Level:
			errs["award"] = fmt.Sprintf("“%s”评选的对象是%s", a.Name, LevelLabel(a.Level))
		default:
			if s.TopN <= 0 {
				s.TopN = a.TopN
			}
		}
	}
	if s.TopN < 0 || s.TopN > 1000 {
		errs["award"] = "入围名额应在 1 到 1000 之间"
	}
	if len(s.Items) == 0 {
		errs["items"] = "至少选择一项指标"
	} else if len(s.Items) > MaxItems {
		errs["items"] = fmt.Sprintf("最多 %d 项指标", MaxItems)
	}
	seen := map[string]bool{}
	for i, it := range s.Items {
		key := "item." + strconv.Itoa(i)
		switch {
		case known != nil && !known(s.Level, it.Code):
			errs[key] = fmt.Sprintf("第 %d 项：指标“%s”不适用于%s", i+1, it.Code, LevelLabel(s.Level))
		case seen[it.Code]:
			errs[key] = fmt.Sprintf("第 %d 项：指标“%s”重复", i+1, it.Code)
		case !(it.Weight > 0) || math.IsInf(it.Weight, 0) || it.Weight > 1e6:
			errs[key] = fmt.Sprintf("第 %d 项：权重应为大于 0 的数", i+1)
		case normLabel(it.Norm) == "":
			errs[key] = fmt.Sprintf("第 %d 项：请选择标准化方法", i+1)
		case IsVenue(s.Level) && it.Norm.perPopulation():
			errs[key] = fmt.Sprintf("第 %d 项：场馆没有人口数，不能按人均或每万人标准化", i+1)
		case it.Minimum != nil && (math.IsNaN(*it.Minimum) || math.IsInf(*it.Minimum, 0)):
			errs[key] = fmt.Sprintf("第 %d 项：最低要求应为数字", i+1)
		}
		seen[it.Code] = true
	}
	if len(errs) == 0 {
		return nil
	}
	return errs
}

// normLabel names a normalization in Chinese.
func normLabel(n Normalization) string {
	switch n {
	case Raw:
		return "原值"
	case PerCapita:
		return "人均"
	case Per10k:
		return "每万人"
	case MinMax:
		return "同级极差标准化（0–100）"
	case Per10kMinMax:
		return "每万人后同级极差标准化（0–100）"
	}
	return ""
}

// Store keeps indicator systems.
type Store struct {
	DB      *db.DB
	Regions *region.Store
	Now     func() time.Time // nil: time.Now
}

func (s *Store) now() time.Time {
	if s.Now != nil {
		return s.Now().UTC()
	}
	return time.Now().UTC()
}

// ErrOutOfScope is returned when a system's root lies outside the caller's scope.
var ErrOutOfScope = errors.New("assess: outside the caller's scope")

// Save creates (s.ID == 0) or replaces a system and its items in one transaction and returns
// its id. The root must be inside scope. Errors: ErrOutOfScope, db.ErrConflict (same name for
// the same root and year), db.ErrNotFound.
func (s *Store) Save(ctx context.Context, scope region.Scope, actor int64, sys System) (int64, error) {
	if !scope.Contains(sys.Root) {
		return 0, ErrOutOfScope
	}
	now := s.now()
	id := sys.ID
	err := s.DB.Tx(ctx, func(tx *sql.Tx) error {
		if id == 0 {
			var by any
			if actor > 0 {
				by = actor
			}
			if err := tx.QueryRowContext(ctx, `INSERT INTO assess_systems (name, year, level, root_code, award, top_n, created_by, created_at, updated_at)
				VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8) RETURNING id`, sys.Name, sys.Year, sys.Level, sys.Root, sys.Award, sys.TopN, by, now).Scan(&id); err != nil {
				return db.Map(err)
			}
		} else {
			var old string
			if err := tx.QueryRowContext(ctx, `SELECT root_code FROM assess_systems WHERE id = $1`, id).Scan(&old); err != nil {
				return db.Map(err)
			}
			if !scope.Contains(old) {
				return ErrOutOfScope
			}
			if _, err := tx.ExecContext(ctx, `UPDATE assess_systems SET name = $1, year = $2, level = $3, root_code = $4, award = $5, top_n = $6, updated_at = $7 WHERE id = $8`,
				sys.Name, sys.Year, sys.Level, sys.Root, sys.Award, sys.TopN, now, id); err != nil {
				return db.Map(err)
			}
			if _, err := tx.ExecContext(ctx, `DELETE FROM assess_items WHERE system_id = $1`, id); err != nil {
				return db.Map(err)
			}
		}
		for i, it := range sys.Items {
			var min any
			if it.Minimum != nil {
				min = *it.Minimum
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO assess_items (system_id, position, code, weight, norm, minimum) VALUES ($1, $2, $3, $4, $5, $6)`,
				id, i, it.Code, it.Weight, string(it.Norm), min); err != nil {
				return db.Map(err)
			}
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("assess.Save: %w", err)
	}
	return id, nil
}

const systemCols = `id, name, year, level, root_code, award, top_n, created_by, created_at, updated_at`

func scanSystem(row db.Scanner) (System, error) {
	var s System
	var by sql.NullInt64
	err := row.Scan(&s.ID, &s.Name, &s.Year, &s.Level, &s.Root, &s.Award, &s.TopN, &by, &s.CreatedAt, &s.UpdatedAt)
	s.CreatedBy = by.Int64
	return s, err
}

// Get returns a system with its items. A system is visible when its root's subtree meets the
// caller's scope (a banner admin sees a region-wide system, scored inside its banner only).
// Errors: db.ErrNotFound (also when out of scope).
func (s *Store) Get(ctx context.Context, scope region.Scope, id int64) (System, error) {
	sys, err := scanSystem(s.DB.QueryRowContext(ctx, `SELECT `+systemCols+` FROM assess_systems WHERE id = $1`, id))
	if err != nil {
		return sys, fmt.Errorf("assess.Get: %w", db.Map(err))
	}
	if scope.Narrow(sys.Root).Empty() {
		return System{}, fmt.Errorf("assess.Get: %w", db.ErrNotFound)
	}
	sys.Items, err = db.QueryAll(ctx, s.DB, func(row db.Scanner) (Item, error) {
		var it Item
		var norm string
		var min sql.NullFloat64
		err := row.Scan(&it.Code, &it.Weight, &norm, &min)
		it.Norm = Normalization(norm)
		if min.Valid {
			it.Minimum = &min.Float64
		}
		return it, err
	}, `SELECT code, weight, norm, minimum FROM assess_items WHERE system_id = $1 ORDER BY position`, id)
	if err != nil {
		return sys, fmt.Errorf("assess.Get: %w", err)
	}
	if u, err := s.Regions.Get(ctx, sys.Root); err == nil {
		sys.RootName = u.Name
	}
	return sys, nil
}

// List returns the systems whose root's subtree meets the scope, newest year first, items not
// loaded.
func (s *Store) List(ctx context.Context, scope region.Scope) ([]System, error) {
	all, err := db.QueryAll(ctx, s.DB, scanSystem, `SELECT `+systemCols+` FROM assess_systems ORDER BY year DESC, level, name, id`)
	if err != nil {
		return nil, fmt.Errorf("assess.List: %w", err)
	}
	var out []System
	var codes []string
	for _, sys := range all {
		if !scope.Narrow(sys.Root).Empty() {
			out = append(out, sys)
			codes = append(codes, sys.Root)
		}
	}
	names, err := s.Regions.Names(ctx, codes)
	if err != nil {
		return nil, err
	}
	for i := range out {
		out[i].RootName = names[out[i].Root]
	}
	return out, nil
}

// Delete removes a system whose root is inside scope. Errors: db.ErrNotFound, ErrOutOfScope.
func (s *Store) Delete(ctx context.Context, scope region.Scope, id int64) error {
	return s.DB.Tx(ctx, func(tx *sql.Tx) error {
		var root string
		if err := tx.QueryRowContext(ctx, `SELECT root_code FROM assess_systems WHERE id = $1`, id).Scan(&root); err != nil {
			return fmt.Errorf("assess.Delete: %w", db.Map(err))
		}
		if !scope.Contains(root) {
			return ErrOutOfScope
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM assess_items WHERE system_id = $1`, id); err != nil {
			return db.Map(err)
		}
		_, err := tx.ExecContext(ctx, `DELETE FROM assess_systems WHERE id = $1`, id)
		return db.Map(err)
	})
}
