package quiz

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
	"github.com/kepu/kepu/internal/mask"
	"github.com/kepu/kepu/internal/sheet"
	"github.com/kepu/kepu/internal/web"
)

// ConsolePage lists the banks and contests in the staff member's scope with the forms that
// add them.
type ConsolePage struct {
	web.Page
	Banks    []Bank
	Contests []Contest
	Unit     string // the staff member's own unit, the forms' default
	BankName string
	In       ContestForm
	Errors   ValidationError
}

// ContestForm is the new-contest form as typed (times in China time, "2006-01-02T15:04").
type ContestForm struct {
	RegionCode, BankID, Campaign, Title, TitleMn, StartsAt, EndsAt string
	Questions, Seconds, PerDay, MinMS, Winners                     string
	Stratified, Practice, InvitationOnly                           bool
}

func (h *Handler) consolePage(r *http.Request) (ConsolePage, error) {
	p := account.FromContext(r.Context())
	page := ConsolePage{Page: h.Kit.Page(r, "quiz.console_title")}
	if roots := p.Scope().Roots(); len(roots) > 0 {
		page.Unit = roots[0]
	}
	now := h.Store.now().In(web.China)
	page.In = ContestForm{RegionCode: page.Unit, StartsAt: now.Format("2006-01-02T15:04"), EndsAt: now.AddDate(0, 0, 14).Format("2006-01-02T15:04"),
		Questions: "10", Seconds: "20", PerDay: "3", MinMS: "1000", Winners: "100", Practice: true}
	var err error
	if page.Banks, err = h.Store.Banks(r.Context(), p.Scope()); err != nil {
		return page, err
	}
	page.Contests, err = h.Store.Contests(r.Context(), p.Scope(), false)
	return page, err
}

func (h *Handler) console(w http.ResponseWriter, r *http.Request) error {
	page, err := h.consolePage(r)
	if err != nil {
		return err
	}
	return h.Kit.Render.HTML(w, r, http.StatusOK, "quiz/console", page)
}

func (h *Handler) createBank(w http.ResponseWriter, r *http.Request) error {
	p := account.FromContext(r.Context())
	code := strings.TrimSpace(r.PostFormValue("region_code"))
	id, err := h.Store.CreateBank(r.Context(), p.Scope(), p.ID, code, r.PostFormValue("name"))
	var ve ValidationError
	if errors.As(err, &ve) || errors.Is(err, db.ErrNotFound) {
		page, perr := h.consolePage(r)
		if perr != nil {
			return perr
		}
		page.BankName = r.PostFormValue("name")
		page.Errors = ve
		if ve == nil {
			page.Errors = ValidationError{"bank_region": "单位不在您的管辖范围内"}
		}
		return h.Kit.Render.HTML(w, r, http.StatusUnprocessableEntity, "quiz/console", page)
	}
	if err != nil {
		return err
	}
	http.Redirect(w, r, fmt.Sprintf("/console/quiz/banks/%d", id), http.StatusSeeOther)
	return nil
}

func parseChinaTime(s string) (time.Time, bool) {
	t, err := time.ParseInLocation("2006-01-02T15:04", strings.TrimSpace(s), web.China)
	return t.UTC(), err == nil
}

