package activity

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/kepu/kepu/internal/db"
	"github.com/kepu/kepu/internal/region"
	"github.com/kepu/kepu/internal/registry"
	"github.com/kepu/kepu/internal/sheet"
)

func choices(list []Type) []sheet.Choice {
	out := make([]sheet.Choice, len(list))
	for i, t := range list {
		out[i] = sheet.Choice{Label: t.Label, Value: t.Slug}
	}
	return out
}

// Schema is the activity report template: one row per activity record, the columns a banner
// association fills in. Dates with an optional time of day (China time); a row without times
// runs from 00:00 on the start date to 23:59 on the end date.
func Schema() sheet.Schema {
	return sheet.Schema{Name: "科普活动", Columns: []sheet.Column{
		{Key: "region_code", Header: "区划代码", Aliases: []string{"举办地区划代码", "行政区划代码"}, Kind: sheet.Code, Required: true, Example: "152502001",
			Note: "活动举办地的区划代码：6 位（盟市、旗县）、9 位（苏木乡镇）或 12 位（嘎查村、社区）"},
		{Key: "title", Header: "活动名称", Kind: sheet.Text, Required: true, MaxLen: MaxTitle, Example: "农牧民实用技术培训"},
		{Key: "type", Header: "活动类型", Kind: sheet.Enum, Required: true, Choices: choices(Types), Example: "专家服务：实用技术培训"},
		{Key: "organizer", Header: "主办单位", Kind: sheet.Text, Required: true, MaxLen: MaxTitle, Example: "锡林浩特市科协"},
		{Key: "venue", Header: "场馆", Aliases: []string{"举办场馆", "地点"}, Kind: sheet.Text, MaxLen: MaxTitle, Example: "锡林郭勒盟科技馆"},
		{Key: "venue_ref", Header: "登记场馆", Aliases: []string{"登记场馆名称"}, Kind: sheet.Text, MaxLen: MaxTitle + 10, Example: "科技馆：锡林郭勒盟科技馆",
			Note: "已登记的科技馆、流动科技馆、科普大篷车、科普教育基地或科普e站的名称（重名时写“类别：名称”），须在您的管辖范围内；场馆考核按它统计，可不填"},
		{Key: "start_date", Header: "开始日期", Kind: sheet.Date, Required: true, Example: "2026-05-20"},
		{Key: "start_time", Header: "开始时间", Kind: sheet.Text, MaxLen: 20, Example: "09:00", Note: "24 小时制 时:分，可不填"},
		{Key: "end_date", Header: "结束日期", Kind: sheet.Date, Example: "2026-05-20", Note: "不填为开始日期当天"},
		{Key: "end_time", Header: "结束时间", Kind: sheet.Text, MaxLen: 20, Example: "11:30"},
		{Key: "mode", Header: "形式", Aliases: []string{"线上线下"}, Kind: sheet.Enum, Required: true, Choices: choices(Modes), Example: "线下"},
		{Key: "programmes", Header: "所属品牌活动", Aliases: []string{"品牌活动", "项目"}, Kind: sheet.Text, MaxLen: 400, Example: "百名专家走进盟市旗县、全国科普日 2026",
			Note: "多项用顿号分隔"},
		{Key: "partners", Header: "联合部门", Kind: sheet.Text, MaxLen: 400, Example: "农牧局、卫健委"},
		{Key: "target_groups", Header: "重点人群", Kind: sheet.Text, MaxLen: 100, Example: "农牧民",
			Note: "青少年、农牧民、产业工人、老年人、领导干部和公务员，多项用顿号分隔"},
		{Key: "sessions", Header: "场次", Kind: sheet.Int, Min: sheet.F(1), Max: sheet.F(MaxSessions), Example: "1", Note: "不填为 1"},
		{Key: "declared_attendance", Header: "申报人次", Aliases: []string{"参与人次", "受益人次", "人次"}, Kind: sheet.Int, Max: sheet.F(MaxCount), Example: "120",
			Note: "组织方统计的人次（申报数）；扫码签到的核验人次由系统另计"},
		{Key: "live_viewers", Header: "直播观看人数", Kind: sheet.Int, Max: sheet.F(MaxCount), Example: "0"},
		{Key: "replay_views", Header: "回放观看次数", Kind: sheet.Int, Max: sheet.F(MaxCount), Example: "0"},
		{Key: "report", Header: "活动简报", Kind: sheet.Text, MaxLen: MaxText, Example: "邀请自治区农牧业专家讲授牧草种植技术。"},
	}}
}

