package content

import (
	"encoding/xml"
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/kepu/kepu/internal/activity"
	"github.com/kepu/kepu/internal/db"
	"github.com/kepu/kepu/internal/web"
)

// MongolianFont is the static file of the traditional Mongolian web font: the "mongolian"
// subset, weight 400, of npm @fontsource/noto-sans-mongolian 5.3.0 (Noto Sans Mongolian, SIL
// Open Font License 1.1), copied by scripts/content-font.sh.
const MongolianFont = "mongolian-noto-sans.woff2"

// PublicPage is what every public content page shows besides its own data: the extra style
// sheets and the OpenGraph description.
type PublicPage struct {
	web.Page
	FontCSS     string // the Mongolian @font-face sheet ("" when the page needs none)
	OG          OpenGraph
	FeedURL     string
	Emergency   []Row
	Featured    []Row
	Latest      []Row
	Topics      []TopicCount
	Topic       string
	ShowTopics  bool
	EmptyNotice bool
}

// OpenGraph holds a page's og: tags (https://ogp.me).
type OpenGraph struct {
	Type, Title, Description, URL, Image string
}

func (h *Handler) rows(items []Item) []Row {
	now := h.Store.now()
	out := make([]Row, len(items))
	for i, it := range items {
		out[i] = rowOf(it, now)
	}
	return out
}

func (h *Handler) publicPage(r *http.Request, title string) PublicPage {
	p := PublicPage{Page: h.Kit.Page(r, "content.home"), FeedURL: "/content/feed.xml"}
	if title != "" {
		p.Title = title
	}
	p.OG = OpenGraph{Type: "website", Title: p.Title, URL: h.Kit.AbsURL(r, r.URL.Path)}
	return p
}

func (h *Handler) home(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	p := h.publicPage(r, "")
	p.OG.Description = p.T("content.home_lead")
	emergency, err := h.Store.Latest(ctx, PublicQuery{Emergency: true, Limit: 5})
	if err != nil {
		return err
	}
	featured, err := h.Store.Latest(ctx, PublicQuery{Featured: true, Limit: 6})
	if err != nil {
		return err
	}
	latest, err := h.Store.Latest(ctx, PublicQuery{Limit: 20})
	if err != nil {
		return err
	}
	if p.Topics, err = h.Store.Topics(ctx, 30); err != nil {
		return err
	}
	p.Emergency, p.Featured, p.Latest, p.ShowTopics = h.rows(emergency), h.rows(featured), h.rows(latest), true
	p.EmptyNotice = len(latest) == 0
	return h.Kit.Render.HTML(w, r, http.StatusOK, "content/home", p)
}

func (h *Handler) topic(w http.ResponseWriter, r *http.Request) error {
	t := strings.TrimSpace(r.PathValue("topic"))
	items, err := h.Store.Latest(r.Context(), PublicQuery{Topic: t, Limit: 50})
	if err != nil {
		return err
	}
	if len(items) == 0 {
		return web.NotFound(fmt.Errorf("no public items on topic %q", t))
	}
	p := h.publicPage(r, "#"+t)
	p.Topic, p.Latest = t, h.rows(items)
	p.OG.Description = p.T("content.topic_lead", t)
	return h.Kit.Render.HTML(w, r, http.StatusOK, "content/topic", p)
}

// ItemPage is the data of a public item page.
type ItemPage struct {
	PublicPage
	It          Row
	GroupLabels []string
	ZhBody      template.HTML // sanitized when saved (Sanitize)
	MnBody      template.HTML
	PosterURL   string
	Preview     bool // staff see an item of any status before it is public
}

func (h *Handler) item(w http.ResponseWriter, r *http.Request) error {
	id, err := web.PathID(r, "id")
	if err != nil {
		return err
	}
	// A visitor who is not signed in gets the same page as every other one in that language:
	// served from the page cache for PublicPageTTL after it was rendered.
	now := h.Store.now()
	public := web.IdentityFrom(r.Context()) == nil
	key := strconv.FormatInt(id, 10) + "\x00" + web.Lang(r)
	if body, unit, ok := h.pages.Get(key, now); ok && public {
		h.Views.Count(r, id, ChannelWeb, unit)
		web.WriteHTML(w, http.StatusOK, body)
		return nil
	}
	it, err := h.Store.GetPublic(r.Context(), id)
	if errors.Is(err, db.ErrNotFound) {
		return web.NotFound(err)
	}
	if err != nil {
		return err
	}
	h.Views.Count(r, it.ID, ChannelWeb, it.RegionCode)
	body, err := h.Kit.Render.Render(r, "content/item", h.itemPage(r, it, false))
	if err != nil {
		return err
	}
	if public {
		h.pages.Put(key, body, it.RegionCode, now)
	}
	web.WriteHTML(w, http.StatusOK, body)
	return nil
}

