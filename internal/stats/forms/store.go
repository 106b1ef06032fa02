package forms

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/kepu/kepu/internal/db"
	"github.com/kepu/kepu/internal/region"
	"github.com/kepu/kepu/internal/registry"
)

// Form statuses: a draft or returned form is edited by its unit; submitted waits for the level
// above; accepted is locked.
const (
	Draft     = "draft"
	Submitted = "submitted"
	Accepted  = "accepted"
	Returned  = "returned"
)

// StatusLabel is a status in Chinese.
func StatusLabel(s string) string {
	switch s {
	case Draft:
		return "填报中"
	case Submitted:
		return "待审核"
	case Accepted:
		return "已确认（锁定）"
	case Returned:
		return "已退回"
	}
	return s
}

// Unit kinds.
const (
	Association = "association" // 科协 at a division unit of level 1–4; Key is its code
	Venue       = "venue"       // a registry venue; Key is "<kind slug>-<id>", e.g. "museums-17"
)

// VenueKinds are the registry kinds whose records file their own form.
var VenueKinds = []string{"museums"}

// Unit is a reporting unit.
type Unit struct {
	Key, Kind, Name string
	Region          string // the unit's division code (an association's own code; a venue's location)
}

// FileLevel is the lowest staff level that may fill the unit's form: a township operator for a
// township association or a venue in the township, a banner admin for a banner association …
func (u Unit) FileLevel() region.Level {
	if u.Kind == Venue {
		return region.LevelTownship
	}
	return region.LevelOf(u.Region)
}

// ReviewLevel is the level that reviews the unit's form: the level above an association (the
// region association reviews its own form, having none above), and for a venue the
// association where it sits. Callers ask account.Principal.Holds(u.ReviewLevel(), u.Region).
func (u Unit) ReviewLevel() region.Level {
	if u.Kind == Venue {
		return min(region.LevelOf(u.Region), region.LevelTownship)
	}
	return max(region.LevelOf(u.Region)-1, region.LevelRegion)
}

// Form is one unit's form for one year.
type Form struct {
	ID                 int64
	Unit               Unit
	Year               int
	Status             string
	Figures, Prefilled Figures
	Remarks            map[string]string
	Reasons            string // the reviewer's reasons when returned
	Imported           bool
	UpdatedAt          time.Time
}

// Editable reports whether the unit may still change the form.
func (f Form) Editable() bool { return f.Status == Draft || f.Status == Returned }

// Prefill returns the figures recorded at a division unit itself (its subtree minus its child
// units') for a year, by indicator code; codes it does not know are left out. It is the stats
// indicator registry seen from here (wired in cmd/kepu: PrefillFrom). It may return figures
// and an error together: what it could compute, and what failed.
type Prefill func(ctx context.Context, code string, year int, indicators []string) (map[string]int64, error)

// Store keeps the forms.
type Store struct {
	DB       *db.DB
	Regions  *region.Store
	Registry *registry.Store
	Prefill  Prefill      // nil: association forms start blank
	Log      *slog.Logger // where a failed pre-fill is logged (nil: slog.Default)
	Now      func() time.Time
	// Accepted is called after a form is accepted with its unit's division code (the stats
	// registry forgets its snapshots of the forms' figures there and above); nil: nothing.
	Accepted func(ctx context.Context, code string)
}

// Errors of the workflow.
var (
	ErrLocked   = errors.New("forms: the form is not open for editing")
	ErrState    = errors.New("forms: the form is not in a state for this step")
	ErrProblems = errors.New("forms: the form has problems")
)

func (s *Store) now() time.Time {
	if s.Now != nil {
		return s.Now().UTC()
	}
	return time.Now().UTC()
}

