package share

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/kepu/kepu/internal/account"
	"github.com/kepu/kepu/internal/db"
	"github.com/kepu/kepu/internal/region"
	"github.com/kepu/kepu/internal/registry"
	"github.com/kepu/kepu/internal/share/click"
	"github.com/kepu/kepu/internal/web"
)

var monthRE = regexp.MustCompile(`^20[0-9]{2}-(0[1-9]|1[0-2])$`)

// ReportPage is the console's sharing report: a unit's month, counted and not counted by
// reason, per unit one level below, with the national platform's figures beside.
type ReportPage struct {
	web.Page
	Unit    string
	Month   string
	Total   Figures
	Rows    []Figures
	Reasons []click.Reason
	By      string
	Top     []OfficerRank
	Code    string // a sign-in code just issued (shown once)
	CodeFor int64
	Error   string
	Notice  string
	Counted time.Time // when registrations were counted
	// ImportErrors lists the problems of a refused national-figures file.
	ImportErrors []string
	// DataCentres is the configured ranges as typed (region admins edit them here).
	DataCentres  string
	CanConfigure bool
}

// RegistrationsTTL is how old the stored count of registrations may be before a page asks
// for a new one (made in the background). Officers registered since the count are added at
// once (Store.RegionFigures); the TTL bounds how long a deletion or a move between units takes
// to show, and the page says when the count was made.
const RegistrationsTTL = time.Hour

// freshRegistrations returns when registrations were counted, counting them now when they
// never were, and in the background when the count is older than RegistrationsTTL.
func (h *Handler) freshRegistrations(ctx context.Context) (time.Time, error) {
	at, err := h.Store.RegistrationsCounted(ctx)
	if err != nil || h.Store.Officers == nil {
		return at, err
	}
	if at.IsZero() {
		if err := h.Store.RefreshRegistrations(ctx); err != nil {
			return at, err
		}
		return h.Store.RegistrationsCounted(ctx)
	}
	if time.Since(at) > RegistrationsTTL && h.refreshing.CompareAndSwap(false, true) {
		go func() {
			defer h.refreshing.Store(false)
			if err := h.Store.RefreshRegistrations(context.Background()); err != nil {
				h.Kit.Log.Error("share registrations not counted", "err", err)
			}
		}()
	}
	return at, nil
}

// unitMonth reads ?region= and ?month= (defaults: the caller's first root, this month),
// checking the unit is in the caller's scope (404 outside it) and the month is YYYY-MM (400,
// share.err.month, with the value).
func (h *Handler) unitMonth(r *http.Request) (string, string, error) {
	p := account.FromContext(r.Context())
	unit := strings.TrimSpace(r.FormValue("region"))
	if unit == "" {
		roots := p.Scope().Roots()
		if len(roots) == 0 {
			return "", "", web.Forbidden(nil)
		}
		unit = roots[0]
		for len(unit) < 6 {
			unit += "0"
		}
	}
	if !p.Can(account.View, unit) {
		return "", "", web.NotFound(nil)
	}
	month := r.FormValue("month")
	if month == "" {
		month = Month(time.Now())
	} else if !monthRE.MatchString(month) {
		return "", "", web.Errorf(http.StatusBadRequest, "share.err.month", month)
	}
	return unit, month, nil
}

func (h *Handler) report(w http.ResponseWriter, r *http.Request) error {
	return h.renderReport(w, r, http.StatusOK, "share.report_title", "share/report", func(p *ReportPage) {})
}

func (h *Handler) rankings(w http.ResponseWriter, r *http.Request) error {
	return h.renderReport(w, r, http.StatusOK, "share.rankings_title", "share/rankings", func(p *ReportPage) {})
}

