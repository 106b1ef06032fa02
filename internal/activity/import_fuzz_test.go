package activity

import (
	"strings"
	"testing"
	"time"

	"github.com/kepu/kepu/internal/region"
)

// FuzzParseReport feeds arbitrary rows to the activity report parser (the part of Import that
// reads outside input; the write is one transaction of rows it passed). It never fails with an
// internal error; a row it passes satisfies Input.Validate, lies in scope and starts no later
// than it ends; rows plus problems account for every data row.
func FuzzParseReport(f *testing.F) {
	head := "区划代码,活动名称,活动类型,主办单位,开始日期,开始时间,结束日期,结束时间,形式,重点人群,场次,参与人次,直播观看人数\n"
	f.Add("152502001,牧草种植培训,专家服务：实用技术培训,市科协,2026-05-20,9:00,2026-05-20,11:00,线下,农牧民,1,120,\n")
	f.Add("152502,展览,场馆展教活动,科技馆,45800,,45801,,线上线下,青少年、老年人,3,\"1,000\",50\n")
	f.Add("152502001,\"=cmd|' /C calc'!A0\",应急科普,x,2026-02-30,24:00,,,线下,,0,-1,\n")
	f.Add("152501200,越界,应急科普,x,2026-02-03,23:59,2026-02-03,00:00,线下,学生,1,1,\n")
	levels := map[string]region.Level{"152502": region.LevelBanner, "152502001": region.LevelTownship, "152501200": region.LevelTownship}
	scope := region.NewScope("152502")
	f.Fuzz(func(t *testing.T, rows string) {
		good, res, err := parseReport(strings.NewReader(head+rows), levels, scope, time.Date(2100, 1, 1, 0, 0, 0, 0, time.UTC), 1<<20)
		if err != nil {
			t.Fatalf("internal error: %v", err)
		}
		for _, r := range good {
			in := r.in
			if errs := in.Validate(); errs != nil {
				t.Fatalf("row %d passed but does not validate: %v", r.n, errs)
			}
			if !scope.Contains(in.RegionCode) || in.EndsAt.Before(in.StartsAt) {
				t.Fatalf("row %d passed out of scope or reversed: %+v", r.n, in)
			}
		}
		if len(res.Errors) == 0 && len(good) != res.Rows {
			t.Fatalf("%d rows read, %d passed, no errors", res.Rows, len(good))
		}
	})
}
