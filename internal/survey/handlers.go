package survey

import (
	"context"
	"errors"
	"fmt"
	"html/template"
	"mime/multipart"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/kepu/kepu/internal/account"
	"github.com/kepu/kepu/internal/content"
	"github.com/kepu/kepu/internal/region"
	"github.com/kepu/kepu/internal/sheet"
	"github.com/kepu/kepu/internal/web"
)

// MaxUpload bounds an imported file of responses or margins.
const MaxUpload = 20 << 20

// Choice is one option of a select.
type Choice struct {
	Value, Label string
	Selected     bool
}

func schemeChoices(sel string) []Choice {
	var out []Choice
	for _, s := range []string{National2024, Benchmark, Custom} {
		out = append(out, Choice{s, SchemeLabel(s), s == sel})
	}
	return out
}

// ListPage is the console's list of surveys with the new-survey form.
type ListPage struct {
	web.Page
	Surveys []Survey
	Schemes []Choice
	V       map[string]string // the new-survey form as typed
	Errors  web.FieldErrors
}

// SchemeLabel names a scheme on the page.
func (ListPage) SchemeLabel(s string) string { return SchemeLabel(s) }

func (h *Handler) listPage(r *http.Request, v map[string]string, errs web.FieldErrors) (ListPage, error) {
	svs, err := h.Store.List(r.Context(), account.ScopeOf(r.Context()))
	if err != nil {
		return ListPage{}, err
	}
	if v == nil {
		v = map[string]string{"year": strconv.Itoa(h.Store.now().Year()), "scheme": National2024, "sample": "1", "pass": "60"}
		if p := account.FromContext(r.Context()); p != nil && len(p.Grants) > 0 {
			v["region_code"] = p.Grants[0].RegionCode
		}
	}
	return ListPage{Page: h.Kit.Page(r, "survey.title"), Surveys: svs, Schemes: schemeChoices(v["scheme"]), V: v, Errors: errs}, nil
}

func (h *Handler) list(w http.ResponseWriter, r *http.Request) error {
	p, err := h.listPage(r, nil, nil)
	if err != nil {
		return err
	}
	return h.Kit.Render.HTML(w, r, http.StatusOK, "survey/list", p)
}

func formFloat(r *http.Request, name string) float64 {
	s := strings.TrimSpace(r.FormValue(name))
	if s == "" {
		return 0
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return -1
	}
	return f
}

func (h *Handler) create(w http.ResponseWriter, r *http.Request) error {
	p := account.FromContext(r.Context())
	if err := r.ParseForm(); err != nil {
		return web.Errorf(http.StatusRequestEntityTooLarge, "error.too_large", "1 MB")
	}
	v := map[string]string{}
	for _, k := range []string{"region_code", "title", "title_mn", "year", "scheme", "sample", "pass", "p_knowledge", "p_method", "p_spirit", "p_application"} {
		v[k] = strings.TrimSpace(r.FormValue(k))
	}
	year, _ := strconv.Atoi(v["year"])
	in := Input{RegionCode: v["region_code"], Title: v["title"], TitleMn: v["title_mn"], Year: year, Scheme: v["scheme"], Sample: v["sample"] != "",
		PassPct: formFloat(r, "pass"), Points: map[string]float64{}}
	for _, d := range Dimensions {
		in.Points[d] = formFloat(r, "p_"+d)
	}
	if code, err := region.Normalize(in.RegionCode); err == nil {
		in.RegionCode = code
	}
	id, err := h.Store.Create(r.Context(), p.Scope(), p.ID, in)
	var fe web.FieldErrors
	if errors.As(err, &fe) {
		pg, err := h.listPage(r, v, fe)
		if err != nil {
			return err
		}
		return h.Kit.Render.HTML(w, r, http.StatusUnprocessableEntity, "survey/list", pg)
	}
	if err != nil {
		return err
	}
	http.Redirect(w, r, fmt.Sprintf("/console/surveys/%d", id), http.StatusSeeOther)
	return nil
}

