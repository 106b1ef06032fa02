package assess

import (
	"errors"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/kepu/kepu/internal/account"
	"github.com/kepu/kepu/internal/db"
	"github.com/kepu/kepu/internal/region"
	"github.com/kepu/kepu/internal/sheet"
	"github.com/kepu/kepu/internal/web"
)

// FormRows is how many indicator lines the system form offers.
const FormRows = 8

// Option is a choice in a select.
type Option struct {
	Value, Label string
	Selected     bool
}

// IndexPage lists the systems the caller can see.
type IndexPage struct {
	web.Page
	Systems []SystemLine
}

// SystemLine is one system in the list.
type SystemLine struct {
	System
	LevelLabel string
	AwardName  string
	Items      int
}

func (h *Handler) index(w http.ResponseWriter, r *http.Request) error {
	list, err := h.Store.List(r.Context(), account.ScopeOf(r.Context()))
	if err != nil {
		return err
	}
	p := IndexPage{Page: h.Kit.Page(r, "assess.title")}
	for _, s := range list {
		line := SystemLine{System: s, LevelLabel: LevelLabel(s.Level)}
		if a, ok := AwardOf(s.Award); ok {
			line.AwardName = a.Name
		}
		p.Systems = append(p.Systems, line)
	}
	return h.Kit.Render.HTML(w, r, http.StatusOK, "assess/index", p)
}

// ItemLine is one indicator line of the form, as typed.
type ItemLine struct {
	Index             int
	Code, Weight, Min string
	Norm              string
	Codes, Norms      []Option
	Error             string
}

// FormPage is the system form.
type FormPage struct {
	web.Page
	ID                     int64 // 0 for a new system
	Name, Year, Root, TopN string
	Levels, Awards         []Option
	Lines                  []ItemLine
	Errors                 web.FieldErrors
	Catalogue              []CatalogueGroup
}

// CatalogueGroup lists a level's indicators beside the form.
type CatalogueGroup struct {
	Label      string
	Indicators []Indicator
}

func (h *Handler) form(r *http.Request, v url.Values, errs web.FieldErrors) FormPage {
	p := FormPage{Page: h.Kit.Page(r, "assess.new"), Name: v.Get("name"), Year: v.Get("year"), Root: v.Get("root"), TopN: v.Get("top_n"), Errors: errs}
	for _, l := range Levels {
		p.Levels = append(p.Levels, Option{l.Slug, l.Label, v.Get("level") == l.Slug})
		p.Catalogue = append(p.Catalogue, CatalogueGroup{l.Label, h.Engine.Catalogue(l.Slug)})
	}
	p.Awards = []Option{{"", "—", v.Get("award") == ""}}
	for _, a := range Awards {
		p.Awards = append(p.Awards, Option{a.Slug, fmt.Sprintf("%s（%s前 %d 名）", a.Name, LevelLabel(a.Level), a.TopN), v.Get("award") == a.Slug})
	}
	all := h.Engine.Source.Indicators()
	for i := range FormRows {
		n := strconv.Itoa(i)
		line := ItemLine{Index: i, Code: v.Get("code_" + n), Weight: v.Get("weight_" + n), Min: v.Get("min_" + n), Norm: v.Get("norm_" + n), Error: errs["item."+n]}
		line.Codes = []Option{{"", "—", line.Code == ""}}
		for _, ind := range all {
			line.Codes = append(line.Codes, Option{ind.Code, ind.Code + " " + ind.Name, ind.Code == line.Code})
		}
		for _, nm := range Normalizations {
			line.Norms = append(line.Norms, Option{string(nm), normLabel(nm), string(nm) == line.Norm})
		}
		p.Lines = append(p.Lines, line)
	}
	return p
}

func (h *Handler) newForm(w http.ResponseWriter, r *http.Request) error {
	v := url.Values{"year": {strconv.Itoa(time.Now().In(web.China).Year())}, "level": {LevelLeague}}
	if roots := account.ScopeOf(r.Context()).Roots(); len(roots) == 1 {
		v.Set("root", roots[0])
	}
	for i := range 3 {
		v.Set("norm_"+strconv.Itoa(i), string(MinMax))
	}
	return h.Kit.Render.HTML(w, r, http.StatusOK, "assess/form", h.form(r, v, nil))
}

