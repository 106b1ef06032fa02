package estimate

import (
	"errors"
	"math"
)

var errTODO = errors.New("estimate: not implemented yet")

var inf = math.Inf(1)

func newDesign(spec Spec) (*Design, error)                      { return nil, errTODO }
func (d *Design) degf() float64                                 { return math.NaN() }
func (d *Design) subset(keep []bool) (*Design, error)           { return nil, errTODO }
func (d *Design) mean(y []float64, o options) (Estimate, error) { return Estimate{}, errTODO }
func (d *Design) total(y []float64, o options) (Estimate, error) {
	return Estimate{}, errTODO
}
func (d *Design) ratio(num, den []float64, o options) (Estimate, error) {
	return Estimate{}, errTODO
}
func (d *Design) levels(x []string, total bool, o options) ([]Level, error) { return nil, errTODO }
func (d *Design) domains(by [][]string) ([]Domain, error)                   { return nil, errTODO }
func (e Estimate) ci(level, df float64) (lo, hi float64)                    { return math.NaN(), math.NaN() }
func (d *Design) propCI(y []float64, m PropMethod, level float64, o options) (PropInterval, error) {
	return PropInterval{}, errTODO
}
func (d *Design) postStratify(m Margin) (*Design, error)            { return nil, errTODO }
func (d *Design) rake(m []Margin, ctl RakeControl) (*Design, error) { return nil, errTODO }
func (d *Design) calibrate(x [][]float64, t []float64, m CalMethod) (*Design, error) {
	return nil, errTODO
}
func (d *Design) replicates(opt RepOptions) (*Design, error) { return nil, errTODO }
func newRepDesign(spec RepSpec) (*Design, error)             { return nil, errTODO }