// ItemView is an item as pages show it.
type ItemView struct {
	Item
	Letters []string // A, B, C … per option
	Key     string   // the correct answer as letters, or 对/错
}

func viewItems(items []Item) []ItemView {
	out := make([]ItemView, len(items))
	for i, it := range items {
		v := ItemView{Item: it, Key: Answer(it.Answer).Format()}
		for j := range it.Options {
			v.Letters = append(v.Letters, string(rune('A'+j)))
		}
		if it.Kind == TrueFalse {
			v.Key = map[int]string{0: "对", 1: "错"}[it.Answer[0]]
		}
		out[i] = v
	}
	return out
}

// DimensionLabel names a dimension on the page.
func (ItemView) DimensionLabel(d string) string { return DimensionLabel(d) }

// KindLabel names a kind on the page.
func (ItemView) KindLabel(k string) string { return KindLabel(k) }

// HasMongolian reports whether any item has Mongolian text.
func hasMongolian(items []Item) bool {
	for _, it := range items {
		if it.Mn != "" {
			return true
		}
	}
	return false
}

// DetailPage is a survey's console page.
type DetailPage struct {
	web.Page
	Survey      Survey
	SchemeText  string
	CanChange   bool
	Items       []ItemView
	Check       string // why the questionnaire does not fit its scheme ("" when it does)
	Invitations []Invitation
	Margins     []MarginRow
	Responses   int
	FontCSS     string
	Ages        []string
	// Form state and messages.
	ItemV, InviteV map[string]string
	Errors         web.FieldErrors
	ImportErrors   []string
	ItemErrors     []string
	InviteErrors   []string
	MarginErrors   []string
	Notice         string
}

// SurveyCSS is the survey style sheet's address.
func (DetailPage) SurveyCSS() string { return cssURL }

// SurveyCSS is the survey style sheet's address.
func (QuestionPage) SurveyCSS() string { return cssURL }

// LabelVariable names a margin variable on the page.
func (DetailPage) LabelVariable(v string) string { return VariableLabel(v) }

func (h *Handler) fontCSS() string {
	return "/content/mongolian-font.css?f=" + h.Kit.Assets.URL(content.MongolianFont)
}

func (h *Handler) detailPage(r *http.Request) (DetailPage, error) {
	id, err := web.PathID(r, "id")
	if err != nil {
		return DetailPage{}, err
	}
	ctx, scope := r.Context(), account.ScopeOf(r.Context())
	sv, err := h.Store.Get(ctx, scope, id)
	if err != nil {
		return DetailPage{}, err
	}
	items, err := h.Store.Items(ctx, id)
	if err != nil {
		return DetailPage{}, err
	}
	p := DetailPage{Page: h.Kit.Page(r, "survey.detail_title", sv.Title), Survey: sv, SchemeText: SchemeLabel(sv.Scheme), CanChange: scope.Contains(sv.RegionCode),
		Items: viewItems(items), Ages: AgeGroups, ItemV: map[string]string{"kind": TrueFalse, "dimension": Knowledge, "points": "1"},
		InviteV: map[string]string{"sex": "female", "age_group": AgeGroups[0], "urban": "1"}, Notice: r.URL.Query().Get("notice")}
	if sc, err := sv.ScoringScheme(); err == nil {
		if err := sc.Check(items); err != nil {
			p.Check = err.Error()
		}
		if sv.Scheme == Custom {
			var parts []string
			for _, d := range Dimensions {
				if sc.Points[d] > 0 {
					parts = append(parts, fmt.Sprintf("%s %g", DimensionLabel(d), sc.Points[d]))
				}
			}
			p.SchemeText += "：" + strings.Join(parts, "，") + fmt.Sprintf("；及格 %g%%", sc.Pass*100)
		}
	}
	if hasMongolian(items) {
		p.FontCSS = h.fontCSS()
	}
	if p.Invitations, err = h.Store.Invitations(ctx, scope, id, 500); err != nil {
		return p, err
	}
	if p.Margins, err = h.Store.Margins(ctx, id); err != nil {
		return p, err
	}
	p.Responses, err = h.Store.CountResponses(ctx, scope, id)
	return p, err
}

