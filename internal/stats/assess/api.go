package assess

import (
	"errors"
	"net/http"

	"github.com/kepu/kepu/internal/account"
	"github.com/kepu/kepu/internal/db"
	"github.com/kepu/kepu/internal/web"
)

// ItemJSON is one indicator of a system in GET /api/v1/stats/assess/{system}/scores.
type ItemJSON struct {
	Code    string   `json:"code"`
	Name    string   `json:"name"`
	Unit    string   `json:"unit"`
	Weight  float64  `json:"weight"`  // relative: contributions are weight ÷ Σweights
	Norm    string   `json:"norm"`    // raw, capita, per10k, minmax, per10k_minmax
	Minimum *float64 `json:"minimum"` // threshold on the raw value; null: none
}

// PartJSON is one indicator's line of a score's breakdown (see Part).
type PartJSON struct {
	Code         string   `json:"code"`
	Raw          *float64 `json:"raw"` // null: missing (no value, or no population for a per-capita figure)
	Normalized   float64  `json:"normalized"`
	Weight       float64  `json:"weight"`
	Contribution float64  `json:"contribution"` // normalized × weight ÷ Σweights
	ThresholdMet bool     `json:"threshold_met"`
	Records      string   `json:"records,omitempty"` // URL of the records behind the raw value
}

// EvidenceJSON is one evidence figure of a venue (every figure of its kind).
type EvidenceJSON struct {
	Code    string   `json:"code"`
	Value   *float64 `json:"value"` // null: missing
	Records string   `json:"records,omitempty"`
}

// ScoreJSON is one unit's or venue's score, rank and breakdown.
type ScoreJSON struct {
	Key         string         `json:"key"` // division code, or "<kind>-<id>" of a venue
	Name        string         `json:"name"`
	Region      string         `json:"region"`
	RegionName  string         `json:"region_name,omitempty"`
	Population  int64          `json:"population,omitempty"` // units: resident population; 0 unknown
	Score       float64        `json:"score"`
	Rank        int            `json:"rank"` // competition rank among the qualified (1, 2, 2, 4); 0 = a threshold not met
	Qualified   bool           `json:"qualified"`
	Shortlisted bool           `json:"shortlisted,omitempty"` // an award system's top_n (ties at the cut included)
	Parts       []PartJSON     `json:"parts"`
	Evidence    []EvidenceJSON `json:"evidence,omitempty"`
}

// ScoresJSON is GET /api/v1/stats/assess/{system}/scores.
type ScoresJSON struct {
	ID       int64       `json:"id"`
	Name     string      `json:"name"`
	Year     int         `json:"year"`
	Level    string      `json:"level"` // league, banner, museum, mobile_museum, caravan
	Root     string      `json:"root"`
	RootName string      `json:"root_name,omitempty"`
	Award    string      `json:"award,omitempty"`
	TopN     int         `json:"top_n,omitempty"`
	Items    []ItemJSON  `json:"items"`
	Scores   []ScoreJSON `json:"scores"`
}

// apiScores serves GET /api/v1/stats/assess/{system}/scores: the system's subjects inside the
// caller's scope, scored and ranked among themselves (Engine.Rank: a banner admin ranks only
// its banner's units or venues), in rank order, each with its breakdown. 401 anonymous, 403 for
// a public user, 404 for a system whose subtree does not meet the caller's scope.
func (h *Handler) apiScores(w http.ResponseWriter, r *http.Request) error {
	p, err := account.APIStaff(r)
	if err != nil {
		return err
	}
	id, err := web.PathID(r, "system")
	if err != nil {
		return err
	}
	sys, err := h.Store.Get(r.Context(), p.Scope(), id)
	if errors.Is(err, db.ErrNotFound) {
		return web.NotFound(err)
	}
	if err != nil {
		return err
	}
	rk, err := h.Engine.Rank(r.Context(), p.Scope(), sys)
	if err != nil {
		return err
	}
	sys = rk.System
	out := ScoresJSON{ID: sys.ID, Name: sys.Name, Year: sys.Year, Level: sys.Level, Root: sys.Root, RootName: sys.RootName, Award: sys.Award, TopN: sys.TopN,
		Items: []ItemJSON{}, Scores: []ScoreJSON{}}
	for i, it := range sys.Items {
		out.Items = append(out.Items, ItemJSON{Code: it.Code, Name: rk.Items[i].Name, Unit: rk.Items[i].Unit, Weight: it.Weight, Norm: string(it.Norm), Minimum: it.Minimum})
	}
	short := map[string]bool{}
	if _, ok := AwardOf(sys.Award); ok {
		for _, x := range rk.Shortlist(sys.TopN) {
			short[x.Row.Key] = true
		}
	}
	for _, x := range rk.Rows {
		s := ScoreJSON{Key: x.Row.Key, Name: x.Name, Region: x.Region, RegionName: x.RegionName, Population: x.Population, Score: x.Score, Rank: x.Rank,
			Qualified: x.Qualified, Shortlisted: short[x.Row.Key], Parts: []PartJSON{}}
		for _, pt := range x.Parts {
			pj := PartJSON{Code: pt.Code, Normalized: pt.Normalized, Weight: pt.Weight, Contribution: pt.Contribution, ThresholdMet: !pt.BelowMinimum,
				Records: x.Figures[pt.Code].Records}
			if !pt.Missing {
				raw := pt.Raw
				pj.Raw = &raw
			}
			s.Parts = append(s.Parts, pj)
		}
		for _, ind := range rk.Evidence {
			f := x.Figures[ind.Code]
			s.Evidence = append(s.Evidence, EvidenceJSON{Code: ind.Code, Value: f.Value, Records: f.Records})
		}
		out.Scores = append(out.Scores, s)
	}
	web.WriteJSON(w, http.StatusOK, out)
	return nil
}
