// Package forms owns the annual statistics forms (全国科普统计调查表): one form per reporting
// unit (an association at region, league, banner or township level, or a venue such as a
// science museum) per year, pre-filled from records through the stats indicator registry, the
// rest entered by hand; validation; the submit → review → accept (locked) or return workflow;
// a level's summary built from the accepted forms below it; .xlsx export in the form's own
// layout and import of earlier years' filled forms.
//
// The layout is data (Layout): the page, the validation rules, the export and the import all
// read the one definition. The package reads other domains only through their exported
// functions (region.Store, registry.Store, the stats registry through Prefill) and never their
// tables.
package forms

// Section is one part of the form, in the national form's order.
type Section struct {
	Key    string // personnel, venues, funds, media, activities
	Title  string // Chinese heading as the national form prints it
	Fields []Field
}

// Field is one line of the form. Values are non-negative integers in Unit.
//
// Parent names the line this one is part of: a "其中" line (Disjoint false) must each be ≤ its
// parent; a breakdown line (Disjoint true, e.g. full-time and part-time staff, income by
// source) must sum, with its disjoint siblings, to at most the parent. Indicator is the stats
// registry code whose value, recorded at the unit itself, pre-fills the line of an
// association's form; VenueField is the registry field of a venue record that pre-fills it on
// a venue's form ("" for hand entry).
type Field struct {
	Code       string // KR02, KC11, KJ03, … (see Layout)
	Label      string
	Unit       string // 人, 个, 家, 座, 平方米, 元, 次, 场次, 人次, 种, 册, 条, 篇次, 户, 人月
	Parent     string
	Disjoint   bool
	Depth      int // 0 for a total, 1 for its parts, 2 for their "其中" lines (indentation)
	Indicator  string
	VenueField string
}

// YoYThreshold is the relative year-on-year change above which a line needs a remark: 0.5
// means a value more than 50% above or below last year's accepted value (only when last
// year's value is positive).
const YoYThreshold = 0.5

