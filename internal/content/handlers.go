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
	"github.com/kepu/kepu/internal/activity"
	"github.com/kepu/kepu/internal/db"
	"github.com/kepu/kepu/internal/web"
)

// Option is one choice of a select or checkbox list.
type Option struct {
	Value, Label string
	Selected     bool
}

func kindOptions(sel string) []Option {
	out := make([]Option, len(Kinds))
	for i, k := range Kinds {
		out[i] = Option{k.Slug, k.Label, k.Slug == sel}
	}
	return out
}

func groupOptions(sel []string) []Option {
	out := make([]Option, len(activity.TargetGroups))
	for i, g := range activity.TargetGroups {
		out[i] = Option{g.Slug, g.Label, contains(sel, g.Slug)}
	}
	return out
}

func statusOptions(sel string) []Option {
	var out []Option
	for _, s := range []string{Draft, Review, Published, Withdrawn} {
		out = append(out, Option{s, StatusLabel(s), s == sel})
	}
	return out
}

// Row is an item as a list shows it.
type Row struct {
	Item
	KindLabel, StatusLabel string
	Scheduled              bool // published with a publish_at still to come
}

func rowOf(it Item, now time.Time) Row {
	return Row{Item: it, KindLabel: KindLabel(it.Kind), StatusLabel: StatusLabel(it.Status), Scheduled: it.Status == Published && it.PublishAt.After(now)}
}

// ListPage is the data of the console list.
type ListPage struct {
	web.Page
	Filter          Filter
	Rows            []Row
	Total           int
	Next            string
	Kinds, Statuses []Option
}

func (h *Handler) list(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	f := Filter{Scope: ViewScope(account.FromContext(r.Context())), Kind: q.Get("kind"), Status: q.Get("status"), Topic: strings.TrimSpace(q.Get("topic")),
		Emergency: q.Get("emergency") != ""}
	f.After, _ = strconv.ParseInt(q.Get("after"), 10, 64)
	page, err := h.Store.List(r.Context(), f)
	if err != nil {
		return err
	}
	p := ListPage{Page: h.Kit.Page(r, "content.console"), Filter: f, Total: page.Total, Kinds: kindOptions(f.Kind), Statuses: statusOptions(f.Status)}
	now := h.Store.now()
	for _, it := range page.Items {
		p.Rows = append(p.Rows, rowOf(it, now))
	}
	if page.Next != 0 {
		v := url.Values{}
		for k, s := range map[string]string{"kind": f.Kind, "status": f.Status, "topic": f.Topic} {
			if s != "" {
				v.Set(k, s)
			}
		}
		if f.Emergency {
			v.Set("emergency", "1")
		}
		v.Set("after", strconv.FormatInt(page.Next, 10))
		p.Next = "/console/content?" + v.Encode()
	}
	return h.Kit.Render.HTML(w, r, http.StatusOK, "content/list", p)
}

// formValues are the form's fields as typed, so that a refused form comes back as it was.
type formValues struct {
	RegionCode, Kind, Topics, VideoURL, Duration, Speaker, StartsAt, EndsAt string
	StreamURL, ReplayURL, SourcePlatform, SourceURL, PublishAt              string
	Groups                                                                  []string
	Emergency, Featured                                                     bool
	Zh, Mn                                                                  Version
}

const formTime = "2006-01-02T15:04" // <input type="datetime-local">, China time

func localTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(China).Format(formTime)
}

func valuesOf(it Item) formValues {
	v := formValues{RegionCode: it.RegionCode, Kind: it.Kind, Topics: strings.Join(it.Topics, "、"), VideoURL: it.VideoURL,
		Speaker: it.Speaker, StartsAt: localTime(it.StartsAt), EndsAt: localTime(it.EndsAt), StreamURL: it.StreamURL, ReplayURL: it.ReplayURL,
		SourcePlatform: it.SourcePlatform, SourceURL: it.SourceURL, PublishAt: localTime(it.PublishAt), Groups: it.TargetGroups,
		Emergency: it.Emergency, Featured: it.Featured, Zh: it.Zh, Mn: it.Mn}
	if it.Duration > 0 {
		v.Duration = strconv.Itoa(it.Duration)
	}
	return v
}

