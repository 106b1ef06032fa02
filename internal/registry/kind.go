// Package registry keeps the science-popularization network: facilities (science museums,
// education bases, …), organizations, teams and people (information officers, …). Each kind
// is described once — its fields with their Chinese labels, types and limits, its natural key,
// the levels of unit it may belong to — and one engine gives every kind its list with filters
// and keyset pages, detail page with audit trail, create/edit/soft delete, spreadsheet import
// and export, JSON API and counts for the region browser, all limited to the caller's scope.
//
// It reads regions only through region.Store and scopes through region.Scope; it writes only
// its own tables (migration 0002_registry.sql).
package registry

import (
	"fmt"
	"strings"
	"time"

	"github.com/kepu/kepu/internal/region"
	"github.com/kepu/kepu/internal/sheet"
)

// PII marks a field that holds personal data: stored once, masked in lists and exports, shown
// in full only to an admin of the record's region who asks, which is logged.
type PII int

// The kinds of personal data.
const (
	NotPII PII = iota
	Phone
	IDNumber
)

// Field is one field of a kind: its column (sheet.Column gives key, Chinese header, type,
// limits, choices), and how lists and filters use it.
type Field struct {
	sheet.Column
	List   bool // shown as a column of the list
	Filter bool // an Enum offered as a list filter
	Search bool // matched by the list's text search
	PII    PII
	// Ref names another kind whose record this field points to, by that record's name (e.g. a
	// mobile museum stop names its museum set). The named record must exist, once, in the
	// caller's scope.
	Ref *Kind
}

// Kind describes one kind of registry record.
type Kind struct {
	Slug       string // URL and API name, e.g. "officers"
	Table      string // SQL table
	Name       string // Chinese name, e.g. "科普信息员"
	Unit       string // Chinese counting word for the region browser, e.g. "人"
	Fields     []Field
	NaturalKey []string // field keys that identify a record across imports; unique among live records
	MinLevel   region.Level
	MaxLevel   region.Level
	// Counted kinds get a column in the region browser (facilities, teams, people).
	Counted bool
	// WriteLevel, when set, is the lowest level of role that may create, change, delete or
	// import records of this kind directly (e-stations: league, since stations are otherwise
	// made only by the accreditation workflow).
	WriteLevel region.Level
	// Unique lists further fields that no two live records may share when filled (a plaque
	// number, an ID number); imports check them inside the file too.
	Unique []string
	// Defaults fill empty fields of a new record (not of an update). May be nil.
	Defaults Values
	// Check validates across fields; it returns field key → message (Chinese). May be nil.
	Check func(v Values) map[string]string
	// Status derives a shown status from the values and today (e.g. accreditation due). May be nil.
	Status func(v Values, today time.Time) string
	// Since is the key of the Date field from which a record counts in the statistics (an
	// education base's 命名日期, a volunteer's 注册日期, a museum's 开馆日期 …); an empty value
	// counts from the day the record was entered. "" for kinds that are events rather than
	// stocks (mobile museum stops, caravan trips): they count from their entry. See
	// Filter.AsOf.
	Since string
	// Stocks lists the Enum or Bool fields whose values the stock rows keep apart, so that a
	// count as of a day narrowed by one of them is read from the stock rows (registry_stock_*,
	// see StocksAsOf): the fields the statistics count by.
	Stocks []string
}

// RegionKey is the field key every kind uses for its division code.
const RegionKey = "region_code"

// Values holds a record's field values by key: string (Text, Code, Enum, and Date as
// 2006-01-02), int64, float64 or bool; a missing key is an empty field.
type Values map[string]any

// Str returns a string field ("" when empty).
func (v Values) Str(key string) string { s, _ := v[key].(string); return s }

// Field returns the field with the given key.
func (k *Kind) Field(key string) (Field, bool) {
	for _, f := range k.Fields {
		if f.Key == key {
			return f, true
		}
	}
	return Field{}, false
}

// Schema is the kind's spreadsheet schema: its fields' columns in order.
func (k *Kind) Schema() sheet.Schema {
	s := sheet.Schema{Name: k.Name}
	for _, f := range k.Fields {
		s.Columns = append(s.Columns, f.Column)
	}
	return s
}

// sqlType is the column type of a field in both databases (dates as ISO text).
func sqlType(f Field) string {
	switch f.Kind {
	case sheet.Int:
		return "BIGINT"
	case sheet.Decimal:
		return "DOUBLE PRECISION"
	case sheet.Bool:
		return "BOOLEAN"
	}
	return "TEXT"
}

// display formats a value for a page: enum labels, 是/否, dates as they are.
func (f Field) display(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		if f.Kind == sheet.Enum {
			for _, c := range f.Choices {
				if c.Value == x {
					return c.Label
				}
			}
		}
		return x
	case bool:
		if x {
			return "是"
		}
		return "否"
	case float64:
		return strings.TrimSuffix(strings.TrimRight(fmt.Sprintf("%.2f", x), "0"), ".")
	}
	return fmt.Sprint(v)
}

// kinds is every kind the registry keeps, in menu order.
var kinds []*Kind

// Kinds returns every kind, in menu order.
func Kinds() []*Kind { return kinds }

// KindBySlug returns the kind with the given slug.
func KindBySlug(slug string) (*Kind, bool) {
	for _, k := range kinds {
		if k.Slug == slug {
			return k, true
		}
	}
	return nil, false
}