func (h *Handler) detail(w http.ResponseWriter, r *http.Request) error {
	p, err := h.detailPage(r)
	if err != nil {
		return err
	}
	return h.Kit.Render.HTML(w, r, http.StatusOK, "survey/detail", p)
}

// refuse re-renders the survey page with 422 and the problems shown where they belong.
func (h *Handler) refuse(w http.ResponseWriter, r *http.Request, fill func(*DetailPage)) error {
	p, err := h.detailPage(r)
	if err != nil {
		return err
	}
	fill(&p)
	return h.Kit.Render.HTML(w, r, http.StatusUnprocessableEntity, "survey/detail", p)
}

// parseItem reads the add-item form: options one a line, each "中文|ᠮᠣᠩᠭᠣᠯ"; the key as
// letters (or 对/错).
func parseItem(r *http.Request) (Item, map[string]string, error) {
	v := map[string]string{}
	for _, k := range []string{"kind", "dimension", "benchmark", "points", "zh", "mn", "options", "answer"} {
		v[k] = strings.TrimSpace(r.FormValue(k))
	}
	it := Item{Kind: v["kind"], Dimension: v["dimension"], Zh: v["zh"], Mn: v["mn"], Points: 1}
	if v["points"] != "" {
		p, err := strconv.ParseFloat(v["points"], 64)
		if err != nil {
			return it, v, errors.New("分值须是数字")
		}
		it.Points = p
	}
	if v["benchmark"] != "" {
		b, err := strconv.Atoi(v["benchmark"])
		if err != nil {
			return it, v, errors.New("基准编号须是 1–26 的整数")
		}
		it.Benchmark = b
	}
	for _, l := range strings.Split(v["options"], "\n") {
		if l = strings.TrimSpace(l); l != "" {
			zh, mn, _ := strings.Cut(l, "|")
			it.Options = append(it.Options, Option{strings.TrimSpace(zh), strings.TrimSpace(mn)})
		}
	}
	if it.Kind == TrueFalse {
		it.Options = nil
	}
	a, err := it.ParseAnswer(v["answer"])
	if err != nil {
		return it, v, err
	}
	it.Answer = a
	return it, v, nil
}

func (h *Handler) addItem(w http.ResponseWriter, r *http.Request) error {
	id, err := web.PathID(r, "id")
	if err != nil {
		return err
	}
	r.ParseForm()
	it, v, err := parseItem(r)
	var fe web.FieldErrors
	if err != nil { // the form's own problems: a number, the key
		fe = web.FieldErrors{"item": err.Error()}
	} else if err = h.Store.AddItem(r.Context(), account.ScopeOf(r.Context()), id, it); err != nil {
		if !shown(err) {
			return err
		}
		fe = web.FieldErrors{"item": messages(err)[0]}
	}
	if fe != nil {
		return h.refuse(w, r, func(p *DetailPage) { p.ItemV, p.Errors = v, fe })
	}
	http.Redirect(w, r, fmt.Sprintf("/console/surveys/%d#items", id), http.StatusSeeOther)
	return nil
}

// shown reports whether err is a problem with what the user gave, safe to show on the page:
// a file's cells, a form's fields, why a report has no numbers, a questionnaire that has
// responses. Anything else (not found, forbidden, the database) goes to the error adapter.
func shown(err error) bool {
	var se sheet.Errors
	var fe web.FieldErrors
	var re *ReportError
	return errors.As(err, &se) || errors.As(err, &fe) || errors.As(err, &re) || errors.Is(err, ErrHasAnswers)
}

// messages lists a shown error's lines.
func messages(err error) []string {
	var fe web.FieldErrors
	if errors.As(err, &fe) {
		var out []string
		for _, m := range fe {
			out = append(out, m)
		}
		return out
	}
	return []string{err.Error()}
}