// Units lists the reporting units inside scope (narrowed to within's subtree when given):
// associations at levels region to township, in code order, then the venues.
func (s *Store) Units(ctx context.Context, scope region.Scope, within string) ([]Unit, error) {
	if within != "" {
		scope = scope.Narrow(within)
	}
	var out []Unit
	if scope.Empty() {
		return out, nil
	}
	for l := region.LevelRegion; l <= region.LevelTownship; l++ {
		units, err := s.Regions.UnitsAt(ctx, l)
		if err != nil {
			return nil, err
		}
		for _, u := range units {
			if scope.Contains(u.Code) {
				out = append(out, Unit{Key: u.Code, Kind: Association, Name: u.Name + "科协", Region: u.Code})
			}
		}
	}
	slices.SortStableFunc(out, func(a, b Unit) int { return strings.Compare(a.Key, b.Key) })
	for _, slug := range VenueKinds {
		k, ok := registry.KindBySlug(slug)
		if !ok {
			continue
		}
		f := registry.Filter{Scope: scope, Limit: 500}
		for {
			page, err := s.Registry.List(ctx, k, f)
			if err != nil {
				return nil, err
			}
			for _, r := range page.Records {
				out = append(out, Unit{Key: fmt.Sprintf("%s-%d", slug, r.ID), Kind: Venue, Name: r.Values.Str("name"), Region: r.Region()})
			}
			if page.Next.ID == 0 {
				break
			}
			f.After = page.Next
		}
	}
	return out, nil
}

// UnitByKey resolves a unit key inside scope; anything else is db.ErrNotFound.
func (s *Store) UnitByKey(ctx context.Context, scope region.Scope, key string) (Unit, error) {
	if slug, id, ok := strings.Cut(key, "-"); ok {
		k, known := registry.KindBySlug(slug)
		n, err := strconv.ParseInt(id, 10, 64)
		if !known || err != nil || !slices.Contains(VenueKinds, slug) {
			return Unit{}, fmt.Errorf("forms unit %q: %w", key, db.ErrNotFound)
		}
		rec, err := s.Registry.Get(ctx, k, scope, n)
		if err != nil {
			return Unit{}, err
		}
		return Unit{Key: key, Kind: Venue, Name: rec.Values.Str("name"), Region: rec.Region()}, nil
	}
	code, err := region.Normalize(key)
	if err != nil || !scope.Contains(code) || region.LevelOf(code) > region.LevelTownship {
		return Unit{}, fmt.Errorf("forms unit %q: %w", key, db.ErrNotFound)
	}
	u, err := s.Regions.Get(ctx, code)
	if err != nil {
		return Unit{}, err
	}
	return Unit{Key: code, Kind: Association, Name: u.Name + "科协", Region: code}, nil
}

const formCols = `id, unit_key, unit_kind, unit_name, region_code, year, status, figures, prefilled, remarks, reasons, imported, updated_at`

func scanForm(row db.Scanner) (Form, error) {
	var f Form
	var figs, pre, rem string
	if err := row.Scan(&f.ID, &f.Unit.Key, &f.Unit.Kind, &f.Unit.Name, &f.Unit.Region, &f.Year, &f.Status, &figs, &pre, &rem, &f.Reasons, &f.Imported, &f.UpdatedAt); err != nil {
		return f, err
	}
	f.Figures, f.Prefilled, f.Remarks = Figures{}, Figures{}, map[string]string{}
	for _, p := range []struct {
		s   string
		dst any
	}{{figs, &f.Figures}, {pre, &f.Prefilled}, {rem, &f.Remarks}} {
		if err := json.Unmarshal([]byte(p.s), p.dst); err != nil {
			return f, fmt.Errorf("forms: form %d: %w", f.ID, err)
		}
	}
	return f, nil
}

func mustJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// Get returns a form whose unit lies inside scope; any other id is db.ErrNotFound.
func (s *Store) Get(ctx context.Context, scope region.Scope, id int64) (Form, error) {
	cond, args := scope.Where("region_code", 2)
	f, err := scanForm(s.DB.QueryRowContext(ctx, `SELECT `+formCols+` FROM stat_forms WHERE id = $1 AND `+cond, append([]any{id}, args...)...))
	if err != nil {
		return f, fmt.Errorf("forms.Get %d: %w", id, db.Map(err))
	}
	return f, nil
}