func (h *Handler) renderReport(w http.ResponseWriter, r *http.Request, status int, title, page string, fill func(p *ReportPage)) error {
	unit, month, err := h.unitMonth(r)
	if err != nil {
		return err
	}
	p := ReportPage{Page: h.Kit.Page(r, title), Unit: unit, Month: month, Reasons: click.Reasons, By: r.FormValue("by")}
	if p.Counted, err = h.freshRegistrations(r.Context()); err != nil {
		return err
	}
	if p.Total, p.Rows, err = h.Store.RegionFigures(r.Context(), unit, month); err != nil {
		return err
	}
	if page == "share/rankings" {
		p.Rows = Rank(p.Rows, p.By)
		if p.Top, err = h.topOfficers(r, unit, month, 20); err != nil {
			return err
		}
	}
	if pr := account.FromContext(r.Context()); pr.Holds(region.LevelRegion, unit) {
		p.CanConfigure = true
		if v, err := h.Store.DB.Setting(r.Context(), DataCentreSetting); err == nil {
			p.DataCentres = v
		}
	}
	fill(&p)
	return h.Kit.Render.HTML(w, r, status, page, p)
}

// topOfficers returns the month's top officers of unit with their names as the caller may read
// them in the registry (the web list and the API show the same).
func (h *Handler) topOfficers(r *http.Request, unit, month string, limit int) ([]OfficerRank, error) {
	top, err := h.Store.TopOfficers(r.Context(), unit, month, limit)
	if err != nil {
		return nil, err
	}
	scope := account.FromContext(r.Context()).Scope()
	for i := range top {
		if rec, err := h.Officers.Get(r.Context(), &registry.InformationOfficers, scope, top[i].Officer); err == nil {
			top[i].Name = rec.Values.Str("name")
		}
	}
	return top, nil
}

// issueCode gives an officer of the caller's scope a sign-in code and shows it once.
func (h *Handler) issueCode(w http.ResponseWriter, r *http.Request) error {
	pr := account.FromContext(r.Context())
	id, err := strconv.ParseInt(strings.TrimSpace(r.PostFormValue("officer")), 10, 64)
	var rec registry.Record
	if err == nil {
		rec, err = h.Officers.Get(r.Context(), &registry.InformationOfficers, pr.Scope(), id)
	}
	if err != nil {
		if err == nil || errors.Is(err, db.ErrNotFound) || errors.Is(err, registry.ErrOutOfScope) || errors.Is(err, strconv.ErrSyntax) || errors.Is(err, strconv.ErrRange) {
			return h.renderReport(w, r, http.StatusUnprocessableEntity, "share.report_title", "share/report", func(p *ReportPage) {
				p.Error = p.T("share.code_no_officer", r.PostFormValue("officer"))
			})
		}
		return err
	}
	if rec.Values.Str("status") == "inactive" {
		return h.renderReport(w, r, http.StatusUnprocessableEntity, "share.report_title", "share/report", func(p *ReportPage) {
			p.Error = p.T("share.code_inactive", id)
		})
	}
	code, err := h.Store.IssueCode(r.Context(), id, rec.Region(), pr.ID)
	if err != nil {
		return err
	}
	return h.renderReport(w, r, http.StatusOK, "share.report_title", "share/report", func(p *ReportPage) {
		p.Code, p.CodeFor = code, id
	})
}

// CasesPage is the anti-gaming review queue of a unit.
type CasesPage struct {
	web.Page
	Unit, Month, Status string
	Kind                string // "" for every kind
	Kinds               []string
	Cases               []Case
	Total               int // cases matching the filters (more than listed when over CasesListed)
	Scan                *ScanResult
	Error               string
}

func (h *Handler) cases(w http.ResponseWriter, r *http.Request) error {
	return h.renderCases(w, r, http.StatusOK, nil, "")
}

func (h *Handler) renderCases(w http.ResponseWriter, r *http.Request, status int, scan *ScanResult, problem string) error {
	unit, month, err := h.unitMonth(r)
	if err != nil {
		return err
	}
	p := CasesPage{Page: h.Kit.Page(r, "share.cases_title"), Unit: unit, Month: month, Status: r.FormValue("status"), Kind: r.FormValue("kind"), Scan: scan, Error: problem,
		Kinds: []string{click.KindBurst, click.KindDeviceFarm, click.KindRatio, click.KindBulkRegistration}}
	if p.Cases, err = h.Store.Cases(r.Context(), unit, p.Status, p.Kind); err != nil {
		return err
	}
	if p.Total, err = h.Store.CasesCount(r.Context(), unit, p.Status, p.Kind); err != nil {
		return err
	}
	for i := range p.Cases {
		if p.Cases[i].Log, err = h.Store.CaseLog(r.Context(), p.Cases[i].ID); err != nil {
			return err
		}
	}
	return h.Kit.Render.HTML(w, r, status, "share/cases", p)
}

