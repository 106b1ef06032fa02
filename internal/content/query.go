package content

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/kepu/kepu/internal/db"
	"github.com/kepu/kepu/internal/region"
)

// Filter narrows the console list. Scope is the caller's; the rest are optional.
type Filter struct {
	Scope     region.Scope
	Kind      string
	Status    string
	Topic     string
	Emergency bool
	After     int64 // the last id of the page before (ids descend)
	Limit     int   // 1–200; 0 means 50
}

// Page is one page of a list: the items, how many match in all, and the id to continue after
// (0 on the last page).
type Page struct {
	Items []Item
	Total int
	Next  int64
}

// List returns items in the caller's scope, newest first, by the filter.
func (s *Store) List(ctx context.Context, f Filter) (Page, error) {
	where, args := f.Scope.Where("i.region_code", 1)
	conds := []string{where}
	add := func(cond string, v any) {
		args = append(args, v)
		conds = append(conds, fmt.Sprintf(cond, len(args)))
	}
	if f.Kind != "" {
		add("i.kind = $%d", f.Kind)
	}
	if f.Status != "" {
		add("i.status = $%d", f.Status)
	}
	if f.Topic != "" {
		add("i.id IN (SELECT item_id FROM content_topics WHERE topic = $%d)", f.Topic)
	}
	if f.Emergency {
		conds = append(conds, "i.emergency")
	}
	cond := strings.Join(conds, " AND ")
	var p Page
	if err := s.DB.QueryRowContext(ctx, `SELECT count(*) FROM content_items i WHERE `+cond, args...).Scan(&p.Total); err != nil {
		return p, fmt.Errorf("content.List: %w", db.Map(err))
	}
	limit := f.Limit
	if limit <= 0 || limit > 200 {
		limit = 50
	}
	if f.After > 0 {
		add("i.id < $%d", f.After)
		cond = strings.Join(conds, " AND ")
	}
	items, err := db.QueryAll(ctx, s.DB, scanItem, `SELECT `+itemCols+itemFrom+` WHERE `+cond+fmt.Sprintf(` ORDER BY i.id DESC LIMIT %d`, limit+1), args...)
	if err != nil {
		return p, fmt.Errorf("content.List: %w", err)
	}
	if len(items) > limit {
		items = items[:limit]
		p.Next = items[limit-1].ID
	}
	codes := make([]string, len(items))
	for i, it := range items {
		codes[i] = it.RegionCode
	}
	if names, err := s.Regions.Names(ctx, codes); err == nil {
		for i := range items {
			items[i].RegionName = names[items[i].RegionCode]
		}
	}
	p.Items = items
	return p, nil
}

// PublicQuery chooses public items: all of them, one topic's, the featured ones or the
// emergency ones, newest publish_at first.
type PublicQuery struct {
	Topic     string
	Featured  bool
	Emergency bool
	Limit     int // 1–100; 0 means 20
}

// Latest returns items the public sees now, by the query.
func (s *Store) Latest(ctx context.Context, q PublicQuery) ([]Item, error) {
	args := []any{s.now()}
	cond := `i.status = 'published' AND i.publish_at <= $1`
	if q.Topic != "" {
		args = append(args, q.Topic)
		cond += ` AND i.id IN (SELECT item_id FROM content_topics WHERE topic = $2)`
	}
	if q.Featured {
		cond += ` AND i.featured`
	}
	if q.Emergency {
		cond += ` AND i.emergency`
	}
	limit := q.Limit
	if limit <= 0 || limit > 100 {
		limit = 20
	}
	items, err := db.QueryAll(ctx, s.DB, scanItem, `SELECT `+itemCols+itemFrom+` WHERE `+cond+fmt.Sprintf(` ORDER BY i.publish_at DESC, i.id DESC LIMIT %d`, limit), args...)
	if err != nil {
		return nil, fmt.Errorf("content.Latest: %w", err)
	}
	return items, nil
}

// TopicCount is a topic and how many public items carry it.
type TopicCount struct {
	Topic string
	Items int
}

// Topics lists the topics of the items the public sees now, most used first (at most limit).
func (s *Store) Topics(ctx context.Context, limit int) ([]TopicCount, error) {
	out, err := db.QueryAll(ctx, s.DB, func(row db.Scanner) (TopicCount, error) {
		var t TopicCount
		return t, row.Scan(&t.Topic, &t.Items)
	}, fmt.Sprintf(`SELECT t.topic, count(*) FROM content_topics t JOIN content_items i ON i.id = t.item_id
		WHERE i.status = 'published' AND i.publish_at <= $1 GROUP BY t.topic ORDER BY count(*) DESC, t.topic LIMIT %d`, limit), s.now())
	if err != nil {
		return nil, fmt.Errorf("content.Topics: %w", err)
	}
	return out, nil
}

// Updated is when the public list last changed: the latest publish_at that has passed (zero
// when nothing is public), for the feed.
func (s *Store) Updated(ctx context.Context) (time.Time, error) {
	items, err := s.Latest(ctx, PublicQuery{Limit: 1})
	if err != nil || len(items) == 0 {
		return time.Time{}, err
	}
	return items[0].PublishAt, nil
}
