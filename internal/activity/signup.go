package activity

import (
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/kepu/kepu/internal/account"
	"github.com/kepu/kepu/internal/db"
	"github.com/kepu/kepu/internal/mask"
	"github.com/kepu/kepu/internal/region"
	"github.com/kepu/kepu/internal/web"
)

// When formats an activity's time span for people: "2026-09-12 09:00–11:30" (one day) or
// "2026-09-12 09:00 – 09-14 17:00", in China Standard Time.
func When(a Activity) string {
	s, e := a.StartsAt.In(China), a.EndsAt.In(China)
	if s.Format("2006-01-02") == e.Format("2006-01-02") {
		return s.Format("2006-01-02 15:04") + "–" + e.Format("15:04")
	}
	return s.Format("2006-01-02 15:04") + " – " + e.Format("01-02 15:04")
}

// SignupPage is the data of the public sign-up page.
type SignupPage struct {
	web.Page
	Activity   Activity
	When       string
	Confirmed  int
	Waitlisted int
	Left       int    // confirmed places left
	Closed     string // why sign-up is not possible now, or ""
	In         SignupInput
	Errors     ValidationError
}

func (h *Handler) signupPage(r *http.Request, id int64, in SignupInput, errs ValidationError, problem string) (SignupPage, error) {
	a, confirmed, waitlisted, err := h.Store.SignupActivity(r.Context(), id)
	if err != nil {
		return SignupPage{}, web.NotFound(err)
	}
	if !a.SignupOpen || a.Capacity <= 0 {
		// Only activities whose organizer opened sign-up are public; the others (drafts
		// included) are not shown at all.
		return SignupPage{}, web.NotFound(ErrSignupClosed)
	}
	p := SignupPage{Page: h.Kit.Page(r, "signup.title", a.Title), Activity: a, When: When(a), Confirmed: confirmed,
		Waitlisted: waitlisted, Left: max(a.Capacity-confirmed, 0), In: in, Errors: errs, Closed: problem}
	switch {
	case !h.Store.now().Before(a.EndsAt):
		p.Closed = ErrSignupEnded.Error()
	case p.Left == 0 && waitlisted >= a.Capacity:
		p.Closed = ErrSignupFull.Error()
	}
	return p, nil
}

func (h *Handler) signupForm(w http.ResponseWriter, r *http.Request) error {
	id, err := web.PathID(r, "id")
	if err != nil {
		return err
	}
	p, err := h.signupPage(r, id, SignupInput{}, nil, "")
	if err != nil {
		return err
	}
	return h.Kit.Render.HTML(w, r, http.StatusOK, "activity/signup", p)
}

// Limits on public sign-ups from one client address (account.ClientIP; behind a reverse
// proxy, configure --trusted-proxies so that it is the visitor's), in SignupLimitWindow:
// across all activities, and for one activity (its series). They bound what a script can take
// with made-up phones — a class or a village e-station screen behind one address still signs
// up its 30 people for an activity in an hour — and staff can cancel what was wrongly taken.
// Staff who are signed in (registering people at a desk) are not limited. Only sign-ups that
// made a ticket count.
const (
	SignupsPerAddr         = 60
	SignupsPerAddrActivity = 30
	SignupLimitWindow      = time.Hour
)

// signupLimits are the per-process counters of sign-ups by address (in memory: a restart
// forgets them, several processes each keep their own).
type signupLimits struct {
	perAddr, perAddrActivity *account.Limiter
}

func newSignupLimits() *signupLimits {
	return &signupLimits{perAddr: account.NewLimiter(SignupsPerAddr, SignupLimitWindow),
		perAddrActivity: account.NewLimiter(SignupsPerAddrActivity, SignupLimitWindow)}
}

