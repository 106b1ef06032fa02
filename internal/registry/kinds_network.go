package registry

import (
	"github.com/kepu/kepu/internal/region"
	"github.com/kepu/kepu/internal/sheet"
)

// The rest of the network (issue 3). Each kind is a table of migration 0002 with the same
// fields; TestKindsMatchTables keeps the two in step.

func text(key, header string, required bool, max int, example string) Field {
	return Field{Column: sheet.Column{Key: key, Header: header, Kind: sheet.Text, Required: required, MaxLen: max, Example: example}}
}

func name(header, example string) Field {
	f := text("name", header, true, 80, example)
	f.List, f.Search = true, true
	return f
}

func date(key, header string, required bool, example string) Field {
	return Field{Column: sheet.Column{Key: key, Header: header, Kind: sheet.Date, Required: required, Example: example}}
}

// established is the date from which a record of a kind without a date of its own counts in
// the statistics (Kind.Since).
func established(header string, aliases ...string) Field {
	f := date("established_on", header, false, "2020-06-01")
	f.Aliases = aliases
	f.Note = "空白视为录入系统的日期；统计“截至某日”的数量时用它"
	return f
}

func count(key, header, example string) Field {
	return Field{Column: sheet.Column{Key: key, Header: header, Kind: sheet.Int, Max: sheet.F(1e9), Example: example}}
}

func enum(key, header string, required bool, choices ...sheet.Choice) Field {
	return Field{Column: sheet.Column{Key: key, Header: header, Kind: sheet.Enum, Required: required, Choices: choices, Example: choices[0].Label}, List: true, Filter: true}
}

func ch(label, value string) sheet.Choice { return sheet.Choice{Label: label, Value: value} }

func phone(required bool) Field {
	return Field{Column: sheet.Column{Key: "phone", Header: "手机号", Aliases: []string{"手机", "手机号码", "联系电话"}, Kind: sheet.Code, Required: required, MaxLen: 11,
		Example: "13812345678"}, PII: Phone}
}

func ref(key, header string, parent *Kind, example string) Field {
	f := text(key, header, true, 80, example)
	f.Ref, f.List, f.Search = parent, true, true
	f.Note = "填写已登记的" + parent.Name + "名称"
	return f
}

func listed(f Field) Field { f.List = true; return f }

// checkPhone is the rule for an optional or required mobile number.
func checkPhone(v Values) map[string]string {
	if p := v.Str("phone"); p != "" && (len(p) != 11 || p[0] != '1') {
		return map[string]string{"phone": "手机号应为 1 开头的 11 位数字"}
	}
	return nil
}

// checkDates requires end on or after start.
func checkDates(start, end string) func(v Values) map[string]string {
	return func(v Values) map[string]string {
		if e := v.Str(end); e != "" && e < v.Str(start) {
			return map[string]string{end: "结束日期早于开始日期"}
		}
		return nil
	}
}

// MobileMuseums are mobile science museum sets (流动科技馆), about 50 exhibits each.
var MobileMuseums = Kind{
	Slug: "mobile-museums", Table: "mobile_museums", Name: "流动科技馆", Unit: "套", Counted: true,
	MinLevel: region.LevelRegion, MaxLevel: region.LevelBanner, NaturalKey: []string{"name"},
	Since: "established_on",
	Fields: []Field{
		name("名称", "流动科技馆第12套"),
		regionField("所属单位区划代码"),
		listed(text("theme", "主题", false, 60, "航天科技")),
		listed(count("exhibits", "展品数（件）", "50")),
		enum("condition", "状况", false, ch("良好", "good"), ch("需维修", "repair"), ch("停用", "retired")),
		established("投入使用日期", "启用日期"),
	},
}