// fieldColumn maps an Input field's error key to the template column it comes from.
var fieldColumn = map[string]string{"starts_at": "start_date", "ends_at": "end_date", "walkin_allowance": "", "capacity": ""}

// clock parses "9:00" or "09:00" into hours and minutes; also an Excel time cell read as its
// fraction of a day ("0.375" is 09:00).
func clock(s string) (int, int, bool) {
	s = strings.ReplaceAll(strings.TrimSpace(s), "：", ":")
	if f, err := strconv.ParseFloat(s, 64); err == nil && f >= 0 && f < 1 && strings.Contains(s, ".") {
		m := int(math.Round(f * 24 * 60))
		if m >= 24*60 {
			return 0, 0, false
		}
		return m / 60, m % 60, true
	}
	var h, m int
	if n, err := fmt.Sscanf(s, "%d:%d", &h, &m); err != nil || n != 2 || h < 0 || h > 23 || m < 0 || m > 59 || len(s) > 5 {
		return 0, 0, false
	}
	return h, m, true
}

// Import reads a .xlsx or .csv activity report (Schema) and records every row as a submitted
// activity of the importer, all or nothing: every row is parsed and checked (types, dates, a
// known unit inside scope, the record rules of Input.Validate) before anything is written,
// and one bad row writes nothing and lists every problem with row, column and reason. A row
// that repeats a record already on file (same unit, title and start) is left alone, so a file
// uploaded twice adds nothing the second time. The result reuses the registry's import result
// (Created, Unchanged, Errors) so that both show on the same import page.
// MaxImportRows bounds one report file: a banner's year of activities is a few thousand rows,
// and one import holds the database's write lock for its whole transaction.
const MaxImportRows = 20_000

// importRow is one good row of a report file: its file row and what it records.
type importRow struct {
	n        int
	in       Input
	venueRef string // the 登记场馆 cell, resolved by Import through the registry
}

