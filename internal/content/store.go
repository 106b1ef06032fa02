package content

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/kepu/kepu/internal/db"
	"github.com/kepu/kepu/internal/region"
)

// Item is an item with its language versions.
type Item struct {
	Input
	ID             int64
	Status         string
	WithdrawReason string
	HasPoster      bool
	EditedBy       int64 // the account that last changed the text (0: the demo)
	CreatedBy      int64
	CreatedAt      time.Time
	UpdatedAt      time.Time
	RegionName     string
}

// HasMongolian reports whether the item has a Mongolian version.
func (it Item) HasMongolian() bool { return !it.Mn.Empty() }

// Public reports whether the public sees the item at now: published and its publish_at passed.
func (it Item) Public(now time.Time) bool {
	return it.Status == Published && !it.PublishAt.IsZero() && !it.PublishAt.After(now)
}

// Editable reports whether the text may be changed: only drafts may.
func (it Item) Editable() bool { return it.Status == Draft }

// Store keeps content items.
type Store struct {
	DB      *db.DB
	Regions *region.Store
	Now     func() time.Time // the clock; nil means time.Now
}

func (s *Store) now() time.Time {
	if s.Now != nil {
		return s.Now().UTC()
	}
	return time.Now().UTC()
}

// Workflow errors, in Chinese: each says why an action was refused.
var (
	ErrLocked    = errors.New("只有草稿可以修改；待审核的内容请先退回，已发布的请先撤回再重新编辑")
	ErrWrongStep = errors.New("内容不在这一步，无法办理")
	ErrOwnEdit   = errors.New("发布须由最后编辑者以外的人员审核办理：请另一位工作人员审核发布")
	ErrNoReason  = errors.New("请填写理由（退回或撤回时必填）")
	// ErrNotEditor and ErrNotReviewer refuse a step to an account without the content role
	// it needs over the item's unit (see EditScope and ReviewScope).
	ErrNotEditor   = errors.New("您在该单位没有编辑权限：撰写、修改、提交和重新编辑内容须由本级工作人员或“科普内容编辑”办理")
	ErrNotReviewer = errors.New("您在该单位没有审核权限：发布、退回和撤回内容须由具有“科普内容审核”角色的人员办理")
	ErrPoster      = errors.New("封面图片无法保存")
	ErrPosterType  = fmt.Errorf("%w：只收 JPEG、PNG 或 WebP 图片", ErrPoster)
	ErrPosterSize  = fmt.Errorf("%w：不超过 %d MB", ErrPoster, MaxPosterBytes>>20)
)

// MaxPosterBytes bounds a video's poster image.
const MaxPosterBytes = 2 << 20

const itemCols = `i.id, i.region_code, i.kind, i.status, i.emergency, i.featured, i.topics, i.target_groups, i.video_url, i.duration_seconds,
	i.poster_type <> '', i.speaker, i.starts_at, i.ends_at, i.stream_url, i.replay_url, i.source_platform, i.source_url, i.publish_at,
	i.withdraw_reason, COALESCE(i.edited_by, 0), COALESCE(i.created_by, 0), i.created_at, i.updated_at,
	z.title, z.summary, COALESCE(m.title, ''), COALESCE(m.summary, '')`

const itemFrom = ` FROM content_items i JOIN content_versions z ON z.item_id = i.id AND z.lang = 'zh-Hans'
	LEFT JOIN content_versions m ON m.item_id = i.id AND m.lang = 'mn-Mong'`