// MobileMuseumStops are a set's stops: a venue in a banner for usually 2–3 months.
var MobileMuseumStops = Kind{
	Slug: "mobile-museum-stops", Table: "mobile_museum_stops", Name: "流动科技馆巡展站点", Unit: "站",
	MinLevel: region.LevelBanner, MaxLevel: region.LevelVillage, NaturalKey: []string{"museum_set", "start_on"},
	Fields: []Field{
		ref("museum_set", "流动科技馆", &MobileMuseums, "流动科技馆第12套"),
		listed(text("host_venue", "巡展场地", true, 80, "阿巴嘎旗第一中学")),
		regionField("巡展地区划代码"),
		listed(date("start_on", "开始日期", true, "2022-03-01")),
		listed(date("end_on", "结束日期", false, "2022-05-31")),
		listed(count("visitors", "参观人次", "12000")),
		count("school_groups", "学校团体（个）", "15"),
		count("faults_opened", "展品报修（次）", "3"),
		count("faults_fixed", "展品修复（次）", "3"),
	},
	Check: func(v Values) map[string]string {
		if m := checkDates("start_on", "end_on")(v); m != nil {
			return m
		}
		if o, f := v["faults_opened"], v["faults_fixed"]; f != nil && (o == nil || f.(int64) > o.(int64)) {
			return map[string]string{"faults_fixed": "修复次数多于报修次数"}
		}
		return nil
	},
}

// Caravans are science caravans (科普大篷车), outreach vehicles.
var Caravans = Kind{
	Slug: "caravans", Table: "science_caravans", Name: "科普大篷车", Unit: "辆", Counted: true,
	MinLevel: region.LevelRegion, MaxLevel: region.LevelBanner, NaturalKey: []string{"name"},
	Since: "established_on",
	Fields: []Field{
		name("名称", "锡林郭勒盟科普大篷车1号"),
		regionField("所属单位区划代码"),
		enum("vehicle_type", "车型", true, ch("Ⅰ型", "type1"), ch("Ⅱ型", "type2"), ch("Ⅲ型", "type3"), ch("其他", "other")),
		listed(text("plate", "车牌号", false, 12, "蒙H·A1234")),
		established("投入使用日期", "启用日期"),
	},
}

// CaravanTrips are a caravan's outings.
var CaravanTrips = Kind{
	Slug: "caravan-trips", Table: "caravan_trips", Name: "科普大篷车活动", Unit: "次",
	MinLevel: region.LevelBanner, MaxLevel: region.LevelVillage, NaturalKey: []string{"caravan", "trip_on", RegionKey},
	Fields: []Field{
		ref("caravan", "科普大篷车", &Caravans, "锡林郭勒盟科普大篷车1号"),
		listed(date("trip_on", "日期", true, "2022-06-18")),
		regionField("到达区划代码"),
		text("places", "到访苏木乡镇、嘎查村", false, 200, "宝力根苏木、巴彦宝力格嘎查"),
		{Column: sheet.Column{Key: "km", Header: "行驶里程（公里）", Kind: sheet.Decimal, Max: sheet.F(5000), Example: "186"}},
		listed(count("activities", "开展活动（场）", "3")),
		listed(count("attendance", "参加人次", "850")),
		count("materials", "发放资料（份）", "1200"),
	},
}

// EStations are science e-stations (科普e站) in villages, communities and schools. The
// accreditation workflow (apply → banner review → league publishes → plaque) comes with its
// own pages; this kind keeps the accredited stations.
var EStations = Kind{
	Slug: "e-stations", Table: "science_estations", Name: "科普e站", Unit: "个", Counted: true,
	MinLevel: region.LevelTownship, MaxLevel: region.LevelVillage, NaturalKey: []string{RegionKey, "name"},
	Since:  "accredited_on",
	Stocks: []string{"status"},
	Fields: []Field{
		name("名称", "巴彦宝力格嘎查科普e站"),
		regionField("所在区划代码"),
		enum("site_type", "类型", true, ch("村（嘎查）", "village"), ch("社区", "community"), ch("学校", "school")),
		listed(text("plaque_no", "牌匾编号", false, 30, "NMKX-E-2022-0001")),
		listed(date("accredited_on", "授牌日期", false, "2022-09-16")),
		enum("status", "状态", false, ch("已授牌", "accredited"), ch("已撤销", "revoked")),
	},
	Defaults:   Values{"status": "accredited"},
	WriteLevel: region.LevelLeague,
	Unique:     []string{"plaque_no"},
	Check: func(v Values) map[string]string {
		if v.Str("status") == "accredited" {
			errs := map[string]string{}
			if v.Str("plaque_no") == "" {
				errs["plaque_no"] = "已授牌的e站须有牌匾编号"
			}
			if v.Str("accredited_on") == "" {
				errs["accredited_on"] = "已授牌的e站须有授牌日期"
			}
			return errs
		}
		return nil
	},
}

