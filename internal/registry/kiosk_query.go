package registry

import (
	"context"
	"fmt"

	"github.com/kepu/kepu/internal/db"
)

// Small read-only query of science e-stations for the content domain's kiosk pages (which must
// not read this table itself).

// KioskStation is an accredited science e-station as its public kiosk page shows it:
// RegionCode is the division code of its village (or community, or school's unit), where its
// kiosk's views are counted.
type KioskStation struct {
	ID         int64
	Name       string
	RegionCode string
}

// KioskStation returns one live, accredited science e-station by id, with no scope: a kiosk
// page is public. Errors: db.ErrNotFound when there is none, or it was revoked or deleted.
func (s *Store) KioskStation(ctx context.Context, id int64) (KioskStation, error) {
	var k KioskStation
	err := s.DB.QueryRowContext(ctx, `SELECT id, name, region_code FROM science_estations
		WHERE id = $1 AND deleted_at IS NULL AND status = 'accredited'`, id).Scan(&k.ID, &k.Name, &k.RegionCode)
	if err != nil {
		return k, fmt.Errorf("registry.KioskStation %d: %w", id, db.Map(err))
	}
	return k, nil
}

// KioskStations lists up to limit live, accredited science e-stations (any region), by id,
// for the content demo's kiosk views.
func (s *Store) KioskStations(ctx context.Context, limit int) ([]KioskStation, error) {
	out, err := db.QueryAll(ctx, s.DB, func(row db.Scanner) (KioskStation, error) {
		var k KioskStation
		return k, row.Scan(&k.ID, &k.Name, &k.RegionCode)
	}, fmt.Sprintf(`SELECT id, name, region_code FROM science_estations WHERE deleted_at IS NULL AND status = 'accredited' ORDER BY id LIMIT %d`, limit))
	if err != nil {
		return nil, fmt.Errorf("registry.KioskStations: %w", err)
	}
	return out, nil
}
