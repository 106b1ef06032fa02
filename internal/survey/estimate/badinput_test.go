package estimate

import (
	"errors"
	"math"
	"strings"
	"testing"
)

func TestBadDesigns(t *testing.T) {
	ids := []string{"a", "a", "b", "b", "c", "c"}
	for _, c := range []struct {
		name string
		spec Spec
		err  error
		says string
	}{
		{"nothing", Spec{}, ErrColumns, "no weights"},
		{"short strata", Spec{Weights: []float64{1, 1, 1}, Stages: []Stage{{Strata: []string{"x", "y"}}}}, ErrColumns, "strata of stage 1"},
		{"short cluster", Spec{Stages: []Stage{{Cluster: ids}, {Cluster: ids[:4]}}}, ErrColumns, "cluster of stage 2"},
		{"zero weight", Spec{Weights: []float64{1, 0, 1}}, ErrWeights, "row 2"},
		{"negative weight", Spec{Weights: []float64{1, 2, -3}}, ErrWeights, "row 3"},
		{"fpc below sample", Spec{Stages: []Stage{{Cluster: ids, FPC: []float64{2, 2, 2, 2, 2, 2}}}}, ErrFPC, "smaller than the 3 units"},
		{"fraction above one", Spec{Stages: []Stage{{FPC: []float64{0.5, 0.5, 1.5}}}}, ErrFPC, "all fpc"},
		{"fpc varies in stratum", Spec{Stages: []Stage{{FPC: []float64{10, 10, 11}}}}, ErrFPC, "varies"},
		{"fpc after a stage without", Spec{Stages: []Stage{{Cluster: ids}, {FPC: []float64{9, 9, 9, 9, 9, 9}}}}, ErrFPC, "stage 2"},
		{"cluster in two strata", Spec{Weights: []float64{1, 1, 1, 1}, Stages: []Stage{{Cluster: []string{"p", "p", "q", "q"}, Strata: []string{"s", "t", "t", "t"}}}}, ErrColumns, "Nest"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := NewDesign(c.spec)
			if !errors.Is(err, c.err) || !strings.Contains(err.Error(), c.says) {
				t.Errorf("got %v, want %v saying %q", err, c.err, c.says)
			}
		})
	}
	// the same cluster ids in two strata are fine with Nest
	if _, err := NewDesign(Spec{Weights: []float64{1, 1, 1, 1}, Nest: true, Stages: []Stage{{Cluster: []string{"p", "p", "q", "q"}, Strata: []string{"s", "t", "t", "t"}}}}); err != nil {
		t.Error(err)
	}
}

func TestBadEstimates(t *testing.T) {
	d := must[*Design](t)(NewDesign(Spec{Weights: []float64{1, 2, 3, 4}}))
	if _, err := d.Mean([]float64{1, 2}); !errors.Is(err, ErrColumns) {
		t.Errorf("short variable: %v", err)
	}
	if _, err := d.Ratio([]float64{1, 2, 3, 4}, []float64{0, 0, 0, 0}); !errors.Is(err, ErrEmpty) {
		t.Errorf("zero denominator: %v", err)
	}
	nan := []float64{1, 2, 3, 4}
	nan[2] = math.NaN()
	if _, err := d.Total(nan); !errors.Is(err, ErrMissingValue) || !strings.Contains(err.Error(), "row 3") {
		t.Errorf("missing value: %v", err)
	}
	e := must[Estimate](t)(d.Total(nan, NARemove()))
	if e.Value != 1+4+16 {
		t.Errorf("total without the missing row = %v", e.Value)
	}
	keep := []bool{false, false, false, false}
	s := must[*Design](t)(d.Subset(keep))
	if _, err := s.Mean([]float64{1, 2, 3, 4}); !errors.Is(err, ErrEmpty) {
		t.Errorf("empty domain: %v", err)
	}
	if _, err := d.Proportions([]string{"a", "b"}); !errors.Is(err, ErrColumns) {
		t.Errorf("short factor: %v", err)
	}
	if _, err := d.MeanBy([]float64{1, 2, 3, 4}, [][]string{{"a"}}); !errors.Is(err, ErrColumns) {
		t.Errorf("short grouping variable: %v", err)
	}
}