// Find returns the form of a unit for a year (db.ErrNotFound when none was opened).
func (s *Store) Find(ctx context.Context, key string, year int) (Form, error) {
	f, err := scanForm(s.DB.QueryRowContext(ctx, `SELECT `+formCols+` FROM stat_forms WHERE unit_key = $1 AND year = $2`, key, year))
	if err != nil {
		return f, fmt.Errorf("forms.Find %s %d: %w", key, year, db.Map(err))
	}
	return f, nil
}

// List returns the forms of a year inside scope (narrowed to within's subtree when given),
// with the given status ("" for any), in unit order.
func (s *Store) List(ctx context.Context, scope region.Scope, within string, year int, status string) ([]Form, error) {
	if within != "" {
		scope = scope.Narrow(within)
	}
	if scope.Empty() {
		return nil, nil
	}
	cond, args := scope.Where("region_code", 2)
	q := `SELECT ` + formCols + ` FROM stat_forms WHERE year = $1 AND ` + cond
	args = append([]any{year}, args...)
	if status != "" {
		args = append(args, status)
		q += fmt.Sprintf(" AND status = $%d", len(args))
	}
	forms, err := db.QueryAll(ctx, s.DB, scanForm, q+" ORDER BY region_code, unit_key", args...)
	if err != nil {
		return nil, fmt.Errorf("forms.List: %w", db.Map(err))
	}
	return forms, nil
}

// History returns the unit's accepted forms of the years before year, newest first (at most
// limit), for last year's comparison and the trend columns.
func (s *Store) History(ctx context.Context, key string, year, limit int) ([]Form, error) {
	forms, err := db.QueryAll(ctx, s.DB, scanForm, `SELECT `+formCols+` FROM stat_forms WHERE unit_key = $1 AND year < $2 AND status = $3 ORDER BY year DESC LIMIT $4`,
		key, year, Accepted, limit)
	if err != nil {
		return nil, fmt.Errorf("forms.History: %w", db.Map(err))
	}
	return forms, nil
}

// Previous returns last year's accepted figures of the unit, or nil when there are none.
func (s *Store) Previous(ctx context.Context, key string, year int) (Figures, error) {
	f, err := s.Find(ctx, key, year-1)
	if errors.Is(err, db.ErrNotFound) || (err == nil && f.Status != Accepted) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return f.Figures, nil
}

// Prefilled returns what the records give for a unit's form: an association's lines with an
// Indicator from Prefill (what is recorded at the unit itself, so that a summary of forms does
// not count a township twice), a venue's lines with a VenueField from its registry record.
func (s *Store) Prefilled(ctx context.Context, u Unit, year int) (Figures, error) {
	out := Figures{}
	if u.Kind == Venue {
		slug, id, _ := strings.Cut(u.Key, "-")
		k, _ := registry.KindBySlug(slug)
		n, _ := strconv.ParseInt(id, 10, 64)
		rec, err := s.Registry.Get(ctx, k, region.NewScope(u.Region), n)
		if err != nil {
			return nil, err
		}
		out["KC01"] = 1
		for _, f := range Fields() {
			if f.VenueField == "" {
				continue
			}
			switch v := rec.Values[f.VenueField].(type) {
			case int64:
				out[f.Code] = v
			case float64:
				out[f.Code] = int64(v)
			}
		}
		return out, nil
	}
	if s.Prefill == nil {
		return out, nil
	}
	var codes []string
	for _, f := range Fields() {
		if f.Indicator != "" {
			codes = append(codes, f.Indicator)
		}
	}
	vals, err := s.Prefill(ctx, u.Region, year, codes)
	if err != nil && vals == nil {
		return nil, err
	}
	if err != nil {
		// Pre-filling is a help to the filer: a failing source leaves its lines for hand
		// entry rather than blocking a statutory form. The failure is logged once, here.
		log := s.Log
		if log == nil {
			log = slog.Default()
		}
		log.Error("forms: pre-fill incomplete", "unit", u.Key, "year", year, "err", err)
	}
	for _, f := range Fields() {
		if v, ok := vals[f.Indicator]; ok && f.Indicator != "" {
			out[f.Code] = v
		}
	}
	return out, nil
}

