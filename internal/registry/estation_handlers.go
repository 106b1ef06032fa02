package registry

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"

	"github.com/kepu/kepu/internal/account"
	"github.com/kepu/kepu/internal/db"
	"github.com/kepu/kepu/internal/mask"
	"github.com/kepu/kepu/internal/region"
	"github.com/kepu/kepu/internal/web"
)

// ApplicationsPage is the data of the e-station applications list.
type ApplicationsPage struct {
	web.Page
	Status string
	Apps   []Application
}

func (h *Handler) applications(w http.ResponseWriter, r *http.Request) error {
	status := r.URL.Query().Get("status")
	switch status {
	case "", AppSubmitted, AppReviewed, AppRejected, AppAccredited:
	default:
		status = ""
	}
	apps, err := h.Store.Applications(r.Context(), account.ScopeOf(r.Context()), status, 200)
	if err != nil {
		return err
	}
	for i := range apps {
		apps[i].ContactPhone = mask.Phone(apps[i].ContactPhone)
	}
	return h.Kit.Render.HTML(w, r, http.StatusOK, "registry/estations", ApplicationsPage{Page: h.Kit.Page(r, "estation.title"), Status: status, Apps: apps})
}

// ApplicationForm is the data of the application form.
type ApplicationForm struct {
	web.Page
	In           ApplicationInput
	Requirements []RequirementField
	Errors       ValidationError
}

// RequirementField is one of the five requirements on the form.
type RequirementField struct {
	Key, Label, Value, Error string
}

func (h *Handler) applicationForm(r *http.Request, in ApplicationInput, errs ValidationError) ApplicationForm {
	f := ApplicationForm{Page: h.Kit.Page(r, "estation.new"), In: in, Errors: errs}
	for _, req := range EStationRequirements {
		f.Requirements = append(f.Requirements, RequirementField{Key: req.Key, Label: req.Label, Value: in.Requirements[req.Key], Error: errs[req.Key]})
	}
	return f
}

func (h *Handler) newApplication(w http.ResponseWriter, r *http.Request) error {
	in := ApplicationInput{Requirements: map[string]string{}}
	if prev, err := strconv.ParseInt(r.URL.Query().Get("previous"), 10, 64); err == nil {
		old, err := h.Store.Application(r.Context(), account.ScopeOf(r.Context()), prev)
		if err != nil {
			return web.NotFound(err)
		}
		in = ApplicationInput{RegionCode: old.RegionCode, Name: old.Name, SiteType: old.SiteType, ContactName: old.ContactName, Requirements: old.Requirements, PreviousID: old.ID}
	}
	return h.Kit.Render.HTML(w, r, http.StatusOK, "registry/estation_form", h.applicationForm(r, in, nil))
}

func (h *Handler) submitApplication(w http.ResponseWriter, r *http.Request) error {
	p := account.FromContext(r.Context())
	in := ApplicationInput{RegionCode: r.PostFormValue("region_code"), Name: r.PostFormValue("name"), SiteType: r.PostFormValue("site_type"),
		ContactName: r.PostFormValue("contact_name"), ContactPhone: r.PostFormValue("contact_phone"), Requirements: map[string]string{}}
	for _, req := range EStationRequirements {
		in.Requirements[req.Key] = r.PostFormValue(req.Key)
	}
	in.PreviousID, _ = strconv.ParseInt(r.PostFormValue("previous_id"), 10, 64)
	id, err := h.Store.Submit(r.Context(), p.Scope(), p.ID, in)
	var errs ValidationError
	if errors.As(err, &errs) {
		return h.Kit.Render.HTML(w, r, http.StatusUnprocessableEntity, "registry/estation_form", h.applicationForm(r, in, errs))
	}
	if err != nil {
		return web.NotFound(err)
	}
	http.Redirect(w, r, fmt.Sprintf("/console/estations/%d", id), http.StatusSeeOther)
	return nil
}

// ApplicationPage is the data of one application.
type ApplicationPage struct {
	web.Page
	App          Application
	Requirements []RequirementField
	CanReview    bool
	CanPublish   bool
	Problem      string
}

func (h *Handler) application(w http.ResponseWriter, r *http.Request) error {
	return h.renderApplication(w, r, "")
}

func (h *Handler) renderApplication(w http.ResponseWriter, r *http.Request, problem string) error {
	id, err := web.PathID(r, "id")
	if err != nil {
		return err
	}
	p := account.FromContext(r.Context())
	a, err := h.Store.Application(r.Context(), p.Scope(), id)
	if err != nil {
		return web.NotFound(err)
	}
	a.ContactPhone = mask.Phone(a.ContactPhone)
	page := ApplicationPage{Page: h.Kit.Page(r, "estation.detail", a.Name), App: a, Problem: problem,
		CanReview: a.Status == AppSubmitted && p.Holds(region.LevelBanner, a.RegionCode), CanPublish: a.Status == AppReviewed && p.Holds(region.LevelLeague, a.RegionCode)}
	for _, req := range EStationRequirements {
		page.Requirements = append(page.Requirements, RequirementField{Key: req.Key, Label: req.Label, Value: a.Requirements[req.Key]})
	}
	status := http.StatusOK
	if problem != "" {
		status = http.StatusUnprocessableEntity
	}
	return h.Kit.Render.HTML(w, r, status, "registry/estation", page)
}

// decideApplication handles the review (banner) and publish (league) forms.
func (h *Handler) decideApplication(w http.ResponseWriter, r *http.Request) error {
	id, err := web.PathID(r, "id")
	if err != nil {
		return err
	}
	p := account.FromContext(r.Context())
	decision := r.PostFormValue("decision")
	if decision != "pass" && decision != "reject" {
		return web.Errorf(http.StatusBadRequest, "estation.err.decision")
	}
	pass := decision == "pass"
	switch r.PathValue("step") {
	case "review":
		err = h.Store.Review(r.Context(), p, p.ID, id, pass, r.PostFormValue("inspected_on"), r.PostFormValue("note"))
	case "publish":
		err = h.Store.Publish(r.Context(), p, p.ID, id, pass, r.PostFormValue("note"), h.plaquePrefix())
	default:
		return web.NotFound(nil)
	}
	var verr ValidationError
	switch {
	case err == nil:
		http.Redirect(w, r, fmt.Sprintf("/console/estations/%d", id), http.StatusSeeOther)
		return nil
	case errors.Is(err, db.ErrNotFound):
		return web.NotFound(err)
	case errors.Is(err, ErrNotYours):
		return web.Forbidden(err)
	case errors.Is(err, ErrWrongStep), errors.Is(err, ErrNoReason), errors.Is(err, ErrSameAccount), errors.Is(err, ErrNoteTooLong):
		return h.renderApplication(w, r, err.Error())
	case errors.As(err, &verr):
		for _, m := range verr {
			return h.renderApplication(w, r, m)
		}
	}
	return err
}

func (h *Handler) plaquePrefix() string {
	if h.PlaquePrefix != "" {
		return h.PlaquePrefix
	}
	return "NMKX-E"
}
