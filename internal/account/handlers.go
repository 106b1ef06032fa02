package account

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/kepu/kepu/internal/db"
	"github.com/kepu/kepu/internal/mask"
	"github.com/kepu/kepu/internal/region"
	"github.com/kepu/kepu/internal/web"
)

// SessionCookie is the name of the session cookie.
const SessionCookie = "kepu_session"

// Handler serves sign-in, sign-out, first-admin setup and the account pages of the console.
type Handler struct {
	Kit     *web.Kit
	Store   *Store
	Regions *region.Store
	// Limits count failed sign-ins (NewLoginLimits).
	Limits *LoginLimits
	// SecureCookies marks cookies Secure (set when Kepu is served over HTTPS).
	SecureCookies bool
	// RootRegion is the unit the first region admin is bound to (e.g. 150000).
	RootRegion string
}

// Session is the middleware that loads the signed-in account from the session cookie.
func (h *Handler) Session(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, err := r.Cookie(SessionCookie)
		if err == nil && c.Value != "" {
			p, err := h.Store.SessionPrincipal(r.Context(), c.Value)
			switch {
			case err == nil:
				r = r.WithContext(web.WithIdentity(r.Context(), p))
			case errors.Is(err, db.ErrNotFound):
				h.clearCookie(w)
			default:
				h.Kit.Log.Error("session lookup", "err", err)
			}
		}
		next.ServeHTTP(w, r)
	})
}

func (h *Handler) clearCookie(w http.ResponseWriter) {
	http.SetCookie(w, &http.Cookie{Name: SessionCookie, Value: "", Path: "/", MaxAge: -1, HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: h.SecureCookies})
}

// Staff wraps a console handler: anonymous visitors go to the login page, public users get 403.
// Every domain's console routes use it.
func Staff(fn web.HandlerFunc) web.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		p := FromContext(r.Context())
		if p == nil {
			http.Redirect(w, r, "/login?next="+url.QueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
			return nil
		}
		if !p.IsStaff() {
			return web.Forbidden(nil)
		}
		return fn(w, r)
	}
}

// APIStaff returns the signed-in staff member of an /api/v1 request: 401 when nobody is signed
// in, 403 for a public user. Every domain's staff API handlers start with it.
func APIStaff(r *http.Request) (*Principal, error) {
	p := FromContext(r.Context())
	if p == nil {
		return nil, web.Errorf(http.StatusUnauthorized, "error.unauthorized")
	}
	if !p.IsStaff() {
		return nil, web.Forbidden(nil)
	}
	return p, nil
}

// ClientIP returns the address of the connection (Kepu trusts no forwarding header by default).
func ClientIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// LoginPage is the data of the login page.
type LoginPage struct {
	web.Page
	Username string
	Next     string
	Error    string
}

func (h *Handler) loginForm(w http.ResponseWriter, r *http.Request) error {
	return h.Kit.Render.HTML(w, r, http.StatusOK, "account/login", LoginPage{Page: h.Kit.Page(r, "login.title"), Next: web.LocalPath(r.URL.Query().Get("next"))})
}

// login checks the rate limits, then the password; success starts a session and redirects
// (303) to next, failure re-renders the form with one message.
func (h *Handler) login(w http.ResponseWriter, r *http.Request) error {
	username := strings.ToLower(strings.TrimSpace(r.PostFormValue("username")))
	password := r.PostFormValue("password")
	next := web.LocalPath(r.PostFormValue("next"))
	page := LoginPage{Page: h.Kit.Page(r, "login.title"), Username: username, Next: next}
	ip := ClientIP(r)
	fail := func(status int, key string, args ...any) error {
		page.Error = page.T(key, args...)
		return h.Kit.Render.HTML(w, r, status, "account/login", page)
	}
	if username == "" || password == "" {
		return fail(http.StatusUnprocessableEntity, "login.err.empty")
	}
	if ok, wait, which := h.Limits.Begin(username, ip); !ok {
		w.Header().Set("Retry-After", strconv.Itoa(int(wait.Seconds())+1))
		// Logged, not audited: refusals cost an attacker nothing, so they must not fill the database.
		h.Kit.Log.Warn("sign-in refused by rate limit", "username", username, "ip", ip, "limit", which)
		return fail(http.StatusTooManyRequests, "login.err.rate", int(wait.Minutes())+1)
	}
	p, err := h.Store.Authenticate(r.Context(), username, password)
	switch {
	case errors.Is(err, ErrBadCredentials), errors.Is(err, ErrDisabled):
		h.Kit.Log.Warn("sign-in failed", "username", username, "ip", ip)
		h.Store.Audit(r.Context(), 0, "session.login_failed", username, "", ip)
		return fail(http.StatusUnauthorized, "login.err.bad")
	case err != nil:
		return err
	}
	h.Limits.Succeed(username, ip)
	if err := h.startSession(w, r, p.ID); err != nil {
		return err
	}
	if next == "/" && p.IsStaff() {
		next = "/console"
	}
	http.Redirect(w, r, next, http.StatusSeeOther)
	return nil
}

