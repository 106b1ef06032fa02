package estimate

// RepType is the kind of replicate weights, R's type= of svrepdesign and as.svrepdesign.
type RepType int

const (
	// RepJK1: delete-one-PSU jackknife for unstratified designs; scale (R-1)/R.
	RepJK1 RepType = iota
	// RepJKn: stratified delete-one-PSU jackknife; rscale (n_h-1)/n_h for the replicate of
	// stratum h.
	RepJKn
	// RepBRR: balanced repeated replication for designs with two PSUs per stratum; scale 1/R.
	RepBRR
	// RepFay: Fay's BRR with weights 2-ρ and ρ; scale 1/(R(1-ρ)²).
	RepFay
	// RepOther: user-supplied replicate weights with the given Scale and RScales.
	RepOther
)

// RepOptions sets how Replicates builds replicate weights from a design.
type RepOptions struct {
	Type RepType
	// FayRho is Fay's ρ for RepFay (0 < ρ < 1).
	FayRho float64
	// MSE centres the replicate variance at the full-sample estimate instead of the mean of
	// the replicate estimates (R's mse=TRUE).
	MSE bool
}

// Replicates turns a linearization design into a replicate-weight design, R's
// as.svrepdesign(design, type, fay.rho, mse). JK1 needs an unstratified design, BRR and Fay
// two PSUs in every stratum; the Hadamard matrix is R's (survey:::hadamard). Errors:
// ErrReplicates.
func (d *Design) Replicates(opt RepOptions) (*Design, error) { return d.replicates(opt) }

// RepSpec describes user-supplied replicate weights, R's svrepdesign().
type RepSpec struct {
	// Weights is the full-sample weight of each row.
	Weights []float64
	// Replicates holds one slice of length n per replicate.
	Replicates [][]float64
	// Combined says that the replicate weights already include the sampling weights (R's
	// combined.weights=TRUE, the default); otherwise they are multiplied by Weights.
	Combined bool
	Type     RepType
	// Scale and RScales give the variance Scale·Σ_r RScales[r]·(θ_r-θ̄)². For RepJK1,
	// RepBRR and RepFay Scale is derived (as in R) when zero; RScales nil means all 1.
	Scale   float64
	RScales []float64
	// FayRho is ρ for RepFay.
	FayRho float64
	// MSE as in RepOptions.
	MSE bool
}

// NewReplicateDesign builds a design from replicate weights, R's svrepdesign(). Errors:
// ErrColumns, ErrWeights, ErrReplicates.
func NewReplicateDesign(spec RepSpec) (*Design, error) { return newRepDesign(spec) }