func (h *Handler) createContest(w http.ResponseWriter, r *http.Request) error {
	p := account.FromContext(r.Context())
	f := ContestForm{RegionCode: r.PostFormValue("region_code"), BankID: r.PostFormValue("bank_id"), Campaign: r.PostFormValue("campaign"),
		Title: r.PostFormValue("title"), TitleMn: r.PostFormValue("title_mn"), StartsAt: r.PostFormValue("starts_at"), EndsAt: r.PostFormValue("ends_at"),
		Questions: r.PostFormValue("questions"), Seconds: r.PostFormValue("seconds_per_question"), PerDay: r.PostFormValue("attempts_per_day"),
		MinMS: r.PostFormValue("min_answer_ms"), Winners: r.PostFormValue("winners"),
		Stratified: r.PostFormValue("stratified") == "1", Practice: r.PostFormValue("practice") == "1", InvitationOnly: r.PostFormValue("invitation_only") == "1"}
	num := func(s string) int {
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil {
			return -1
		}
		return n
	}
	c := Contest{RegionCode: strings.TrimSpace(f.RegionCode), Campaign: strings.TrimSpace(f.Campaign), Title: f.Title, TitleMn: strings.TrimSpace(f.TitleMn),
		Questions: num(f.Questions), SecondsPerQuestion: num(f.Seconds), AttemptsPerDay: num(f.PerDay), MinAnswerMS: num(f.MinMS), Winners: num(f.Winners),
		Stratified: f.Stratified, Practice: f.Practice, InvitationOnly: f.InvitationOnly}
	c.BankID, _ = strconv.ParseInt(f.BankID, 10, 64)
	var ok1, ok2 bool
	c.StartsAt, ok1 = parseChinaTime(f.StartsAt)
	c.EndsAt, ok2 = parseChinaTime(f.EndsAt)
	var err error
	if !ok1 || !ok2 {
		err = ValidationError{"ends_at": "请填写开始和结束时间"}
		if errs := c.Validate(); errs != nil {
			for k, v := range errs {
				err.(ValidationError)[k] = v
			}
			err.(ValidationError)["ends_at"] = "请填写开始和结束时间"
		}
	} else {
		var id int64
		id, err = h.Store.CreateContest(r.Context(), p.Scope(), p.ID, c)
		if err == nil {
			http.Redirect(w, r, fmt.Sprintf("/console/quiz/contests/%d", id), http.StatusSeeOther)
			return nil
		}
	}
	var ve ValidationError
	if !errors.As(err, &ve) {
		return err
	}
	page, perr := h.consolePage(r)
	if perr != nil {
		return perr
	}
	page.In, page.Errors = f, ve
	return h.Kit.Render.HTML(w, r, http.StatusUnprocessableEntity, "quiz/console", page)
}

// BankPage shows a bank's questions, its import form and the result of an import.
type BankPage struct {
	web.Page
	Bank      Bank
	Questions []Question
	Imported  int
	Problems  []string
}

func (h *Handler) bankPage(r *http.Request) (BankPage, error) {
	p := account.FromContext(r.Context())
	id, err := web.PathID(r, "id")
	if err != nil {
		return BankPage{}, err
	}
	b, err := h.Store.Bank(r.Context(), p.Scope(), id)
	if err != nil {
		return BankPage{}, web.NotFound(err)
	}
	page := BankPage{Page: h.Kit.Page(r, "quiz.bank_title", b.Name), Bank: b}
	page.Questions, err = h.Store.Questions(r.Context(), b.ID)
	return page, err
}

func (h *Handler) bank(w http.ResponseWriter, r *http.Request) error {
	page, err := h.bankPage(r)
	if err != nil {
		return err
	}
	return h.Kit.Render.HTML(w, r, http.StatusOK, "quiz/bank", page)
}

func (h *Handler) importBank(w http.ResponseWriter, r *http.Request) error {
	p := account.FromContext(r.Context())
	page, err := h.bankPage(r)
	if err != nil {
		return err
	}
	file, _, err := r.FormFile("file")
	if err != nil {
		page.Problems = []string{page.T("registry.err.no_file")}
		return h.Kit.Render.HTML(w, r, http.StatusUnprocessableEntity, "quiz/bank", page)
	}
	defer file.Close()
	n, err := h.Store.ImportQuestions(r.Context(), p.Scope(), page.Bank.ID, file)
	var es sheet.Errors
	if errors.As(err, &es) {
		for _, e := range es {
			page.Problems = append(page.Problems, e.Error())
		}
		return h.Kit.Render.HTML(w, r, http.StatusUnprocessableEntity, "quiz/bank", page)
	}
	if err != nil {
		return err
	}
	page, err = h.bankPage(r)
	if err != nil {
		return err
	}
	page.Imported = n
	return h.Kit.Render.HTML(w, r, http.StatusOK, "quiz/bank", page)
}