// MaxForm bounds the item form's body: two bodies, a poster and the rest.
const MaxForm = 4*MaxBody*2 + MaxPosterBytes + 64<<10

// parseForm reads the item form (multipart when a poster comes with it) into values, an Input
// and the poster; problems only the form can have come back per field.
func parseForm(w http.ResponseWriter, r *http.Request) (formValues, Input, string, []byte, ValidationError) {
	errs := ValidationError{}
	r.Body = http.MaxBytesReader(w, r.Body, MaxForm)
	var err error
	if strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/form-data") {
		err = r.ParseMultipartForm(1 << 20)
	} else {
		err = r.ParseForm()
	}
	if err != nil {
		errs["zh_body"] = fmt.Sprintf("表单过大或不完整：正文每种语言最多 %d KB，封面不超过 %d MB", MaxBody/1000, MaxPosterBytes>>20)
	}
	g := func(k string) string { return strings.TrimSpace(r.PostFormValue(k)) }
	v := formValues{RegionCode: g("region_code"), Kind: g("kind"), Topics: g("topics"), VideoURL: g("video_url"), Duration: g("duration"),
		Speaker: g("speaker"), StartsAt: g("starts_at"), EndsAt: g("ends_at"), StreamURL: g("stream_url"), ReplayURL: g("replay_url"),
		SourcePlatform: g("source_platform"), SourceURL: g("source_url"), PublishAt: g("publish_at"), Groups: r.PostForm["target_groups"],
		Emergency: g("emergency") != "", Featured: g("featured") != "",
		Zh: Version{Title: g("zh_title"), Summary: g("zh_summary"), Body: r.PostFormValue("zh_body")},
		Mn: Version{Title: g("mn_title"), Summary: g("mn_summary"), Body: r.PostFormValue("mn_body")}}
	in := Input{RegionCode: v.RegionCode, Kind: v.Kind, Topics: []string{v.Topics}, TargetGroups: v.Groups, Emergency: v.Emergency,
		Featured: v.Featured, VideoURL: v.VideoURL, Speaker: v.Speaker, StreamURL: v.StreamURL, ReplayURL: v.ReplayURL,
		SourcePlatform: v.SourcePlatform, SourceURL: v.SourceURL, Zh: v.Zh, Mn: v.Mn}
	if v.Duration != "" {
		n, err := strconv.Atoi(v.Duration)
		if err != nil {
			errs["duration"] = "时长请填写整数秒，如 300"
		}
		in.Duration = n
	}
	for _, t := range []struct {
		key, s string
		dst    *time.Time
	}{{"starts_at", v.StartsAt, &in.StartsAt}, {"ends_at", v.EndsAt, &in.EndsAt}, {"publish_at", v.PublishAt, &in.PublishAt}} {
		if t.s == "" {
			continue
		}
		tm, err := time.ParseInLocation(formTime, t.s, China)
		if err != nil {
			errs[t.key] = "时间格式应为 2026-05-20T09:00"
		}
		*t.dst = tm
	}
	var ct string
	var poster []byte
	if r.MultipartForm != nil {
		if file, hdr, err := r.FormFile("poster"); err == nil {
			defer file.Close()
			if hdr.Size > 0 {
				if ct, poster, err = ReadPoster(file); err != nil {
					errs["poster"] = err.Error()
				}
			}
		}
	}
	return v, in, ct, poster, errs
}

// FormPage is the data of the new and edit forms.
type FormPage struct {
	web.Page
	ID            int64
	V             formValues
	Errors        ValidationError
	Kinds, Groups []Option
	HasPoster     bool
	MaxBodyKB     int
}

func (h *Handler) form(r *http.Request, id int64, v formValues, errs ValidationError, hasPoster bool) FormPage {
	title := "content.new"
	if id != 0 {
		title = "content.edit"
	}
	return FormPage{Page: h.Kit.Page(r, title), ID: id, V: v, Errors: errs, Kinds: kindOptions(v.Kind), Groups: groupOptions(v.Groups),
		HasPoster: hasPoster, MaxBodyKB: MaxBody / 1000}
}