// take counts a sign-up of addr for a series before it is made, or refuses it with the wait;
// undo takes the count back when no ticket was made.
func (l *signupLimits) take(addr string, series int64) (ok bool, wait time.Duration, undo func()) {
	k := addr + "\x00" + strconv.FormatInt(series, 10)
	if ok, wait := l.perAddrActivity.Take(k); !ok {
		return false, wait, nil
	}
	if ok, wait := l.perAddr.Take(addr); !ok {
		l.perAddrActivity.Undo(k)
		return false, wait, nil
	}
	return true, 0, func() { l.perAddrActivity.Undo(k); l.perAddr.Undo(addr) }
}

func (h *Handler) signup(lim *signupLimits, w http.ResponseWriter, r *http.Request) error {
	id, err := web.PathID(r, "id")
	if err != nil {
		return err
	}
	in := SignupInput{Name: r.PostFormValue("name"), Phone: r.PostFormValue("phone")}
	// The limit is per series, so that posting to each version's id does not multiply it.
	series, err := h.Store.seriesOf(r.Context(), id)
	if err != nil {
		return web.NotFound(err)
	}
	ok, wait, undo := true, time.Duration(0), func() {}
	if !account.FromContext(r.Context()).IsStaff() {
		ok, wait, undo = lim.take(account.ClientIP(r), series)
	}
	if !ok {
		minutes := int((wait + time.Minute - 1) / time.Minute)
		w.Header().Set("Retry-After", strconv.Itoa(int((wait+time.Second-1)/time.Second)))
		msg := fmt.Sprintf("报名过于频繁：同一网络每小时最多报名 %d 次（同一活动最多 %d 次），请 %d 分钟后再试", SignupsPerAddr, SignupsPerAddrActivity, minutes)
		p, perr := h.signupPage(r, id, in, ValidationError{"form": msg}, msg)
		if perr != nil {
			return perr
		}
		return h.Kit.Render.HTML(w, r, http.StatusTooManyRequests, "activity/signup", p)
	}
	reg, err := h.Store.SignUp(r.Context(), id, in)
	if err != nil {
		undo()
	}
	var errs ValidationError
	switch {
	case err == nil:
		http.Redirect(w, r, ticketPath(reg), http.StatusSeeOther)
		return nil
	case errors.Is(err, db.ErrNotFound):
		return web.NotFound(err)
	case errors.As(err, &errs):
	default:
		for _, e := range []error{ErrSignupClosed, ErrSignupEnded, ErrSignupFull} {
			if errors.Is(err, e) {
				errs = ValidationError{"form": e.Error()}
			}
		}
		if errs == nil {
			return err
		}
	}
	p, perr := h.signupPage(r, id, in, errs, errs["form"])
	if perr != nil {
		return perr
	}
	return h.Kit.Render.HTML(w, r, http.StatusUnprocessableEntity, "activity/signup", p)
}

func ticketPath(reg Registration) string {
	return fmt.Sprintf("/tickets/%d?k=%s", reg.ID, url.QueryEscape(reg.Nonce))
}

// TicketPage is the data of a ticket: the QR code and the code typed by hand, the holder's
// name and masked phone, the status and the cancel button.
type TicketPage struct {
	web.Page
	Activity Activity
	When     string
	Reg      Registration
	Phone    string // masked
	Payload  string
	Typed    string // the payload as people read and type it: its check code in groups of four
	QR       template.HTML
	Action   string // the cancel form's action; the form sends the nonce as k
	LangPath string // the language form's action; it sends the nonce as k too
	Problem  string
}

func (h *Handler) ticket(w http.ResponseWriter, r *http.Request) error {
	return h.renderTicket(w, r, http.StatusOK, "")
}