func attachment(w http.ResponseWriter, name, format string) {
	if format == "xlsx" {
		w.Header().Set("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
	} else {
		w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	}
	w.Header().Set("Content-Disposition", "attachment; filename*=UTF-8''"+url.PathEscape(name+"."+format))
}

func formatOf(r *http.Request) string {
	if r.URL.Query().Get("format") == "csv" {
		return "csv"
	}
	return "xlsx"
}

func (h *Handler) exportBank(w http.ResponseWriter, r *http.Request) error {
	p := account.FromContext(r.Context())
	id, err := web.PathID(r, "id")
	if err != nil {
		return err
	}
	b, err := h.Store.Bank(r.Context(), p.Scope(), id)
	if err != nil {
		return web.NotFound(err)
	}
	attachment(w, "题库-"+b.Name, formatOf(r))
	return h.Store.ExportQuestions(r.Context(), p.Scope(), id, w, formatOf(r))
}

func (h *Handler) template(w http.ResponseWriter, r *http.Request) error {
	attachment(w, "科普答题题库模板", formatOf(r))
	return sheet.Template(w, formatOf(r), BankSchema())
}

// ContestAdminPage is a contest's staff page: figures, boards, flagged attempts, invitations.
type ContestAdminPage struct {
	web.Page
	Contest     Contest
	Figures     ContestFigures
	Top         []AdminEntry
	Flagged     []FlaggedAttempt
	Invitations []string
	PublicURL   string
}

// AdminEntry is a leaderboard line for staff: name in full, phone masked.
type AdminEntry struct {
	Entry
	Phone string
}

func (h *Handler) contestAdminPage(r *http.Request) (ContestAdminPage, error) {
	p := account.FromContext(r.Context())
	id, err := web.PathID(r, "id")
	if err != nil {
		return ContestAdminPage{}, err
	}
	c, err := h.Store.Contest(r.Context(), id)
	if err != nil || !p.Scope().Contains(c.RegionCode) {
		return ContestAdminPage{}, web.NotFound(err)
	}
	page := ContestAdminPage{Page: h.Kit.Page(r, "quiz.contest_title", c.Title), Contest: c, PublicURL: fmt.Sprintf("/quiz/%d", c.ID)}
	if page.Figures, err = h.Store.Figures(r.Context(), c.ID); err != nil {
		return page, err
	}
	top, err := h.Store.Top(r.Context(), c.ID, "", 20)
	if err != nil {
		return page, err
	}
	for _, e := range top {
		pp, err := h.Store.Participant(r.Context(), e.ParticipantID)
		if err != nil {
			return page, err
		}
		page.Top = append(page.Top, AdminEntry{Entry: e, Phone: mask.Phone(pp.Phone)})
	}
	page.Flagged, err = h.Store.Flagged(r.Context(), c.ID, 50)
	return page, err
}

func (h *Handler) contestAdmin(w http.ResponseWriter, r *http.Request) error {
	page, err := h.contestAdminPage(r)
	if err != nil {
		return err
	}
	return h.Kit.Render.HTML(w, r, http.StatusOK, "quiz/contest_admin", page)
}

func (h *Handler) invitations(w http.ResponseWriter, r *http.Request) error {
	p := account.FromContext(r.Context())
	page, err := h.contestAdminPage(r)
	if err != nil {
		return err
	}
	n, _ := strconv.Atoi(r.PostFormValue("n"))
	codes, err := h.Store.AddInvitations(r.Context(), p.Scope(), page.Contest.ID, n)
	var ve ValidationError
	if errors.As(err, &ve) {
		return web.Errorf(http.StatusUnprocessableEntity, "quiz.err.invitations")
	}
	if err != nil {
		return err
	}
	page.Invitations = codes
	return h.Kit.Render.HTML(w, r, http.StatusOK, "quiz/contest_admin", page)
}

// AuditPage is one participant's attempts with every answer, for disputes.
type AuditPage struct {
	web.Page
	Contest     Contest
	Participant Participant
	Phone       string
	Attempts    []AuditAttempt
}

// AuditAttempt is an attempt with its answers.
type AuditAttempt struct {
	Attempt
	Answers []Answer
}

func (h *Handler) audit(w http.ResponseWriter, r *http.Request) error {
	p := account.FromContext(r.Context())
	id, err := web.PathID(r, "id")
	if err != nil {
		return err
	}
	pp, err := h.Store.Participant(r.Context(), id)
	if err != nil {
		return web.NotFound(err)
	}
	c, err := h.Store.Contest(r.Context(), pp.ContestID)
	if err != nil || !(p.Scope().Contains(c.RegionCode) || p.Scope().Contains(pp.RegionCode)) {
		return web.NotFound(err)
	}
	page := AuditPage{Page: h.Kit.Page(r, "quiz.audit_title", pp.Name), Contest: c, Participant: pp, Phone: mask.Phone(pp.Phone)}
	as, err := h.Store.Attempts(r.Context(), pp.ID)
	if err != nil {
		return err
	}
	for _, a := range as {
		ans, err := h.Store.Answers(r.Context(), a.ID)
		if err != nil {
			return err
		}
		page.Attempts = append(page.Attempts, AuditAttempt{Attempt: a, Answers: ans})
	}
	return h.Kit.Render.HTML(w, r, http.StatusOK, "quiz/audit", page)
}