// preview shows staff an item of their scope in any status as the public page would.
func (h *Handler) preview(w http.ResponseWriter, r *http.Request) error {
	it, err := h.record(r)
	if err != nil {
		return err
	}
	return h.Kit.Render.HTML(w, r, http.StatusOK, "content/item", h.itemPage(r, it, true))
}

func (h *Handler) itemPage(r *http.Request, it Item, preview bool) ItemPage {
	p := ItemPage{PublicPage: h.publicPage(r, it.Zh.Title), It: rowOf(it, h.Store.now()), Preview: preview,
		ZhBody: template.HTML(Sanitize(it.Zh.Body)), MnBody: template.HTML(Sanitize(it.Mn.Body))}
	p.OG.Type, p.OG.Description = "article", it.Zh.Summary
	if it.HasPoster {
		p.PosterURL = fmt.Sprintf("/content/posters/%d?size=web", it.ID)
		if preview {
			p.PosterURL = fmt.Sprintf("/console/content/%d/poster", it.ID)
		}
		p.OG.Image = h.Kit.AbsURL(r, p.PosterURL)
	}
	if it.HasMongolian() {
		p.FontCSS = "/content/mongolian-font.css?f=" + h.Kit.Assets.URL(MongolianFont)
	}
	for _, g := range it.TargetGroups {
		p.GroupLabels = append(p.GroupLabels, activity.GroupLabel(g))
	}
	return p
}

// fontCSS serves the @font-face rule of the Mongolian web font, naming the font by its
// content-hashed static URL (which a static style sheet cannot know), so that both are cached
// for good: a new font gives the sheet a new ?f= and so a new URL.
func (h *Handler) fontCSS(w http.ResponseWriter, r *http.Request) error {
	w.Header().Set("Content-Type", "text/css; charset=utf-8")
	font := h.Kit.Assets.URL(MongolianFont)
	if r.URL.Query().Get("f") == font {
		w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
	} else {
		w.Header().Set("Cache-Control", "no-cache")
	}
	fmt.Fprintf(w, "@font-face{font-family:\"Noto Sans Mongolian\";font-style:normal;font-weight:400;font-display:swap;src:url(%s) format(\"woff2\")}\n", font)
	return nil
}

func (h *Handler) publicPoster(w http.ResponseWriter, r *http.Request) error {
	id, err := web.PathID(r, "id")
	if err != nil {
		return err
	}
	return h.poster(w, r, id, true)
}

// atomFeed is an Atom 1.0 feed (RFC 4287).
type atomFeed struct {
	XMLName xml.Name    `xml:"http://www.w3.org/2005/Atom feed"`
	Title   string      `xml:"title"`
	ID      string      `xml:"id"`
	Updated string      `xml:"updated"`
	Links   []atomLink  `xml:"link"`
	Entries []atomEntry `xml:"entry"`
}

type atomLink struct {
	Href string `xml:"href,attr"`
	Rel  string `xml:"rel,attr,omitempty"`
}

type atomEntry struct {
	Title     string     `xml:"title"`
	ID        string     `xml:"id"`
	Updated   string     `xml:"updated"`
	Published string     `xml:"published"`
	Link      atomLink   `xml:"link"`
	Summary   string     `xml:"summary,omitempty"`
	Category  []atomCat  `xml:"category"`
	Author    atomAuthor `xml:"author"`
}

type atomCat struct {
	Term string `xml:"term,attr"`
}

type atomAuthor struct {
	Name string `xml:"name"`
}

// feed serves /content/feed.xml: the 50 latest public items as an Atom feed.
func (h *Handler) feed(w http.ResponseWriter, r *http.Request) error {
	items, err := h.Store.Latest(r.Context(), PublicQuery{Limit: 50})
	if err != nil {
		return err
	}
	page := h.Kit.Page(r, "content.home")
	f := atomFeed{Title: page.Title + " · " + page.SiteName(), ID: h.Kit.AbsURL(r, "/content"), Links: []atomLink{{Href: h.Kit.AbsURL(r, "/content")},
		{Href: h.Kit.AbsURL(r, "/content/feed.xml"), Rel: "self"}}, Updated: time.Unix(0, 0).UTC().Format(time.RFC3339)}
	if len(items) > 0 {
		f.Updated = items[0].PublishAt.Format(time.RFC3339)
	}
	for _, it := range items {
		u := h.Kit.AbsURL(r, fmt.Sprintf("/content/%d", it.ID))
		e := atomEntry{Title: it.Zh.Title, ID: u, Updated: it.PublishAt.Format(time.RFC3339), Published: it.PublishAt.Format(time.RFC3339),
			Link: atomLink{Href: u}, Summary: it.Zh.Summary, Author: atomAuthor{Name: page.SiteName()}}
		for _, t := range it.Topics {
			e.Category = append(e.Category, atomCat{Term: t})
		}
		f.Entries = append(f.Entries, e)
	}
	w.Header().Set("Content-Type", "application/atom+xml; charset=utf-8")
	w.Write([]byte(xml.Header))
	enc := xml.NewEncoder(w)
	enc.Indent("", " ")
	return enc.Encode(f)
}

