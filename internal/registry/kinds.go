package registry

import (
	"time"

	"github.com/kepu/kepu/internal/region"
	"github.com/kepu/kepu/internal/sheet"
)

func init() {
	kinds = []*Kind{&Museums, &MobileMuseums, &MobileMuseumStops, &Caravans, &CaravanTrips, &EducationBases, &EStations, &Partnerships,
		&Associations, &PartnerDepartments, &Staff, &LectureMembers, &ExpertTeams, &Experts, &VolunteerTeams, &Volunteers, &InformationOfficers}
}

func regionField(header string) Field {
	return Field{Column: sheet.Column{Key: RegionKey, Header: header, Aliases: []string{"区划代码", "所在地区划代码", "所属区划代码", "所在区划代码", "统计用区划代码"},
		Kind: sheet.Code, Required: true, MaxLen: 12, Example: "152502", Note: "国家统计局统计用区划代码，6、9 或 12 位"}}
}

// Museums are science and technology museums (科技馆) at banner level and above. Source of the
// fields: the seed report (tiers, "science + tourism", "science + culture" libraries).
var Museums = Kind{
	Slug: "museums", Table: "science_museums", Name: "科技馆", Unit: "座", Counted: true,
	MinLevel: region.LevelRegion, MaxLevel: region.LevelTownship,
	NaturalKey: []string{RegionKey, "name"},
	Since:      "established_on",
	Stocks:     []string{"has_library"},
	Fields: []Field{
		{Column: sheet.Column{Key: "name", Header: "名称", Kind: sheet.Text, Required: true, MaxLen: 60, Example: "锡林郭勒盟科技馆"}, List: true, Search: true},
		regionField("所在区划代码"),
		{Column: sheet.Column{Key: "tier", Header: "级别", Kind: sheet.Enum, Required: true,
			Choices: []sheet.Choice{{Label: "自治区级", Value: "region"}, {Label: "盟市级", Value: "league"}, {Label: "旗县级", Value: "banner"}}, Example: "盟市级"}, List: true, Filter: true},
		{Column: sheet.Column{Key: "floor_area", Header: "建筑面积（平方米）", Aliases: []string{"建筑面积", "面积"}, Kind: sheet.Decimal, Max: sheet.F(1e6), Example: "12000"}, List: true},
		{Column: sheet.Column{Key: "exhibits", Header: "展品数（件）", Aliases: []string{"展品数", "展品数量"}, Kind: sheet.Int, Max: sheet.F(1e5), Example: "300"}},
		{Column: sheet.Column{Key: "opening_status", Header: "开放状态", Kind: sheet.Enum,
			Choices: []sheet.Choice{{Label: "开放", Value: "open"}, {Label: "试运行", Value: "trial"}, {Label: "闭馆改造", Value: "closed"}, {Label: "在建", Value: "building"}}, Example: "开放"}, List: true, Filter: true},
		{Column: sheet.Column{Key: "science_tourism", Header: "科普+旅游", Kind: sheet.Bool, Example: "否"}},
		{Column: sheet.Column{Key: "science_culture", Header: "科普+文化", Kind: sheet.Bool, Example: "是"}},
		{Column: sheet.Column{Key: "has_library", Header: "馆内图书馆", Kind: sheet.Bool, Example: "是"}, Filter: true},
		{Column: sheet.Column{Key: "library_holdings", Header: "图书馆藏书（册）", Aliases: []string{"藏书"}, Kind: sheet.Int, Max: sheet.F(1e8), Example: "5000"}},
		{Column: sheet.Column{Key: "address", Header: "地址", Kind: sheet.Text, MaxLen: 120, Example: "锡林浩特市……"}},
		established("开馆日期", "建成日期", "开放日期"),
	},
	Check: func(v Values) map[string]string {
		if _, ok := v["library_holdings"]; ok && v["has_library"] != true {
			return map[string]string{"library_holdings": "填写了藏书，但“馆内图书馆”不是“是”"}
		}
		return nil
	},
}