func (h *Handler) renderTicket(w http.ResponseWriter, r *http.Request, status int, problem string) error {
	id, err := web.PathID(r, "rid")
	if err != nil {
		return err
	}
	nonce := r.URL.Query().Get("k")
	if r.Method == http.MethodPost {
		nonce = r.PostFormValue("k")
	}
	reg, err := h.Store.Ticket(r.Context(), id, nonce)
	if err != nil {
		return web.NotFound(err)
	}
	a, _, _, err := h.Store.SignupActivity(r.Context(), reg.SeriesID)
	if err != nil {
		return web.NotFound(err)
	}
	p := TicketPage{Page: h.Kit.Page(r, "ticket.title", a.Title), Activity: a, When: When(a), Reg: reg, Phone: mask.Phone(reg.Phone),
		Action: fmt.Sprintf("/tickets/%d/cancel", reg.ID), LangPath: fmt.Sprintf("/tickets/%d/lang", reg.ID), Problem: problem}
	if reg.Status != Cancelled {
		p.Payload = TicketPayload(h.TicketKey, reg.SeriesID, reg.ID)
		p.Typed = groupCheckCode(p.Payload)
		if p.QR, err = TicketQR(p.Payload, p.T("ticket.qr_label")); err != nil {
			return err
		}
	}
	// The page is the ticket itself: no shared cache may keep it.
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Referrer-Policy", "no-referrer")
	return h.Kit.Render.HTML(w, r, status, "activity/ticket", p)
}

// ticketLang serves POST /tickets/{rid}/lang: the ticket page's own language switch. The
// footer's switch (GET /lang?next=<path>) cannot bring the holder back, since the nonce is on
// purpose left out of that link (links are shared, kept in history and sent as Referer); this
// form sends the nonce in the body, as the cancel form does, sets the same cookie as /lang
// and redirects to the ticket link. Errors: 404 (wrong nonce), 400 (unknown language).
func (h *Handler) ticketLang(w http.ResponseWriter, r *http.Request) error {
	id, err := web.PathID(r, "rid")
	if err != nil {
		return err
	}
	reg, err := h.Store.Ticket(r.Context(), id, r.PostFormValue("k"))
	if err != nil {
		return web.NotFound(err)
	}
	lang := r.PostFormValue("set")
	if !slices.Contains(web.Languages, lang) {
		return web.Errorf(http.StatusBadRequest, "error.bad_language", lang)
	}
	http.SetCookie(w, &http.Cookie{Name: "lang", Value: lang, Path: "/", MaxAge: 365 * 24 * 3600, SameSite: http.SameSiteLaxMode})
	http.Redirect(w, r, ticketPath(reg), http.StatusSeeOther)
	return nil
}

func (h *Handler) cancelTicket(w http.ResponseWriter, r *http.Request) error {
	id, err := web.PathID(r, "rid")
	if err != nil {
		return err
	}
	nonce := r.PostFormValue("k")
	err = h.Store.CancelTicket(r.Context(), id, nonce)
	switch {
	case err == nil:
		http.Redirect(w, r, ticketPath(Registration{ID: id, Nonce: nonce}), http.StatusSeeOther)
		return nil
	case errors.Is(err, db.ErrNotFound):
		return web.NotFound(err)
	case errors.Is(err, ErrCheckedInKept):
		return h.renderTicket(w, r, http.StatusUnprocessableEntity, ErrCheckedInKept.Error())
	}
	return err
}

// CheckInPage is the data of the staff check-in page.
type CheckInPage struct {
	web.Page
	View    CheckInView
	When    string
	Flags   []string
	Recent  []RecentCheckIn
	Result  *ScanResult // the outcome of the code or walk-in just posted (no-JS use)
	Code    string
	Walk    WalkIn
	WalkKey string // makes a re-posted walk-in form add nothing (see WalkIn.Key)
	Admit   bool
	Grace   string
	API     string
	Problem string
	// The staff cancellation form: the phone typed, its problem, and what was cancelled.
	CancelPhone string
	CancelErr   string
	CancelDone  string
}

// RecentCheckIn is a row of the recent check-ins list, phone masked.
type RecentCheckIn struct {
	Name, Phone string
	WalkIn      bool
	At          string
}

func (h *Handler) grace() time.Duration {
	if h.CheckInGrace <= 0 {
		return DefaultGrace
	}
	return h.CheckInGrace
}