// Open returns the unit's form for the year, creating it as a draft pre-filled from records
// when none exists (figures = prefilled; the filer then completes and corrects them).
func (s *Store) Open(ctx context.Context, u Unit, year int, actor int64) (Form, error) {
	if f, err := s.Find(ctx, u.Key, year); err == nil || !errors.Is(err, db.ErrNotFound) {
		return f, err
	}
	pre, err := s.Prefilled(ctx, u, year)
	if err != nil {
		return Form{}, err
	}
	now := s.now()
	err = s.DB.Tx(ctx, func(tx *sql.Tx) error {
		var id int64
		if err := tx.QueryRowContext(ctx, `INSERT INTO stat_forms (unit_key, unit_kind, unit_name, region_code, year, status, figures, prefilled, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9) RETURNING id`, u.Key, u.Kind, u.Name, u.Region, year, Draft, mustJSON(pre), mustJSON(pre), now).Scan(&id); err != nil {
			return err
		}
		return event(ctx, tx, id, now, actor, "open", "")
	})
	if err != nil && !errors.Is(db.Map(err), db.ErrConflict) {
		return Form{}, fmt.Errorf("forms.Open: %w", db.Map(err))
	}
	return s.Find(ctx, u.Key, year) // a concurrent Open that won is as good
}

// nullID is an account id for SQL: NULL for 0 (the demo generator, imports by the system).
func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

func event(ctx context.Context, tx *sql.Tx, id int64, at time.Time, actor int64, action, reasons string) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO stat_form_events (form_id, at, account_id, action, reasons) VALUES ($1, $2, $3, $4, $5)`, id, at, nullID(actor), action, reasons)
	return err
}

// Save writes the figures and remarks of a draft or returned form; a submitted or accepted form
// is ErrLocked. Remarks of codes outside the layout are dropped.
func (s *Store) Save(ctx context.Context, id int64, actor int64, figs Figures, remarks map[string]string) error {
	clean := map[string]string{}
	for code, r := range remarks {
		if _, ok := FieldOf(code); ok && strings.TrimSpace(r) != "" {
			clean[code] = strings.TrimSpace(r)
		}
	}
	now := s.now()
	return s.DB.Tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE stat_forms SET figures = $1, remarks = $2, updated_at = $3 WHERE id = $4 AND status IN ($5, $6)`,
			mustJSON(figs), mustJSON(clean), now, id, Draft, Returned)
		if err != nil {
			return fmt.Errorf("forms.Save: %w", db.Map(err))
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return ErrLocked
		}
		return event(ctx, tx, id, now, actor, "save", "")
	})
}

// Submit sends a draft or returned form to the level above after checking it (Check, with last
// year's accepted figures); with problems it returns them and ErrProblems and stays editable.
func (s *Store) Submit(ctx context.Context, f Form, actor int64) (Problems, error) {
	if !f.Editable() {
		return nil, ErrLocked
	}
	prev, err := s.Previous(ctx, f.Unit.Key, f.Year)
	if err != nil {
		return nil, err
	}
	if probs := Check(f.Figures, f.Remarks, prev); len(probs) > 0 {
		return probs, ErrProblems
	}
	return nil, s.step(ctx, f.ID, actor, "submit", "", Submitted, "", Draft, Returned)
}

