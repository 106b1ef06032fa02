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

// Why a photo cannot be kept; each wraps ErrPhoto.
var (
	ErrPhoto         = errors.New("照片无法保存")
	ErrPhotoType     = fmt.Errorf("%w：只收 JPEG、PNG 或 WebP 图片", ErrPhoto)
	ErrPhotoTooLarge = fmt.Errorf("%w：每张不超过 %d MB", ErrPhoto, MaxPhotoBytes>>20)
	ErrPhotoCount    = fmt.Errorf("%w：每条活动最多 %d 张（含更正前各版本的照片）；请先删去一张", ErrPhoto, MaxPhotos)
)

// AddPhoto stores a photo on a version that can still be edited (draft or returned). The type
// is sniffed from the bytes, never taken from the upload's name. Errors: ErrPhoto, ErrLocked.
func (s *Store) AddPhoto(ctx context.Context, scope region.Scope, actor, id int64, r io.Reader) error {
	data, err := io.ReadAll(io.LimitReader(r, MaxPhotoBytes+1))
	if err != nil {
		return fmt.Errorf("activity.AddPhoto: %w", err)
	}
	ct := http.DetectContentType(data)
	switch {
	case len(data) > MaxPhotoBytes:
		return ErrPhotoTooLarge
	case len(data) == 0 || (ct != "image/jpeg" && ct != "image/png" && ct != "image/webp"):
		return ErrPhotoType
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
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM activity_photos p JOIN activities a ON a.id = p.activity_id
			WHERE a.series_id = $1 AND a.version <= $2`, a.SeriesID, a.Version).Scan(&n); err != nil {
			return db.Map(err)
		}
		if n >= MaxPhotos {
			return ErrPhotoCount
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO activity_photos (activity_id, content_type, data, size, created_at, created_by) VALUES ($1, $2, $3, $4, $5, $6)`,
			id, ct, data, len(data), s.now(), nullID(actor))
		return db.Map(err)
	})
}

// DeletePhoto removes a photo of a version that can still be edited; photos of earlier
// versions belong to them and stay. Errors: ErrLocked, db.ErrNotFound.
func (s *Store) DeletePhoto(ctx context.Context, scope region.Scope, id, photoID int64) error {
	return s.DB.Tx(ctx, func(tx *sql.Tx) error {
		a, err := s.lock(ctx, tx, scope, id)
		if err != nil {
			return err
		}
		if a.Locked() {
			return ErrLocked
		}
		res, err := tx.ExecContext(ctx, `DELETE FROM activity_photos WHERE id = $1 AND activity_id = $2`, photoID, id)
		if err != nil {
			return db.Map(err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return db.ErrNotFound
		}
		return nil
	})
}

// PhotoRef is a photo of a version as its page lists it.
type PhotoRef struct {
	ID  int64
	Own bool // belongs to this version (so it may be deleted while the version is editable)
}

// Photos lists the ids of a version's photos (a correction shows the photos of the versions
// before it too, since it starts from them).
func (s *Store) Photos(ctx context.Context, id int64) ([]PhotoRef, error) {
	return db.QueryAll(ctx, s.DB, func(row db.Scanner) (p PhotoRef, err error) { return p, row.Scan(&p.ID, &p.Own) },
		`SELECT p.id, p.activity_id = me.id FROM activity_photos p JOIN activities a ON a.id = p.activity_id
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
