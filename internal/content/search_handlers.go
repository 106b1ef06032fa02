package content

import (
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/kepu/kepu/internal/account"
	"github.com/kepu/kepu/internal/web"
)

// SearchPage is the data of the public search page (/content/search) and the console one
// (/console/content/search).
type SearchPage struct {
	PublicPage
	Query    string // as typed, cut to MaxQueryRunes characters for showing it again
	Error    string // why the query was refused, in the page's language ("" when it was not)
	Searched bool   // a query was run (its results may be empty)
	Total    int
	Rows     []Row
	MaxRunes int
}

// searchError is the message key and arguments of a refused query.
func searchError(err error) (string, []any) {
	if errors.Is(err, ErrQueryLong) {
		return "content.search_long", []any{MaxQueryRunes}
	}
	return "content.search_short", nil
}

// runSearch reads ?q= and searches; a refused query sets p.Error and the status 422.
func (h *Handler) runSearch(r *http.Request, p *SearchPage, public bool) (int, error) {
	q := r.URL.Query().Get("q")
	p.Query, p.MaxRunes = cut(strings.TrimSpace(q), MaxQueryRunes), MaxQueryRunes
	terms, err := ParseQuery(q)
	if err != nil {
		key, args := searchError(err)
		p.Error = p.T(key, args...)
		return http.StatusUnprocessableEntity, nil
	}
	if len(terms) == 0 {
		return http.StatusOK, nil
	}
	sq := SearchQuery{Terms: terms, Public: public, Limit: 50}
	if !public {
		sq.Scope = ViewScope(account.FromContext(r.Context()))
	}
	res, err := h.Store.Search(r.Context(), sq)
	if err != nil {
		return 0, err
	}
	p.Searched, p.Total, p.Rows = true, res.Total, h.rows(res.Items)
	return http.StatusOK, nil
}

// cut returns s shortened to at most n runes.
func cut(s string, n int) string {
	for i := range s {
		if n == 0 {
			return s[:i]
		}
		n--
	}
	return s
}

// search serves GET /content/search?q=: the public items with every word of q, newest first.
func (h *Handler) search(w http.ResponseWriter, r *http.Request) error {
	p := SearchPage{PublicPage: h.publicPage(r, "")}
	p.Title = p.T("content.search")
	status, err := h.runSearch(r, &p, true)
	if err != nil {
		return err
	}
	return h.Kit.Render.HTML(w, r, status, "content/search", p)
}

// consoleSearch serves GET /console/content/search?q=: the caller's items of any status with
// every word of q, newest first.
func (h *Handler) consoleSearch(w http.ResponseWriter, r *http.Request) error {
	p := SearchPage{PublicPage: PublicPage{Page: h.Kit.Page(r, "content.search_console")}}
	status, err := h.runSearch(r, &p, false)
	if err != nil {
		return err
	}
	return h.Kit.Render.HTML(w, r, status, "content/search_console", p)
}

// apiSearch serves GET /api/v1/content/search?q=&limit=: public items (no bodies) with every
// word of q, newest first, and how many match in all; no sign-in. A refused query is a 422
// with the reason.
func (h *Handler) apiSearch(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	terms, err := ParseQuery(q.Get("q"))
	if err == nil && len(terms) == 0 {
		err = ErrQueryShort
	}
	if err != nil {
		key, args := searchError(err)
		return web.Errorf(http.StatusUnprocessableEntity, key, args...)
	}
	limit, _ := strconv.Atoi(q.Get("limit"))
	res, err := h.Store.Search(r.Context(), SearchQuery{Terms: terms, Public: true, Limit: limit})
	if err != nil {
		return err
	}
	out := struct {
		Items []apiItem `json:"items"`
		Total int       `json:"total"`
	}{Items: []apiItem{}, Total: res.Total}
	for _, it := range res.Items {
		out.Items = append(out.Items, h.apiOf(r, it, false))
	}
	web.WriteJSON(w, http.StatusOK, out)
	return nil
}