// Review accepts (locks) or returns a submitted form; returning needs the reasons, which the
// form then carries until it is submitted again. The caller checks the reviewer's level
// (Unit.ReviewLevel).
func (s *Store) Review(ctx context.Context, id, actor int64, accept bool, reasons string) error {
	reasons = strings.TrimSpace(reasons)
	if accept {
		if err := s.step(ctx, id, actor, "accept", reasons, Accepted, "", Submitted); err != nil {
			return err
		}
		if s.Accepted != nil {
			var code string
			if err := s.DB.QueryRowContext(ctx, `SELECT region_code FROM stat_forms WHERE id = $1`, id).Scan(&code); err != nil {
				return fmt.Errorf("forms.Review: %w", db.Map(err))
			}
			s.Accepted(ctx, code)
		}
		return nil
	}
	if reasons == "" {
		return ErrProblems
	}
	return s.step(ctx, id, actor, "return", reasons, Returned, reasons, Submitted)
}

func (s *Store) step(ctx context.Context, id, actor int64, action, note, to, reasons string, from ...string) error {
	now := s.now()
	col := "submitted_by"
	if action != "submit" {
		col = "reviewed_by"
	}
	return s.DB.Tx(ctx, func(tx *sql.Tx) error {
		args := []any{to, reasons, now, nullID(actor), id}
		var ph []string
		for _, st := range from {
			args = append(args, st)
			ph = append(ph, fmt.Sprintf("$%d", len(args)))
		}
		res, err := tx.ExecContext(ctx, fmt.Sprintf(`UPDATE stat_forms SET status = $1, reasons = $2, updated_at = $3, %s = $4 WHERE id = $5 AND status IN (%s)`,
			col, strings.Join(ph, ", ")), args...)
		if err != nil {
			return fmt.Errorf("forms.%s: %w", action, db.Map(err))
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return ErrState
		}
		return event(ctx, tx, id, now, actor, action, note)
	})
}

// Event is one workflow step of a form.
type Event struct {
	At      time.Time
	Account int64 // 0 when unknown
	Action  string
	Reasons string
}

// Events returns a form's steps, oldest first.
func (s *Store) Events(ctx context.Context, id int64) ([]Event, error) {
	return db.QueryAll(ctx, s.DB, func(r db.Scanner) (Event, error) {
		var e Event
		var acc sql.NullInt64
		err := r.Scan(&e.At, &acc, &e.Action, &e.Reasons)
		e.Account = acc.Int64
		return e, err
	}, `SELECT at, account_id, action, reasons FROM stat_form_events WHERE form_id = $1 ORDER BY id`, id)
}

// Summary is a level's summary form: the sum of the accepted forms of every reporting unit in
// its subtree (its own association's included), with the units whose form is not accepted.
type Summary struct {
	Unit     Unit
	Year     int
	Figures  Figures
	Included int
	Missing  []Missing
	Expected int
}

// Missing is a reporting unit whose form the summary lacks, with its form's status ("" when
// none was opened).
type Missing struct {
	Unit   Unit
	Status string
}

// Summarize builds the summary of the association at code for a year, inside scope.
func (s *Store) Summarize(ctx context.Context, scope region.Scope, code string, year int) (Summary, error) {
	u, err := s.UnitByKey(ctx, scope, code)
	if err != nil {
		return Summary{}, err
	}
	if u.Kind != Association {
		return Summary{}, fmt.Errorf("forms.Summarize %s: %w", code, db.ErrNotFound)
	}
	units, err := s.Units(ctx, scope, code)
	if err != nil {
		return Summary{}, err
	}
	forms, err := s.List(ctx, scope, code, year, "")
	if err != nil {
		return Summary{}, err
	}
	byKey := map[string]Form{}
	for _, f := range forms {
		byKey[f.Unit.Key] = f
	}
	sum := Summary{Unit: u, Year: year, Figures: Figures{}, Expected: len(units)}
	for _, f := range forms {
		if f.Status != Accepted {
			continue
		}
		sum.Included++
		for code, v := range f.Figures {
			sum.Figures[code] += v
		}
	}
	for _, un := range units {
		if f, ok := byKey[un.Key]; !ok || f.Status != Accepted {
			sum.Missing = append(sum.Missing, Missing{Unit: un, Status: f.Status})
		}
	}
	return sum, nil
}