// parseForm reads a system from the form; lines without an indicator are skipped, and a
// line's number problems are reported under its own key.
func parseForm(v url.Values) (System, web.FieldErrors) {
	errs := web.FieldErrors{}
	sys := System{Name: v.Get("name"), Level: v.Get("level"), Award: v.Get("award")}
	var err error
	if sys.Year, err = strconv.Atoi(strings.TrimSpace(v.Get("year"))); err != nil {
		errs["year"] = "年份应为四位数字"
	}
	if c, err := region.Normalize(v.Get("root")); err == nil {
		sys.Root = c
	} else {
		sys.Root = v.Get("root")
	}
	if t := strings.TrimSpace(v.Get("top_n")); t != "" {
		if sys.TopN, err = strconv.Atoi(t); err != nil {
			errs["award"] = "入围名额应为整数"
		}
	}
	for i := range FormRows {
		n := strconv.Itoa(i)
		code := strings.TrimSpace(v.Get("code_" + n))
		if code == "" {
			continue
		}
		it := Item{Code: code, Norm: Normalization(v.Get("norm_" + n))}
		key := fmt.Sprintf("item.%d", len(sys.Items))
		wt, err := strconv.ParseFloat(strings.TrimSpace(v.Get("weight_"+n)), 64)
		if err != nil || math.IsNaN(wt) {
			errs[key] = fmt.Sprintf("第 %d 行：权重应为数字", i+1)
		}
		it.Weight = wt
		if m := strings.TrimSpace(v.Get("min_" + n)); m != "" {
			x, err := strconv.ParseFloat(m, 64)
			if err != nil {
				errs[key] = fmt.Sprintf("第 %d 行：最低要求应为数字", i+1)
			}
			it.Minimum = &x
		}
		sys.Items = append(sys.Items, it)
	}
	return sys, errs
}

// valuesOf fills the form from a saved system.
func valuesOf(sys System) url.Values {
	v := url.Values{"name": {sys.Name}, "year": {strconv.Itoa(sys.Year)}, "level": {sys.Level}, "root": {sys.Root}, "award": {sys.Award}}
	if sys.TopN > 0 {
		v.Set("top_n", strconv.Itoa(sys.TopN))
	}
	for i, it := range sys.Items {
		n := strconv.Itoa(i)
		v.Set("code_"+n, it.Code)
		v.Set("weight_"+n, strconv.FormatFloat(it.Weight, 'f', -1, 64))
		v.Set("norm_"+n, string(it.Norm))
		if it.Minimum != nil {
			v.Set("min_"+n, strconv.FormatFloat(*it.Minimum, 'f', -1, 64))
		}
	}
	return v
}

// editable loads a system the caller may change (its root inside the caller's scope).
func (h *Handler) editable(r *http.Request) (System, error) {
	id, err := web.PathID(r, "id")
	if err != nil {
		return System{}, err
	}
	scope := account.ScopeOf(r.Context())
	sys, err := h.Store.Get(r.Context(), scope, id)
	if errors.Is(err, db.ErrNotFound) {
		return sys, web.NotFound(err)
	}
	if err != nil {
		return sys, err
	}
	if !scope.Contains(sys.Root) {
		return sys, web.Forbidden(ErrOutOfScope)
	}
	return sys, nil
}

func (h *Handler) editForm(w http.ResponseWriter, r *http.Request) error {
	sys, err := h.editable(r)
	if err != nil {
		return err
	}
	p := h.form(r, valuesOf(sys), nil)
	p.ID = sys.ID
	return h.Kit.Render.HTML(w, r, http.StatusOK, "assess/form", p)
}

func (h *Handler) update(w http.ResponseWriter, r *http.Request) error {
	sys, err := h.editable(r)
	if err != nil {
		return err
	}
	return h.save(w, r, sys.ID)
}

func (h *Handler) create(w http.ResponseWriter, r *http.Request) error { return h.save(w, r, 0) }