func scanItem(row db.Scanner) (Item, error) {
	var it Item
	var topics, groups string
	var starts, ends, publish sql.NullTime
	err := row.Scan(&it.ID, &it.RegionCode, &it.Kind, &it.Status, &it.Emergency, &it.Featured, &topics, &groups, &it.VideoURL, &it.Duration,
		&it.HasPoster, &it.Speaker, &starts, &ends, &it.StreamURL, &it.ReplayURL, &it.SourcePlatform, &it.SourceURL, &publish,
		&it.WithdrawReason, &it.EditedBy, &it.CreatedBy, &it.CreatedAt, &it.UpdatedAt, &it.Zh.Title, &it.Zh.Summary, &it.Mn.Title, &it.Mn.Summary)
	it.Topics, it.TargetGroups = splitStored(topics), splitStored(groups)
	if starts.Valid {
		it.StartsAt, it.EndsAt = starts.Time.UTC(), ends.Time.UTC()
	}
	if publish.Valid {
		it.PublishAt = publish.Time.UTC()
	}
	it.CreatedAt, it.UpdatedAt = it.CreatedAt.UTC(), it.UpdatedAt.UTC()
	it.Zh.Lang, it.Mn.Lang = Chinese, Mongolian
	return it, err
}

func splitStored(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, "\n")
}

func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

func nullTime(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UTC()
}

func (s *Store) checkRegion(ctx context.Context, scope region.Scope, code string) string {
	if _, err := s.Regions.Get(ctx, code); err != nil {
		return "区划代码 " + code + " 不存在"
	}
	if !scope.Contains(code) {
		return "区划 " + code + " 不在您的管辖范围内"
	}
	return ""
}

// Create records a new item as a draft inside scope, with its poster when posterType is not
// "" (ReadPoster), in one transaction, and returns its id. Errors: ValidationError.
func (s *Store) Create(ctx context.Context, scope region.Scope, actor int64, in Input, posterType string, poster []byte) (int64, error) {
	if errs := in.Validate(); errs != nil {
		return 0, errs
	}
	if msg := s.checkRegion(ctx, scope, in.RegionCode); msg != "" {
		return 0, ValidationError{"region_code": msg}
	}
	var id int64
	err := s.DB.Tx(ctx, func(tx *sql.Tx) error {
		var err error
		if id, err = s.insert(ctx, tx, in, Draft, actor, s.now()); err != nil || posterType == "" {
			return err
		}
		return setPoster(ctx, tx, id, posterType, poster)
	})
	if err != nil {
		return 0, fmt.Errorf("content.Create: %w", err)
	}
	return id, nil
}

// insert writes a new item with its versions, topics and a "create" step.
func (s *Store) insert(ctx context.Context, tx *sql.Tx, in Input, status string, actor int64, now time.Time) (int64, error) {
	var id int64
	err := tx.QueryRowContext(ctx, `INSERT INTO content_items (region_code, kind, status, emergency, featured, topics, target_groups, video_url,
		duration_seconds, speaker, starts_at, ends_at, stream_url, replay_url, source_platform, source_url, publish_at, edited_by, created_by,
		created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $18, $19, $19) RETURNING id`,
		in.RegionCode, in.Kind, status, in.Emergency, in.Featured, strings.Join(in.Topics, "\n"), strings.Join(in.TargetGroups, "\n"), in.VideoURL,
		in.Duration, in.Speaker, nullTime(in.StartsAt), nullTime(in.EndsAt), in.StreamURL, in.ReplayURL, in.SourcePlatform, in.SourceURL,
		nullTime(in.PublishAt), nullID(actor), now).Scan(&id)
	if err != nil {
		return 0, db.Map(err)
	}
	if err := writeParts(ctx, tx, id, in); err != nil {
		return 0, err
	}
	if err := indexItem(ctx, tx, s.DB.Dialect, id); err != nil {
		return 0, err
	}
	return id, addStep(ctx, tx, id, "create", "", now, actor)
}