func (h *Handler) newForm(w http.ResponseWriter, r *http.Request) error {
	v := formValues{Kind: "article"}
	if p := account.FromContext(r.Context()); len(p.Grants) == 1 {
		v.RegionCode = p.Grants[0].RegionCode
	}
	return h.Kit.Render.HTML(w, r, http.StatusOK, "content/form", h.form(r, 0, v, nil, false))
}

func (h *Handler) saveErr(w http.ResponseWriter, r *http.Request, id int64, v formValues, hasPoster bool, err error) error {
	var ve ValidationError
	if errors.As(err, &ve) {
		return h.Kit.Render.HTML(w, r, http.StatusUnprocessableEntity, "content/form", h.form(r, id, v, ve, hasPoster))
	}
	return err
}

func (h *Handler) create(w http.ResponseWriter, r *http.Request) error {
	p := account.FromContext(r.Context())
	v, in, ct, poster, errs := parseForm(w, r)
	if len(errs) > 0 {
		return h.saveErr(w, r, 0, v, false, errs)
	}
	id, err := h.Store.Create(r.Context(), EditScope(p), p.ID, in, ct, poster)
	if err != nil {
		return h.saveErr(w, r, 0, v, false, err)
	}
	http.Redirect(w, r, fmt.Sprintf("/console/content/%d", id), http.StatusSeeOther)
	return nil
}

// record reads the item named in the path inside the caller's scope.
func (h *Handler) record(r *http.Request) (Item, error) {
	id, err := web.PathID(r, "id")
	if err != nil {
		return Item{}, err
	}
	it, err := h.Store.Get(r.Context(), ViewScope(account.FromContext(r.Context())), id)
	if errors.Is(err, db.ErrNotFound) {
		return it, web.NotFound(err)
	}
	return it, err
}

func (h *Handler) editForm(w http.ResponseWriter, r *http.Request) error {
	it, err := h.record(r)
	if err != nil {
		return err
	}
	if !it.Editable() {
		http.Redirect(w, r, fmt.Sprintf("/console/content/%d", it.ID), http.StatusSeeOther)
		return nil
	}
	return h.Kit.Render.HTML(w, r, http.StatusOK, "content/form", h.form(r, it.ID, valuesOf(it), nil, it.HasPoster))
}

func (h *Handler) update(w http.ResponseWriter, r *http.Request) error {
	it, err := h.record(r)
	if err != nil {
		return err
	}
	p := account.FromContext(r.Context())
	v, in, ct, poster, errs := parseForm(w, r)
	if len(errs) > 0 {
		return h.saveErr(w, r, it.ID, v, it.HasPoster, errs)
	}
	if !EditScope(p).Contains(it.RegionCode) {
		return h.detailPage(w, r, it, ErrNotEditor.Error())
	}
	if err := h.Store.Update(r.Context(), EditScope(p), p.ID, it.ID, in, ct, poster); err != nil {
		if errors.Is(err, ErrLocked) {
			return h.detailPage(w, r, it, err.Error())
		}
		return h.saveErr(w, r, it.ID, v, it.HasPoster, err)
	}
	http.Redirect(w, r, fmt.Sprintf("/console/content/%d", it.ID), http.StatusSeeOther)
	return nil
}

// DetailPage is the data of an item's console page.
type DetailPage struct {
	web.Page
	It          Row
	GroupLabels []string
	Steps       []Step
	Names       map[int64]string
	Problem     string
	// CanEdit: the caller may edit, submit and reopen the item (EditScope); CanReview: it may
	// publish, return and withdraw it (ReviewScope); CanPublish: CanReview and not its last
	// editor.
	CanEdit, CanReview  bool
	CanPublish, OwnEdit bool
	PublicURL           string
}

func (h *Handler) detail(w http.ResponseWriter, r *http.Request) error {
	it, err := h.record(r)
	if err != nil {
		return err
	}
	return h.detailPage(w, r, it, "")
}