// save creates (id 0) or replaces a system from the posted form.
func (h *Handler) save(w http.ResponseWriter, r *http.Request, id int64) error {
	if err := r.ParseForm(); err != nil {
		return web.Errorf(http.StatusBadRequest, "assess.err.form")
	}
	sys, errs := parseForm(r.PostForm)
	sys.ID = id
	for k, m := range sys.Validate(h.Engine.Known) {
		if _, ok := errs[k]; !ok {
			errs[k] = m
		}
	}
	scope := account.ScopeOf(r.Context())
	if _, ok := errs["root"]; !ok && !scope.Contains(sys.Root) {
		errs["root"] = "该区划不在您的管理范围内"
	}
	// Line errors are keyed by item position; show them on the form's lines.
	shown := web.FieldErrors{}
	pos := 0
	for i := range FormRows {
		n := strconv.Itoa(i)
		if strings.TrimSpace(r.PostForm.Get("code_"+n)) == "" {
			continue
		}
		if m, ok := errs[fmt.Sprintf("item.%d", pos)]; ok {
			shown["item."+n] = m
		}
		pos++
	}
	for k, m := range errs {
		if !strings.HasPrefix(k, "item.") {
			shown[k] = m
		}
	}
	refuse := func() error {
		p := h.form(r, r.PostForm, shown)
		p.ID = id
		return h.Kit.Render.HTML(w, r, http.StatusUnprocessableEntity, "assess/form", p)
	}
	if len(shown) > 0 {
		return refuse()
	}
	id, err := h.Store.Save(r.Context(), scope, account.FromContext(r.Context()).ID, sys)
	if errors.Is(err, db.ErrConflict) {
		shown["name"] = "该范围和年度已有同名的指标体系"
		return refuse()
	}
	if err != nil {
		return err
	}
	http.Redirect(w, r, fmt.Sprintf("/console/stats/assess/%d", id), http.StatusSeeOther)
	return nil
}

// Cell is one indicator of a row in the breakdown.
type Cell struct {
	Part
	Records string
	Unit    string
}

// RankRow is a ranked subject with its breakdown and evidence.
type RankRow struct {
	Ranked
	Cells    []Cell // one per item
	Evidence []Cell // one per evidence indicator
}

// RankingPage shows a system's ranking (or an award's shortlist) with each score's breakdown.
type RankingPage struct {
	web.Page
	System     System
	LevelLabel string
	Award      *Award
	Items      []ItemView
	Evidence   []Indicator
	Rows       []RankRow
	Unranked   []RankRow
	CanEdit    bool
}

// ItemView is an item with its indicator's names.
type ItemView struct {
	Item
	Indicator
	NormLabel string
}

func (h *Handler) load(r *http.Request) (Ranking, error) {
	id, err := web.PathID(r, "id")
	if err != nil {
		return Ranking{}, err
	}
	scope := account.ScopeOf(r.Context())
	sys, err := h.Store.Get(r.Context(), scope, id)
	if errors.Is(err, db.ErrNotFound) {
		return Ranking{}, web.NotFound(err)
	}
	if err != nil {
		return Ranking{}, err
	}
	return h.Engine.Rank(r.Context(), scope, sys)
}

func cells(rk Ranked, inds []Indicator, parts []Part) []Cell {
	out := make([]Cell, len(inds))
	for i, ind := range inds {
		c := Cell{Unit: ind.Unit, Records: rk.Figures[ind.Code].Records}
		if parts != nil {
			c.Part = parts[i]
		} else if v := rk.Figures[ind.Code].Value; v != nil {
			c.Raw = *v
		} else {
			c.Missing = true
		}
		out[i] = c
	}
	return out
}

func (h *Handler) ranking(w http.ResponseWriter, r *http.Request) error {
	rk, err := h.load(r)
	if err != nil {
		return err
	}
	sys := rk.System
	p := RankingPage{Page: h.Kit.Page(r, "assess.ranking", sys.Name), System: sys, LevelLabel: LevelLabel(sys.Level), Evidence: rk.Evidence,
		CanEdit: account.ScopeOf(r.Context()).Contains(sys.Root)}
	if a, ok := AwardOf(sys.Award); ok {
		p.Award = &a
	}
	for i, it := range sys.Items {
		p.Items = append(p.Items, ItemView{Item: it, Indicator: rk.Items[i], NormLabel: normLabel(it.Norm)})
	}
	list := rk.Rows
	if p.Award != nil {
		list = rk.Shortlist(sys.TopN)
	}
	for _, x := range list {
		row := RankRow{Ranked: x, Cells: cells(x, rk.Items, x.Parts), Evidence: cells(x, rk.Evidence, nil)}
		if x.Qualified {
			p.Rows = append(p.Rows, row)
		} else {
			p.Unranked = append(p.Unranked, row)
		}
	}
	return h.Kit.Render.HTML(w, r, http.StatusOK, "assess/ranking", p)
}