func (h *Handler) startSession(w http.ResponseWriter, r *http.Request, id int64) error {
	// A new token at every sign-in: a token planted before sign-in is never promoted.
	if c, err := r.Cookie(SessionCookie); err == nil {
		h.Store.DeleteSession(r.Context(), c.Value)
	}
	token, err := h.Store.CreateSession(r.Context(), id, ClientIP(r), r.UserAgent())
	if err != nil {
		return err
	}
	http.SetCookie(w, &http.Cookie{Name: SessionCookie, Value: token, Path: "/", HttpOnly: true, SameSite: http.SameSiteLaxMode,
		Secure: h.SecureCookies, MaxAge: int(SessionMaxAge / time.Second)})
	return nil
}

func (h *Handler) logout(w http.ResponseWriter, r *http.Request) error {
	if c, err := r.Cookie(SessionCookie); err == nil {
		if err := h.Store.DeleteSession(r.Context(), c.Value); err != nil {
			return err
		}
	}
	h.clearCookie(w)
	http.Redirect(w, r, "/", http.StatusSeeOther)
	return nil
}

// SetupPage is the data of the first-admin page.
type SetupPage struct {
	web.Page
	Form   UserForm
	Region region.Unit
	Errors map[string]string
}

// checkSetup answers 410 Gone for a setup link that can no longer be used.
func (h *Handler) checkSetup(r *http.Request) error {
	if err := h.Store.CheckSetupToken(r.Context(), r.PathValue("token")); err != nil {
		if errors.Is(err, ErrSetupUsed) {
			return web.Errorf(http.StatusGone, "setup.err.used")
		}
		return err
	}
	return nil
}

func (h *Handler) setupForm(w http.ResponseWriter, r *http.Request) error {
	if err := h.checkSetup(r); err != nil {
		return err
	}
	root, err := h.Regions.Get(r.Context(), h.RootRegion)
	if err != nil {
		return err
	}
	return h.Kit.Render.HTML(w, r, http.StatusOK, "account/setup", SetupPage{Page: h.Kit.Page(r, "setup.title"), Region: root})
}

func (h *Handler) setup(w http.ResponseWriter, r *http.Request) error {
	if err := h.checkSetup(r); err != nil {
		return err
	}
	root, err := h.Regions.Get(r.Context(), h.RootRegion)
	if err != nil {
		return err
	}
	f := readUserForm(r)
	a := NewAccount{Username: f.Username, DisplayName: f.DisplayName, Phone: f.Phone, Password: f.Password,
		Grants: []Grant{{Role: RegionAdmin, RegionCode: root.Code}}}
	id, err := h.Store.UseSetupToken(r.Context(), r.PathValue("token"), a)
	if err != nil {
		page := SetupPage{Page: h.Kit.Page(r, "setup.title"), Form: f, Region: root}
		if errors.Is(err, ErrSetupUsed) {
			return web.Errorf(http.StatusGone, "setup.err.used")
		}
		if msgs, ok := fieldMessages(page.Page, err); ok {
			page.Errors = msgs
			return h.Kit.Render.HTML(w, r, http.StatusUnprocessableEntity, "account/setup", page)
		}
		return err
	}
	if err := h.startSession(w, r, id); err != nil {
		return err
	}
	http.Redirect(w, r, "/console", http.StatusSeeOther)
	return nil
}