// respondentForm reads the design and class fields of the invitation and interview forms.
func respondentForm(r *http.Request) (Respondent, map[string]string, web.FieldErrors) {
	v := map[string]string{}
	for _, k := range []string{"region_code", "stratum", "psu", "weight", "prob1", "prob2", "urban", "sex", "age_group"} {
		v[k] = strings.TrimSpace(r.FormValue(k))
	}
	p := Respondent{RegionCode: v["region_code"], Stratum: v["stratum"], PSU: v["psu"], Urban: v["urban"] == "1", Sex: v["sex"], AgeGroup: v["age_group"]}
	errs := web.FieldErrors{}
	for k, dst := range map[string]*float64{"weight": &p.Weight, "prob1": &p.Prob1, "prob2": &p.Prob2} {
		if v[k] == "" {
			continue
		}
		f, err := strconv.ParseFloat(v[k], 64)
		if err != nil {
			errs[k] = "须是数字"
			continue
		}
		*dst = f
	}
	if v["urban"] != "1" && v["urban"] != "0" {
		errs["urban"] = "请选择城镇或乡村"
	}
	if len(errs) > 0 {
		return p, v, errs
	}
	return p, v, nil
}

func (h *Handler) invite(w http.ResponseWriter, r *http.Request) error {
	id, err := web.PathID(r, "id")
	if err != nil {
		return err
	}
	r.ParseForm()
	p, v, fe := respondentForm(r)
	code := ""
	if fe == nil {
		code, err = h.Store.Invite(r.Context(), account.ScopeOf(r.Context()), id, p)
		if !errors.As(err, &fe) && err != nil {
			return err
		}
	}
	if fe != nil {
		return h.refuse(w, r, func(p *DetailPage) { p.InviteV, p.Errors = v, fe })
	}
	http.Redirect(w, r, fmt.Sprintf("/console/surveys/%d/invitations/%s", id, code), http.StatusSeeOther)
	return nil
}

// InvitationPage shows one invitation's link and QR code, to print or send.
type InvitationPage struct {
	web.Page
	Survey Survey
	Inv    Invitation
	Link   string
	QR     template.HTML
}

func (h *Handler) invitation(w http.ResponseWriter, r *http.Request) error {
	id, err := web.PathID(r, "id")
	if err != nil {
		return err
	}
	scope := account.ScopeOf(r.Context())
	iv, sv, err := h.Store.Invitation(r.Context(), r.PathValue("code"))
	if err != nil || iv.SurveyID != id || !scope.Contains(iv.RegionCode) {
		return web.NotFound(err)
	}
	p := InvitationPage{Page: h.Kit.Page(r, "survey.invitation_title"), Survey: sv, Inv: iv, Link: h.Kit.AbsURL(r, "/q/"+iv.Code)}
	p.QR, err = content.ShareQR(p.Link, p.T("survey.qr_label"))
	if err != nil {
		return err
	}
	return h.Kit.Render.HTML(w, r, http.StatusOK, "survey/invitation", p)
}

// QuestionPage is the questionnaire: public (by invitation code) or the interviewer's entry.
type QuestionPage struct {
	web.Page
	Survey     Survey
	Items      []ItemView
	FontCSS    string
	Code       string // the invitation (public form)
	Interview  bool   // the interviewer's form, with the respondent's fields
	Action     string
	Chosen     map[int]map[int]bool // item position → chosen options, as typed
	Unanswered []int                // positions left blank, when the form asks to confirm
	Errors     web.FieldErrors
	V          map[string]string
	Ages       []string
	Done       *Score
	Used       bool
}

// Checked reports whether option o of item pos was chosen.
func (p QuestionPage) Checked(pos, o int) bool { return p.Chosen[pos][o] }

// LevelLabel names a level in Chinese.
func (QuestionPage) LevelLabel(l string) string { return LevelLabel(l) }

