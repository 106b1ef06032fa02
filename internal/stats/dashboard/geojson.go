package dashboard

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/kepu/kepu/internal/db"
	"github.com/kepu/kepu/internal/region"
)

// MaxBoundaryBytes is the largest boundary file accepted (a simplified league- and
// banner-level file of Inner Mongolia is about 1–3 MB).
const MaxBoundaryBytes = 8 << 20

// boundarySetting is the settings key the normalized boundary file is kept under.
const boundarySetting = "dashboard.boundaries"

// BoundaryError says what is wrong with a boundary file and where, in Chinese.
type BoundaryError struct{ Msg string }

func (e *BoundaryError) Error() string { return e.Msg }

func boundaryErr(format string, args ...any) error {
	return &BoundaryError{Msg: fmt.Sprintf(format, args...)}
}

// ParseBoundaries checks a GeoJSON boundary file (RFC 7946) and returns it normalized: a
// FeatureCollection whose features are Polygons or MultiPolygons, each naming its unit by a
// division code in properties "code" or "adcode" (a string or a number, any form
// region.Normalize accepts); in the result each feature's properties are {"code", "name"} with
// name set to the canonical code, which is what the dashboard's map series matches on.
// Errors are *BoundaryError, naming the feature (1-based) and the problem.
func ParseBoundaries(b []byte) ([]byte, int, error) {
	if len(b) > MaxBoundaryBytes {
		return nil, 0, boundaryErr("边界文件超过 %d MB", MaxBoundaryBytes>>20)
	}
	var fc struct {
		Type     string `json:"type"`
		Features []struct {
			Type       string          `json:"type"`
			Properties map[string]any  `json:"properties"`
			Geometry   json.RawMessage `json:"geometry"`
		} `json:"features"`
	}
	if err := json.Unmarshal(b, &fc); err != nil {
		return nil, 0, boundaryErr("边界文件不是有效的 GeoJSON：%v", err)
	}
	if fc.Type != "FeatureCollection" {
		return nil, 0, boundaryErr("边界文件的 type 应为 FeatureCollection，实为 %q", fc.Type)
	}
	if len(fc.Features) == 0 {
		return nil, 0, boundaryErr("边界文件中没有要素（features 为空）")
	}
	type feature struct {
		Type       string            `json:"type"`
		Properties map[string]string `json:"properties"`
		Geometry   json.RawMessage   `json:"geometry"`
	}
	out := struct {
		Type     string    `json:"type"`
		Features []feature `json:"features"`
	}{Type: "FeatureCollection"}
	seen := map[string]int{}
	for i, f := range fc.Features {
		n := i + 1
		if f.Type != "Feature" {
			return nil, 0, boundaryErr("第 %d 个要素的 type 应为 Feature", n)
		}
		var g struct {
			Type        string          `json:"type"`
			Coordinates json.RawMessage `json:"coordinates"`
		}
		if err := json.Unmarshal(f.Geometry, &g); err != nil || (g.Type != "Polygon" && g.Type != "MultiPolygon") || len(g.Coordinates) == 0 {
			return nil, 0, boundaryErr("第 %d 个要素的几何应为带坐标的 Polygon 或 MultiPolygon", n)
		}
		var polys [][][][2]float64
		if g.Type == "Polygon" {
			var p [][][2]float64
			if err := json.Unmarshal(g.Coordinates, &p); err != nil {
				return nil, 0, boundaryErr("第 %d 个要素的坐标无法读取：%v", n, err)
			}
			polys = append(polys, p)
		} else if err := json.Unmarshal(g.Coordinates, &polys); err != nil {
			return nil, 0, boundaryErr("第 %d 个要素的坐标无法读取：%v", n, err)
		}
		for _, p := range polys {
			for _, ring := range p {
				if len(ring) < 4 {
					return nil, 0, boundaryErr("第 %d 个要素有少于 4 个点的环", n)
				}
				for _, pt := range ring {
					if pt[0] < -180 || pt[0] > 180 || pt[1] < -90 || pt[1] > 90 {
						return nil, 0, boundaryErr("第 %d 个要素的坐标 (%g, %g) 不是经纬度", n, pt[0], pt[1])
					}
				}
			}
		}
		raw, ok := f.Properties["code"]
		if !ok {
			raw, ok = f.Properties["adcode"]
		}
		if !ok {
			return nil, 0, boundaryErr("第 %d 个要素的 properties 中没有区划代码（code 或 adcode）", n)
		}
		var s string
		switch x := raw.(type) {
		case string:
			s = x
		case float64:
			s = fmt.Sprintf("%.0f", x)
		default:
			return nil, 0, boundaryErr("第 %d 个要素的区划代码应为文字或数字", n)
		}
		code, err := region.Normalize(s)
		if err != nil {
			return nil, 0, boundaryErr("第 %d 个要素的区划代码 %q 无效：%v", n, s, err)
		}
		if prev, dup := seen[code]; dup {
			return nil, 0, boundaryErr("第 %d 个要素与第 %d 个要素的区划代码相同（%s）", n, prev, code)
		}
		seen[code] = n
		out.Features = append(out.Features, feature{Type: "Feature", Geometry: f.Geometry,
			Properties: map[string]string{"code": code, "name": code}})
	}
	nb, err := json.Marshal(out)
	return nb, len(out.Features), err
}

// Boundaries keeps the operator's boundary file in the settings table (one file for the
// installation; the map shows whichever of its features are the chosen unit's children).
type Boundaries struct{ DB *db.DB }

// Get returns the normalized boundary file, or ok false when none was uploaded.
func (b *Boundaries) Get(ctx context.Context) ([]byte, bool, error) {
	v, err := b.DB.Setting(ctx, boundarySetting)
	if errors.Is(err, db.ErrNotFound) || (err == nil && v == "") {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("dashboard.Boundaries.Get: %w", err)
	}
	return []byte(v), true, nil
}

// Set checks and stores a boundary file (see ParseBoundaries); it returns the number of
// features. An empty file removes the map layer.
func (b *Boundaries) Set(ctx context.Context, file []byte) (int, error) {
	if len(file) == 0 {
		return 0, b.DB.SetSetting(ctx, boundarySetting, "")
	}
	norm, n, err := ParseBoundaries(file)
	if err != nil {
		return 0, err
	}
	if err := b.DB.SetSetting(ctx, boundarySetting, string(norm)); err != nil {
		return 0, fmt.Errorf("dashboard.Boundaries.Set: %w", err)
	}
	return n, nil
}
