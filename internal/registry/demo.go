package registry

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/kepu/kepu/internal/db"
	"github.com/kepu/kepu/internal/demo"
	"github.com/kepu/kepu/internal/region"
)

// Demo sizes, from ../shared/reference/seed-indicators.csv: museums at banner level and above
// ("90 more than"), region-level education bases (177), information officers (580,000).
const (
	DemoMuseums         = 92
	DemoMobileMuseums   = 48
	DemoCaravans        = 120
	DemoBases           = 177
	DemoEStations       = 6_403
	DemoPartnerSchools  = 720
	DemoGrassroots      = 4_050
	DemoDepartments     = 19
	DemoStaff           = 11_550
	DemoPartTimeLeaders = 3_050
	DemoLecturers       = 55
	DemoExpertTeams     = 116
	DemoExperts         = 3_207
	DemoVolunteerTeams  = 1_559
	DemoVolunteers      = 136_000
	DemoOfficers        = 580_000
)

// DemoStep adds the registry to the demo network: museums (one region museum, one per league,
// the rest in banners; 49 with libraries), education bases, and information officers spread
// over the villages in proportion to their (demo) population.
func DemoStep() demo.Step {
	return demo.Step{Name: "registry", Work: DemoOfficers/1000 + 20, Run: func(ctx context.Context, g *demo.Generator) error {
		regions := &region.Store{DB: g.DB}
		leagues, err := regions.UnitsAt(ctx, region.LevelLeague)
		if err != nil {
			return err
		}
		banners, err := regions.UnitsAt(ctx, region.LevelBanner)
		if err != nil {
			return err
		}
		villages, err := regions.UnitsAt(ctx, region.LevelVillage)
		if err != nil {
			return err
		}
		townships, err := regions.UnitsAt(ctx, region.LevelTownship)
		if err != nil {
			return err
		}
		r := g.Rand
		now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
		common := []string{"created_at", "updated_at"}
		err = g.DB.Tx(ctx, func(tx *sql.Tx) error {
			// Museums.
			var museums [][]any
			add := func(code, name, tier string, area float64, opened string) {
				lib := len(museums) < 49
				var holdings any
				if lib {
					holdings = int64(2000 + r.IntN(30000))
				}
				museums = append(museums, []any{name, code, tier, area, int64(50 + r.IntN(400)), "open", r.IntN(3) == 0, lib, lib, holdings, "", opened, now, now})
			}
			add("150105", "内蒙古科技馆", "region", 48000, "2007-09-18")
			for _, l := range leagues {
				add(l.Code, l.Name+"科技馆", "league", float64(5000+r.IntN(15000)), demoSince(r, 2008, 2020))
			}
			perm := r.Perm(len(banners))
			for _, i := range perm[:max(0, min(len(perm), g.N(DemoMuseums)-1-len(leagues)))] {
				add(banners[i].Code, banners[i].Name+"科技馆", "banner", float64(1000+r.IntN(5000)), demoSince(r, 2012, 0))
			}
			r.Shuffle(len(museums), func(i, j int) { museums[i], museums[j] = museums[j], museums[i] })
			if err := db.BulkInsert(ctx, tx, g.DB.Dialect, Museums.Table, append(Museums.columns(), common...), museums, ""); err != nil {
				return err
			}
			// Education bases.
			kinds := []struct{ suffix, category string }{{"自然保护区", "nature"}, {"农牧业科技园", "production"}, {"气象科普馆", "venue"},
				{"地质博物馆", "venue"}, {"现代农业示范园", "production"}, {"草原生态研究站", "research"}, {"数字科普馆", "online"}, {"森林公园", "nature"}}
			var bases [][]any
			for i := range g.N(DemoBases) {
				b := banners[r.IntN(len(banners))]
				kd := kinds[r.IntN(len(kinds))]
				bases = append(bases, []any{fmt.Sprintf("%s%s（%d号）", b.Name, kd.suffix, i+1), b.Code, kd.category, demoSince(r, 2018, 0), "", now, now})
			}
			if err := db.BulkInsert(ctx, tx, g.DB.Dialect, EducationBases.Table, append(EducationBases.columns(), common...), bases, ""); err != nil {
				return err
			}
			if err := demoNetwork(ctx, tx, g, leagues, banners, townships, villages, museums, now); err != nil {
				return err
			}
			g.Tick(10)
			// Information officers, in batches, over the villages by population.
			var total int64
			for _, v := range villages {
				total += pop(v)
			}
			officers := g.N(DemoOfficers)
			counts := make([]int, len(villages))
			given := 0
			for i, v := range villages {
				counts[i] = int(int64(officers) * pop(v) / max(total, 1))
				given += counts[i]
			}
			for given < officers {
				counts[r.IntN(len(counts))]++
				given++
			}
			const batch = 5000
			rows := make([][]any, 0, batch)
			n := 0
			flush := func() error {
				if err := db.BulkInsert(ctx, tx, g.DB.Dialect, InformationOfficers.Table, append(InformationOfficers.columns(), common...), rows, ""); err != nil {
					return err
				}
				g.Tick(len(rows) / 1000)
				rows = rows[:0]
				return nil
			}
			for i, v := range villages {
				for range counts[i] {
					status := "active"
					if r.IntN(100) < 3 {
						status = "inactive"
					}
					rows = append(rows, []any{demo.PersonName(r), demoPhone(n), v.Code, demoSince(r, 2019, 0), status, now, now})
					n++
					if len(rows) == batch {
						if err := flush(); err != nil {
							return err
						}
					}
				}
			}
			if len(rows) > 0 {
				return flush()
			}
			return nil
		})
		if err != nil {
			return err
		}
		// The bulk inserts above bypass the stock rows: build them from the records.
		return (&Store{DB: g.DB, Regions: regions}).RebuildStocks(ctx, Kinds()...)
	}}
}

