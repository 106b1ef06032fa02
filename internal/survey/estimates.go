package survey

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strings"

	"github.com/kepu/kepu/internal/db"
	"github.com/kepu/kepu/internal/region"
)

// Stored estimates (survey_estimates, migration 0021). A report costs milliseconds of CPU (the
// design over every response, raking, one domain estimate per cell) and the dashboards ask for
// the same one many times, while a survey's responses rarely change once it is closed. So the
// report's numbers are kept per (survey, scope, rake) together with the survey's Version read
// before its responses and margins were; the database's triggers bump the Version in the same
// transaction as every write that can change the estimate (responses, margins, the survey's
// unit or scoring), and a stored report whose version is not the survey's current one is never
// served: it is computed again and replaced.

// storedReport is what survey_estimates.body holds: a Report without its Survey and labels.
// Floats are their IEEE 754 bits, so that they read back exactly (NaN included, which JSON
// numbers cannot carry).
type storedReport struct {
	N          int          `json:"n"`
	Unanswered int          `json:"unanswered"`
	WeightSum  uint64       `json:"weight_sum"`
	Raked      bool         `json:"raked"`
	RakeNote   string       `json:"rake_note,omitempty"`
	Cells      []storedCell `json:"cells"`
}

type storedCell struct {
	Group      string `json:"group"`
	Key        string `json:"key"`
	N          int    `json:"n"`
	Share      uint64 `json:"share"`
	SE         uint64 `json:"se"`
	Lo         uint64 `json:"lo"`
	Hi         uint64 `json:"hi"`
	CV         uint64 `json:"cv"`
	DEff       uint64 `json:"deff"`
	Suppressed bool   `json:"suppressed,omitempty"`
	Reason     string `json:"reason,omitempty"`
}

func encodeReport(rep Report) (string, error) {
	b := math.Float64bits
	sr := storedReport{N: rep.N, Unanswered: rep.Unanswered, WeightSum: b(rep.WeightSum), Raked: rep.Raked, RakeNote: rep.RakeNote,
		Cells: make([]storedCell, len(rep.Cells))}
	for i, c := range rep.Cells {
		sr.Cells[i] = storedCell{Group: c.Group, Key: c.Key, N: c.N, Share: b(c.Share), SE: b(c.SE), Lo: b(c.Lo), Hi: b(c.Hi), CV: b(c.CV), DEff: b(c.DEff),
			Suppressed: c.Suppressed, Reason: c.Reason}
	}
	out, err := json.Marshal(sr)
	return string(out), err
}

// decodeReport rebuilds the Report of sv from a stored body, labels filled from names (league
// code → name; see cellLabel), or by code when names is nil.
func decodeReport(sr storedReport, sv Survey, names map[string]string) Report {
	f := math.Float64frombits
	rep := Report{Survey: sv, N: sr.N, Unanswered: sr.Unanswered, WeightSum: f(sr.WeightSum), Raked: sr.Raked, RakeNote: sr.RakeNote,
		Cells: make([]Cell, len(sr.Cells))}
	for i, c := range sr.Cells {
		rep.Cells[i] = Cell{Group: c.Group, Key: c.Key, Label: cellLabel(c.Group, c.Key, names), N: c.N, Share: f(c.Share), SE: f(c.SE),
			Lo: f(c.Lo), Hi: f(c.Hi), CV: f(c.CV), DEff: f(c.DEff), Suppressed: c.Suppressed, Reason: c.Reason}
	}
	return rep
}

// scopeKey is a scope as survey_estimates.scope keys it: its roots (canonical, in NewScope's
// order), space-separated. Two scopes with the same key select the same responses and margins.
func scopeKey(scope region.Scope) string { return strings.Join(scope.Roots(), " ") }

// report returns the report of sv (read with its Version by Get or List, before anything else
// of the survey) from the responses in scope: the stored one when it was computed at sv's
// Version, otherwise computed from the rows and stored for sv.Version. Reading the version
// first matters: rows read after it are at least as new, so a stored report is never labelled
// with a version newer than its rows (at worst older, and then it is not served). When labels
// is false the league cells are labelled by code on a stored report (the callers that read only
// the overall cell skip the regions' names). Reports that cannot be estimated (*ReportError)
// are not stored. Errors as Report's.
func (s *Store) report(ctx context.Context, scope region.Scope, sv Survey, rake, labels bool) (Report, error) {
	key := scopeKey(scope)
	var version int64
	var body string
	err := s.DB.QueryRowContext(ctx, s.q(`SELECT version, body FROM survey_estimates WHERE survey_id = ? AND scope = ? AND rake = ?`), sv.ID, key, rake).Scan(&version, &body)
	switch err = db.Map(err); {
	case err == nil && version == sv.Version:
		var sr storedReport
		if err := json.Unmarshal([]byte(body), &sr); err != nil {
			return Report{}, fmt.Errorf("survey.report: stored estimate of survey %d: %w", sv.ID, err)
		}
		var names map[string]string
		if labels {
			var codes []string
			for _, c := range sr.Cells {
				if c.Group == GroupLeague && c.Key != "" {
					codes = append(codes, c.Key)
				}
			}
			if names, err = s.Regions.Names(ctx, codes); err != nil {
				return Report{}, fmt.Errorf("survey.report: %w", err)
			}
		}
		return decodeReport(sr, sv, names), nil
	case err != nil && !errors.Is(err, db.ErrNotFound):
		return Report{}, fmt.Errorf("survey.report: %w", err)
	}
	rep, err := s.compute(ctx, scope, sv, rake)
	if err != nil {
		return rep, err
	}
	if body, err = encodeReport(rep); err != nil {
		return Report{}, fmt.Errorf("survey.report: %w", err)
	}
	_, err = s.DB.ExecContext(ctx, s.q(`INSERT INTO survey_estimates (survey_id, scope, rake, version, body, computed_at) VALUES (?, ?, ?, ?, ?, ?)
		ON CONFLICT (survey_id, scope, rake) DO UPDATE SET version = excluded.version, body = excluded.body, computed_at = excluded.computed_at
		WHERE survey_estimates.version < excluded.version`), sv.ID, key, rake, sv.Version, body, s.now())
	if err = db.Map(err); err != nil && !errors.Is(err, db.ErrConflict) { // ErrConflict: the survey was deleted meanwhile
		return Report{}, fmt.Errorf("survey.report: storing the estimate of survey %d: %w", sv.ID, err)
	}
	return rep, nil
}
