package content

import (
	"context"
	"errors"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/kepu/kepu/internal/db/dbtest"
	"github.com/kepu/kepu/internal/region"
)

// FuzzSearchQuery feeds arbitrary search-box text to ParseQuery and the terms to Search on
// SQLite, whose FTS5 has a query syntax of its own: a query is refused or parsed into 1 to
// MaxTerms terms of at least MinTermRunes characters, and a parsed query never makes the
// database fail (no FTS5 syntax error, no LIKE wildcard leaking through).
func FuzzSearchQuery(f *testing.F) {
	for _, s := range []string{"科普", "草原 锡林郭勒", `"科普" OR 草原`, "NEAR(ab cd)", "ab*", "^ab", "-ab", "ab:cd", `a\b%_c`, "ᠮᠣᠩᠭᠣᠯ\u180b", "ＡＩ", "\x00\xff", "草"} {
		f.Add(s)
	}
	d := dbtest.SQLite(f)
	s := &Store{DB: d, Regions: &region.Store{DB: d}}
	ctx := context.Background()
	f.Fuzz(func(t *testing.T, q string) {
		terms, err := ParseQuery(q)
		switch {
		case err != nil:
			if !errors.Is(err, ErrQueryShort) && !errors.Is(err, ErrQueryLong) {
				t.Fatalf("ParseQuery(%q): unexpected error %v", q, err)
			}
			return
		case len(terms) == 0:
			if strings.TrimSpace(q) != "" {
				t.Fatalf("ParseQuery(%q): no terms and no error", q)
			}
			return
		case len(terms) > MaxTerms:
			t.Fatalf("ParseQuery(%q): %d terms", q, len(terms))
		}
		for _, term := range terms {
			if utf8.RuneCountInString(term) < MinTermRunes {
				t.Fatalf("ParseQuery(%q): short term %q", q, term)
			}
		}
		for _, public := range []bool{true, false} {
			if _, err := s.Search(ctx, SearchQuery{Terms: terms, Public: public, Scope: region.NewScope("15")}); err != nil {
				t.Fatalf("Search(%q): %v", terms, err)
			}
		}
	})
}
