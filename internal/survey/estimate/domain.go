package estimate

// Domain is one subpopulation: the combination of values of the grouping variables and the
// domain design (rows outside weigh zero, R's subset()).
type Domain struct {
	// Key holds the value of each grouping variable, in the order they were given.
	Key    []string
	Design *Design
}

// DomainEstimate is an estimate for one domain.
type DomainEstimate struct {
	Key []string
	Estimate
}

// Domains splits the design by one or more grouping variables (each a []string of length
// N(); a row with "" in any of them belongs to no domain), as R's svyby. The domains are the
// combinations present in the sample with a positive weight, sorted by the last variable,
// then the one before, … (R's order: the first variable varies fastest) and within a
// variable in byte order. Errors: ErrColumns.
func (d *Design) Domains(by ...[]string) ([]Domain, error) { return d.domains(by) }

// MeanBy is Mean in every domain of Domains(by...), R's svyby(~y, by, design, svymean).
func (d *Design) MeanBy(y []float64, by [][]string, opts ...Option) ([]DomainEstimate, error) {
	return d.by(by, func(s *Design) (Estimate, error) { return s.Mean(y, opts...) })
}

// TotalBy is Total in every domain, R's svyby(~y, by, design, svytotal).
func (d *Design) TotalBy(y []float64, by [][]string, opts ...Option) ([]DomainEstimate, error) {
	return d.by(by, func(s *Design) (Estimate, error) { return s.Total(y, opts...) })
}

// RatioBy is Ratio in every domain, R's svyby(~num, by, design, svyratio, denominator=~den).
func (d *Design) RatioBy(num, den []float64, by [][]string, opts ...Option) ([]DomainEstimate, error) {
	return d.by(by, func(s *Design) (Estimate, error) { return s.Ratio(num, den, opts...) })
}

func (d *Design) by(by [][]string, f func(*Design) (Estimate, error)) ([]DomainEstimate, error) {
	doms, err := d.domains(by)
	if err != nil {
		return nil, err
	}
	out := make([]DomainEstimate, 0, len(doms))
	for _, dm := range doms {
		e, err := f(dm.Design)
		if err != nil {
			return nil, err
		}
		out = append(out, DomainEstimate{Key: dm.Key, Estimate: e})
	}
	return out, nil
}