// parseReport reads and checks every row of a report file without touching the database:
// levels is the division tree (code → level), scope the importer's, now the clock (a row
// must report an activity that has ended). It returns the good rows
// and the reader's result, whose Errors list every problem.
func parseReport(r io.Reader, levels map[string]region.Level, scope region.Scope, now time.Time, maxBytes int64) ([]importRow, sheet.Result, error) {
	var rows []importRow
	seen := map[string]int{}
	read, err := sheet.Read(r, Schema(), maxBytes, func(rec *sheet.Record) error {
		in := Input{RegionCode: rec.Str("region_code"), Title: rec.Str("title"), Type: rec.Str("type"), Organizer: rec.Str("organizer"),
			Venue: rec.Str("venue"), Mode: rec.Str("mode"), Programmes: SplitTags(rec.Str("programmes")), Partners: SplitTags(rec.Str("partners")),
			TargetGroups: SplitTags(rec.Str("target_groups")), Sessions: 1, Report: rec.Str("report")}
		if n, ok := rec.Int("sessions"); ok {
			in.Sessions = int(n)
		}
		in.DeclaredAttendance, _ = rec.Int("declared_attendance")
		in.LiveViewers, _ = rec.Int("live_viewers")
		in.ReplayViews, _ = rec.Int("replay_views")
		start, ok := rec.Date("start_date")
		if !ok {
			return nil // the reader has reported the missing or bad date
		}
		end, ok := rec.Date("end_date")
		if !ok {
			end = start
		}
		sh, sm, eh, em := 0, 0, 23, 59
		if t := rec.Str("start_time"); t != "" {
			if sh, sm, ok = clock(t); !ok {
				rec.Fail("start_time", "时间应为 时:分，如 09:00")
			}
		}
		if t := rec.Str("end_time"); t != "" {
			if eh, em, ok = clock(t); !ok {
				rec.Fail("end_time", "时间应为 时:分，如 17:30")
			}
		}
		in.StartsAt = time.Date(start.Year(), start.Month(), start.Day(), sh, sm, 0, 0, China)
		in.EndsAt = time.Date(end.Year(), end.Month(), end.Day(), eh, em, 0, 0, China)
		schema := Schema()
		for key, msg := range in.Validate() {
			col, mapped := fieldColumn[key]
			if !mapped {
				col = key
			}
			if c, ok := schema.Column(col); ok && c.Required && !rec.Has(col) {
				continue // the reader has reported this cell (empty, or not one of the choices)
			}
			rec.Fail(col, "%s", msg)
		}
		if !in.EndsAt.IsZero() && in.EndsAt.After(now) {
			rec.Fail("end_date", "活动尚未结束（%s 结束）；报表填报已结束的活动，结束后再导入", in.EndsAt.In(China).Format("2006-01-02 15:04"))
		}
		if _, err := region.Normalize(in.RegionCode); err == nil {
			if _, known := levels[in.RegionCode]; !known {
				rec.Fail("region_code", "区划代码 %s 不存在", in.RegionCode)
			} else if !scope.Contains(in.RegionCode) {
				rec.Fail("region_code", "区划 %s 不在您的管辖范围内", in.RegionCode)
			}
		}
		if rec.Failed() {
			return nil
		}
		key := in.RegionCode + "\x00" + in.Title + "\x00" + in.StartsAt.UTC().Format(time.RFC3339)
		if first, dup := seen[key]; dup {
			rec.Fail("title", "与第 %d 行重复（同一区划、活动名称和开始时间）", first)
			return nil
		}
		seen[key] = rec.Row
		rows = append(rows, importRow{rec.Row, in, rec.Str("venue_ref")})
		return nil
	})
	if len(read.Errors) == 0 && len(rows) == 0 && err == nil {
		read.Errors = sheet.Errors{{Msg: "文件中没有活动记录"}}
	}
	if read.Rows > MaxImportRows {
		read.Errors = append(sheet.Errors{{Msg: fmt.Sprintf("文件有 %d 行，一次最多导入 %d 行；请按月或按旗县拆分后分批导入", read.Rows, MaxImportRows)}}, read.Errors...)
	}
	return rows, read, err
}