// export writes the ranking (or the award's shortlist) as .xlsx: rank, name, unit, score, each
// item's raw value, normalized value and contribution, then every evidence figure.
func (h *Handler) export(w http.ResponseWriter, r *http.Request) error {
	rk, err := h.load(r)
	if err != nil {
		return err
	}
	sys := rk.System
	schema := sheet.Schema{Name: sys.Name, Columns: []sheet.Column{
		{Key: "rank", Header: "名次", Kind: sheet.Int}, {Key: "name", Header: "名称"}, {Key: "region", Header: "区划代码"}, {Key: "region_name", Header: "所在地区"},
		{Key: "score", Header: "得分", Kind: sheet.Decimal}, {Key: "qualified", Header: "达到门槛"}}}
	for _, ind := range rk.Items {
		schema.Columns = append(schema.Columns,
			sheet.Column{Key: ind.Code + ".raw", Header: fmt.Sprintf("%s（%s）", ind.Name, ind.Unit), Kind: sheet.Decimal},
			sheet.Column{Key: ind.Code + ".norm", Header: ind.Name + "·标准化值", Kind: sheet.Decimal},
			sheet.Column{Key: ind.Code + ".contrib", Header: ind.Name + "·得分贡献", Kind: sheet.Decimal})
	}
	for _, ind := range rk.Evidence {
		schema.Columns = append(schema.Columns, sheet.Column{Key: "ev." + ind.Code, Header: fmt.Sprintf("佐证：%s（%s）", ind.Name, ind.Unit), Kind: sheet.Decimal})
	}
	list := rk.Rows
	if _, ok := AwardOf(sys.Award); ok {
		list = rk.Shortlist(sys.TopN)
	}
	rows := func(yield func([]any) bool) error {
		for _, x := range list {
			q := "是"
			if !x.Qualified {
				q = "否"
			}
			var rank any // blank for a unit below a threshold (not ranked)
			if x.Rank > 0 {
				rank = int64(x.Rank)
			}
			row := []any{rank, x.Name, x.Region, x.RegionName, round2(x.Score), q}
			for _, p := range x.Parts {
				var raw any
				if !p.Missing {
					raw = p.Raw
				}
				row = append(row, raw, round2(p.Normalized), round2(p.Contribution))
			}
			for _, ind := range rk.Evidence {
				var v any
				if f := x.Figures[ind.Code].Value; f != nil {
					v = *f
				}
				row = append(row, v)
			}
			if !yield(row) {
				break
			}
		}
		return nil
	}
	w.Header().Set("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
	name := fmt.Sprintf("%s-%d.xlsx", sys.Name, sys.Year)
	w.Header().Set("Content-Disposition", "attachment; filename*=UTF-8''"+url.PathEscape(name))
	return sheet.Write(w, "xlsx", schema, rows)
}

func round2(x float64) float64 { return math.Round(x*100) / 100 }

func (h *Handler) remove(w http.ResponseWriter, r *http.Request) error {
	id, err := web.PathID(r, "id")
	if err != nil {
		return err
	}
	err = h.Store.Delete(r.Context(), account.ScopeOf(r.Context()), id)
	switch {
	case errors.Is(err, db.ErrNotFound):
		return web.NotFound(err)
	case errors.Is(err, ErrOutOfScope):
		return web.Forbidden(err)
	case err != nil:
		return err
	}
	http.Redirect(w, r, "/console/stats/assess", http.StatusSeeOther)
	return nil
}

// Fmt writes a figure for a page: at most two decimals, no trailing zeros; "—" when missing.
func Fmt(x float64, missing bool) string {
	if missing {
		return "—"
	}
	return strconv.FormatFloat(round2(x), 'f', -1, 64)
}

// RawText is the cell's raw value for a page.
func (c Cell) RawText() string { return Fmt(c.Raw, c.Missing) }

// NormText is the cell's normalized value for a page.
func (c Cell) NormText() string { return Fmt(c.Normalized, c.Missing) }

// ContribText is the cell's contribution for a page.
func (c Cell) ContribText() string { return Fmt(c.Contribution, false) }

// ScoreText is the row's score for a page.
func (r RankRow) ScoreText() string { return Fmt(r.Score, false) }

// MinText is the item's threshold for a page ("" when none).
func (i ItemView) MinText() string {
	if i.Minimum == nil {
		return ""
	}
	return Fmt(*i.Minimum, false)
}
