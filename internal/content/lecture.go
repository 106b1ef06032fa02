package content

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/kepu/kepu/internal/db"
	"github.com/kepu/kepu/internal/web"
)

// LectureRecent is how far back the lecture schedule and its calendar reach: lectures that
// ended within it are listed as recent (for their replays).
const LectureRecent = 90 * 24 * time.Hour

// maxLectures bounds the schedule and the calendar file.
const maxLectures = 200

// Lectures returns the public online lectures (kind lecture, published, publish_at passed)
// with a schedule that ends at or after since, earliest start first, at most maxLectures.
func (s *Store) Lectures(ctx context.Context, since time.Time) ([]Item, error) {
	items, err := db.QueryAll(ctx, s.DB, scanItem, `SELECT `+itemCols+itemFrom+` WHERE i.kind = 'lecture' AND i.status = 'published'
		AND i.publish_at <= $1 AND i.starts_at IS NOT NULL AND i.ends_at >= $2 ORDER BY i.starts_at, i.id`+fmt.Sprintf(` LIMIT %d`, maxLectures),
		s.now(), since.UTC())
	if err != nil {
		return nil, fmt.Errorf("content.Lectures: %w", err)
	}
	return items, nil
}

// LecturesPage is the data of the public lecture schedule.
type LecturesPage struct {
	PublicPage
	Upcoming []Row // not ended yet, earliest first
	Recent   []Row // ended within LectureRecent, latest first
	ICSURL   string
}

// lectures serves GET /content/lectures: upcoming and recent public lectures.
func (h *Handler) lectures(w http.ResponseWriter, r *http.Request) error {
	now := h.Store.now()
	items, err := h.Store.Lectures(r.Context(), now.Add(-LectureRecent))
	if err != nil {
		return err
	}
	p := LecturesPage{PublicPage: h.publicPage(r, ""), ICSURL: "/content/lectures.ics"}
	p.Title = p.T("content.lectures")
	p.OG.Title, p.OG.Description = p.Title, p.T("content.lectures_lead")
	for _, it := range items {
		if it.EndsAt.After(now) {
			p.Upcoming = append(p.Upcoming, rowOf(it, now))
		} else {
			p.Recent = append([]Row{rowOf(it, now)}, p.Recent...)
		}
	}
	return h.Kit.Render.HTML(w, r, http.StatusOK, "content/lectures", p)
}

// lecturesICS serves GET /content/lectures.ics: the lectures of the schedule as a calendar.
func (h *Handler) lecturesICS(w http.ResponseWriter, r *http.Request) error {
	items, err := h.Store.Lectures(r.Context(), h.Store.now().Add(-LectureRecent))
	if err != nil {
		return err
	}
	events := make([]ICSEvent, len(items))
	for i, it := range items {
		events[i] = lectureEvent(it, h.Kit.AbsURL(r, fmt.Sprintf("/content/%d", it.ID)), r.Host)
	}
	writeICS(w, "lectures.ics", h.Kit.Page(r, "content.lectures").Title, events)
	return nil
}

// lectureICS serves GET /content/lectures/{id}.ics: one public lecture as a calendar; 404 for
// anything else (not public, not a lecture, no schedule).
func (h *Handler) lectureICS(w http.ResponseWriter, r *http.Request) error {
	file := r.PathValue("file")
	id, err := strconv.ParseInt(strings.TrimSuffix(file, ".ics"), 10, 64)
	if err != nil || !strings.HasSuffix(file, ".ics") {
		return web.NotFound(fmt.Errorf("no calendar file %q", file))
	}
	it, err := h.Store.GetPublic(r.Context(), id)
	if errors.Is(err, db.ErrNotFound) {
		return web.NotFound(err)
	}
	if err != nil {
		return err
	}
	if it.Kind != "lecture" || it.StartsAt.IsZero() {
		return web.NotFound(fmt.Errorf("content %d is not a scheduled lecture", id))
	}
	writeICS(w, fmt.Sprintf("lecture-%d.ics", id), it.Zh.Title, []ICSEvent{lectureEvent(it, h.Kit.AbsURL(r, fmt.Sprintf("/content/%d", id)), r.Host)})
	return nil
}

func writeICS(w http.ResponseWriter, filename, name string, events []ICSEvent) {
	w.Header().Set("Content-Type", "text/calendar; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="`+filename+`"`)
	w.Header().Set("Cache-Control", "no-cache")
	WriteICS(w, name, events)
}