// demoEnd is the last day a demo record may begin on: the demo year is 2026, and the records
// begun in it make its stocks exceed the year before's.
var demoEnd = time.Date(2026, 6, 30, 0, 0, 0, 0, time.UTC)

// demoSince draws the day a demo record began to count (Kind.Since), uniformly from the start
// of year from to the end of year to (0: to demoEnd), so that each year adds about as many
// records as the one before and a stock at last year's end is about (span−1)/span of today's.
func demoSince(r interface{ IntN(int) int }, from, to int) string {
	start := time.Date(from, 1, 1, 0, 0, 0, 0, time.UTC)
	end := demoEnd
	if to != 0 {
		end = time.Date(to, 12, 31, 0, 0, 0, 0, time.UTC)
	}
	return start.AddDate(0, 0, r.IntN(int(end.Sub(start).Hours()/24)+1)).Format("2006-01-02")
}

func pop(u region.Unit) int64 {
	if u.Population != nil && *u.Population > 0 {
		return *u.Population
	}
	return 1000
}

// demoPhone returns the n-th of a sequence of distinct 11-digit mobile numbers that looks
// random: n times an odd constant, modulo 10^8, is a bijection on 0…10^8-1.
func demoPhone(n int) string {
	prefixes := []string{"139", "138", "137", "136", "135", "150", "151", "152", "158", "159", "186", "187", "188", "189", "133", "153"}
	p := prefixes[n%len(prefixes)]
	return fmt.Sprintf("%s%08d", p, (uint64(n/len(prefixes))*48271+12345)%100_000_000)
}