// LevelLabel names a literacy level in Chinese.
func LevelLabel(l string) string {
	switch l {
	case High:
		return "高水平"
	case Literate:
		return "具备科学素质"
	case Basic:
		return "基本具备"
	case Lower:
		return "尚不具备"
	}
	return l
}

// readAnswers reads the questionnaire's answers: field "q{position}" holds the chosen option
// indexes (several for multiple choice). Unanswered items come back as nil and their positions
// listed.
func readAnswers(r *http.Request, items []Item) ([]Answer, map[int]map[int]bool, []int, error) {
	answers := make([]Answer, len(items))
	chosen := map[int]map[int]bool{}
	var blank []int
	for i, it := range items {
		vals := r.Form[itemKey(it.Position)]
		if len(vals) == 0 {
			blank = append(blank, it.Position)
			continue
		}
		chosen[it.Position] = map[int]bool{}
		var a Answer
		for _, s := range vals {
			c, err := strconv.Atoi(s)
			if err != nil || c < 0 || c >= it.Choices() {
				return nil, nil, nil, fmt.Errorf("第 %d 题的答案无效", it.Position)
			}
			if !chosen[it.Position][c] {
				a = append(a, c)
			}
			chosen[it.Position][c] = true
		}
		if it.Kind != Multi && len(a) > 1 {
			return nil, nil, nil, fmt.Errorf("第 %d 题只能选一个答案", it.Position)
		}
		answers[i] = sortAnswer(a)
	}
	return answers, chosen, blank, nil
}

func sortAnswer(a Answer) Answer {
	for i := 1; i < len(a); i++ {
		for j := i; j > 0 && a[j] < a[j-1]; j-- {
			a[j], a[j-1] = a[j-1], a[j]
		}
	}
	return a
}

func (h *Handler) questionPage(r *http.Request, sv Survey, items []Item) QuestionPage {
	p := QuestionPage{Page: h.Kit.Page(r, "survey.questionnaire_title", sv.Title), Survey: sv, Items: viewItems(items), Ages: AgeGroups,
		V: map[string]string{"urban": "1", "sex": "female", "age_group": AgeGroups[0]}}
	if hasMongolian(items) {
		p.FontCSS = h.fontCSS()
	}
	return p
}

func (h *Handler) questionnaire(w http.ResponseWriter, r *http.Request) error {
	iv, sv, err := h.Store.Invitation(r.Context(), r.PathValue("code"))
	if errors.Is(err, ErrNoCode) {
		return web.NotFound(err)
	}
	if err != nil {
		return err
	}
	items, err := h.Store.Items(r.Context(), sv.ID)
	if err != nil {
		return err
	}
	p := h.questionPage(r, sv, items)
	p.Code, p.Action, p.Used = iv.Code, "/q/"+iv.Code, iv.UsedAt != nil
	return h.Kit.Render.HTML(w, r, http.StatusOK, "survey/questionnaire", p)
}

func (h *Handler) respond(w http.ResponseWriter, r *http.Request) error {
	iv, sv, err := h.Store.Invitation(r.Context(), r.PathValue("code"))
	if errors.Is(err, ErrNoCode) {
		return web.NotFound(err)
	}
	if err != nil {
		return err
	}
	items, err := h.Store.Items(r.Context(), sv.ID)
	if err != nil {
		return err
	}
	r.ParseForm()
	p := h.questionPage(r, sv, items)
	p.Code, p.Action = iv.Code, "/q/"+iv.Code
	answers, chosen, blank, err := readAnswers(r, items)
	p.Chosen = chosen
	switch {
	case err != nil:
		p.Errors = web.FieldErrors{"answers": err.Error()}
	case len(blank) > 0 && r.FormValue("confirm_blank") == "":
		// Unanswered items are allowed, but only when the respondent says so.
		p.Unanswered = blank
		p.Errors = web.FieldErrors{"answers": p.T("survey.confirm_blank_msg", len(blank))}
	default:
		s, err := h.Store.Respond(r.Context(), iv.Code, answers)
		if errors.Is(err, ErrUsedCode) {
			p.Used = true
			return h.Kit.Render.HTML(w, r, http.StatusConflict, "survey/questionnaire", p)
		}
		if errors.As(err, &p.Errors) {
			break
		}
		if err != nil {
			return err
		}
		p.Done = &s
		return h.Kit.Render.HTML(w, r, http.StatusOK, "survey/questionnaire", p)
	}
	return h.Kit.Render.HTML(w, r, http.StatusUnprocessableEntity, "survey/questionnaire", p)
}