// UserForm is the new-account form.
type UserForm struct {
	Username    string
	DisplayName string
	Phone       string
	Password    string
	Role        string
	Region      string
}

func readUserForm(r *http.Request) UserForm {
	return UserForm{
		Username:    strings.TrimSpace(r.PostFormValue("username")),
		DisplayName: strings.TrimSpace(r.PostFormValue("display_name")),
		Phone:       strings.TrimSpace(r.PostFormValue("phone")),
		Password:    r.PostFormValue("password"),
		Role:        r.PostFormValue("role"),
		Region:      strings.TrimSpace(r.PostFormValue("region")),
	}
}

// fieldMessages turns a *FieldError or a duplicate username into messages beside the fields.
func fieldMessages(p web.Page, err error) (map[string]string, bool) {
	var fe *FieldError
	if errors.As(err, &fe) {
		return map[string]string{fe.Field: p.T(fe.Key, fe.Args...)}, true
	}
	if errors.Is(err, db.ErrConflict) {
		return map[string]string{"username": p.T("account.err.username_taken")}, true
	}
	return nil, false
}

// UsersPage is the data of the account list.
type UsersPage struct {
	web.Page
	Rows   []UserRow
	Total  int
	Q      string
	Offset int
	Next   int // offset of the next page, 0 if none
}

// UserRow is an account as the list shows it: the phone masked.
type UserRow struct {
	Row
	PhoneMasked string
	Roles       []string
}

const pageSize = 50

func (h *Handler) users(w http.ResponseWriter, r *http.Request) error {
	p := FromContext(r.Context())
	q := r.URL.Query().Get("q")
	offset, _ := strconv.Atoi(r.URL.Query().Get("offset"))
	offset = max(offset, 0)
	rows, total, err := h.Store.List(r.Context(), p.Scope(), q, pageSize, offset)
	if err != nil {
		return err
	}
	page := UsersPage{Page: h.Kit.Page(r, "users.title"), Total: total, Q: q, Offset: offset}
	for _, row := range rows {
		ur := UserRow{Row: row, PhoneMasked: mask.Phone(row.Phone)}
		for _, g := range row.Grants {
			ur.Roles = append(ur.Roles, fmt.Sprintf("%s · %s", g.RegionName, RoleName(g.Role)))
		}
		page.Rows = append(page.Rows, ur)
	}
	if offset+pageSize < total {
		page.Next = offset + pageSize
	}
	return h.Kit.Render.HTML(w, r, http.StatusOK, "account/users", page)
}

// NewUserPage is the data of the new-account form.
type NewUserPage struct {
	web.Page
	Form   UserForm
	Roles  []RoleOption
	Errors map[string]string
}

// RoleOption is a role in the form's select.
type RoleOption struct {
	Value, Label string
}

func (h *Handler) roleOptions(p *Principal) []RoleOption {
	top := region.LevelTownship
	for _, g := range p.Grants {
		top = min(top, g.Role.Level())
	}
	var out []RoleOption
	for _, r := range Roles {
		if r.Level() >= top {
			out = append(out, RoleOption{Value: string(r), Label: RoleName(r)})
		}
	}
	if len(p.Scope().Roots()) > 0 {
		out = append(out, contentRoleOptions()...)
	}
	return out
}

func contentRoleOptions() []RoleOption {
	var out []RoleOption
	for _, r := range ContentRoles {
		out = append(out, RoleOption{Value: string(r), Label: RoleName(r)})
	}
	return out
}

func (h *Handler) newUserForm(w http.ResponseWriter, r *http.Request) error {
	p := FromContext(r.Context())
	return h.Kit.Render.HTML(w, r, http.StatusOK, "account/user_new", NewUserPage{Page: h.Kit.Page(r, "users.new"), Roles: h.roleOptions(p)})
}

