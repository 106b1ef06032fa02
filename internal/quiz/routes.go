package quiz

import (
	"embed"
	"log/slog"
	"net/http"
	"time"

	"github.com/kepu/kepu/internal/account"
	"github.com/kepu/kepu/internal/region"
	"github.com/kepu/kepu/internal/web"
)

//go:embed templates/*.html
var templateFS embed.FS

// Templates returns the quiz pages for the renderer.
func Templates() web.Templates { return web.PackageTemplates("quiz", templateFS) }

// Handler serves the quiz pages and API: staff banks and contests, the public contest pages
// (sign-up, attempts, boards) and certificate verification.
type Handler struct {
	Kit     *web.Kit
	Store   *Store
	Regions *region.Store
	Log     *slog.Logger
	// BaseURL is the public address printed in certificates' QR codes (--base-url).
	BaseURL string
	// Writer runs every attempt step by group commit; nil makes one.
	Writer *Writer

	signups *account.Limiter // sign-ups per client address
	steps   *account.Limiter // attempt steps per participant
}

// Limits of the public side, per process (in memory, as account.Limiter): sign-ups from one
// client address in an hour (a class signing up behind one school address fits), and steps
// (answers, questions shown, attempts started) of one participant in a minute (a person
// answers at most a question every couple of seconds).
const (
	SignupsPerAddr       = 60
	SignupWindow         = time.Hour
	StepsPerParticipant  = 60
	StepWindow           = time.Minute
	tokenCookiePrefix    = "kepu_quiz_"
	certificatePathFirst = "/quiz-certificates/"
)

// Routes lists every route the quiz domain serves.
func (h *Handler) Routes(mux *http.ServeMux) {
	if h.Writer == nil {
		h.Writer = &Writer{Store: h.Store}
	}
	h.signups = account.NewLimiter(SignupsPerAddr, SignupWindow)
	h.steps = account.NewLimiter(StepsPerParticipant, StepWindow)
	// Staff: banks (import, export, template), contests, invitations, audit of a participant.
	mux.Handle("GET /console/quiz", h.Kit.H(account.Staff(h.console)))
	mux.Handle("POST /console/quiz/banks", h.Kit.H(account.Staff(h.createBank)))
	mux.Handle("GET /console/quiz/banks/{id}", h.Kit.H(account.Staff(h.bank)))
	mux.Handle("POST /console/quiz/banks/{id}/import", h.Kit.H(account.Staff(h.importBank)))
	mux.Handle("GET /console/quiz/banks/{id}/export", h.Kit.H(account.Staff(h.exportBank)))
	mux.Handle("GET /console/quiz/template", h.Kit.H(account.Staff(h.template)))
	mux.Handle("POST /console/quiz/contests", h.Kit.H(account.Staff(h.createContest)))
	mux.Handle("GET /console/quiz/contests/{id}", h.Kit.H(account.Staff(h.contestAdmin)))
	mux.Handle("POST /console/quiz/contests/{id}/invitations", h.Kit.H(account.Staff(h.invitations)))
	mux.Handle("GET /console/quiz/participants/{id}", h.Kit.H(account.Staff(h.audit)))
	// Public: contests, sign-up, attempts, boards, certificates.
	mux.Handle("GET /quiz", h.Kit.H(h.publicList))
	mux.Handle("GET /quiz/{id}", h.Kit.H(h.contest))
	mux.Handle("POST /quiz/{id}/signup", h.Kit.H(h.signup))
	mux.Handle("POST /quiz/{id}/attempts", h.Kit.H(h.start))
	mux.Handle("GET /quiz/{id}/attempts/{aid}", h.Kit.H(h.play))
	mux.Handle("POST /quiz/{id}/attempts/{aid}/next", h.Kit.H(h.next))
	mux.Handle("POST /quiz/{id}/attempts/{aid}/answers", h.Kit.H(h.answerForm))
	mux.Handle("GET /quiz/{id}/board", h.Kit.H(h.board))
	mux.Handle("POST /quiz/{id}/certificate", h.Kit.H(h.claimCertificate))
	mux.Handle("GET /quiz-certificates/{code}", h.Kit.H(h.certificate))
	mux.Handle("GET /quiz-certificates/{code}/png", h.Kit.H(h.certificatePNG))
	// API for apps and TV clients (participant token in X-Quiz-Token; CSRF token from the
	// contest's GET).
	mux.Handle("GET /api/v1/quiz/contests/{id}", h.Kit.H(h.apiContest))
	mux.Handle("POST /api/v1/quiz/contests/{id}/participants", h.Kit.H(h.apiSignup))
	mux.Handle("POST /api/v1/quiz/contests/{id}/attempts", h.Kit.H(h.apiStart))
	mux.Handle("GET /api/v1/quiz/contests/{id}/me", h.Kit.H(h.apiMe))
	mux.Handle("GET /api/v1/quiz/contests/{id}/board", h.Kit.H(h.apiBoard))
	mux.Handle("GET /api/v1/quiz/contests/{id}/regions", h.Kit.H(h.apiRegions))
	mux.Handle("POST /api/v1/quiz/attempts/{aid}/next", h.Kit.H(h.apiNext))
	mux.Handle("POST /api/v1/quiz/attempts/{aid}/answers", h.Kit.H(h.apiAnswer))
	mux.Handle("GET /api/v1/quiz/certificates/{code}", h.Kit.H(h.apiCertificate))
}

// Nav names the quiz pages.
func (h *Handler) Nav() []web.NavItem {
	return []web.NavItem{
		{Key: "quiz.nav", Href: "/quiz"},
		{Key: "quiz.nav_console", Href: "/console/quiz", Staff: true},
	}
}