func (h *Handler) interviewPage(r *http.Request) (QuestionPage, []Item, error) {
	id, err := web.PathID(r, "id")
	if err != nil {
		return QuestionPage{}, nil, err
	}
	sv, err := h.Store.Get(r.Context(), account.ScopeOf(r.Context()), id)
	if err != nil {
		return QuestionPage{}, nil, err
	}
	items, err := h.Store.Items(r.Context(), id)
	if err != nil {
		return QuestionPage{}, nil, err
	}
	p := h.questionPage(r, sv, items)
	p.Interview, p.Action = true, fmt.Sprintf("/console/surveys/%d/interview", id)
	return p, items, nil
}

func (h *Handler) interviewForm(w http.ResponseWriter, r *http.Request) error {
	p, _, err := h.interviewPage(r)
	if err != nil {
		return err
	}
	if n := r.URL.Query().Get("saved"); n != "" {
		p.Errors = nil
		p.V["saved"] = n
	}
	return h.Kit.Render.HTML(w, r, http.StatusOK, "survey/questionnaire", p)
}

func (h *Handler) interview(w http.ResponseWriter, r *http.Request) error {
	p, items, err := h.interviewPage(r)
	if err != nil {
		return err
	}
	r.ParseForm()
	resp, v, fe := respondentForm(r)
	p.V = v
	answers, chosen, blank, aerr := readAnswers(r, items)
	p.Chosen = chosen
	if fe == nil {
		fe = web.FieldErrors{}
	}
	switch {
	case aerr != nil:
		fe["answers"] = aerr.Error()
	case len(blank) > 0 && r.FormValue("confirm_blank") == "":
		p.Unanswered = blank
		fe["answers"] = p.T("survey.confirm_blank_msg", len(blank))
	case len(fe) == 0:
		pr := account.FromContext(r.Context())
		s, err := h.Store.Interview(r.Context(), pr.Scope(), pr.ID, p.Survey.ID, resp, answers)
		if errors.As(err, &fe) {
			break
		}
		if err != nil {
			return err
		}
		http.Redirect(w, r, fmt.Sprintf("/console/surveys/%d/interview?saved=%s", p.Survey.ID, url.QueryEscape(fmt.Sprintf("%g", s.Total))), http.StatusSeeOther)
		return nil
	}
	p.Errors = fe
	return h.Kit.Render.HTML(w, r, http.StatusUnprocessableEntity, "survey/questionnaire", p)
}

// sheetLines turns a file's problems into lines to show, the first saying nothing was written.
func sheetLines(file string, err error) []string {
	var se sheet.Errors
	if errors.As(err, &se) {
		lines := []string{fmt.Sprintf("文件“%s”有 %d 处问题，未导入任何数据：", file, len(se))}
		for _, e := range se {
			lines = append(lines, e.Error())
		}
		return lines
	}
	return []string{err.Error()}
}

func (h *Handler) upload(w http.ResponseWriter, r *http.Request) (multipartFile, error) {
	r.Body = http.MaxBytesReader(w, r.Body, MaxUpload+(1<<20))
	if err := r.ParseMultipartForm(1 << 20); err != nil {
		return multipartFile{}, fmt.Errorf("文件无法读取或超过 %d MB", MaxUpload>>20)
	}
	f, hdr, err := r.FormFile("file")
	if err != nil {
		return multipartFile{}, errors.New("请选择要导入的 .xlsx 或 .csv 文件")
	}
	return multipartFile{f, hdr.Filename}, nil
}