// scan runs the detectors on the unit's month and shows the queue.
func (h *Handler) scan(w http.ResponseWriter, r *http.Request) error {
	unit, month, err := h.unitMonth(r)
	if err != nil {
		return err
	}
	res, err := h.Store.Scan(r.Context(), unit, month, h.Officers)
	if err != nil {
		return err
	}
	return h.renderCases(w, r, http.StatusOK, &res, "")
}

// decide confirms, dismisses or reopens a case (a note is required to confirm or reopen).
func (h *Handler) decide(w http.ResponseWriter, r *http.Request) error {
	pr := account.FromContext(r.Context())
	id, err := web.PathID(r, "id")
	if err != nil {
		return err
	}
	action, note := r.PathValue("action"), strings.TrimSpace(r.PostFormValue("note"))
	if action != "confirm" && action != "dismiss" && action != "reopen" {
		return web.NotFound(nil)
	}
	if note == "" && action != "dismiss" {
		return h.renderCases(w, r, http.StatusUnprocessableEntity, nil, h.Kit.Messages.T(web.Lang(r), "share.case_note_needed"))
	}
	err = h.Store.Decide(r.Context(), pr.Scope(), id, action, note, pr.ID)
	if errors.Is(err, db.ErrNotFound) {
		return web.NotFound(err)
	}
	if errors.Is(err, ErrCaseStep) {
		return h.renderCases(w, r, http.StatusConflict, nil, h.Kit.Messages.T(web.Lang(r), "share.case_wrong_step"))
	}
	if err != nil {
		return err
	}
	http.Redirect(w, r, "/console/share/cases?region="+r.FormValue("region")+"&month="+r.FormValue("month"), http.StatusSeeOther)
	return nil
}

// DataCentreSetting is the settings row of the data-centre ranges (CIDR, comma-separated)
// whose clicks are not counted.
const DataCentreSetting = "share_datacentre_ranges"

// LoadDataCentres reads the configured data-centre ranges into the recorder at start.
func (h *Handler) LoadDataCentres(ctx context.Context) error {
	v, err := h.Store.DB.Setting(ctx, DataCentreSetting)
	if errors.Is(err, db.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	ps, err := web.ParsePrefixes(v)
	if err != nil {
		return fmt.Errorf("setting %s: %w", DataCentreSetting, err)
	}
	h.Recorder.SetDataCentres(ps)
	return nil
}

// setDataCentres stores the data-centre ranges (region admins only) and applies them at once.
func (h *Handler) setDataCentres(w http.ResponseWriter, r *http.Request) error {
	pr := account.FromContext(r.Context())
	unit, _, err := h.unitMonth(r)
	if err != nil {
		return err
	}
	if !pr.Holds(region.LevelRegion, unit) {
		return web.Forbidden(nil)
	}
	v := strings.Join(strings.Fields(strings.ReplaceAll(r.PostFormValue("ranges"), "\n", ",")), ",")
	ps, perr := web.ParsePrefixes(v)
	if err = perr; err != nil {
		return h.renderReport(w, r, http.StatusUnprocessableEntity, "share.report_title", "share/report", func(p *ReportPage) {
			p.Error = p.T("share.datacentres_bad", err.Error())
			p.DataCentres = r.PostFormValue("ranges")
		})
	}
	if err := h.Store.DB.SetSetting(r.Context(), DataCentreSetting, v); err != nil {
		return err
	}
	h.Recorder.SetDataCentres(ps)
	return h.renderReport(w, r, http.StatusOK, "share.report_title", "share/report", func(p *ReportPage) {
		p.Notice = p.T("share.datacentres_saved", len(ps))
	})
}