// Partnerships are museum–school partnerships (馆校共建).
var Partnerships = Kind{
	Slug: "partnerships", Table: "museum_school_partnerships", Name: "馆校共建", Unit: "所学校",
	MinLevel: region.LevelRegion, MaxLevel: region.LevelVillage, NaturalKey: []string{"museum", "school"},
	Since: "start_on",
	Fields: []Field{
		ref("museum", "科技馆", &Museums, "锡林郭勒盟科技馆"),
		func() Field {
			f := text("school", "学校", true, 80, "锡林浩特市第六中学")
			f.List, f.Search = true, true
			return f
		}(),
		regionField("学校所在区划代码"),
		listed(date("start_on", "开始日期", false, "2021-09-01")),
		listed(text("programme", "共建项目", false, 100, "科学课进场馆")),
	},
}

// Associations are associations for science and technology at every level and the grassroots
// associations of townships, subdistricts, universities, enterprises and schools.
var Associations = Kind{
	Slug: "associations", Table: "associations", Name: "科协组织", Unit: "个",
	MinLevel: region.LevelRegion, MaxLevel: region.LevelVillage, NaturalKey: []string{RegionKey, "name"},
	Since:  "founded_on",
	Stocks: []string{"org_type"},
	Fields: []Field{
		name("名称", "宝力根苏木科协"),
		regionField("所在区划代码"),
		enum("org_type", "类型", true, ch("自治区科协", "region"), ch("盟市科协", "league"), ch("旗县科协", "banner"),
			ch("苏木乡镇科协", "township"), ch("街道科协", "subdistrict"), ch("高校科协", "university"), ch("企业科协", "enterprise"), ch("学校科协", "school"), ch("其他", "other")),
		listed(date("founded_on", "成立日期", false, "2019-05-30")),
	},
}

// GrassrootsTypes are the association types counted as grassroots associations (基层科协).
var GrassrootsTypes = []string{"township", "subdistrict", "university", "enterprise", "school"}

// PartnerDepartments are the departments in the joint work mechanism.
var PartnerDepartments = Kind{
	Slug: "departments", Table: "partner_departments", Name: "联席成员单位", Unit: "个",
	MinLevel: region.LevelRegion, MaxLevel: region.LevelBanner, NaturalKey: []string{RegionKey, "name"},
	Since: "joined_on",
	Fields: []Field{
		name("部门名称", "自治区教育厅"),
		regionField("所在区划代码"),
		listed(date("joined_on", "加入日期", false, "2021-03-01")),
	},
}

// Staff are the associations' full-time and part-time staff, including part-time leaders such
// as hospital heads and school principals.
var Staff = Kind{
	Slug: "staff", Table: "association_staff", Name: "科协干部", Unit: "人",
	MinLevel: region.LevelRegion, MaxLevel: region.LevelVillage, NaturalKey: []string{RegionKey, "unit", "name"},
	Since:  "established_on",
	Stocks: []string{"employment", "part_time_role"},
	Fields: []Field{
		name("姓名", "乌兰"),
		phone(false),
		regionField("所在区划代码"),
		func() Field {
			f := text("unit", "所在单位", true, 80, "宝力根苏木科协")
			f.List = true
			return f
		}(),
		listed(text("position", "职务", false, 40, "副主席")),
		enum("employment", "专兼职", true, ch("兼职", "part"), ch("专职", "full")),
		enum("part_time_role", "兼职身份", false, ch("医院院长", "hospital"), ch("学校校长", "school"), ch("农牧技站站长", "farm_station"), ch("企业负责人", "enterprise"), ch("其他", "other")),
		established("任职日期"),
	},
	Check: func(v Values) map[string]string {
		if m := checkPhone(v); m != nil {
			return m
		}
		if v.Str("employment") == "full" && v.Str("part_time_role") != "" {
			return map[string]string{"part_time_role": "专职干部不填兼职身份"}
		}
		return nil
	},
}