// demoNetwork adds the kinds between museums and officers, in the seed's numbers.
func demoNetwork(ctx context.Context, tx *sql.Tx, g *demo.Generator, leagues, banners, townships, villages []region.Unit, museums [][]any, now time.Time) error {
	r := g.Rand
	insert := func(k *Kind, rows [][]any) error {
		if len(rows) == 0 {
			return nil
		}
		return db.BulkInsert(ctx, tx, g.DB.Dialect, k.Table, append(k.columns(), "created_at", "updated_at"), rows, "")
	}
	day := func(from, years int) string {
		return time.Date(from, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, r.IntN(365*years)).Format("2006-01-02")
	}
	pick := func(us []region.Unit) region.Unit { return us[r.IntN(len(us))] }
	leagueOf := func(code string) string { return code[:4] + "00" }
	bannersOf := map[string][]region.Unit{}
	for _, b := range banners {
		bannersOf[leagueOf(b.Code)] = append(bannersOf[leagueOf(b.Code)], b)
	}
	townshipsOf := map[string][]region.Unit{}
	for _, t := range townships {
		townshipsOf[t.Code[:4]+"00"] = append(townshipsOf[t.Code[:4]+"00"], t)
	}
	themes := []string{"航天科技", "生命健康", "草原生态", "应急避险", "人工智能", "能源与环境", "数学之美", "光影世界"}

	// Mobile museum sets and their stops (2–3 months each since 2018).
	var sets, stops [][]any
	for i := range g.N(DemoMobileMuseums) {
		home := leagues[i%len(leagues)]
		name := fmt.Sprintf("流动科技馆第%d套", i+1)
		since := demoSince(r, 2016, 2017)
		start := time.Date(2018, time.Month(1+r.IntN(12)), 1, 0, 0, 0, 0, time.UTC)
		if i%12 == 11 { // a new set (2025–2026) that has not toured yet
			since, start = demoSince(r, 2025, 0), demoEnd
		}
		sets = append(sets, []any{name, home.Code, themes[r.IntN(len(themes))], int64(45 + r.IntN(15)), []string{"good", "good", "good", "repair"}[r.IntN(4)], since, now, now})
		for start.Year() < 2023 {
			b := pick(bannersOf[home.Code])
			end := start.AddDate(0, 2+r.IntN(2), -1)
			opened := int64(r.IntN(6))
			stops = append(stops, []any{name, b.Name + "第一中学", b.Code, start.Format("2006-01-02"), end.Format("2006-01-02"),
				int64(5000 + r.IntN(25000)), int64(5 + r.IntN(30)), opened, opened - int64(r.IntN(int(opened)+1)/2), now, now})
			start = end.AddDate(0, 0, 1+r.IntN(20))
		}
	}
	if err := insert(&MobileMuseums, sets); err != nil {
		return err
	}
	if err := insert(&MobileMuseumStops, stops); err != nil {
		return err
	}
	// Caravans and their trips to townships of their league.
	var caravans, trips [][]any
	for i := range g.N(DemoCaravans) {
		home := banners[r.IntN(len(banners))]
		if i < len(leagues) {
			home = leagues[i]
		}
		name := fmt.Sprintf("%s科普大篷车%d号", home.Name, i+1)
		since := demoSince(r, 2014, 2019)
		if i%10 == 9 { // a new caravan (2025–2026): its trips are yet to come
			since = demoSince(r, 2025, 0)
		}
		caravans = append(caravans, []any{name, home.Code, []string{"type1", "type2", "type3"}[r.IntN(3)], fmt.Sprintf("蒙%c·K%04d", 'A'+rune(r.IntN(12)), r.IntN(10000)), since, now, now})
		seen := map[string]bool{}
		for range 30 + r.IntN(40) {
			t := pick(townshipsOf[leagueOf(home.Code)])
			on := day(2020, 3)
			if seen[on+t.Code] || on < since {
				continue
			}
			seen[on+t.Code] = true
			trips = append(trips, []any{name, on, t.Code, t.Name, float64(20 + r.IntN(300)), int64(1 + r.IntN(4)), int64(100 + r.IntN(900)), int64(200 + r.IntN(2000)), now, now})
		}
	}
	if err := insert(&Caravans, caravans); err != nil {
		return err
	}
	if err := insert(&CaravanTrips, trips); err != nil {
		return err
	}
	// E-stations: mostly villages and communities, some schools at townships.
	var stations [][]any
	used := map[string]bool{}
	for i := 0; len(stations) < g.N(DemoEStations); i++ {
		u, kind, nm := region.Unit{}, "", ""
		if r.IntN(10) == 0 {
			u = pick(townships)
			kind, nm = "school", u.Name+"中心学校科普e站"
		} else {
			u = pick(villages)
			kind = "village"
			if u.Kind == region.KindCommunity {
				kind = "community"
			}
			nm = u.Name + "科普e站"
		}
		if used[u.Code+nm] {
			continue
		}
		used[u.Code+nm] = true
		on := demoSince(r, 2019, 0)
		stations = append(stations, []any{nm, u.Code, kind, fmt.Sprintf("NMKX-E-%s-%05d", on[:4], len(stations)+1), on, "accredited", now, now})
	}
	if err := insert(&EStations, stations); err != nil {
		return err
	}
	// Museum–school partnerships.
	var partners [][]any
	for i := range g.N(DemoPartnerSchools) {
		m := museums[r.IntN(len(museums))]
		b := pick(banners)
		level := []string{"小学", "中学", "中心学校"}[r.IntN(3)]
		partners = append(partners, []any{m[0], fmt.Sprintf("%s第%d%s", b.Name, i+1, level), b.Code, demoSince(r, 2018, 0), []string{"科学课进场馆", "科技社团", "研学实践", "科学教师培训"}[r.IntN(4)], now, now})
	}
	if err := insert(&Partnerships, partners); err != nil {
		return err
	}
	// Associations at every level, then grassroots associations.
	var assocs [][]any
	assocs = append(assocs, []any{"内蒙古自治区科学技术协会", "150000", "region", "1958-08-01", now, now})
	for _, l := range leagues {
		assocs = append(assocs, []any{l.Name + "科学技术协会", l.Code, "league", day(1960, 20), now, now})
	}
	for _, b := range banners {
		assocs = append(assocs, []any{b.Name + "科学技术协会", b.Code, "banner", day(1970, 30), now, now})
	}
	for i := 0; i < g.N(DemoGrassroots); i++ {
		var row []any
		switch {
		case i < len(townships):
			t := townships[i]
			kind := "township"
			if t.Kind == region.KindSubdistrict {
				kind = "subdistrict"
			}
			row = []any{t.Name + "科协", t.Code, kind, demoSince(r, 2018, 0), now, now}
		case i < len(townships)+60:
			l := pick(leagues)
			row = []any{fmt.Sprintf("%s第%d高校科协", l.Name, i), l.Code, "university", demoSince(r, 2018, 0), now, now}
		case i%2 == 0:
			b := pick(banners)
			row = []any{fmt.Sprintf("%s第%d企业科协", b.Name, i), b.Code, "enterprise", demoSince(r, 2018, 0), now, now}
		default:
			t := pick(townships)
			row = []any{fmt.Sprintf("%s第%d学校科协", t.Name, i), t.Code, "school", demoSince(r, 2018, 0), now, now}
		}
		assocs = append(assocs, row)
	}
	if err := insert(&Associations, assocs); err != nil {
		return err
	}
	var depts [][]any
	for _, d := range []string{"教育厅", "科技厅", "工业和信息化厅", "民族事务委员会", "民政厅", "财政厅", "人力资源和社会保障厅", "自然资源厅", "生态环境厅",
		"农牧厅", "文化和旅游厅", "卫生健康委员会", "应急管理厅", "广播电视局", "体育局", "林业和草原局", "气象局", "地震局", "团委"}[:g.N(DemoDepartments)] {
		depts = append(depts, []any{"自治区" + d, "150000", demoSince(r, 2019, 0), now, now})
	}
	if err := insert(&PartnerDepartments, depts); err != nil {
		return err
	}
	// Staff over the associations; the first ones are part-time leaders.
	var staff [][]any
	seenStaff := map[string]bool{}
	for i := 0; len(staff) < g.N(DemoStaff); i++ {
		a := assocs[r.IntN(len(assocs))]
		nm := demo.PersonName(r)
		if key := fmt.Sprint(a[1], a[0], nm); seenStaff[key] {
			continue // the same name twice in one association: draw again
		} else {
			seenStaff[key] = true
		}
		employment, role := "part", any(nil)
		switch {
		case len(staff) < g.N(DemoPartTimeLeaders):
			role = []string{"hospital", "school", "farm_station", "enterprise"}[r.IntN(4)]
		case r.IntN(3) == 0:
			employment = "full"
		}
		staff = append(staff, []any{nm, demo.Phone(r), a[1], a[0], []string{"主席", "副主席", "秘书长", "委员", "干事"}[r.IntN(5)], employment, role, demoSince(r, 2012, 0), now, now})
	}
	if err := insert(&Staff, staff); err != nil {
		return err
	}
	var lecturers [][]any
	for i := range g.N(DemoLecturers) {
		l := leagues[i%len(leagues)]
		lecturers = append(lecturers, []any{fmt.Sprintf("%s%d", demo.PersonName(r), i+1), l.Code, "内蒙古大学", []string{"教授", "研究员", "高级工程师"}[r.IntN(3)], "科学家精神宣讲", demoSince(r, 2021, 0), now, now})
	}
	if err := insert(&LectureMembers, lecturers); err != nil {
		return err
	}
	// Expert teams at region, league and banner level, and their experts.
	var teams, experts [][]any
	teamUnits := append(append([]region.Unit{{Code: "150000", Name: "内蒙古自治区"}}, leagues...), banners...)
	for _, u := range teamUnits[:g.N(DemoExpertTeams)] {
		tier := map[int]string{6: "banner"}[len(u.Code)]
		switch {
		case u.Code == "150000":
			tier = "region"
		case u.Code[4:] == "00":
			tier = "league"
		}
		teams = append(teams, []any{u.Name + "科普专家团", u.Code, tier, demoSince(r, 2016, 0), now, now})
	}
	for i := range g.N(DemoExperts) {
		t := teams[i%len(teams)]
		lang := []string{"zh", "zh", "zh+mn", "mn"}[r.IntN(4)]
		experts = append(experts, []any{fmt.Sprintf("%s%d", demo.PersonName(r), i+1), demo.Phone(r), t[0], pick(banners).Code,
			[]string{"草原畜牧", "兽医", "农作物栽培", "医疗卫生", "气象防灾", "科学教育"}[r.IntN(6)], lang, []string{"高级畜牧师", "主任医师", "教授", "高级农艺师"}[r.IntN(4)], demoSince(r, 2016, 0), now, now})
	}
	if err := dedupe(insert, &ExpertTeams, teams, 0); err != nil {
		return err
	}
	if err := insert(&Experts, experts); err != nil {
		return err
	}
	// Volunteer teams and volunteers (phone numbers from a range apart from the officers').
	var vteams [][]any
	for i := range g.N(DemoVolunteerTeams) {
		t := pick(townships)
		vteams = append(vteams, []any{fmt.Sprintf("%s科技志愿服务队%d", t.Name, i+1), t.Code, []string{"应急科普", "农牧业技术", "健康卫生", "青少年科普"}[r.IntN(4)], demoSince(r, 2019, 0), now, now})
	}
	if err := insert(&VolunteerTeams, vteams); err != nil {
		return err
	}
	var vols [][]any
	for i := range g.N(DemoVolunteers) {
		v := pick(villages)
		vols = append(vols, []any{demo.PersonName(r), fmt.Sprintf("17%09d", (uint64(i)*7919+17)%1_000_000_000), nil, v.Code, demoSince(r, 2019, 0), now, now})
		if len(vols) == 5000 {
			if err := insert(&Volunteers, vols); err != nil {
				return err
			}
			vols = vols[:0]
		}
	}
	if err := insert(&Volunteers, vols); err != nil {
		return err
	}
	return demoMemberships(ctx, tx, g, now)
}