type multipartFile struct {
	multipart.File
	name string
}

// importSheet runs one of a survey's sheet imports: the upload, the import (all rows or none,
// by run), and then either the redirect to target (with run's notice, if any) or the survey
// page again with the problems beside the section that problems picks.
func (h *Handler) importSheet(w http.ResponseWriter, r *http.Request, problems func(*DetailPage) *[]string, target string,
	run func(ctx context.Context, p *account.Principal, id int64, f multipartFile) (notice string, err error)) error {
	id, err := web.PathID(r, "id")
	if err != nil {
		return err
	}
	f, err := h.upload(w, r)
	if err != nil {
		return h.refuse(w, r, func(p *DetailPage) { *problems(p) = []string{err.Error()} })
	}
	defer f.Close()
	notice, err := run(r.Context(), account.FromContext(r.Context()), id, f)
	if err != nil {
		if !shown(err) {
			return err
		}
		return h.refuse(w, r, func(p *DetailPage) { *problems(p) = sheetLines(f.name, err) })
	}
	u := fmt.Sprintf("/console/surveys/%d", id)
	if notice != "" {
		u += "?notice=" + url.QueryEscape(notice)
	}
	http.Redirect(w, r, u+target, http.StatusSeeOther)
	return nil
}

func (h *Handler) importResponses(w http.ResponseWriter, r *http.Request) error {
	return h.importSheet(w, r, func(p *DetailPage) *[]string { return &p.ImportErrors }, "",
		func(ctx context.Context, pr *account.Principal, id int64, f multipartFile) (string, error) {
			n, err := h.Store.Import(ctx, pr.Scope(), pr.ID, id, f)
			return fmt.Sprintf("已导入 %d 份答卷", n), err
		})
}

