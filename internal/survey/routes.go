package survey

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"net/http"

	"github.com/kepu/kepu/internal/account"
	"github.com/kepu/kepu/internal/region"
	"github.com/kepu/kepu/internal/web"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed survey.css
var surveyCSS []byte

// cssURL is the survey style sheet's address, named by its content so it is cached for good.
var cssURL = func() string {
	sum := sha256.Sum256(surveyCSS)
	return "/surveys/survey.css?v=" + hex.EncodeToString(sum[:6])
}()

func serveCSS(w http.ResponseWriter, r *http.Request) error {
	w.Header().Set("Content-Type", "text/css; charset=utf-8")
	if "/surveys/survey.css?v="+r.URL.Query().Get("v") == cssURL {
		w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
	} else {
		w.Header().Set("Cache-Control", "no-cache")
	}
	_, err := w.Write(surveyCSS)
	return err
}

// Templates returns the survey pages for the renderer.
func Templates() web.Templates { return web.PackageTemplates("survey", templateFS) }

// Handler serves the survey console, the public questionnaire and the survey API.
type Handler struct {
	Kit     *web.Kit
	Store   *Store
	Regions *region.Store
}

// Routes lists every route the survey domain serves.
func (h *Handler) Routes(mux *http.ServeMux) {
	// Public, no sign-in: the questionnaire of an invitation (link and QR), one response a code.
	mux.Handle("GET /q/{code}", h.Kit.H(h.questionnaire))
	mux.Handle("GET /surveys/survey.css", h.Kit.H(serveCSS))
	mux.Handle("POST /q/{code}", h.Kit.H(h.respond))
	// Console: surveys visible to the caller's scope, their items, invitations, interviewer
	// entry, imports of responses and margins, reports and exports.
	mux.Handle("GET /console/surveys", h.Kit.H(account.Staff(h.list)))
	mux.Handle("POST /console/surveys", h.Kit.H(account.Staff(h.create)))
	mux.Handle("GET /console/surveys/trend", h.Kit.H(account.Staff(h.trend)))
	mux.Handle("GET /console/surveys/{id}", h.Kit.H(account.Staff(h.detail)))
	mux.Handle("POST /console/surveys/{id}/items", h.Kit.H(account.Staff(h.addItem)))
	mux.Handle("POST /console/surveys/{id}/items/import", h.Kit.H(account.Staff(h.importItems)))
	mux.Handle("POST /console/surveys/{id}/invitations", h.Kit.H(account.Staff(h.invite)))
	mux.Handle("POST /console/surveys/{id}/invitations/import", h.Kit.H(account.Staff(h.importInvitations)))
	mux.Handle("GET /console/surveys/{id}/invitations.xlsx", h.Kit.H(account.Staff(h.exportInvitations)))
	mux.Handle("GET /console/surveys/{id}/invitations/{code}", h.Kit.H(account.Staff(h.invitation)))
	mux.Handle("GET /console/surveys/{id}/interview", h.Kit.H(account.Staff(h.interviewForm)))
	mux.Handle("POST /console/surveys/{id}/interview", h.Kit.H(account.Staff(h.interview)))
	mux.Handle("POST /console/surveys/{id}/imports", h.Kit.H(account.Staff(h.importResponses)))
	mux.Handle("GET /console/surveys/{id}/template", h.Kit.H(account.Staff(h.template)))
	mux.Handle("POST /console/surveys/{id}/margins", h.Kit.H(account.Staff(h.setMargins)))
	mux.Handle("POST /console/surveys/{id}/margins/import", h.Kit.H(account.Staff(h.importMargins)))
	mux.Handle("GET /console/surveys/{id}/report", h.Kit.H(account.Staff(h.report)))
	mux.Handle("GET /console/surveys/{id}/report.xlsx", h.Kit.H(account.Staff(h.exportReport)))
	mux.Handle("GET /api/v1/surveys", h.Kit.H(h.apiList))
	mux.Handle("GET /api/v1/surveys/{id}/report", h.Kit.H(h.apiReport))
}

// Nav names the survey pages in the console.
func (h *Handler) Nav() []web.NavItem {
	return []web.NavItem{{Key: "survey.title", Href: "/console/surveys", Staff: true}}
}
