package activity

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"net/http"

	"github.com/kepu/kepu/internal/db"
	"github.com/kepu/kepu/internal/region"
)

// Photo limits: a record carries at most MaxPhotos JPEG, PNG or WebP photos of at most
// MaxPhotoBytes each (a phone photo after the browser's own compression; the village link is slow).
const (
	MaxPhotos     = 9
	MaxPhotoBytes = 5 << 20
)

// ErrPhoto is returned for a photo that cannot be kept: not an image, too large, or one too many.
var ErrPhoto = errors.New("照片须为 JPEG、PNG 或 WebP 图片，每张不超过 5 MB，每条活动最多 9 张")

// AddPhoto stores a photo on a version that can still be edited (draft or returned). The type
// is sniffed from the bytes, never taken from the upload's name. Errors: ErrPhoto, ErrLocked.
func (s *Store) AddPhoto(ctx context.Context, scope region.Scope, actor, id int64, r io.Reader) error {
	data, err := io.ReadAll(io.LimitReader(r, MaxPhotoBytes+1))
	if err != nil {
		return fmt.Errorf("activity.AddPhoto: %w", err)
	}
	ct := http.DetectContentType(data)
	if len(data) == 0 || len(data) > MaxPhotoBytes || (ct != "image/jpeg" && ct != "image/png" && ct != "image/webp") {
		return ErrPhoto
	}
	return s.DB.Tx(ctx, func(tx *sql.Tx) error {
		a, err := s.lock(ctx, tx, scope, id)
		if err != nil {
			return err
		}
		if a.Locked() {
			return ErrLocked
		}
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM activity_photos WHERE activity_id = $1`, id).Scan(&n); err != nil {
			return db.Map(err)
		}
		if n >= MaxPhotos {
			return ErrPhoto
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO activity_photos (activity_id, content_type, data, size, created_at, created_by) VALUES ($1, $2, $3, $4, $5, $6)`,
			id, ct, data, len(data), s.now(), nullID(actor))
		return db.Map(err)
	})
}

// Photos lists the ids of a version's photos (a correction shows the photos of the versions
// before it too, since it starts from them).
func (s *Store) Photos(ctx context.Context, id int64) ([]int64, error) {
	return db.QueryAll(ctx, s.DB, func(row db.Scanner) (pid int64, err error) { return pid, row.Scan(&pid) },
		`SELECT p.id FROM activity_photos p JOIN activities a ON a.id = p.activity_id
		JOIN activities me ON me.series_id = a.series_id AND a.version <= me.version WHERE me.id = $1 ORDER BY p.id`, id)
}

// Photo returns one photo of a version (or of an earlier version of its series) with its type.
// The caller has checked the version is in scope. Errors: db.ErrNotFound.
func (s *Store) Photo(ctx context.Context, id, photoID int64) (string, []byte, error) {
	var ct string
	var data []byte
	err := s.DB.QueryRowContext(ctx, `SELECT p.content_type, p.data FROM activity_photos p JOIN activities a ON a.id = p.activity_id
		JOIN activities me ON me.series_id = a.series_id AND a.version <= me.version WHERE me.id = $1 AND p.id = $2`, id, photoID).Scan(&ct, &data)
	return ct, data, db.Map(err)
}