func (h *Handler) renderCheckin(w http.ResponseWriter, r *http.Request, status int, page CheckInPage) error {
	id, err := web.PathID(r, "id")
	if err != nil {
		return err
	}
	v, err := h.Store.CheckInStatus(r.Context(), account.ScopeOf(r.Context()), id, 20)
	if err != nil {
		return web.NotFound(err)
	}
	page.Page = h.Kit.Page(r, "checkin.title", v.Activity.Title)
	if page.WalkKey = page.Walk.Key; page.WalkKey == "" {
		page.WalkKey = newNonce()
	}
	page.View, page.When, page.Flags = v, When(v.Activity), v.Activity.Flags()
	if g := h.grace(); g%time.Hour == 0 {
		page.Grace = page.T("checkin.hours", int(g/time.Hour))
	} else {
		page.Grace = page.T("checkin.minutes", int(g/time.Minute))
	}
	page.API = fmt.Sprintf("/api/v1/activities/%d/checkins", v.Activity.SeriesID)
	for _, reg := range v.Recent {
		page.Recent = append(page.Recent, RecentCheckIn{Name: reg.Name, Phone: mask.Phone(reg.Phone), WalkIn: reg.WalkIn, At: reg.CheckedInAt.In(China).Format("15:04:05")})
	}
	return h.Kit.Render.HTML(w, r, status, "activity/checkin", page)
}

func (h *Handler) checkinPage(w http.ResponseWriter, r *http.Request) error {
	return h.renderCheckin(w, r, http.StatusOK, CheckInPage{})
}

// postedBatch runs a one-scan or one-walk-in batch from a console form and shows the page
// with its outcome. The page is rendered, not redirected to: a check-in is idempotent, so a
// re-posted form adds nothing, and the outcome must be on screen at once.
func (h *Handler) postedBatch(cw *CheckInWriter, w http.ResponseWriter, r *http.Request, b CheckInBatch, page CheckInPage) error {
	id, err := web.PathID(r, "id")
	if err != nil {
		return err
	}
	p := account.FromContext(r.Context())
	b.ActivityID, b.Scope, b.Actor = id, p.Scope(), p.ID
	res, err := cw.CheckIn(r.Context(), b)
	if errors.Is(err, db.ErrNotFound) {
		return web.NotFound(err)
	} else if err != nil {
		return err
	}
	for _, x := range append(res.Scans, res.WalkIns...) {
		page.Result = &x
	}
	status := http.StatusOK
	if page.Result != nil && page.Result.Outcome == OutcomeRefused {
		status = http.StatusUnprocessableEntity // the form keeps what was typed, to correct it
	} else {
		page.Code, page.Walk = "", WalkIn{}
	}
	return h.renderCheckin(w, r, status, page)
}

func (h *Handler) checkinForm(cw *CheckInWriter, w http.ResponseWriter, r *http.Request) error {
	code := r.PostFormValue("code")
	admit := r.PostFormValue("admit") == "1"
	if strings.TrimSpace(code) == "" {
		return h.renderCheckin(w, r, http.StatusUnprocessableEntity, CheckInPage{Problem: ErrTicketEmpty.Error(), Admit: admit})
	}
	b := CheckInBatch{Scans: []Scan{{Code: code, Device: "web-form"}}, AdmitWaitlisted: admit}
	return h.postedBatch(cw, w, r, b, CheckInPage{Code: code, Admit: admit})
}

func (h *Handler) walkinForm(cw *CheckInWriter, w http.ResponseWriter, r *http.Request) error {
	wi := WalkIn{Name: r.PostFormValue("name"), Phone: r.PostFormValue("phone"), Key: r.PostFormValue("key"), Device: "web-form"}
	page := CheckInPage{Walk: wi}
	res := CheckInBatch{WalkIns: []WalkIn{wi}}
	return h.postedBatch(cw, w, r, res, page)
}