// EducationBases are science education bases (科普教育基地), accredited for 5 years.
var EducationBases = Kind{
	Slug: "bases", Table: "education_bases", Name: "科普教育基地", Unit: "个", Counted: true,
	MinLevel: region.LevelRegion, MaxLevel: region.LevelVillage,
	NaturalKey: []string{RegionKey, "name"},
	Since:      "accredited_on",
	Fields: []Field{
		{Column: sheet.Column{Key: "name", Header: "名称", Kind: sheet.Text, Required: true, MaxLen: 80, Example: "某某国家级自然保护区"}, List: true, Search: true},
		regionField("所在区划代码"),
		{Column: sheet.Column{Key: "category", Header: "类别", Kind: sheet.Enum, Required: true, Choices: []sheet.Choice{
			{Label: "科普场馆类", Value: "venue"}, {Label: "教育科研类", Value: "research"}, {Label: "生产设施类", Value: "production"},
			{Label: "自然公园类", Value: "nature"}, {Label: "信息化类", Value: "online"}, {Label: "其他", Value: "other"}}, Example: "自然公园类"}, List: true, Filter: true},
		{Column: sheet.Column{Key: "accredited_on", Header: "命名日期", Aliases: []string{"认定日期", "命名时间"}, Kind: sheet.Date, Required: true, Example: "2021-09-15",
			Note: "命名有效期 5 年"}, List: true},
		{Column: sheet.Column{Key: "address", Header: "地址", Kind: sheet.Text, MaxLen: 120}},
	},
	Status: baseStatus,
}

// BaseTerm is how long an education base's accreditation lasts; BaseReviewWindow is how long
// before its end the base is due for re-review.
const (
	BaseTermYears          = 5
	BaseReviewWindowMonths = 6
)

// baseStatus: 命名有效 (named), 待复审 (due for re-review: within 6 months of the 5-year end),
// 已过期 (lapsed).
func baseStatus(v Values, today time.Time) string {
	on, err := time.Parse("2006-01-02", v.Str("accredited_on"))
	if err != nil {
		return ""
	}
	end := on.AddDate(BaseTermYears, 0, 0)
	switch {
	case !today.Before(end):
		return "已过期"
	case !today.Before(end.AddDate(0, -BaseReviewWindowMonths, 0)):
		return "待复审"
	}
	return "命名有效"
}

// InformationOfficers are science information officers (科普信息员): real-name users who share
// the national platform's content, counted by the unit they are bound to (down to a village).
var InformationOfficers = Kind{
	Slug: "officers", Table: "information_officers", Name: "科普信息员", Unit: "人", Counted: true,
	MinLevel: region.LevelRegion, MaxLevel: region.LevelVillage,
	NaturalKey: []string{"phone"},
	Defaults:   Values{"status": "active"},
	Since:      "registered_on",
	Stocks:     []string{"status"},
	Fields: []Field{
		{Column: sheet.Column{Key: "name", Header: "姓名", Kind: sheet.Text, Required: true, MaxLen: 30, Example: "其其格"}, List: true, Search: true},
		{Column: sheet.Column{Key: "phone", Header: "手机号", Aliases: []string{"手机", "手机号码", "联系电话"}, Kind: sheet.Code, Required: true, MaxLen: 11, Example: "13812345678",
			Note: "11 位手机号，一人一号"}, List: true, PII: Phone},
		regionField("所属区划代码"),
		{Column: sheet.Column{Key: "registered_on", Header: "注册日期", Kind: sheet.Date, Example: "2022-05-30"}, List: true},
		{Column: sheet.Column{Key: "status", Header: "状态", Kind: sheet.Enum, Choices: []sheet.Choice{{Label: "在册", Value: "active"}, {Label: "注销", Value: "inactive"}}, Example: "在册",
			Note: "空白视为“在册”"}, List: true, Filter: true},
	},
	Check: func(v Values) map[string]string {
		if p := v.Str("phone"); p != "" && (len(p) != 11 || p[0] != '1') {
			return map[string]string{"phone": "手机号应为 1 开头的 11 位数字"}
		}
		return nil
	},
}