func (h *Handler) template(w http.ResponseWriter, r *http.Request) error {
	id, err := web.PathID(r, "id")
	if err != nil {
		return err
	}
	if _, err := h.Store.Get(r.Context(), account.ScopeOf(r.Context()), id); err != nil {
		return err
	}
	schema := MarginSchema()
	switch r.URL.Query().Get("kind") {
	case "margins":
	case "items":
		schema = ItemSchema()
	case "invitations":
		schema = sheet.Schema{Name: "调查样本名单", Columns: respondentColumns()}
	default:
		items, err := h.Store.Items(r.Context(), id)
		if err != nil {
			return err
		}
		schema = ResponseSchema(items)
	}
	w.Header().Set("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
	w.Header().Set("Content-Disposition", "attachment; filename*=UTF-8''"+url.PathEscape(schema.Name+"模板.xlsx"))
	return sheet.Template(w, "xlsx", schema)
}

// setMargins stores the margins form: one unit, one field per category ("sex_male",
// "age_group_18-29", "urban_1"); an empty field leaves that variable as it was.
func (h *Handler) setMargins(w http.ResponseWriter, r *http.Request) error {
	id, err := web.PathID(r, "id")
	if err != nil {
		return err
	}
	r.ParseForm()
	scope := account.ScopeOf(r.Context())
	if r.FormValue("clear") != "" {
		if err := h.Store.ClearMargins(r.Context(), scope, id); err != nil {
			return err
		}
		http.Redirect(w, r, fmt.Sprintf("/console/surveys/%d#margins", id), http.StatusSeeOther)
		return nil
	}
	unit := strings.TrimSpace(r.FormValue("region_code"))
	var rows []MarginRow
	var problems []string
	cats := map[string][]string{BySex: Sexes, ByAge: AgeGroups, ByUrban: {"1", "0"}}
	for _, v := range MarginVariables {
		var vr []MarginRow
		filled := 0
		for _, c := range cats[v] {
			s := strings.TrimSpace(r.FormValue(v + "_" + c))
			if s == "" {
				continue
			}
			filled++
			n, err := strconv.ParseInt(strings.ReplaceAll(s, ",", ""), 10, 64)
			if err != nil || n <= 0 {
				problems = append(problems, fmt.Sprintf("%s“%s”的人口数须是正整数", VariableLabel(v), CategoryLabel(v, c)))
				continue
			}
			vr = append(vr, MarginRow{RegionCode: unit, Variable: v, Category: c, Population: n})
		}
		if filled > 0 && filled < len(cats[v]) {
			problems = append(problems, fmt.Sprintf("%s须填齐每个类别的人口数（不是本地的类别可以删去后用表格导入）", VariableLabel(v)))
		}
		rows = append(rows, vr...)
	}
	if len(rows) == 0 && len(problems) == 0 {
		problems = append(problems, "请至少填写一个变量的人口数")
	}
	if len(problems) == 0 {
		if err := h.Store.SetMargins(r.Context(), scope, id, rows); err != nil {
			if !shown(err) {
				return err
			}
			problems = append(problems, messages(err)...)
		}
	}
	if len(problems) > 0 {
		return h.refuse(w, r, func(p *DetailPage) { p.MarginErrors = problems })
	}
	http.Redirect(w, r, fmt.Sprintf("/console/surveys/%d#margins", id), http.StatusSeeOther)
	return nil
}

func (h *Handler) importMargins(w http.ResponseWriter, r *http.Request) error {
	return h.importSheet(w, r, func(p *DetailPage) *[]string { return &p.MarginErrors }, "#margins",
		func(ctx context.Context, pr *account.Principal, id int64, f multipartFile) (string, error) {
			_, err := h.Store.ImportMargins(ctx, pr.Scope(), id, f)
			return "", err
		})
}

func (h *Handler) importItems(w http.ResponseWriter, r *http.Request) error {
	return h.importSheet(w, r, func(p *DetailPage) *[]string { return &p.ItemErrors }, "#items",
		func(ctx context.Context, pr *account.Principal, id int64, f multipartFile) (string, error) {
			n, err := h.Store.ImportItems(ctx, pr.Scope(), id, f)
			return fmt.Sprintf("已导入 %d 道题", n), err
		})
}

func (h *Handler) importInvitations(w http.ResponseWriter, r *http.Request) error {
	return h.importSheet(w, r, func(p *DetailPage) *[]string { return &p.InviteErrors }, "#invitations",
		func(ctx context.Context, pr *account.Principal, id int64, f multipartFile) (string, error) {
			codes, err := h.Store.ImportInvitations(ctx, pr.Scope(), id, f)
			return fmt.Sprintf("已生成 %d 个邀请", len(codes)), err
		})
}

// exportInvitations writes every invitation in scope with its questionnaire address, for a
// mail merge or printed letters.
func (h *Handler) exportInvitations(w http.ResponseWriter, r *http.Request) error {
	id, err := web.PathID(r, "id")
	if err != nil {
		return err
	}
	scope := account.ScopeOf(r.Context())
	if _, err := h.Store.Get(r.Context(), scope, id); err != nil {
		return err
	}
	ivs, err := h.Store.Invitations(r.Context(), scope, id, 0)
	if err != nil {
		return err
	}
	schema := InvitationSchema()
	w.Header().Set("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
	w.Header().Set("Content-Disposition", "attachment; filename*=UTF-8''"+url.PathEscape(schema.Name+".xlsx"))
	num := func(x float64) any {
		if x == 0 {
			return nil
		}
		return x
	}
	return sheet.Write(w, "xlsx", schema, func(yield func([]any) bool) error {
		for _, iv := range ivs {
			urban := "0"
			if iv.Urban {
				urban = "1"
			}
			if !yield([]any{iv.Code, h.Kit.AbsURL(r, "/q/"+iv.Code), iv.RegionCode, iv.Stratum, iv.PSU, num(iv.Weight), num(iv.Prob1), num(iv.Prob2),
				urban, iv.Sex, iv.AgeGroup, iv.UsedAt != nil}) {
				return nil
			}
		}
		return nil
	})
}
