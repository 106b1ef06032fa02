package activity_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/kepu/kepu/internal/activity"
	"github.com/kepu/kepu/internal/db"
	"github.com/kepu/kepu/internal/db/dbtest"
)

const importHead = "区划代码,活动名称,活动类型,主办单位,开始日期,开始时间,结束日期,结束时间,形式,重点人群,场次,参与人次,直播观看人数\n"

func TestImportAllOrNothing(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		st := newStore(d)
		good := "152502001,牧草种植培训,专家服务：实用技术培训,市科协,2026-05-20,9:00,2026-05-20,11:00,线下,农牧民,1,\"1,200\",\n"
		cases := []struct {
			name, rows string
			want       []string // substrings of the errors, each with its row
		}{
			{"unknown unit", good + "159999001,x,应急科普,市科协,2026-05-21,,,,线下,,1,5,\n", []string{"第 3 行", "159999001 不存在"}},
			{"outside scope", good + "152501200,x,应急科普,市科协,2026-05-21,,,,线下,,1,5,\n", []string{"不在您的管辖范围内"}},
			{"approximate count", good + "152502001,x,应急科普,市科协,2026-05-21,,,,线下,,1,50多,\n", []string{"第 3 行", "申报人次"}},
			{"offline stream", good + "152502001,x,应急科普,市科协,2026-05-21,,,,线下,,1,5,300\n", []string{"直播观看人数", "线下活动没有直播观看人数"}},
			{"bad type", good + "152502001,x,联欢会,市科协,2026-05-21,,,,线下,,1,5,\n", []string{"活动类型"}},
			{"bad time", good + "152502001,x,应急科普,市科协,2026-05-21,9点,,,线下,,1,5,\n", []string{"开始时间"}},
			{"end before start", good + "152502001,x,应急科普,市科协,2026-05-21,,2026-05-20,,线下,,1,5,\n", []string{"结束日期", "结束时间早于开始时间"}},
			{"repeated row", good + good, []string{"与第 2 行重复"}},
			{"not ended", good + "152502001,明年的讲座,应急科普,市科协,2099-05-21,,,,线下,,1,5,\n", []string{"第 3 行", "活动尚未结束"}},
			{"unknown unit and bad count", good + "159999001,x,应急科普,市科协,2026-05-21,,,,线下,,1,50多,\n", []string{"159999001 不存在", "约数"}},
			{"no rows", "", []string{"没有数据行"}},
		}
		for _, c := range cases {
			res, err := st.Import(ctx, banner, 0, strings.NewReader(importHead+c.rows), c.name+".csv", 0)
			if err != nil {
				t.Fatalf("%s: %v", c.name, err)
			}
			msg := res.Errors.Error()
			for _, w := range c.want {
				if !strings.Contains(msg, w) {
					t.Errorf("%s: errors %q lack %q", c.name, msg, w)
				}
			}
			if res.Created != 0 {
				t.Errorf("%s: created %d despite errors", c.name, res.Created)
			}
		}
		if p, _ := st.List(ctx, activity.Filter{Scope: everyone}); p.Total != 0 {
			t.Fatalf("refused files wrote %d records", p.Total)
		}
		// One problem, one message: an unknown type is reported once, by the reader.
		res, _ := st.Import(ctx, banner, 0, strings.NewReader(importHead+"152502001,x,联欢会,市科协,2026-05-21,,,,线下,,1,5,\n"), "type.csv", 0)
		if len(res.Errors) != 1 {
			t.Errorf("unknown type reported %d times: %v", len(res.Errors), res.Errors)
		}
		// An Excel time cell read as a fraction of a day.
		res, _ = st.Import(ctx, banner, 0, strings.NewReader(importHead+"152502001,早场,应急科普,市科协,2026-05-21,0.375,,0.4583333333,线下,,1,5,\n"), "time.csv", 0)
		if len(res.Errors) != 0 || res.Created != 1 {
			t.Fatalf("Excel time cells: %v", res.Errors)
		}
		early, _ := st.List(ctx, activity.Filter{Scope: everyone, Query: "早场"})
		if len(early.Items) != 1 || early.Items[0].StartsAt.In(activity.China).Format("15:04") != "09:00" || early.Items[0].EndsAt.In(activity.China).Format("15:04") != "11:00" {
			t.Fatalf("Excel times read as %+v", early.Items)
		}
		res, err := st.Import(ctx, banner, 0, strings.NewReader(importHead+good), "ok.csv", 0)
		if err != nil || len(res.Errors) != 0 || res.Created != 1 {
			t.Fatalf("good file: %v %+v", err, res)
		}
		p, _ := st.List(ctx, activity.Filter{Scope: everyone, Query: "牧草"})
		a := p.Items[0]
		if a.Status != activity.Submitted || a.DeclaredAttendance != 1200 || activity.LocalDate(a.StartsAt) != "2026-05-20" ||
			a.StartsAt.In(activity.China).Format("15:04") != "09:00" || a.ImportID != res.ImportID {
			t.Fatalf("imported as %+v", a)
		}
		res, _ = st.Import(ctx, banner, 0, strings.NewReader(importHead+good), "ok.csv", 0)
		if res.Created != 0 || res.Unchanged != 1 {
			t.Fatalf("second upload: %+v", res)
		}
		// The same row with another count is refused, with the record it collides with, and
		// nothing else of that file is written.
		changed := strings.Replace(good, "\"1,200\"", "999", 1) + "152502001,新讲座,应急科普,市科协,2026-05-21,,,,线下,,1,5,\n"
		res, _ = st.Import(ctx, banner, 0, strings.NewReader(importHead+changed), "changed.csv", 0)
		if len(res.Errors) != 1 || !strings.Contains(res.Errors.Error(), fmt.Sprintf("#%d", a.ID)) || res.Created != 0 {
			t.Fatalf("changed row: %+v", res)
		}
		if p, _ := st.List(ctx, activity.Filter{Scope: everyone, Query: "牧草"}); p.Total != 1 || p.Items[0].DeclaredAttendance != 1200 {
			t.Fatalf("a refused file changed the records: %d", p.Total)
		}
	})
}