// staffCancel serves POST /console/activities/{id}/cancellations: staff cancel the live
// ticket a phone number holds (the holder phoned, or lost the link), which frees its place and
// promotes the first waitlisted ticket as the holder's own cancellation does. The page is
// rendered with the outcome, as the other check-in forms are; re-posting it finds no live
// ticket and changes nothing.
func (h *Handler) staffCancel(w http.ResponseWriter, r *http.Request) error {
	id, err := web.PathID(r, "id")
	if err != nil {
		return err
	}
	p := account.FromContext(r.Context())
	phone := r.PostFormValue("phone")
	reg, err := h.Store.StaffCancel(r.Context(), p.Scope(), id, phone)
	var errs ValidationError
	switch {
	case err == nil:
		if h.Log != nil {
			h.Log.Info("registration cancelled by staff", "account", p.ID, "activity", reg.SeriesID, "registration", reg.ID)
		}
		page := CheckInPage{}
		page.CancelDone = fmt.Sprintf("%s（%s）", reg.Name, mask.Phone(reg.Phone))
		return h.renderCheckin(w, r, http.StatusOK, page)
	case errors.Is(err, db.ErrNotFound):
		return web.NotFound(err)
	case errors.Is(err, ErrCheckedInKept):
		return h.renderCheckin(w, r, http.StatusUnprocessableEntity, CheckInPage{CancelPhone: phone, CancelErr: ErrCheckedInKept.Error()})
	case errors.As(err, &errs):
		return h.renderCheckin(w, r, http.StatusUnprocessableEntity, CheckInPage{CancelPhone: phone, CancelErr: errs["phone"]})
	}
	return err
}

// checkinJSON is the body of POST /api/v1/activities/{id}/checkins.
type checkinJSON struct {
	Scans []struct {
		Code      string `json:"code"`
		ScannedAt string `json:"scanned_at"`
		Device    string `json:"device"`
	} `json:"scans"`
	WalkIns []struct {
		Key       string `json:"key"`
		Name      string `json:"name"`
		Phone     string `json:"phone"`
		ScannedAt string `json:"scanned_at"`
		Device    string `json:"device"`
	} `json:"walk_ins"`
	AdmitWaitlisted bool `json:"admit_waitlisted"`
}

// parseDeviceTime reads an RFC 3339 time; "" is zero (when it arrives).
func parseDeviceTime(s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	return time.Parse(time.RFC3339Nano, s)
}

// apiCheckin serves POST /api/v1/activities/{id}/checkins: a batch of scans and walk-ins from
// a staff device (its offline queue), answered with one result per item and the verified count.
func (h *Handler) apiCheckin(cw *CheckInWriter, w http.ResponseWriter, r *http.Request) error {
	p, err := account.APIStaff(r)
	if err != nil {
		return err
	}
	id, err := web.PathID(r, "id")
	if err != nil {
		return err
	}
	var body checkinJSON
	dec := json.NewDecoder(io.LimitReader(r.Body, 1<<20))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&body); err != nil {
		return web.Errorf(http.StatusBadRequest, "checkin.err.json", err.Error())
	}
	b := CheckInBatch{ActivityID: id, Scope: p.Scope(), Actor: p.ID, AdmitWaitlisted: body.AdmitWaitlisted}
	for i, s := range body.Scans {
		t, err := parseDeviceTime(s.ScannedAt)
		if err != nil {
			return web.Errorf(http.StatusBadRequest, "checkin.err.time", fmt.Sprintf("scans[%d]", i), s.ScannedAt)
		}
		b.Scans = append(b.Scans, Scan{Code: s.Code, ScannedAt: t, Device: s.Device})
	}
	for i, x := range body.WalkIns {
		t, err := parseDeviceTime(x.ScannedAt)
		if err != nil {
			return web.Errorf(http.StatusBadRequest, "checkin.err.time", fmt.Sprintf("walk_ins[%d]", i), x.ScannedAt)
		}
		b.WalkIns = append(b.WalkIns, WalkIn{Key: x.Key, Name: x.Name, Phone: x.Phone, ScannedAt: t, Device: x.Device})
	}
	res, err := cw.CheckIn(r.Context(), b)
	switch {
	case errors.Is(err, ErrBatchTooLarge):
		return web.Errorf(http.StatusRequestEntityTooLarge, "checkin.err.batch", MaxScans, MaxWalkIns)
	case errors.Is(err, db.ErrNotFound):
		return web.NotFound(err)
	case err != nil:
		return err
	}
	if res.Scans == nil {
		res.Scans = []ScanResult{}
	}
	if res.WalkIns == nil {
		res.WalkIns = []ScanResult{}
	}
	web.WriteJSON(w, http.StatusOK, res)
	return nil
}

