package survey

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"

	"github.com/kepu/kepu/internal/account"
	"github.com/kepu/kepu/internal/sheet"
	"github.com/kepu/kepu/internal/web"
)

// pct formats a share (0–1) as a percentage with two decimals.
func pct(x float64) string { return strconv.FormatFloat(x*100, 'f', 2, 64) }

// Pct is the share in percent ("8.73").
func (c Cell) Pct() string { return pct(c.Share) }

// LoPct and HiPct are the interval's ends in percent.
func (c Cell) LoPct() string { return pct(c.Lo) }

// HiPct is the interval's upper end in percent.
func (c Cell) HiPct() string { return pct(c.Hi) }

// CVPct is the coefficient of variation in percent.
func (c Cell) CVPct() string { return strconv.FormatFloat(c.CV*100, 'f', 1, 64) }

// DEffText is the design effect with two decimals.
func (c Cell) DEffText() string { return strconv.FormatFloat(c.DEff, 'f', 2, 64) }

// GroupView is one group's cells on the report page.
type GroupView struct {
	Label string
	Cells []Cell
}

// ReportPage is a survey's report.
type ReportPage struct {
	web.Page
	Survey    Survey
	Report    Report
	Groups    []GroupView
	Rake      bool
	Err       string // why there is no report (no responses, a margin that does not fit, …)
	TruePct   string // demo surveys: the synthetic population's true share
	Trend     []TrendPoint
	ExportURL string
	MinCell   int
	MaxCVPct  int
}

// SurveyCSS is the survey style sheet's address.
func (ReportPage) SurveyCSS() string { return cssURL }

func (h *Handler) report(w http.ResponseWriter, r *http.Request) error {
	id, err := web.PathID(r, "id")
	if err != nil {
		return err
	}
	rake := r.URL.Query().Get("rake") != "0"
	scope := account.ScopeOf(r.Context())
	sv, err := h.Store.Get(r.Context(), scope, id)
	if err != nil {
		return err
	}
	p := ReportPage{Page: h.Kit.Page(r, "survey.report_title", sv.Title), Survey: sv, Rake: rake, MinCell: MinCell, MaxCVPct: int(MaxCV * 100),
		ExportURL: fmt.Sprintf("/console/surveys/%d/report.xlsx?rake=%s", id, map[bool]string{true: "1", false: "0"}[rake])}
	if sv.DemoTrueShare != nil {
		p.TruePct = pct(*sv.DemoTrueShare)
	}
	rep, err := h.Store.Report(r.Context(), scope, id, rake)
	status := http.StatusOK
	switch {
	case err == nil:
		p.Report = rep
		for _, g := range Groups {
			p.Groups = append(p.Groups, GroupView{Label: GroupLabel(g), Cells: rep.Group(g)})
		}
	case !shown(err):
		return err
	default:
		p.Err = err.Error()
		status = http.StatusUnprocessableEntity
		if errors.Is(err, ErrNoResponses) {
			status = http.StatusOK
		}
	}
	if p.Trend, err = h.Store.Trend(r.Context(), scope, sv.RegionCode); err != nil {
		return err
	}
	return h.Kit.Render.HTML(w, r, status, "survey/report", p)
}

// ReportSchema is the columns of the report export: one row a cell.
func ReportSchema() sheet.Schema {
	return sheet.Schema{Name: "公民科学素质估计", Columns: []sheet.Column{
		{Key: "group", Header: "分组", Kind: sheet.Text}, {Key: "label", Header: "类别", Kind: sheet.Text},
		{Key: "n", Header: "样本量", Kind: sheet.Int}, {Key: "share", Header: "具备科学素质比例（%）", Kind: sheet.Decimal},
		{Key: "lo", Header: "95%置信区间下限（%）", Kind: sheet.Decimal}, {Key: "hi", Header: "95%置信区间上限（%）", Kind: sheet.Decimal},
		{Key: "se", Header: "标准误（%）", Kind: sheet.Decimal}, {Key: "cv", Header: "变异系数（%）", Kind: sheet.Decimal},
		{Key: "deff", Header: "设计效应", Kind: sheet.Decimal}, {Key: "note", Header: "说明", Kind: sheet.Text},
	}}
}

func round(x float64, d int) float64 {
	v, _ := strconv.ParseFloat(strconv.FormatFloat(x, 'f', d, 64), 64)
	return v
}