// LectureMembers are members of the scientist-spirit lecture group.
var LectureMembers = Kind{
	Slug: "lecturers", Table: "lecture_members", Name: "科学家精神宣讲团成员", Unit: "人",
	MinLevel: region.LevelRegion, MaxLevel: region.LevelVillage, NaturalKey: []string{RegionKey, "name"},
	Since: "established_on",
	Fields: []Field{
		name("姓名", "格日勒"),
		regionField("所在区划代码"),
		listed(text("unit", "工作单位", false, 80, "内蒙古大学")),
		listed(text("title", "职称或职务", false, 40, "教授")),
		text("topic", "宣讲主题", false, 100, "草原生态保护的科学家故事"),
		established("加入日期"),
	},
}

// ExpertTeams are science expert teams at region, league and banner level.
var ExpertTeams = Kind{
	Slug: "expert-teams", Table: "expert_teams", Name: "科普专家团", Unit: "个", Counted: true,
	MinLevel: region.LevelRegion, MaxLevel: region.LevelBanner, NaturalKey: []string{"name"},
	Since: "established_on",
	Fields: []Field{
		name("名称", "锡林郭勒盟科普专家团"),
		regionField("所在区划代码"),
		enum("tier", "级别", true, ch("自治区级", "region"), ch("盟市级", "league"), ch("旗县级", "banner")),
		established("成立日期"),
	},
}

// Experts are the members of expert teams.
var Experts = Kind{
	Slug: "experts", Table: "experts", Name: "科普专家", Unit: "人",
	MinLevel: region.LevelRegion, MaxLevel: region.LevelVillage, NaturalKey: []string{"team", "name"},
	Since: "established_on",
	Fields: []Field{
		name("姓名", "阿拉坦"),
		phone(false),
		ref("team", "所属专家团", &ExpertTeams, "锡林郭勒盟科普专家团"),
		regionField("家乡区划代码"),
		listed(text("specialties", "专业领域", false, 100, "草原畜牧、兽医")),
		enum("languages", "工作语言", true, ch("汉语", "zh"), ch("蒙古语", "mn"), ch("汉语和蒙古语", "zh+mn")),
		listed(text("title", "职称", false, 40, "高级畜牧师")),
		established("入团日期"),
	},
	Check: checkPhone,
}

// VolunteerTeams are science volunteer teams (科技志愿服务队).
var VolunteerTeams = Kind{
	Slug: "volunteer-teams", Table: "volunteer_teams", Name: "科技志愿服务队", Unit: "支", Counted: true,
	MinLevel: region.LevelRegion, MaxLevel: region.LevelVillage, NaturalKey: []string{RegionKey, "name"},
	Since: "founded_on",
	Fields: []Field{
		name("名称", "锡林浩特市科技志愿服务队"),
		regionField("所在区划代码"),
		listed(text("field", "服务领域", false, 60, "应急科普")),
		listed(date("founded_on", "成立日期", false, "2020-05-30")),
	},
}

// Volunteers are science volunteers (科技志愿者), identified by their phone number.
var Volunteers = Kind{
	Slug: "volunteers", Table: "volunteers", Name: "科技志愿者", Unit: "人", Counted: true,
	MinLevel: region.LevelRegion, MaxLevel: region.LevelVillage, NaturalKey: []string{"phone"},
	Since: "joined_on",
	Fields: []Field{
		name("姓名", "萨仁"),
		func() Field { f := phone(true); f.List = true; return f }(),
		{Column: sheet.Column{Key: "id_number", Header: "身份证号", Kind: sheet.Text, MaxLen: 18, Example: "150102199001011230"}, PII: IDNumber},
		regionField("所在区划代码"),
		listed(date("joined_on", "注册日期", false, "2021-04-01")),
	},
	Unique: []string{"id_number"},
	Check: func(v Values) map[string]string {
		if m := checkPhone(v); m != nil {
			return m
		}
		if id := v.Str("id_number"); id != "" && !validID(id) {
			return map[string]string{"id_number": "身份证号应为 18 位，最后一位可为 X，且校验码正确"}
		}
		return nil
	},
}

// validID checks a resident ID number's form and its GB 11643-1999 check character.
func validID(id string) bool {
	if len(id) != 18 {
		return false
	}
	weights := []int{7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2}
	sum := 0
	for i := 0; i < 17; i++ {
		if id[i] < '0' || id[i] > '9' {
			return false
		}
		sum += int(id[i]-'0') * weights[i]
	}
	return id[17] == "10X98765432"[sum%11] || (id[17] == 'x' && "10X98765432"[sum%11] == 'X')
}