// demoMemberships puts every volunteer in a team of their league (15% in a second one), all
// approved, and makes the first members of each team its admins, as many as its size allows.
func demoMemberships(ctx context.Context, tx *sql.Tx, g *demo.Generator, now time.Time) error {
	r := g.Rand
	type team struct {
		id      int64
		region  string
		members int
	}
	teamsOf := map[string][]*team{}
	var all []*team
	rows, err := tx.QueryContext(ctx, `SELECT id, region_code FROM volunteer_teams ORDER BY id`)
	if err != nil {
		return db.Map(err)
	}
	for rows.Next() {
		t := &team{}
		if err := rows.Scan(&t.id, &t.region); err != nil {
			rows.Close()
			return err
		}
		teamsOf[t.region[:4]] = append(teamsOf[t.region[:4]], t)
		all = append(all, t)
	}
	rows.Close()
	if len(all) == 0 {
		return nil
	}
	rows, err = tx.QueryContext(ctx, `SELECT id, region_code FROM volunteers ORDER BY id`)
	if err != nil {
		return db.Map(err)
	}
	var out [][]any
	for rows.Next() {
		var id int64
		var code string
		if err := rows.Scan(&id, &code); err != nil {
			rows.Close()
			return err
		}
		choices := teamsOf[code[:4]]
		if len(choices) == 0 {
			choices = all
		}
		first := choices[r.IntN(len(choices))]
		picked := []*team{first}
		if r.IntN(100) < 15 && len(choices) > 1 {
			if second := choices[r.IntN(len(choices))]; second != first {
				picked = append(picked, second)
			}
		}
		for _, t := range picked {
			t.members++
			admin := t.members <= 1 // the first member; more admins below once sizes are known
			out = append(out, []any{id, t.id, t.region, MemberApproved, admin, now, now})
		}
	}
	rows.Close()
	if err := db.BulkInsert(ctx, tx, g.DB.Dialect, "volunteer_memberships", []string{"volunteer_id", "team_id", "region_code", "status", "is_admin", "requested_at", "decided_at"}, out, ""); err != nil {
		return err
	}
	// Teams over 100 members get their further admins (the next earliest members).
	for _, t := range all {
		if extra := AdminLimit(t.members) - 1; extra > 0 {
			if _, err := tx.ExecContext(ctx, `UPDATE volunteer_memberships SET is_admin = TRUE WHERE id IN
				(SELECT id FROM volunteer_memberships WHERE team_id = $1 AND NOT is_admin ORDER BY id LIMIT $2)`, t.id, extra); err != nil {
				return db.Map(err)
			}
		}
	}
	return nil
}

// dedupe inserts rows after dropping repeats of the natural key formed by the given row
// positions (random names can repeat within a unit).
func dedupe(insert func(*Kind, [][]any) error, k *Kind, rows [][]any, key ...int) error {
	seen := map[string]bool{}
	out := rows[:0]
	for _, row := range rows {
		var parts []string
		for _, i := range key {
			parts = append(parts, fmt.Sprint(row[i]))
		}
		id := strings.Join(parts, "\x00")
		if !seen[id] {
			seen[id] = true
			out = append(out, row)
		}
	}
	return insert(k, out)
}