// exportReport writes the report as .xlsx: suppressed cells keep their group, label, sample
// size and reason, and no share.
func (h *Handler) exportReport(w http.ResponseWriter, r *http.Request) error {
	id, err := web.PathID(r, "id")
	if err != nil {
		return err
	}
	rep, err := h.Store.Report(r.Context(), account.ScopeOf(r.Context()), id, r.URL.Query().Get("rake") != "0")
	if err != nil {
		if !shown(err) {
			return err
		}
		return &web.Error{Status: http.StatusUnprocessableEntity, Key: "survey.err.report", Args: []any{err.Error()}}
	}
	w.Header().Set("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
	name := fmt.Sprintf("%s-%d.xlsx", ReportSchema().Name, rep.Survey.Year)
	w.Header().Set("Content-Disposition", "attachment; filename*=UTF-8''"+url.PathEscape(name))
	return sheet.Write(w, "xlsx", ReportSchema(), func(yield func([]any) bool) error {
		for _, c := range rep.Cells {
			row := []any{GroupLabel(c.Group), c.Label, int64(c.N), nil, nil, nil, nil, nil, nil, c.Reason}
			if !c.Suppressed {
				row[3], row[4], row[5], row[6], row[7], row[8] = round(c.Share*100, 2), round(c.Lo*100, 2), round(c.Hi*100, 2), round(c.SE*100, 3), round(c.CV*100, 1), round(c.DEff, 2)
				if rep.Raked {
					row[9] = "已按人口边际加权调整"
				}
			}
			if !yield(row) {
				return nil
			}
		}
		return nil
	})
}

// TrendPage is the trend of a unit's surveys beside the published figures.
type TrendPage struct {
	web.Page
	Unit   string
	Points []TrendPoint
}

func (h *Handler) trend(w http.ResponseWriter, r *http.Request) error {
	scope := account.ScopeOf(r.Context())
	unit := r.URL.Query().Get("region")
	if unit == "" {
		if roots := scope.Roots(); len(roots) > 0 {
			unit = roots[0]
		}
	}
	pts, err := h.Store.Trend(r.Context(), scope, unit)
	if err != nil {
		return err
	}
	// The trend is shown inside the report page's template section; a stand-alone trend page
	// reuses the report template with no survey.
	p := ReportPage{Page: h.Kit.Page(r, "survey.trend_title"), Trend: pts, MinCell: MinCell, MaxCVPct: int(MaxCV * 100)}
	return h.Kit.Render.HTML(w, r, http.StatusOK, "survey/report", p)
}

// CellJSON is a report cell in the API: shares in percent; a suppressed cell has no numbers.
type CellJSON struct {
	Group      string   `json:"group"`
	Key        string   `json:"key"`
	Label      string   `json:"label"`
	N          int      `json:"n"`
	Share      *float64 `json:"share_percent,omitempty"`
	Lo         *float64 `json:"ci_low_percent,omitempty"`
	Hi         *float64 `json:"ci_high_percent,omitempty"`
	SE         *float64 `json:"se_percent,omitempty"`
	CV         *float64 `json:"cv_percent,omitempty"`
	DEff       *float64 `json:"deff,omitempty"`
	Suppressed bool     `json:"suppressed"`
	Reason     string   `json:"reason,omitempty"`
}

func cellJSON(c Cell) CellJSON {
	j := CellJSON{Group: c.Group, Key: c.Key, Label: c.Label, N: c.N, Suppressed: c.Suppressed, Reason: c.Reason}
	if !c.Suppressed {
		f := func(x float64) *float64 { return &x }
		j.Share, j.Lo, j.Hi, j.SE, j.CV, j.DEff = f(c.Share*100), f(c.Lo*100), f(c.Hi*100), f(c.SE*100), f(c.CV*100), f(c.DEff)
	}
	return j
}

func (h *Handler) apiList(w http.ResponseWriter, r *http.Request) error {
	p, err := account.APIStaff(r)
	if err != nil {
		return err
	}
	year, _ := strconv.Atoi(r.URL.Query().Get("year"))
	hs, err := h.Store.Headlines(r.Context(), p.Scope(), year)
	if err != nil {
		return err
	}
	type item struct {
		ID         int64    `json:"id"`
		RegionCode string   `json:"region_code"`
		Year       int      `json:"year"`
		Title      string   `json:"title"`
		N          int      `json:"n"`
		Share      *float64 `json:"share_percent,omitempty"`
		Lo         *float64 `json:"ci_low_percent,omitempty"`
		Hi         *float64 `json:"ci_high_percent,omitempty"`
		Raked      bool     `json:"raked"`
		Suppressed bool     `json:"suppressed"`
		Reason     string   `json:"reason,omitempty"`
	}
	out := []item{}
	for _, x := range hs {
		it := item{ID: x.SurveyID, RegionCode: x.RegionCode, Year: x.Year, Title: x.Title, N: x.N, Raked: x.Raked, Suppressed: x.Suppressed, Reason: x.Reason}
		if !x.Suppressed {
			s, lo, hi := x.Share, x.Lo, x.Hi
			it.Share, it.Lo, it.Hi = &s, &lo, &hi
		}
		out = append(out, it)
	}
	web.WriteJSON(w, http.StatusOK, map[string]any{"surveys": out})
	return nil
}

func (h *Handler) apiReport(w http.ResponseWriter, r *http.Request) error {
	p, err := account.APIStaff(r)
	if err != nil {
		return err
	}
	id, err := web.PathID(r, "id")
	if err != nil {
		return err
	}
	rep, err := h.Store.Report(r.Context(), p.Scope(), id, r.URL.Query().Get("rake") != "0")
	if err != nil {
		if !shown(err) {
			return err
		}
		return &web.Error{Status: http.StatusUnprocessableEntity, Key: "survey.err.report", Args: []any{err.Error()}}
	}
	cells := make([]CellJSON, len(rep.Cells))
	for i, c := range rep.Cells {
		cells[i] = cellJSON(c)
	}
	web.WriteJSON(w, http.StatusOK, map[string]any{"id": rep.Survey.ID, "year": rep.Survey.Year, "n": rep.N, "raked": rep.Raked, "unanswered": rep.Unanswered, "cells": cells})
	return nil
}