// createUser adds an account bound to a unit inside the creator's scope; a unit outside it is
// refused with 403 before anything is written.
func (h *Handler) createUser(w http.ResponseWriter, r *http.Request) error {
	p := FromContext(r.Context())
	f := readUserForm(r)
	page := NewUserPage{Page: h.Kit.Page(r, "users.new"), Form: f, Roles: h.roleOptions(p)}
	f.Password = ""
	page.Form.Password = ""
	invalid := func(field, key string, args ...any) error {
		page.Errors = map[string]string{field: page.T(key, args...)}
		return h.Kit.Render.HTML(w, r, http.StatusUnprocessableEntity, "account/user_new", page)
	}
	role, err := ParseRole(f.Role)
	if err != nil {
		return invalid("role", "account.err.role")
	}
	code, err := region.Normalize(f.Region)
	if err != nil {
		return invalid("region", "account.err.region_format")
	}
	if !p.Can(Change, code) {
		return web.Forbidden(fmt.Errorf("%s may not create accounts at %s", p.Username, code))
	}
	a := NewAccount{Username: f.Username, DisplayName: f.DisplayName, Phone: f.Phone, Password: readUserForm(r).Password,
		Grants: []Grant{{Role: role, RegionCode: code}}, CreatedBy: p.ID}
	id, err := h.Store.Create(r.Context(), a)
	if err != nil {
		if msgs, ok := fieldMessages(page.Page, err); ok {
			page.Errors = msgs
			return h.Kit.Render.HTML(w, r, http.StatusUnprocessableEntity, "account/user_new", page)
		}
		return err
	}
	http.Redirect(w, r, fmt.Sprintf("/console/users/%d", id), http.StatusSeeOther)
	return nil
}

// UserPage is the data of one account's page.
type UserPage struct {
	web.Page
	Account     *Principal
	PhoneMasked string
	Roles       []string
	// Revocable lists the account's content-role grants that the viewer may take back;
	// GrantRoles the content roles the viewer may give (empty when the viewer holds no staff
	// scope), with the form's values and problems.
	Revocable  []Grant
	GrantRoles []RoleOption
	Form       GrantForm
	Errors     map[string]string
}

// GrantForm is the form that gives an account a content role over a unit.
type GrantForm struct {
	Role, Region string
}

// visibleAccount reads the account of the {id} path value if it holds a grant inside the
// viewer's scope or is the viewer's own; any other id is 404, exactly as if it did not exist.
func (h *Handler) visibleAccount(r *http.Request) (*Principal, error) {
	viewer := FromContext(r.Context())
	id, err := web.PathID(r, "id")
	if err != nil {
		return nil, err
	}
	acc, err := h.Store.Principal(r.Context(), id)
	if err != nil {
		return nil, web.NotFound(err)
	}
	visible := acc.ID == viewer.ID
	for _, g := range acc.Grants {
		visible = visible || viewer.Can(View, g.RegionCode)
	}
	if !visible {
		return nil, web.NotFound(fmt.Errorf("account %d outside the scope of %s", id, viewer.Username))
	}
	return acc, nil
}

func (h *Handler) userDetail(w http.ResponseWriter, r *http.Request) error {
	acc, err := h.visibleAccount(r)
	if err != nil {
		return err
	}
	return h.userPage(w, r, acc, http.StatusOK, GrantForm{}, nil)
}

func (h *Handler) userPage(w http.ResponseWriter, r *http.Request, acc *Principal, status int, f GrantForm, errs map[string]string) error {
	viewer := FromContext(r.Context())
	var phone string
	h.Store.DB.QueryRowContext(r.Context(), `SELECT phone FROM accounts WHERE id = $1`, acc.ID).Scan(&phone)
	page := UserPage{Page: h.Kit.Page(r, "users.detail", acc.Username), Account: acc, PhoneMasked: mask.Phone(phone),
		Roles: acc.RoleSummary(), Form: f, Errors: errs}
	if len(viewer.Scope().Roots()) > 0 {
		page.GrantRoles = contentRoleOptions()
	}
	for _, g := range acc.Grants {
		if g.Role.IsContentRole() && viewer.Can(Change, g.RegionCode) {
			page.Revocable = append(page.Revocable, g)
		}
	}
	return h.Kit.Render.HTML(w, r, status, "account/user", page)
}