// checkinStatusJSON is the answer of GET /api/v1/activities/{id}/checkins.
type checkinStatusJSON struct {
	SeriesID   int64    `json:"series_id"`
	Verified   int64    `json:"verified"`
	Capacity   int      `json:"capacity"`
	WalkInMax  int      `json:"walkin_allowance"`
	Confirmed  int      `json:"confirmed"`
	Waitlisted int      `json:"waitlisted"`
	WalkIns    int      `json:"walk_ins"`
	Flags      []string `json:"flags"`
}

// apiCheckinStatus serves GET /api/v1/activities/{id}/checkins: the live verified count.
func (h *Handler) apiCheckinStatus(w http.ResponseWriter, r *http.Request) error {
	p, err := account.APIStaff(r)
	if err != nil {
		return err
	}
	id, err := web.PathID(r, "id")
	if err != nil {
		return err
	}
	v, err := h.Store.CheckInStatus(r.Context(), p.Scope(), id, 0)
	if err != nil {
		return web.NotFound(err)
	}
	flags := v.Activity.Flags()
	if flags == nil {
		flags = []string{}
	}
	w.Header().Set("Cache-Control", "no-store")
	web.WriteJSON(w, http.StatusOK, checkinStatusJSON{SeriesID: v.Activity.SeriesID, Verified: v.Activity.VerifiedAttendance, Capacity: v.Activity.Capacity,
		WalkInMax: v.Activity.WalkInAllowance, Confirmed: v.Confirmed, Waitlisted: v.Waitlisted, WalkIns: v.WalkIns, Flags: flags})
	return nil
}

// groupCheckCode writes a ticket payload for people: the check code after the last dash in
// groups of four ("KP1-12-3456-ABCD EFGH JKMN PQRS"), which a phone screen wraps at the spaces
// and ParseTicket reads back (it ignores spaces).
func groupCheckCode(payload string) string {
	i := strings.LastIndexByte(payload, '-')
	if i < 0 {
		return payload
	}
	var b strings.Builder
	b.WriteString(payload[:i+1])
	for j, r := range payload[i+1:] {
		if j > 0 && j%4 == 0 {
			b.WriteByte(' ')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// UpcomingPage is the data of the public list of activities open for sign-up.
type UpcomingPage struct {
	web.Page
	Region     string // the unit the list is narrowed to, or ""
	RegionName string
	Items      []UpcomingItem
}

// UpcomingItem is one activity of the public list.
type UpcomingItem struct {
	Upcoming
	When string
	Left int
}

// upcoming serves GET /activities?region=…: activities open for public sign-up, soonest
// first, optionally in one unit's subtree (a banner, a township) — the page a village
// e-station screen keeps open.
func (h *Handler) upcoming(w http.ResponseWriter, r *http.Request) error {
	p := UpcomingPage{Page: h.Kit.Page(r, "signup.upcoming")}
	if code, err := region.Normalize(r.URL.Query().Get("region")); err == nil {
		if u, err := h.Regions.Get(r.Context(), code); err == nil {
			p.Region, p.RegionName = u.Code, u.Name
		}
	}
	list, err := h.Store.OpenForSignup(r.Context(), p.Region, h.Store.now(), 100)
	if err != nil {
		return err
	}
	for _, u := range list {
		p.Items = append(p.Items, UpcomingItem{Upcoming: u, When: When(u.Activity), Left: max(u.Capacity-u.Confirmed, 0)})
	}
	return h.Kit.Render.HTML(w, r, http.StatusOK, "activity/upcoming", p)
}
