package estimate

import "math"

// Quantile functions of the normal, t and beta distributions, accurate to about 1e-14, as
// needed for R's qnorm, qt and qbeta in confidence intervals.

// qnorm is the standard normal quantile (Wichura 1988, AS 241, PPND16, as R's qnorm).
func qnorm(p float64) float64 {
	if p <= 0 {
		return math.Inf(-1)
	}
	if p >= 1 {
		return math.Inf(1)
	}
	q := p - 0.5
	if math.Abs(q) <= 0.425 {
		r := 0.180625 - q*q
		return q * (((((((r*2509.0809287301226727+33430.575583588128105)*r+67265.770927008700853)*r+
			45921.953931549871457)*r+13731.693765509461125)*r+1971.5909503065514427)*r+133.14166789178437745)*r +
			3.387132872796366608) /
			(((((((r*5226.495278852545925+28729.085735721942674)*r+39307.89580009271061)*r+
				21213.794301586595867)*r+5394.1960214247511077)*r+687.1870074920579083)*r+42.313330701600911252)*r + 1)
	}
	r := p
	if q > 0 {
		r = 1 - p
	}
	r = math.Sqrt(-math.Log(r))
	var val float64
	if r <= 5 {
		r -= 1.6
		val = (((((((r*7.7454501427834140764e-4+0.0227238449892691845833)*r+0.24178072517745061177)*r+
			1.27045825245236838258)*r+3.64784832476320460504)*r+5.7694972214606914055)*r+4.6303378461565452959)*r +
			1.42343711074968357734) /
			(((((((r*1.05075007164441684324e-9+5.475938084995344946e-4)*r+0.0151986665636164571966)*r+
				0.14810397642748007459)*r+0.68976733498510000455)*r+1.6763848301838038494)*r+2.05319162663775882187)*r + 1)
	} else {
		r -= 5
		val = (((((((r*2.01033439929228813265e-7+2.71155556874348757815e-5)*r+0.0012426609473880784386)*r+
			0.026532189526576123093)*r+0.29656057182850489123)*r+1.7848265399172913358)*r+5.4637849111641143699)*r +
			6.6579046435011037772) /
			(((((((r*2.04426310338993978564e-15+1.4215117583164458887e-7)*r+1.8463183175100546818e-5)*r+
				7.868691311456132591e-4)*r+0.0148753612908506148525)*r+0.13692988092273580531)*r+0.59983220655588793769)*r + 1)
	}
	if q < 0 {
		return -val
	}
	return val
}

// lbeta is log B(a, b).
func lbeta(a, b float64) float64 {
	la, _ := math.Lgamma(a)
	lb, _ := math.Lgamma(b)
	lab, _ := math.Lgamma(a + b)
	return la + lb - lab
}

// pbeta is the regularized incomplete beta function I_x(a, b) (continued fraction, modified
// Lentz).
func pbeta(x, a, b float64) float64 {
	if math.IsNaN(x) || !(a > 0) || !(b > 0) || math.IsInf(a, 0) || math.IsInf(b, 0) {
		return math.NaN()
	}
	if x <= 0 {
		return 0
	}
	if x >= 1 {
		return 1
	}
	if x > (a+1)/(a+b+2) {
		return 1 - betacf(1-x, b, a)
	}
	return betacf(x, a, b)
}

// betacf is I_x(a, b) by its continued fraction, which converges fast for x < (a+1)/(a+b+2).
func betacf(x, a, b float64) float64 {
	if x <= 0 {
		return 0
	}
	front := math.Exp(a*math.Log(x) + b*math.Log1p(-x) - lbeta(a, b) - math.Log(a))
	const tiny = 1e-300
	f, c, dd := 1.0, 1.0, 0.0
	for i := 0; i <= 100000; i++ {
		m := float64(i / 2)
		var num float64
		switch {
		case i == 0:
			num = 1
		case i%2 == 0:
			num = m * (b - m) * x / ((a + 2*m - 1) * (a + 2*m))
		default:
			num = -((a + m) * (a + b + m) * x) / ((a + 2*m) * (a + 2*m + 1))
		}
		dd = 1 + num*dd
		if math.Abs(dd) < tiny {
			dd = tiny
		}
		dd = 1 / dd
		c = 1 + num/c
		if math.Abs(c) < tiny {
			c = tiny
		}
		cd := c * dd
		f *= cd
		if math.Abs(1-cd) < 1e-16 {
			return front * (f - 1)
		}
	}
	return front * (f - 1)
}

// qbeta inverts pbeta in x by safeguarded Newton steps.
func qbeta(p, a, b float64) float64 {
	if math.IsNaN(p) || math.IsNaN(a) || math.IsNaN(b) || a < 0 || b < 0 || math.IsInf(a, 0) || math.IsInf(b, 0) {
		return math.NaN()
	}
	if p <= 0 || a == 0 {
		return 0
	}
	if p >= 1 || b == 0 {
		return 1
	}
	lo, hi := 0.0, 1.0
	x := a / (a + b)
	lb := lbeta(a, b)
	for i := 0; i < 300; i++ {
		f := pbeta(x, a, b) - p
		if f < 0 {
			lo = x
		} else {
			hi = x
		}
		dens := math.Exp((a-1)*math.Log(x) + (b-1)*math.Log1p(-x) - lb)
		nx := x - f/dens
		if !(nx > lo && nx < hi) || dens == 0 || math.IsNaN(nx) {
			nx = (lo + hi) / 2
		}
		if math.Abs(nx-x) <= 1e-16*math.Max(x, 1e-300) || hi-lo <= 4e-16*x {
			return nx
		}
		x = nx
	}
	return x
}

// qt is the quantile of Student's t distribution with df degrees of freedom (qnorm for
// df = +Inf).
func qt(p, df float64) float64 {
	if math.IsNaN(p) || math.IsNaN(df) || !(df > 0) {
		return math.NaN()
	}
	if math.IsInf(df, 1) || df > 1e20 {
		return qnorm(p)
	}
	if p == 0.5 {
		return 0
	}
	tail := math.Min(p, 1-p)
	x := qbeta(2*tail, df/2, 0.5)
	t := math.Sqrt(df * (1/x - 1))
	if x > 0.5 {
		// t² = df·y/(1-y) with y = 1-x, found directly for precision
		y := qbeta(1-2*tail, 0.5, df/2)
		t = math.Sqrt(df * y / (1 - y))
	}
	if p < 0.5 {
		return -t
	}
	return t
}