// apiItem is an item as the JSON API gives it.
type apiItem struct {
	ID             int64     `json:"id"`
	URL            string    `json:"url"`
	Kind           string    `json:"kind"`
	Title          string    `json:"title"`
	Summary        string    `json:"summary"`
	MnTitle        string    `json:"mn_title,omitempty"`
	MnSummary      string    `json:"mn_summary,omitempty"`
	Body           string    `json:"body_html,omitempty"`
	MnBody         string    `json:"mn_body_html,omitempty"`
	Topics         []string  `json:"topics"`
	TargetGroups   []string  `json:"target_groups"`
	Emergency      bool      `json:"emergency"`
	PublishedAt    time.Time `json:"published_at"`
	RegionCode     string    `json:"region_code"`
	VideoURL       string    `json:"video_url,omitempty"`
	Duration       int       `json:"duration_seconds,omitempty"`
	PosterURL      string    `json:"poster_url,omitempty"`
	Speaker        string    `json:"speaker,omitempty"`
	StartsAt       string    `json:"starts_at,omitempty"`
	EndsAt         string    `json:"ends_at,omitempty"`
	StreamURL      string    `json:"stream_url,omitempty"`
	ReplayURL      string    `json:"replay_url,omitempty"`
	SourcePlatform string    `json:"source_platform,omitempty"`
	SourceURL      string    `json:"source_url,omitempty"`
}

func (h *Handler) apiOf(r *http.Request, it Item, bodies bool) apiItem {
	a := apiItem{ID: it.ID, URL: h.Kit.AbsURL(r, fmt.Sprintf("/content/%d", it.ID)), Kind: it.Kind, Title: it.Zh.Title, Summary: it.Zh.Summary,
		MnTitle: it.Mn.Title, MnSummary: it.Mn.Summary, Topics: nonNil(it.Topics), TargetGroups: nonNil(it.TargetGroups), Emergency: it.Emergency,
		PublishedAt: it.PublishAt, RegionCode: it.RegionCode, VideoURL: it.VideoURL, Duration: it.Duration, Speaker: it.Speaker,
		StreamURL: it.StreamURL, ReplayURL: it.ReplayURL, SourcePlatform: it.SourcePlatform, SourceURL: it.SourceURL}
	if it.HasPoster {
		a.PosterURL = h.Kit.AbsURL(r, fmt.Sprintf("/content/posters/%d", it.ID))
	}
	if !it.StartsAt.IsZero() {
		a.StartsAt, a.EndsAt = it.StartsAt.Format(time.RFC3339), it.EndsAt.Format(time.RFC3339)
	}
	if bodies {
		a.Body, a.MnBody = Sanitize(it.Zh.Body), Sanitize(it.Mn.Body)
	}
	return a
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// apiList serves GET /api/v1/content: the latest public items (no bodies), optionally of one
// topic or only emergency ones; no sign-in.
func (h *Handler) apiList(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	limit, _ := strconv.Atoi(q.Get("limit"))
	items, err := h.Store.Latest(r.Context(), PublicQuery{Topic: strings.TrimSpace(q.Get("topic")), Emergency: q.Get("emergency") == "1", Limit: limit})
	if err != nil {
		return err
	}
	out := struct {
		Items []apiItem `json:"items"`
	}{Items: []apiItem{}}
	for _, it := range items {
		out.Items = append(out.Items, h.apiOf(r, it, false))
	}
	web.WriteJSON(w, http.StatusOK, out)
	return nil
}

// apiItemGet serves GET /api/v1/content/{id}: one public item with its sanitized bodies; 404
// for anything not public now.
func (h *Handler) apiItemGet(w http.ResponseWriter, r *http.Request) error {
	id, err := web.PathID(r, "id")
	if err != nil {
		return err
	}
	it, err := h.Store.GetPublic(r.Context(), id)
	if errors.Is(err, db.ErrNotFound) {
		return web.NotFound(err)
	}
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, h.apiOf(r, it, true))
	return nil
}
