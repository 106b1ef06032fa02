package estimate

import (
	"errors"
	"math"
)

var errTODO = errors.New("estimate: not implemented yet")

var inf = math.Inf(1)

func (e Estimate) ci(level, df float64) (lo, hi float64) { return math.NaN(), math.NaN() }
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

type calStep interface {
	adjust(d *Design, z []float64)
}

type repData struct{}

func (d *Design) repDegf() float64 { return 0 }
func (d *Design) repVar(full float64, theta func(w []float64) float64) (float64, error) {
	return 0, errTODO
}
