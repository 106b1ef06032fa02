package content

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/kepu/kepu/internal/account"
	"github.com/kepu/kepu/internal/db"
	"github.com/kepu/kepu/internal/sheet"
	"github.com/kepu/kepu/internal/web"
)

// PushRow is a push as the list shows it.
type PushRow struct {
	Push
	ChannelLabel string
}

// PushPage is the console page of outside-platform pushes: the list, the form to record a
// push and the form to import a platform's figures.
type PushPage struct {
	web.Page
	Rows         []PushRow
	Channels     []Option
	ImpChannels  []Option
	Channel      string
	V            PushInput
	ItemID       string
	Errors       ValidationError
	ImportErrors []string
	ImportForm   ReachInput
	ImportErr    ValidationError
	Imports      []ImportRow
}

// ImportRow is an import as the pushes page lists it.
type ImportRow struct {
	ReachImport
	ChannelLabel string
	Unmatched    int
}

func channelOptions(sel string) []Option {
	out := make([]Option, len(PushChannels))
	for i, k := range PushChannels {
		out[i] = Option{Value: k.Slug, Label: k.Label, Selected: k.Slug == sel}
	}
	return out
}

func (h *Handler) pushPage(r *http.Request, v PushInput, imp ReachInput) (PushPage, error) {
	p := account.FromContext(r.Context())
	ch := strings.TrimSpace(r.URL.Query().Get("channel"))
	if ChannelLabel(ch) == "" {
		ch = ""
	}
	pushes, err := h.Store.Pushes(r.Context(), PushFilter{Scope: ViewScope(p), Channel: ch})
	if err != nil {
		return PushPage{}, err
	}
	pg := PushPage{Page: h.Kit.Page(r, "push.title"), Channel: ch, V: v, ImportForm: imp}
	if roots := ViewScope(p).Roots(); len(roots) > 0 {
		if pg.V.RegionCode == "" {
			pg.V.RegionCode = roots[0]
		}
		if pg.ImportForm.RegionCode == "" {
			pg.ImportForm.RegionCode = roots[0]
		}
	}
	if pg.V.PushedOn == "" {
		pg.V.PushedOn = h.Store.now().In(China).Format(time.DateOnly)
	}
	if pg.ImportForm.FiguresOn == "" {
		pg.ImportForm.FiguresOn = h.Store.now().In(China).Format(time.DateOnly)
	}
	if v.ItemID > 0 {
		pg.ItemID = strconv.FormatInt(v.ItemID, 10)
	}
	pg.Channels, pg.ImpChannels = channelOptions(pg.V.Channel), channelOptions(pg.ImportForm.Channel)
	imports, err := h.Store.Imports(r.Context(), ViewScope(p), 20)
	if err != nil {
		return PushPage{}, err
	}
	for _, im := range imports {
		pg.Imports = append(pg.Imports, ImportRow{ReachImport: im, ChannelLabel: ChannelLabel(im.Channel), Unmatched: im.Read - im.Matched})
	}
	for _, x := range pushes {
		pg.Rows = append(pg.Rows, PushRow{Push: x, ChannelLabel: ChannelLabel(x.Channel)})
	}
	return pg, nil
}

// pushes serves GET /console/reach/pushes.
func (h *Handler) pushes(w http.ResponseWriter, r *http.Request) error {
	pg, err := h.pushPage(r, PushInput{ItemID: itemParam(r)}, ReachInput{})
	if err != nil {
		return err
	}
	return h.Kit.Render.HTML(w, r, http.StatusOK, "content/push", pg)
}

func itemParam(r *http.Request) int64 {
	id, _ := strconv.ParseInt(r.URL.Query().Get("item"), 10, 64)
	return id
}

// recordPush serves POST /console/reach/pushes: 303 to the list, or the page again (422)
// with the values kept and the messages beside the fields.
func (h *Handler) recordPush(w http.ResponseWriter, r *http.Request) error {
	p := account.FromContext(r.Context())
	in := PushInput{Channel: r.PostFormValue("channel"), PushedOn: r.PostFormValue("pushed_on"), URL: r.PostFormValue("url"),
		Title: r.PostFormValue("title"), RegionCode: strings.TrimSpace(r.PostFormValue("region_code"))}
	raw := strings.TrimSpace(r.PostFormValue("item_id"))
	in.ItemID, _ = strconv.ParseInt(raw, 10, 64)
	_, err := h.Store.RecordPush(r.Context(), ViewScope(p), p.ID, in)
	var ve ValidationError
	if errors.As(err, &ve) {
		pg, perr := h.pushPage(r, in, ReachInput{})
		if perr != nil {
			return perr
		}
		pg.Errors, pg.ItemID = ve, raw
		return h.Kit.Render.HTML(w, r, http.StatusUnprocessableEntity, "content/push", pg)
	}
	if err != nil {
		return err
	}
	http.Redirect(w, r, "/console/reach/pushes", http.StatusSeeOther)
	return nil
}