// Layout is the form, section by section, in the grouping and order of 全国科普统计调查表:
// personnel (KR), venues and sites (KC), funds (KJ: income by source, spending by use), media
// (KM), activities (KH). A line that is one of the stats registry's indicators carries that
// indicator's code (KR02 科普专职人员, KJ11 科普经费使用额, …) and is pre-filled from it; lines
// entered by hand only have codes of their own in the same series (KR12…, KC11…, KJ16, KM12…,
// KH31…), so one code means one figure across the forms, the indicators and the API. The
// seed's figures that only units can declare (X01–X08: museum-society members, topic reads,
// newspaper pages and articles, the 4K TV platform, the hundred-experts programme's experts and
// live streams) are hand-entered lines whose codes are the stats indicators' codes: those
// indicators sum the accepted forms (Store.AcceptedLines), so they are never pre-filled. Funds
// are whole yuan (元), not the national form's 万元, so that every line is an integer and
// summaries add exactly.
var Layout = []Section{
	{Key: "personnel", Title: "一、科普人员", Fields: []Field{
		{Code: "KR00", Label: "科普人员合计", Unit: "人"},
		{Code: "KR02", Label: "科普专职人员", Unit: "人", Parent: "KR00", Disjoint: true, Depth: 1, Indicator: "KR02"},
		{Code: "KR12", Label: "其中：中级职称及以上或大学本科及以上学历人员", Unit: "人", Parent: "KR02", Depth: 2},
		{Code: "KR13", Label: "其中：女性", Unit: "人", Parent: "KR02", Depth: 2},
		{Code: "KR03", Label: "科普兼职人员", Unit: "人", Parent: "KR00", Disjoint: true, Depth: 1, Indicator: "KR03"},
		{Code: "KR14", Label: "其中：中级职称及以上或大学本科及以上学历人员", Unit: "人", Parent: "KR03", Depth: 2},
		{Code: "KR15", Label: "其中：女性", Unit: "人", Parent: "KR03", Depth: 2},
		{Code: "KR16", Label: "兼职人员年度实际投入工作量", Unit: "人月"},
		{Code: "KR04", Label: "科普专家", Unit: "人", Indicator: "KR04"},
		{Code: "KR05", Label: "科技志愿者", Unit: "人", Indicator: "KR05"},
	}},
	{Key: "venues", Title: "二、科普场地", Fields: []Field{
		{Code: "KC01", Label: "科技馆", Unit: "座", Indicator: "KC01"},
		{Code: "KC11", Label: "建筑面积", Unit: "平方米", VenueField: "floor_area"},
		{Code: "KC12", Label: "其中：展厅面积", Unit: "平方米", Parent: "KC11", Depth: 1},
		{Code: "KC13", Label: "展品", Unit: "件", VenueField: "exhibits"},
		{Code: "KC14", Label: "当年参观人次", Unit: "人次"},
		{Code: "KC15", Label: "其中：青少年参观人次", Unit: "人次", Parent: "KC14", Depth: 1},
		{Code: "KC02", Label: "流动科技馆", Unit: "套", Indicator: "KC02"},
		{Code: "KC03", Label: "科普大篷车", Unit: "辆", Indicator: "KC03"},
		{Code: "KC05", Label: "科普教育基地", Unit: "个", Indicator: "KC05"},
		{Code: "KC07", Label: "科普e站", Unit: "个", Indicator: "KC07"},
		{Code: "X01", Label: "自治区自然科学博物馆学会会员场馆（年末）", Unit: "家"},
	}},
	{Key: "funds", Title: "三、科普经费", Fields: []Field{
		{Code: "KJ01", Label: "年度科普经费筹集额", Unit: "元", Indicator: "KJ01"},
		{Code: "KJ02", Label: "政府拨款", Unit: "元", Parent: "KJ01", Disjoint: true, Depth: 1, Indicator: "KJ02"},
		{Code: "KJ03", Label: "其中：科普专项经费", Unit: "元", Parent: "KJ02", Depth: 2, Indicator: "KJ03"},
		{Code: "KJ04", Label: "捐赠", Unit: "元", Parent: "KJ01", Disjoint: true, Depth: 1, Indicator: "KJ04"},
		{Code: "KJ05", Label: "自筹资金", Unit: "元", Parent: "KJ01", Disjoint: true, Depth: 1, Indicator: "KJ05"},
		{Code: "KJ06", Label: "其他收入", Unit: "元", Parent: "KJ01", Disjoint: true, Depth: 1, Indicator: "KJ06"},
		{Code: "KJ11", Label: "年度科普经费使用额", Unit: "元", Indicator: "KJ11"},
		{Code: "KJ14", Label: "行政支出", Unit: "元", Parent: "KJ11", Disjoint: true, Depth: 1, Indicator: "KJ14"},
		{Code: "KJ12", Label: "科普活动支出", Unit: "元", Parent: "KJ11", Disjoint: true, Depth: 1, Indicator: "KJ12"},
		{Code: "KJ13", Label: "科普场馆基建支出", Unit: "元", Parent: "KJ11", Disjoint: true, Depth: 1, Indicator: "KJ13"},
		{Code: "KJ16", Label: "其中：政府拨款支出", Unit: "元", Parent: "KJ13", Depth: 2},
		{Code: "KJ15", Label: "其他支出", Unit: "元", Parent: "KJ11", Disjoint: true, Depth: 1, Indicator: "KJ15"},
	}},
	{Key: "media", Title: "四、科普传媒", Fields: []Field{
		{Code: "KM12", Label: "科普图书出版种数", Unit: "种"},
		{Code: "KM13", Label: "科普图书发行量", Unit: "册"},
		{Code: "KM14", Label: "科普期刊出版种数", Unit: "种"},
		{Code: "KM15", Label: "科普音像制品出版种数", Unit: "种"},
		{Code: "KM16", Label: "科普网站", Unit: "个"},
		{Code: "KM17", Label: "科普类微博、微信公众号", Unit: "个"},
		{Code: "KM05", Label: "发布科普视频", Unit: "条", Indicator: "KM05"},
		{Code: "KM06", Label: "发布科普图文", Unit: "条", Indicator: "KM06"},
		{Code: "X02", Label: "科学家精神宣讲相关话题阅读量（微博等，平台显示数）", Unit: "次"},
		{Code: "X03", Label: "媒体刊发“科技先锋”专版", Unit: "个"},
		{Code: "X04", Label: "媒体刊发先进事迹稿件", Unit: "篇次"},
		{Code: "X05", Label: "4K数字电视科普平台覆盖用户（运营商提供，年末）", Unit: "户"},
		{Code: "X06", Label: "4K数字电视科普平台点击量（运营商提供）", Unit: "次"},
	}},
	{Key: "activities", Title: "五、科普活动", Fields: []Field{
		{Code: "KH31", Label: "科普（技）讲座", Unit: "次"},
		{Code: "KH32", Label: "科普（技）讲座参加人次", Unit: "人次"},
		{Code: "KH33", Label: "科普（技）专题展览", Unit: "次"},
		{Code: "KH34", Label: "科普（技）专题展览参观人次", Unit: "人次"},
		{Code: "KH35", Label: "科普（技）竞赛", Unit: "次"},
		{Code: "KH36", Label: "科普（技）竞赛参加人次", Unit: "人次"},
		{Code: "KH37", Label: "实用技术培训", Unit: "次"},
		{Code: "KH38", Label: "实用技术培训参加人次", Unit: "人次"},
		{Code: "KH26", Label: "全国科技工作者日、全国科普日活动", Unit: "场次", Indicator: "KH26"},
		{Code: "KH21", Label: "线上科普讲座", Unit: "场次", Indicator: "KH21"},
		{Code: "KH02", Label: "科普活动场次", Unit: "场次", Indicator: "KH02"},
		{Code: "KH03", Label: "科普活动参加人次（申报）", Unit: "人次", Indicator: "KH03"},
		{Code: "KH04", Label: "科普活动参加人次（签到核验）", Unit: "人次", Indicator: "KH04"},
		{Code: "KH23", Label: "“百名专家走进盟市旗县”讲座、培训、义诊", Unit: "场次", Indicator: "KH23"},
		{Code: "X08", Label: "其中：同步线上直播", Unit: "场次", Parent: "KH23", Depth: 1},
		{Code: "X07", Label: "“百名专家走进盟市旗县”派出专家", Unit: "人"},
	}},
}

var fieldIndex = func() map[string]*Field {
	m := map[string]*Field{}
	for i := range Layout {
		for j := range Layout[i].Fields {
			m[Layout[i].Fields[j].Code] = &Layout[i].Fields[j]
		}
	}
	return m
}()

// FieldOf returns the layout's line with this code.
func FieldOf(code string) (*Field, bool) {
	f, ok := fieldIndex[code]
	return f, ok
}

// Fields returns every line of the layout in form order.
func Fields() []*Field {
	var out []*Field
	for i := range Layout {
		for j := range Layout[i].Fields {
			out = append(out, &Layout[i].Fields[j])
		}
	}
	return out
}
