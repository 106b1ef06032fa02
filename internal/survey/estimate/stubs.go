package estimate

import (
	"errors"
	"math"
)

var errTODO = errors.New("estimate: not implemented yet")

var inf = math.Inf(1)

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