// importReach serves POST /console/reach/imports (multipart: channel, region_code,
// figures_on, file): 303 to the import's page, or the pushes page (422) listing every problem.
func (h *Handler) importReach(w http.ResponseWriter, r *http.Request) error {
	p := account.FromContext(r.Context())
	r.Body = http.MaxBytesReader(w, r.Body, MaxReachBytes+(1<<20))
	in := ReachInput{}
	fail := func(ve ValidationError, lines []string) error {
		pg, err := h.pushPage(r, PushInput{}, in)
		if err != nil {
			return err
		}
		pg.ImportErr, pg.ImportErrors = ve, lines
		return h.Kit.Render.HTML(w, r, http.StatusUnprocessableEntity, "content/push", pg)
	}
	if err := r.ParseMultipartForm(1 << 20); err != nil {
		return fail(ValidationError{"file": fmt.Sprintf("文件无法读取或超过 %d MB", MaxReachBytes>>20)}, nil)
	}
	in = ReachInput{Channel: r.FormValue("channel"), RegionCode: strings.TrimSpace(r.FormValue("region_code")), FiguresOn: strings.TrimSpace(r.FormValue("figures_on"))}
	file, hdr, err := r.FormFile("file")
	if err != nil {
		return fail(ValidationError{"file": "请选择要导入的 .xlsx 或 .csv 文件"}, nil)
	}
	defer file.Close()
	in.FileName = hdr.Filename
	id, err := h.Store.ImportReach(r.Context(), ViewScope(p), p.ID, in, file)
	var ve ValidationError
	var se sheet.Errors
	switch {
	case errors.As(err, &ve):
		return fail(ve, nil)
	case errors.As(err, &se):
		lines := []string{fmt.Sprintf("文件“%s”有 %d 处问题，未导入任何数据：", hdr.Filename, len(se))}
		for _, e := range se {
			lines = append(lines, e.Error())
		}
		return fail(nil, lines)
	case err != nil:
		return err
	}
	http.Redirect(w, r, fmt.Sprintf("/console/reach/imports/%d", id), http.StatusSeeOther)
	return nil
}

// ImportPage shows one import: the rows that matched no push first, then the matched ones.
type ImportPage struct {
	web.Page
	Im           ReachImport
	ChannelLabel string
	Unmatched    int
}

// reachImport serves GET /console/reach/imports/{id}: 404 outside the caller's scope.
func (h *Handler) reachImport(w http.ResponseWriter, r *http.Request) error {
	id, err := web.PathID(r, "id")
	if err != nil {
		return err
	}
	im, err := h.Store.Import(r.Context(), ViewScope(account.FromContext(r.Context())), id)
	if errors.Is(err, db.ErrNotFound) {
		return web.NotFound(err)
	}
	if err != nil {
		return err
	}
	pg := ImportPage{Page: h.Kit.Page(r, "push.import_title"), Im: im, ChannelLabel: ChannelLabel(im.Channel), Unmatched: im.Read - im.Matched}
	return h.Kit.Render.HTML(w, r, http.StatusOK, "content/push_import", pg)
}

// reachTemplate serves GET /console/reach/template[?format=csv]: an empty sheet with the
// columns an import reads (link, title, date, views, likes, shares), for platforms whose
// export has other headers.
func (h *Handler) reachTemplate(w http.ResponseWriter, r *http.Request) error {
	format := r.URL.Query().Get("format")
	switch format {
	case "", "xlsx":
		format = "xlsx"
		w.Header().Set("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
	case "csv":
		w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	default:
		return web.Errorf(http.StatusBadRequest, "registry.err.format")
	}
	w.Header().Set("Content-Disposition", "attachment; filename*=UTF-8''"+url.PathEscape(reachSchema.Name+"导入模板."+format))
	return sheet.Template(w, format, reachSchema)
}