func (h *Handler) detailPage(w http.ResponseWriter, r *http.Request, it Item, problem string) error {
	ctx := r.Context()
	p := account.FromContext(ctx)
	steps, err := h.Store.Steps(ctx, it.ID)
	if err != nil {
		return err
	}
	now := h.Store.now()
	d := DetailPage{Page: h.Kit.Page(r, "content.console"), It: rowOf(it, now), Steps: steps, Problem: problem,
		CanEdit: EditScope(p).Contains(it.RegionCode), CanReview: ReviewScope(p).Contains(it.RegionCode)}
	d.CanPublish = d.CanReview && it.Status == Review && it.EditedBy != p.ID
	d.OwnEdit = d.CanReview && it.Status == Review && it.EditedBy == p.ID
	d.Title = it.Zh.Title
	if it.Public(now) {
		d.PublicURL = fmt.Sprintf("/content/%d", it.ID)
	}
	if h.AccountNames != nil {
		ids := []int64{}
		for _, st := range steps {
			ids = append(ids, st.AccountID)
		}
		d.Names, _ = h.AccountNames(ctx, ids) // a missing name shows the id
	}
	for _, g := range it.TargetGroups {
		d.GroupLabels = append(d.GroupLabels, activity.GroupLabel(g))
	}
	status := http.StatusOK
	if problem != "" {
		status = http.StatusConflict
	}
	return h.Kit.Render.HTML(w, r, status, "content/detail", d)
}

// act takes a workflow step: submit, return, publish, withdraw, reopen (note from the form).
func (h *Handler) act(w http.ResponseWriter, r *http.Request) error {
	it, err := h.record(r)
	if err != nil {
		return err
	}
	action := r.PathValue("action")
	switch action {
	case ActSubmit, ActReturn, ActPublish, ActWithdraw, ActReopen:
	default:
		return web.NotFound(fmt.Errorf("no action %q", action))
	}
	ctx := r.Context()
	p := account.FromContext(ctx)
	scope, refusal := EditScope(p), ErrNotEditor
	if ReviewAction(action) {
		scope, refusal = ReviewScope(p), ErrNotReviewer
	}
	if !scope.Contains(it.RegionCode) {
		return h.detailPage(w, r, it, refusal.Error())
	}
	err = h.Store.Act(ctx, scope, p.ID, it.ID, action, r.PostFormValue("note"))
	var ve ValidationError
	switch {
	case errors.Is(err, ErrWrongStep), errors.Is(err, ErrOwnEdit), errors.Is(err, ErrNoReason), errors.As(err, &ve):
		it, _ = h.Store.Get(ctx, ViewScope(p), it.ID)
		return h.detailPage(w, r, it, err.Error())
	case err != nil:
		return err
	}
	h.pages.Forget(strconv.FormatInt(it.ID, 10) + "\x00") // this process shows the change at once
	target := fmt.Sprintf("/console/content/%d", it.ID)
	if action == ActReopen {
		target += "/edit"
	}
	http.Redirect(w, r, target, http.StatusSeeOther)
	return nil
}

func (h *Handler) consolePoster(w http.ResponseWriter, r *http.Request) error {
	id, _ := strconv.ParseInt(r.PathValue("id"), 10, 64)
	return h.poster(w, r, id, false)
}

// poster serves an item's poster: the original, or with ?size= one of PosterSizes (scaled
// down, never up, as JPEG; cached in memory by resizedPoster). 400 for an unknown size, 422
// when the stored image can not be resized (broken, or above MaxPosterPixels).
func (h *Handler) poster(w http.ResponseWriter, r *http.Request, id int64, public bool) error {
	width := 0
	if name := r.URL.Query().Get("size"); name != "" {
		var ok bool
		if width, ok = PosterSizes[name]; !ok {
			return web.Errorf(http.StatusBadRequest, "content.bad_poster_size")
		}
	}
	ct, data, err := h.Store.Poster(r.Context(), ViewScope(account.FromContext(r.Context())), public, id)
	if errors.Is(err, db.ErrNotFound) {
		return web.NotFound(err)
	}
	if err != nil {
		return err
	}
	if width > 0 {
		if data, ct, err = resizedPoster(data, width); err != nil {
			return web.Errorf(http.StatusUnprocessableEntity, "content.poster_unreadable", err.Error())
		}
	}
	w.Header().Set("Content-Type", ct)
	if public {
		w.Header().Set("Cache-Control", "public, max-age=3600")
	} else {
		w.Header().Set("Cache-Control", "private, max-age=3600")
	}
	w.Write(data)
	return nil
}
