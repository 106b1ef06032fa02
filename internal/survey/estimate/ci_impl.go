package estimate

import (
	"fmt"
	"math"
)

func (e Estimate) ci(level, df float64) (lo, hi float64) {
	a := (1 - level) / 2
	return e.Value + qt(a, df)*e.SE, e.Value + qt(1-a, df)*e.SE
}

func expit(x float64) float64 { return 1 - 1/(1+math.Exp(x)) }

func (d *Design) propCI(y []float64, method PropMethod, level float64, o options) (PropInterval, error) {
	if !(level > 0 && level < 1) {
		return PropInterval{}, fmt.Errorf("%w: confidence level %v must lie in (0, 1)", ErrColumns, level)
	}
	df := d.degf()
	nrow := 0
	for i := 0; i < d.n; i++ {
		if d.isPresent(i) {
			nrow++
		}
	}
	m, err := d.mean(y, o)
	if err != nil {
		return PropInterval{}, err
	}
	m.DF = df
	p, se := m.Value, m.SE
	a := (1 - level) / 2
	tl, th := qt(a, df), qt(1-a, df)
	out := PropInterval{Estimate: m}
	switch method {
	case PropMean:
		out.Lo, out.Hi = p+tl*se, p+th*se
	case PropAsin:
		x := math.Asin(math.Sqrt(p))
		s := se / (2 * math.Sqrt(p) * math.Sqrt(1-p))
		l, h := math.Sin(x+tl*s), math.Sin(x+th*s)
		out.Lo, out.Hi = l*l, h*h
	case PropXLogit, PropLogit:
		x := math.Log(p / (1 - p))
		s := se / (p * (1 - p))
		if method == PropLogit && d.rep != nil {
			// R fits the logistic model to every replicate: the variance of the
			// replicates' logits, not the delta method
			dd, err := d.prepare(o, y)
			if err != nil {
				return PropInterval{}, err
			}
			v, err := dd.repVar(x, func(w []float64) float64 {
				q := dd.wmean(y, w)
				return math.Log(q / (1 - q))
			})
			if err != nil {
				return PropInterval{}, err
			}
			s = math.Sqrt(v)
		}
		out.Lo, out.Hi = expit(x+tl*s), expit(x+th*s)
	case PropBeta:
		neff := p * (1 - p) / (se * se)
		r := qt(a, float64(nrow-1)) / tl
		neff *= r * r
		out.Lo = qbeta(a, neff*p, neff*(1-p)+1)
		out.Hi = qbeta(1-a, neff*p+1, neff*(1-p))
	default:
		return PropInterval{}, fmt.Errorf("estimate: unknown proportion interval method %d", method)
	}
	return out, nil
}