// grantRole gives the account a content role over a unit inside the viewer's staff scope
// (a unit outside it: 403, nothing written); problems with the form re-render the page (422).
func (h *Handler) grantRole(w http.ResponseWriter, r *http.Request) error {
	viewer := FromContext(r.Context())
	acc, err := h.visibleAccount(r)
	if err != nil {
		return err
	}
	f := GrantForm{Role: r.PostFormValue("role"), Region: strings.TrimSpace(r.PostFormValue("region"))}
	p := h.Kit.Page(r, "users.detail", acc.Username)
	role, err := ParseRole(f.Role)
	if err != nil || !role.IsContentRole() {
		return h.userPage(w, r, acc, http.StatusUnprocessableEntity, f, map[string]string{"role": p.T("account.err.content_role")})
	}
	code, err := region.Normalize(f.Region)
	if err != nil {
		return h.userPage(w, r, acc, http.StatusUnprocessableEntity, f, map[string]string{"region": p.T("account.err.region_format")})
	}
	if !viewer.Can(Change, code) {
		return web.Forbidden(fmt.Errorf("%s may not grant roles at %s", viewer.Username, code))
	}
	if err := h.Store.GrantRole(r.Context(), viewer.ID, acc.ID, Grant{Role: role, RegionCode: code}); err != nil {
		if msgs, ok := fieldMessages(p, err); ok {
			return h.userPage(w, r, acc, http.StatusUnprocessableEntity, f, msgs)
		}
		return err
	}
	http.Redirect(w, r, fmt.Sprintf("/console/users/%d", acc.ID), http.StatusSeeOther)
	return nil
}

// revokeRole takes a content role back; the unit must lie inside the viewer's staff scope.
func (h *Handler) revokeRole(w http.ResponseWriter, r *http.Request) error {
	viewer := FromContext(r.Context())
	acc, err := h.visibleAccount(r)
	if err != nil {
		return err
	}
	role, err := ParseRole(r.PostFormValue("role"))
	if err != nil || !role.IsContentRole() {
		return &web.Error{Status: http.StatusBadRequest, Key: "account.err.content_role", Err: fmt.Errorf("no content role %q", r.PostFormValue("role"))}
	}
	code, err := region.Normalize(r.PostFormValue("region"))
	if err != nil {
		return &web.Error{Status: http.StatusBadRequest, Key: "account.err.region_format", Err: err}
	}
	if !viewer.Can(Change, code) {
		return web.Forbidden(fmt.Errorf("%s may not revoke roles at %s", viewer.Username, code))
	}
	if err := h.Store.RevokeRole(r.Context(), viewer.ID, acc.ID, Grant{Role: role, RegionCode: code}); err != nil {
		if errors.Is(err, db.ErrNotFound) {
			return web.NotFound(err)
		}
		return err
	}
	http.Redirect(w, r, fmt.Sprintf("/console/users/%d", acc.ID), http.StatusSeeOther)
	return nil
}

// MeJSON is the body of GET /api/v1/me.
type MeJSON struct {
	Username string      `json:"username"`
	Name     string      `json:"name"`
	Grants   []GrantJSON `json:"grants"`
}

// GrantJSON is one grant in the API.
type GrantJSON struct {
	Role       string `json:"role"`
	RegionCode string `json:"region_code"`
	RegionName string `json:"region_name"`
}

func (h *Handler) apiMe(w http.ResponseWriter, r *http.Request) error {
	p := FromContext(r.Context())
	if p == nil {
		return web.Errorf(http.StatusUnauthorized, "error.unauthorized")
	}
	out := MeJSON{Username: p.Username, Name: p.Name, Grants: []GrantJSON{}}
	for _, g := range p.Grants {
		out.Grants = append(out.Grants, GrantJSON{Role: string(g.Role), RegionCode: g.RegionCode, RegionName: g.RegionName})
	}
	web.WriteJSON(w, http.StatusOK, out)
	return nil
}