func (s *Store) Import(ctx context.Context, scope region.Scope, actor int64, r io.Reader, fileName string, maxBytes int64) (registry.ImportResult, error) {
	var res registry.ImportResult
	levels, err := s.Regions.Levels(ctx)
	if err != nil {
		return res, err
	}
	rows, read, err := parseReport(r, levels, scope, s.now(), maxBytes)
	if err != nil {
		return res, fmt.Errorf("activity.Import: %w", err)
	}
	res.Rows, res.Errors, res.More = read.Rows, read.Errors, read.More
	if len(res.Errors) > 0 {
		return res, nil
	}
	if res.Errors, err = s.resolveVenues(ctx, scope, rows); err != nil || len(res.Errors) > 0 {
		return res, err
	}
	now := s.now()
	err = s.DB.Tx(ctx, func(tx *sql.Tx) error {
		if err := tx.QueryRowContext(ctx, `INSERT INTO activity_imports (file_name, account_id, at, created) VALUES ($1, $2, $3, 0) RETURNING id`,
			fileName, nullID(actor), now).Scan(&res.ImportID); err != nil {
			return db.Map(err)
		}
		for _, rw := range rows {
			// A row already on file (same unit, title and start) is left alone when it says
			// what the record says; a row that says something else is refused, since an
			// import must not change a record under review or accepted behind its reviewers.
			old, err := db.QueryAll(ctx, tx, scanActivity, `SELECT `+activityCols+` FROM activities WHERE region_code = $1 AND title = $2 AND starts_at = $3
				AND deleted_at IS NULL ORDER BY version DESC LIMIT 1`, rw.in.RegionCode, rw.in.Title, rw.in.StartsAt)
			if err != nil {
				return err
			}
			if len(old) > 0 {
				if !sameReport(InputOf(old[0]), rw.in) {
					res.Errors = append(res.Errors, sheet.Error{Row: rw.n, Column: "活动名称",
						Msg: fmt.Sprintf("已有同一区划、名称和开始时间的活动记录 #%d（%s），但本行数据与之不同；请在系统中修改该记录（已确认的请“更正”），或改用新的活动名称", old[0].ID, StatusLabel(old[0].Status))})
					continue
				}
				res.Unchanged++
				continue
			}
			id, err := s.insert(ctx, tx, rw.in, Submitted, 0, 0, 1, actor, res.ImportID, now)
			if err != nil {
				return fmt.Errorf("row %d: %w", rw.n, err)
			}
			if err := addStep(ctx, tx, id, "submit", fileName, now, actor); err != nil {
				return err
			}
			res.Created++
		}
		if len(res.Errors) > 0 {
			return errRefused
		}
		_, err := tx.ExecContext(ctx, `UPDATE activity_imports SET created = $1 WHERE id = $2`, res.Created, res.ImportID)
		return db.Map(err)
	})
	if errors.Is(err, errRefused) {
		res.Created, res.Unchanged, res.ImportID = 0, 0, 0
		return res, nil
	}
	return res, err
}

// resolveVenues sets each row's venue reference from its 登记场馆 cell (registry.Store.
// FindFacility, each distinct cell once), and lists the cells that name no facility, or more
// than one, in the importer's scope, with their row and column.
func (s *Store) resolveVenues(ctx context.Context, scope region.Scope, rows []importRow) (sheet.Errors, error) {
	var errs sheet.Errors
	type found struct {
		f   registry.Facility
		msg string
	}
	seen := map[string]found{}
	for i := range rows {
		ref := rows[i].venueRef
		if ref == "" {
			continue
		}
		got, ok := seen[ref]
		if !ok {
			if s.Registry == nil {
				got.msg = "无法核对登记场馆"
			} else {
				var err error
				if got.f, got.msg, err = s.Registry.FindFacility(ctx, scope, ref); err != nil {
					return nil, fmt.Errorf("activity.Import: %w", err)
				}
			}
			seen[ref] = got
		}
		if got.msg != "" {
			errs = append(errs, sheet.Error{Row: rows[i].n, Column: "登记场馆", Msg: got.msg})
			continue
		}
		rows[i].in.VenueKind, rows[i].in.VenueID = got.f.Kind, got.f.ID
	}
	return errs, nil
}

// errRefused rolls back an import whose rows met a problem only the database could show.
var errRefused = errors.New("import refused")

// sameReport reports whether a row says what a record on file says, in every column of the
// report template.
func sameReport(a, b Input) bool {
	eq := func(x, y []string) bool { return strings.Join(x, "\n") == strings.Join(y, "\n") }
	return a.RegionCode == b.RegionCode && a.Title == b.Title && a.Type == b.Type && a.Organizer == b.Organizer && a.Venue == b.Venue &&
		a.VenueKind == b.VenueKind && a.VenueID == b.VenueID &&
		a.StartsAt.Equal(b.StartsAt) && a.EndsAt.Equal(b.EndsAt) && a.Mode == b.Mode && eq(a.Programmes, b.Programmes) && eq(a.Partners, b.Partners) &&
		eq(a.TargetGroups, b.TargetGroups) && a.Sessions == b.Sessions && a.DeclaredAttendance == b.DeclaredAttendance &&
		a.LiveViewers == b.LiveViewers && a.ReplayViews == b.ReplayViews && a.Report == b.Report
}
