package report

import (
	"testing"

	"github.com/kepu/kepu/internal/region"
	"github.com/kepu/kepu/internal/stats"
)

func TestChange(t *testing.T) {
	count := &stats.Indicator{Agg: stats.Sum, Unit: "场次"}
	share := &stats.Indicator{Agg: stats.Latest, Unit: "%"}
	for _, c := range []struct {
		ind       *stats.Indicator
		cur, prev stats.Value
		want      string
	}{
		{count, stats.Value{Exact: 1125}, stats.Value{Exact: 1000}, "较2020年增长12.5%"},
		{count, stats.Value{Exact: 970}, stats.Value{Exact: 1000}, "较2020年下降3.0%"},
		{count, stats.Value{Exact: 1000}, stats.Value{Exact: 1000}, "与2020年持平"},
		{count, stats.Value{Exact: 1000}, stats.Value{Exact: 0}, ""},
		{share, stats.Value{Value: 8.73}, stats.Value{Value: 8.21}, "较2020年提高0.52个百分点"},
		{share, stats.Value{Value: 8.21}, stats.Value{Value: 8.73}, "较2020年降低0.52个百分点"},
	} {
		if got := change(c.ind, c.cur, c.prev, 2020); got != c.want {
			t.Errorf("change(%v, %v) = %q, want %q", c.cur, c.prev, got, c.want)
		}
	}
}

func TestArea(t *testing.T) {
	for _, c := range []struct {
		u    region.Unit
		want string
	}{
		{region.Unit{Name: "内蒙古自治区", Level: region.LevelRegion}, "全区"},
		{region.Unit{Name: "锡林郭勒盟", Level: region.LevelLeague}, "全盟"},
		{region.Unit{Name: "呼和浩特市", Level: region.LevelLeague}, "全市"},
		{region.Unit{Name: "阿巴嘎旗", Level: region.LevelBanner}, "全旗"},
		{region.Unit{Name: "宝昌镇", Level: region.LevelTownship}, "全镇"},
		{region.Unit{Name: "巴彦淖尔苏木", Level: region.LevelTownship}, "全苏木"},
	} {
		if got := Area(c.u); got != c.want {
			t.Errorf("Area(%s) = %q, want %q", c.u.Name, got, c.want)
		}
	}
}
