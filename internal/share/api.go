package share

import (
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/kepu/kepu/internal/account"
	"github.com/kepu/kepu/internal/db"
	"github.com/kepu/kepu/internal/web"
)

// APIUnit is a unit's month in GET /api/v1/share/rankings. Counted clicks and actives leave out
// what confirmed review cases set aside (shown apart as held_…); clicks not counted are listed
// by reason; the national platform's figures are imported, shown apart and never added in.
type APIUnit struct {
	Code          string           `json:"code"`
	Name          string           `json:"name"`
	Shares        int64            `json:"shares"`
	CountedClicks int64            `json:"counted_clicks"`
	Flagged       map[string]int64 `json:"flagged"`
	FlaggedTotal  int64            `json:"flagged_total"`
	Actives       int64            `json:"actives"`
	HeldClicks    int64            `json:"held_clicks"`
	HeldShares    int64            `json:"held_shares"`
	HeldActives   int64            `json:"held_actives"`
	Registrations int64            `json:"registrations"`
	Population    *int64           `json:"population"`            // null: not known
	PerTenK       *float64         `json:"registrations_per_10k"` // registrations per 10,000 people; null without population
	National      *APINational     `json:"national"`              // null: nothing imported for the month
}

// APINational is the national platform's back-office figures of a unit-month, as imported.
type APINational struct {
	Officers int64 `json:"officers"`
	Shares   int64 `json:"shares"`
	Clicks   int64 `json:"clicks"`
}

func apiUnit(f Figures) APIUnit {
	u := APIUnit{Code: f.Code, Name: f.Name, Shares: f.Shares, CountedClicks: f.ClicksShown, Flagged: map[string]int64{}, FlaggedTotal: f.FlaggedSum,
		Actives: f.ActivesShown, HeldClicks: f.HeldClicks, HeldShares: f.HeldShares, HeldActives: f.HeldActives, Registrations: f.Officers}
	for rs, n := range f.Flagged {
		u.Flagged[string(rs)] = n
	}
	if f.Population > 0 {
		pop, per := f.Population, f.PerTenK
		u.Population, u.PerTenK = &pop, &per
	}
	if f.National != nil {
		u.National = &APINational{Officers: f.National.Officers, Shares: f.National.Shares, Clicks: f.National.Clicks}
	}
	return u
}

// apiUnitMonth is unitMonth for the API: staff only (401 anonymous, 403 public user), a month
// that is not YYYY-MM is a 400 (absent: this month), a unit outside the caller's scope or not in
// the division tree a 404.
func (h *Handler) apiUnitMonth(r *http.Request) (string, string, string, error) {
	if _, err := account.APIStaff(r); err != nil {
		return "", "", "", err
	}
	unit, month, err := h.unitMonth(r)
	if err != nil {
		return "", "", "", err
	}
	u, err := h.Store.Regions.Get(r.Context(), unit)
	if errors.Is(err, db.ErrNotFound) {
		return "", "", "", web.NotFound(err)
	}
	if err != nil {
		return "", "", "", err
	}
	return unit, u.Name, month, nil
}

// apiRankings serves GET /api/v1/share/rankings?region=&month=&by=: the month's figures of the
// unit and of each unit one level below it, the units ordered by by (clicks, actives,
// officers, per_population; default clicks), with the time registrations were last counted in
// full (officers registered since are in already).
func (h *Handler) apiRankings(w http.ResponseWriter, r *http.Request) error {
	unit, _, month, err := h.apiUnitMonth(r)
	if err != nil {
		return err
	}
	by := r.URL.Query().Get("by")
	switch by {
	case "":
		by = "clicks"
	case "clicks", "actives", "officers", "per_population":
	default:
		return web.Errorf(http.StatusBadRequest, "share.err.by", by)
	}
	counted, err := h.freshRegistrations(r.Context())
	if err != nil {
		return err
	}
	total, rows, err := h.Store.RegionFigures(r.Context(), unit, month)
	if err != nil {
		return err
	}
	out := struct {
		Region  string     `json:"region"`
		Month   string     `json:"month"`
		By      string     `json:"by"`
		Counted *time.Time `json:"registrations_counted_at"`
		Total   APIUnit    `json:"total"`
		Units   []APIUnit  `json:"units"`
	}{Region: unit, Month: month, By: by, Total: apiUnit(total), Units: []APIUnit{}}
	if !counted.IsZero() {
		out.Counted = &counted
	}
	for _, f := range Rank(rows, by) {
		out.Units = append(out.Units, apiUnit(f))
	}
	web.WriteJSON(w, http.StatusOK, out)
	return nil
}

// APIOfficer is an officer's month in GET /api/v1/share/officers.
type APIOfficer struct {
	Rank          int    `json:"rank"`
	Officer       int64  `json:"officer"`
	Name          string `json:"name"` // as the console's list shows it ("" when not readable)
	Region        string `json:"region"`
	Shares        int64  `json:"shares"`
	CountedClicks int64  `json:"counted_clicks"`
	Points        int64  `json:"points"`
	Level         int    `json:"level"`
}

// apiOfficers serves GET /api/v1/share/officers?region=&month=&limit=: the month's top
// officers of the unit's subtree by points (the 标兵 list; months set aside left out), at most
// limit (1–100, default 20).
func (h *Handler) apiOfficers(w http.ResponseWriter, r *http.Request) error {
	unit, _, month, err := h.apiUnitMonth(r)
	if err != nil {
		return err
	}
	limit := 20
	if v := r.URL.Query().Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 100 {
			return web.Errorf(http.StatusBadRequest, "share.err.limit", v)
		}
		limit = n
	}
	top, err := h.topOfficers(r, unit, month, limit)
	if err != nil {
		return err
	}
	out := struct {
		Region   string       `json:"region"`
		Month    string       `json:"month"`
		Officers []APIOfficer `json:"officers"`
	}{Region: unit, Month: month, Officers: []APIOfficer{}}
	for i, o := range top {
		out.Officers = append(out.Officers, APIOfficer{Rank: i + 1, Officer: o.Officer, Name: o.Name, Region: o.Region, Shares: o.Shares,
			CountedClicks: o.Clicks, Points: o.Points, Level: o.Level})
	}
	web.WriteJSON(w, http.StatusOK, out)
	return nil
}