// writeParts replaces an item's versions and topic rows.
func writeParts(ctx context.Context, tx *sql.Tx, id int64, in Input) error {
	for _, q := range []string{`DELETE FROM content_versions WHERE item_id = $1`, `DELETE FROM content_topics WHERE item_id = $1`} {
		if _, err := tx.ExecContext(ctx, q, id); err != nil {
			return db.Map(err)
		}
	}
	for _, v := range []Version{in.Zh, in.Mn} {
		if v.Empty() {
			continue
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO content_versions (item_id, lang, title, summary, body) VALUES ($1, $2, $3, $4, $5)`,
			id, v.Lang, v.Title, v.Summary, v.Body); err != nil {
			return db.Map(err)
		}
	}
	for _, t := range in.Topics {
		if _, err := tx.ExecContext(ctx, `INSERT INTO content_topics (item_id, topic) VALUES ($1, $2)`, id, t); err != nil {
			return db.Map(err)
		}
	}
	return nil
}

func addStep(ctx context.Context, ex db.Execer, id int64, step, note string, at time.Time, actor int64) error {
	_, err := ex.ExecContext(ctx, `INSERT INTO content_steps (item_id, step, note, at, account_id) VALUES ($1, $2, $3, $4, $5)`,
		id, step, note, at, nullID(actor))
	return db.Map(err)
}

// bodies fills the bodies of an item's versions.
func (s *Store) bodies(ctx context.Context, it *Item) error {
	rows, err := db.QueryAll(ctx, s.DB, func(row db.Scanner) (Version, error) {
		var v Version
		return v, row.Scan(&v.Lang, &v.Body)
	}, `SELECT lang, body FROM content_versions WHERE item_id = $1`, it.ID)
	for _, v := range rows {
		if v.Lang == Chinese {
			it.Zh.Body = v.Body
		} else {
			it.Mn.Body = v.Body
		}
	}
	return err
}

// Get reads one item with its bodies inside scope. Errors: db.ErrNotFound (also outside scope).
func (s *Store) Get(ctx context.Context, scope region.Scope, id int64) (Item, error) {
	where, args := scope.Where("i.region_code", 2)
	it, err := scanItem(s.DB.QueryRowContext(ctx, `SELECT `+itemCols+itemFrom+` WHERE i.id = $1 AND `+where, append([]any{id}, args...)...))
	if err != nil {
		return it, fmt.Errorf("content.Get %d: %w", id, db.Map(err))
	}
	if names, err := s.Regions.Names(ctx, []string{it.RegionCode}); err == nil {
		it.RegionName = names[it.RegionCode]
	}
	return it, s.bodies(ctx, &it)
}

// GetPublic reads an item the public may see now (published, publish_at passed), with its
// bodies. Errors: db.ErrNotFound for any other item.
func (s *Store) GetPublic(ctx context.Context, id int64) (Item, error) {
	it, err := scanItem(s.DB.QueryRowContext(ctx, `SELECT `+itemCols+itemFrom+` WHERE i.id = $1 AND i.status = 'published' AND i.publish_at <= $2`, id, s.now()))
	if err != nil {
		return it, fmt.Errorf("content.GetPublic %d: %w", id, db.Map(err))
	}
	return it, s.bodies(ctx, &it)
}

// Poster returns the poster image of an item and its type. public limits it to items the
// public sees; otherwise scope limits it. Errors: db.ErrNotFound.
func (s *Store) Poster(ctx context.Context, scope region.Scope, public bool, id int64) (string, []byte, error) {
	var ct string
	var data []byte
	q, args := `SELECT poster_type, poster FROM content_items WHERE id = $1 AND poster_type <> '' AND status = 'published' AND publish_at <= $2`, []any{id, s.now()}
	if !public {
		where, wargs := scope.Where("region_code", 2)
		q, args = `SELECT poster_type, poster FROM content_items WHERE id = $1 AND poster_type <> '' AND `+where, append([]any{id}, wargs...)
	}
	err := s.DB.QueryRowContext(ctx, q, args...).Scan(&ct, &data)
	return ct, data, db.Map(err)
}

// ReadPoster reads an uploaded poster (at most MaxPosterBytes) and sniffs its type from the
// bytes, never from the file name. Errors: ErrPosterType, ErrPosterSize.
func ReadPoster(r io.Reader) (string, []byte, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxPosterBytes+1))
	if err != nil {
		return "", nil, fmt.Errorf("content.ReadPoster: %w", err)
	}
	ct := http.DetectContentType(data)
	switch {
	case len(data) > MaxPosterBytes:
		return "", nil, ErrPosterSize
	case len(data) == 0 || (ct != "image/jpeg" && ct != "image/png" && ct != "image/webp"):
		return "", nil, ErrPosterType
	}
	if _, _, err := posterConfig(data); err != nil {
		return "", nil, err // broken, or a decompression bomb: refused at upload, not only when resized
	}
	return ct, data, nil
}

// Update rewrites a draft inside scope (and its poster when posterType is not ""), and makes
// actor its last editor. Errors: ValidationError, ErrLocked, db.ErrNotFound.
func (s *Store) Update(ctx context.Context, scope region.Scope, actor, id int64, in Input, posterType string, poster []byte) error {
	if errs := in.Validate(); errs != nil {
		return errs
	}
	if msg := s.checkRegion(ctx, scope, in.RegionCode); msg != "" {
		return ValidationError{"region_code": msg}
	}
	return s.DB.Tx(ctx, func(tx *sql.Tx) error {
		it, err := s.lock(ctx, tx, scope, id)
		if err != nil {
			return err
		}
		if !it.Editable() {
			return ErrLocked
		}
		now := s.now()
		_, err = tx.ExecContext(ctx, `UPDATE content_items SET region_code = $1, kind = $2, emergency = $3, featured = $4, topics = $5,
			target_groups = $6, video_url = $7, duration_seconds = $8, speaker = $9, starts_at = $10, ends_at = $11, stream_url = $12,
			replay_url = $13, source_platform = $14, source_url = $15, publish_at = $16, edited_by = $17, updated_at = $18 WHERE id = $19`,
			in.RegionCode, in.Kind, in.Emergency, in.Featured, strings.Join(in.Topics, "\n"), strings.Join(in.TargetGroups, "\n"), in.VideoURL,
			in.Duration, in.Speaker, nullTime(in.StartsAt), nullTime(in.EndsAt), in.StreamURL, in.ReplayURL, in.SourcePlatform, in.SourceURL,
			nullTime(in.PublishAt), nullID(actor), now, id)
		if err != nil {
			return db.Map(err)
		}
		if err := moveReach(ctx, tx, id, it.Kind, it.Emergency, in.Kind, in.Emergency); err != nil {
			return err
		}
		if err := writeParts(ctx, tx, id, in); err != nil {
			return err
		}
		if err := indexItem(ctx, tx, s.DB.Dialect, id); err != nil {
			return err
		}
		if posterType != "" {
			if err := setPoster(ctx, tx, id, posterType, poster); err != nil {
				return err
			}
		}
		return addStep(ctx, tx, id, "update", "", now, actor)
	})
}

func setPoster(ctx context.Context, tx *sql.Tx, id int64, ct string, data []byte) error {
	_, err := tx.ExecContext(ctx, `UPDATE content_items SET poster_type = $1, poster = $2 WHERE id = $3`, ct, data, id)
	return db.Map(err)
}

// lock locks an item inside scope for update within tx and reads it (the lock is taken on
// content_items alone: PostgreSQL refuses FOR UPDATE across the outer join to the versions).
func (s *Store) lock(ctx context.Context, tx *sql.Tx, scope region.Scope, id int64) (Item, error) {
	where, args := scope.Where("region_code", 2)
	var locked int64
	if err := tx.QueryRowContext(ctx, `SELECT id FROM content_items WHERE id = $1 AND `+where+s.DB.Dialect.ForUpdate(),
		append([]any{id}, args...)...).Scan(&locked); err != nil {
		return Item{}, fmt.Errorf("content item %d: %w", id, db.Map(err))
	}
	it, err := scanItem(tx.QueryRowContext(ctx, `SELECT `+itemCols+itemFrom+` WHERE i.id = $1`, id))
	if err != nil {
		return it, fmt.Errorf("content item %d: %w", id, db.Map(err))
	}
	return it, nil
}

// Actions of the workflow.
const (
	ActSubmit   = "submit"   // draft → review
	ActReturn   = "return"   // review → draft, with a note
	ActPublish  = "publish"  // review → published, by someone other than the last editor
	ActWithdraw = "withdraw" // published → withdrawn, with a reason
	ActReopen   = "reopen"   // withdrawn → draft
)

// Act takes a workflow step on an item inside scope and records it (who, when, note) in one
// transaction. Publishing keeps a publish_at the editor set in the future (the item shows from
// then) and otherwise sets it to now; the publisher must not be the item's last editor (the
// four-eyes rule of the association's editorial review). Errors: ErrWrongStep, ErrOwnEdit,
// ErrNoReason, ValidationError (a note too long), db.ErrNotFound.
func (s *Store) Act(ctx context.Context, scope region.Scope, actor, id int64, action, note string) error {
	note = strings.TrimSpace(note)
	if utf8.RuneCountInString(note) > MaxNote {
		return ValidationError{"note": fmt.Sprintf("意见最多 %d 字", MaxNote)}
	}
	if (action == ActReturn || action == ActWithdraw) && note == "" {
		return ErrNoReason
	}
	from := map[string]string{ActSubmit: Draft, ActReturn: Review, ActPublish: Review, ActWithdraw: Published, ActReopen: Withdrawn}
	to := map[string]string{ActSubmit: Review, ActReturn: Draft, ActPublish: Published, ActWithdraw: Withdrawn, ActReopen: Draft}
	if _, ok := from[action]; !ok {
		return ErrWrongStep
	}
	return s.DB.Tx(ctx, func(tx *sql.Tx) error {
		it, err := s.lock(ctx, tx, scope, id)
		if err != nil {
			return err
		}
		if it.Status != from[action] {
			return ErrWrongStep
		}
		now := s.now()
		q, args := `UPDATE content_items SET status = $1, updated_at = $2 WHERE id = $3`, []any{to[action], now, id}
		switch action {
		case ActPublish:
			if it.EditedBy == actor {
				return ErrOwnEdit
			}
			at := it.PublishAt
			if at.Before(now) {
				at = now
			}
			q, args = `UPDATE content_items SET status = $1, updated_at = $2, publish_at = $4, withdraw_reason = '' WHERE id = $3`, append(args, at)
			if at.After(now) {
				note = strings.TrimSpace("定时发布：" + at.In(China).Format("2006-01-02 15:04") + " " + note)
			}
		case ActWithdraw:
			q, args = `UPDATE content_items SET status = $1, updated_at = $2, withdraw_reason = $4 WHERE id = $3`, append(args, note)
		}
		if _, err := tx.ExecContext(ctx, q, args...); err != nil {
			return db.Map(err)
		}
		switch action { // the roll-up of published items (PublishedSums)
		case ActPublish:
			err = countPublished(ctx, tx, it.RegionCode, it.Kind, it.Emergency, 1)
		case ActWithdraw:
			err = countPublished(ctx, tx, it.RegionCode, it.Kind, it.Emergency, -1)
		}
		if err != nil {
			return err
		}
		return addStep(ctx, tx, id, action, note, now, actor)
	})
}

// Step is one recorded step of an item.
type Step struct {
	Step      string // create, update, submit, return, publish, withdraw, reopen
	Note      string
	At        time.Time
	AccountID int64
}

// Steps lists an item's steps, oldest first (the caller has checked the item is in scope).
func (s *Store) Steps(ctx context.Context, id int64) ([]Step, error) {
	return db.QueryAll(ctx, s.DB, func(row db.Scanner) (Step, error) {
		var st Step
		err := row.Scan(&st.Step, &st.Note, &st.At, &st.AccountID)
		return st, err
	}, `SELECT step, note, at, COALESCE(account_id, 0) FROM content_steps WHERE item_id = $1 ORDER BY id`, id)
}
