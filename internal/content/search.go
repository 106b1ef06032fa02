package content

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/net/html"
	"golang.org/x/text/unicode/norm"

	"github.com/kepu/kepu/internal/db"
	"github.com/kepu/kepu/internal/region"
)

// Search (issue 5, search part) finds items by Chinese two-character words (科普, 草原), longer
// words and place names (锡林郭勒) and words of traditional Mongolian or Latin script.
//
// Each item's text (titles, summaries, body text, topics, speaker; both language versions) is
// indexed twice, in the same transaction as every write of its text (indexItem, from
// Store.Create and Store.Update; the demo's bulk load calls Reindex):
//   - doc: the searchable text, normalized (normalize) — searched for substrings by trigrams
//     (SQLite FTS5's trigram tokenizer; PostgreSQL's pg_trgm);
//   - grams: the segmented words (segment) — two adjacent Chinese characters each, and whole
//     words of other scripts — because a trigram index cannot find a two-character word.
//
// Status, publish time and region are not indexed: a search reads them from content_items, so
// the workflow's steps need no reindexing and scheduled items appear when their time comes.
// Results come in two groups, each newest first: items with every term in a title (either
// language), then the others.
//
// The segmenter is bigrams, not a dictionary: go-ego/gse v0.80.3 with its default dictionary
// took 346 MB of RSS (191 MB of heap) and 2 s to load, for a search that bigrams answer
// exactly for two-character words and trigrams for longer ones (docs/BENCHMARKS.md).
//
// A query is split into terms at spaces and punctuation; an item matches when it has every
// term: a term of three characters or more as a substring of its doc, a term of two as a whole
// word of its grams (a two-character Chinese word anywhere; a two-letter word of another script
// only as a whole word; two characters of two scripts, like g网, find nothing). Bigrams match
// across word boundaries too (原是 finds 草原是…). One-character terms are dropped — a single Chinese character matches
// nearly every item — and a query with nothing left is refused (ErrQueryShort).

// Query limits, in characters (runes) after trimming spaces.
const (
	MinTermRunes  = 2   // shorter terms are dropped
	MaxQueryRunes = 100 // a longer query is refused (ErrQueryLong); the form's maxlength too
	MaxTerms      = 8   // terms after the eighth are ignored, bounding the work of one search
)

// Errors of a query, in Chinese, naming the search box.
var (
	ErrQueryShort = errors.New("搜索词太短：请至少输入两个字的词（单个字会找到几乎所有内容）")
	ErrQueryLong  = fmt.Errorf("搜索词太长：最多 %d 个字，请缩短后再搜索", MaxQueryRunes)
)

// normalize prepares text for the index and for queries alike: NFKC (full-width Latin letters
// and digits become ASCII; the Mongolian narrow no-break space U+202F becomes a space), lower
// case, and the Mongolian free variation selectors (U+180B–U+180D, U+180F) and zero-width
// joiners removed, since they change a letter's shape and not the word. The vowel separator
// U+180E becomes a space.
func normalize(s string) string {
	s = norm.NFKC.String(s)
	return strings.Map(func(r rune) rune {
		switch {
		case r >= 0x180B && r <= 0x180D, r == 0x180F, r == 0x200C, r == 0x200D:
			return -1
		case r == 0x180E:
			return ' '
		}
		return unicode.ToLower(r)
	}, s)
}

// wordRune reports whether r belongs to a word: a letter, a digit or a combining mark.
func wordRune(r rune) bool {
	return unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.Mn, r)
}

func hanRune(r rune) bool { return unicode.Is(unicode.Han, r) }

// runs splits normalized text into runs of Chinese characters and runs of other word
// characters, dropping everything else.
func runs(s string) []string {
	var out []string
	start, han := -1, false
	for i, r := range s {
		w, h := wordRune(r), hanRune(r)
		if start >= 0 && (!w || h != han) {
			out = append(out, s[start:i])
			start = -1
		}
		if w && start < 0 {
			start, han = i, h
		}
	}
	if start >= 0 {
		out = append(out, s[start:])
	}
	return out
}

// segment returns the segmented words of normalized text: each pair of adjacent Chinese
// characters of a Chinese run (锡林郭勒 → 锡林 林郭 郭勒), and each run of another script
// whole, in order, without repeats.
func segment(s string) []string {
	seen := map[string]bool{}
	var out []string
	add := func(w string) {
		if !seen[w] {
			seen[w] = true
			out = append(out, w)
		}
	}
	for _, run := range runs(s) {
		r, _ := utf8.DecodeRuneInString(run)
		if !hanRune(r) {
			add(run)
			continue
		}
		rs := []rune(run)
		for i := 0; i+1 < len(rs); i++ {
			add(string(rs[i : i+2]))
		}
	}
	return out
}

// ParseQuery checks a search box's text and returns its terms, normalized: split at spaces and
// punctuation, terms shorter than MinTermRunes dropped, repeats dropped, at most MaxTerms.
// An empty (or all-space) query gives no terms and no error. Errors: ErrQueryLong for more
// than MaxQueryRunes characters, ErrQueryShort when no term is left.
func ParseQuery(q string) ([]string, error) {
	q = strings.TrimSpace(q)
	if q == "" {
		return nil, nil
	}
	if utf8.RuneCountInString(q) > MaxQueryRunes {
		return nil, ErrQueryLong
	}
	var terms []string
	seen := map[string]bool{}
	for _, t := range strings.FieldsFunc(normalize(q), func(r rune) bool { return !wordRune(r) }) {
		if utf8.RuneCountInString(t) < MinTermRunes || seen[t] {
			continue
		}
		seen[t] = true
		terms = append(terms, t)
		if len(terms) == MaxTerms {
			break
		}
	}
	if len(terms) == 0 {
		return nil, ErrQueryShort
	}
	return terms, nil
}

// htmlText returns the text of sanitized HTML, a space between elements.
func htmlText(s string) string {
	var b strings.Builder
	z := html.NewTokenizer(strings.NewReader(s))
	for {
		switch z.Next() {
		case html.ErrorToken:
			return b.String()
		case html.TextToken:
			b.Write(z.Text())
		default:
			b.WriteByte(' ')
		}
	}
}

// searchDoc is one item's row of the index.
type searchDoc struct {
	ID         int64
	Doc, Grams string
}

// docOf builds an item's index row from its text: versions (title, summary, body HTML), topics
// (newline-separated, as stored) and speaker.
func docOf(id int64, topics, speaker string, versions [][3]string) searchDoc {
	var b strings.Builder
	for _, v := range versions {
		b.WriteString(v[0] + "\n" + v[1] + "\n" + htmlText(v[2]) + "\n")
	}
	b.WriteString(topics + "\n" + speaker)
	doc := normalize(b.String())
	return searchDoc{ID: id, Doc: doc, Grams: strings.Join(segment(doc), " ")}
}

// indexItem rewrites the search index rows of one item from its stored text, within tx (the
// transaction that wrote the item). Errors: the driver's, mapped.
func indexItem(ctx context.Context, tx *sql.Tx, dialect db.Dialect, id int64) error {
	var topics, speaker string
	if err := tx.QueryRowContext(ctx, `SELECT topics, speaker FROM content_items WHERE id = $1`, id).Scan(&topics, &speaker); err != nil {
		return fmt.Errorf("content.indexItem %d: %w", id, db.Map(err))
	}
	versions, err := db.QueryAll(ctx, tx, func(row db.Scanner) ([3]string, error) {
		var v [3]string
		return v, row.Scan(&v[0], &v[1], &v[2])
	}, `SELECT title, summary, body FROM content_versions WHERE item_id = $1 ORDER BY lang DESC`, id)
	if err != nil {
		return fmt.Errorf("content.indexItem %d: %w", id, err)
	}
	if err := unindex(ctx, tx, dialect, id); err != nil {
		return err
	}
	return writeIndex(ctx, tx, dialect, []searchDoc{docOf(id, topics, speaker, versions)})
}

// unindex removes an item's index rows (all items' when id is 0).
func unindex(ctx context.Context, tx *sql.Tx, dialect db.Dialect, id int64) error {
	qs := []string{`DELETE FROM content_search WHERE item_id = $1 OR $1 = 0`}
	if dialect == db.SQLite {
		qs = []string{`DELETE FROM content_search_doc WHERE rowid = $1 OR $1 = 0`, `DELETE FROM content_search_grams WHERE rowid = $1 OR $1 = 0`}
	}
	for _, q := range qs {
		if _, err := tx.ExecContext(ctx, q, id); err != nil {
			return fmt.Errorf("content.unindex: %w", db.Map(err))
		}
	}
	return nil
}

func writeIndex(ctx context.Context, tx *sql.Tx, dialect db.Dialect, docs []searchDoc) error {
	var err error
	if dialect == db.SQLite {
		doc, grams := make([][]any, len(docs)), make([][]any, len(docs))
		for i, d := range docs {
			doc[i], grams[i] = []any{d.ID, d.Doc}, []any{d.ID, d.Grams}
		}
		if err = db.BulkInsert(ctx, tx, dialect, "content_search_doc", []string{"rowid", "doc"}, doc, ""); err == nil {
			err = db.BulkInsert(ctx, tx, dialect, "content_search_grams", []string{"rowid", "grams"}, grams, "")
		}
	} else {
		rows := make([][]any, len(docs))
		for i, d := range docs {
			rows[i] = []any{d.ID, d.Doc, strings.Fields(d.Grams)} // text[]
		}
		err = db.BulkInsert(ctx, tx, dialect, "content_search", []string{"item_id", "doc", "grams"}, rows, "")
	}
	if err != nil {
		return fmt.Errorf("content.writeIndex: %w", err)
	}
	return nil
}

// Reindex rebuilds the whole search index from the stored items within tx: for bulk loads
// that write the tables directly (the demo library) and for repairs. On PostgreSQL it then
// refreshes the planner's statistics of the items and the index (ANALYZE). Errors: the driver's.
func Reindex(ctx context.Context, tx *sql.Tx, dialect db.Dialect) error {
	type head struct {
		id              int64
		topics, speaker string
	}
	heads, err := db.QueryAll(ctx, tx, func(row db.Scanner) (head, error) {
		var h head
		return h, row.Scan(&h.id, &h.topics, &h.speaker)
	}, `SELECT id, topics, speaker FROM content_items ORDER BY id`)
	if err != nil {
		return fmt.Errorf("content.Reindex: %w", err)
	}
	type version struct {
		id   int64
		text [3]string
	}
	versions, err := db.QueryAll(ctx, tx, func(row db.Scanner) (version, error) {
		var v version
		return v, row.Scan(&v.id, &v.text[0], &v.text[1], &v.text[2])
	}, `SELECT item_id, title, summary, body FROM content_versions ORDER BY item_id, lang DESC`)
	if err != nil {
		return fmt.Errorf("content.Reindex: %w", err)
	}
	byItem := map[int64][][3]string{}
	for _, v := range versions {
		byItem[v.id] = append(byItem[v.id], v.text)
	}
	docs := make([]searchDoc, len(heads))
	for i, h := range heads {
		docs[i] = docOf(h.id, h.topics, h.speaker, byItem[h.id])
	}
	if err := unindex(ctx, tx, dialect, 0); err != nil {
		return err
	}
	if err := writeIndex(ctx, tx, dialect, docs); err != nil {
		return err
	}
	if dialect == db.Postgres {
		// Fresh statistics after a bulk load: with none, the planner guessed 8 public items of
		// 13,560 and walked them one by one, 5–10 times slower (docs/BENCHMARKS.md).
		if _, err := tx.ExecContext(ctx, `ANALYZE content_items, content_versions, content_search`); err != nil {
			return fmt.Errorf("content.Reindex: %w", db.Map(err))
		}
	}
	return nil
}

// SearchQuery is one search: the terms (ParseQuery) and whose items. Public searches items
// the public sees now, newest publish_at first; otherwise Scope limits it to the caller's
// items of any status, newest id first. In both, items with every term in a title come first.
type SearchQuery struct {
	Terms  []string
	Public bool
	Scope  region.Scope
	Limit  int // 1–100; 0 means 30
}

// SearchResult is what a search found: at most Limit items and how many match in all.
type SearchResult struct {
	Items []Item
	Total int
}

// matchFTS quotes terms as an FTS5 query of phrases joined by AND ("" when there are none).
func matchFTS(terms []string) string {
	q := make([]string, len(terms))
	for i, t := range terms {
		q[i] = `"` + strings.ReplaceAll(t, `"`, `""`) + `"`
	}
	return strings.Join(q, " AND ")
}

// Search finds items with every term of q.Terms (see the package notes above for what
// matches). No terms find nothing. Errors: the driver's, mapped.
func (s *Store) Search(ctx context.Context, q SearchQuery) (SearchResult, error) {
	var res SearchResult
	if len(q.Terms) == 0 {
		return res, nil
	}
	// Two steps: the id and titles of every match, newest first (the total, and the titles to
	// rank by), then only the first page's items, by id — rather than a count(*) and a sorted
	// page of wide rows, which took twice as long on SQLite.
	cond, order, args := s.searchWhere(q)
	hits, err := db.QueryAll(ctx, s.DB, func(row db.Scanner) (searchHit, error) {
		var h searchHit
		return h, row.Scan(&h.id, &h.zh, &h.mn)
	}, `SELECT i.id, z.title, COALESCE(m.title, '')`+itemFrom+` WHERE `+cond+order, args...)
	if err != nil {
		return res, fmt.Errorf("content.Search: %w", err)
	}
	if len(hits) == 0 {
		return res, nil
	}
	// Items with every term in a title come first (ranked in Go, so alike on both databases).
	sort.SliceStable(hits, func(a, b int) bool { return hits[a].inTitle(q.Terms) && !hits[b].inTitle(q.Terms) })
	limit := q.Limit
	if limit <= 0 || limit > 100 {
		limit = 30
	}
	res.Total = len(hits)
	hits = hits[:min(limit, len(hits))]
	marks := make([]string, len(hits))
	page := make([]any, len(hits))
	rank := map[int64]int{}
	for i, h := range hits {
		marks[i], page[i], rank[h.id] = fmt.Sprintf("$%d", i+1), h.id, i
	}
	items, err := db.QueryAll(ctx, s.DB, scanItem, `SELECT `+itemCols+itemFrom+` WHERE i.id IN (`+strings.Join(marks, ", ")+`)`, page...)
	if err != nil {
		return res, fmt.Errorf("content.Search: %w", err)
	}
	sort.Slice(items, func(a, b int) bool { return rank[items[a].ID] < rank[items[b].ID] })
	codes := make([]string, len(items))
	for i, it := range items {
		codes[i] = it.RegionCode
	}
	if names, err := s.Regions.Names(ctx, codes); err == nil {
		for i := range items {
			items[i].RegionName = names[items[i].RegionCode]
		}
	}
	res.Items = items
	return res, nil
}

// searchHit is a matching item's id and titles, for ranking.
type searchHit struct {
	id     int64
	zh, mn string
	ranked int8 // 0: not yet known, 1: every term in a title, -1: not
}

// inTitle reports whether every term is in the item's titles, by the rule of the index: a
// term of three characters or more, or of two Chinese characters (a bigram of the title
// exactly when it is a substring), as a substring; any other as a whole word.
func (h *searchHit) inTitle(terms []string) bool {
	if h.ranked == 0 {
		title := normalize(h.zh + "\n" + h.mn)
		h.ranked = 1
		for _, t := range terms {
			r, _ := utf8.DecodeRuneInString(t)
			found := strings.Contains(title, t)
			if found && utf8.RuneCountInString(t) < 3 && !hanRune(r) {
				found = slices.Contains(runs(title), t)
			}
			if !found {
				h.ranked = -1
				break
			}
		}
	}
	return h.ranked > 0
}

// searchWhere returns the condition on content_items i, the ORDER BY and the arguments of a
// search with at least one term.
func (s *Store) searchWhere(q SearchQuery) (cond, order string, args []any) {
	var conds []string
	arg := func(v any) string {
		args = append(args, v)
		return fmt.Sprintf("$%d", len(args))
	}
	order = ` ORDER BY i.id DESC`
	if q.Public {
		conds = append(conds, `i.status = 'published' AND i.publish_at <= `+arg(s.now()))
		order = ` ORDER BY i.publish_at DESC, i.id DESC`
	} else {
		where, wargs := q.Scope.Where("i.region_code", 1)
		conds, args = append(conds, where), wargs
	}
	var long, short []string
	for _, t := range q.Terms {
		if utf8.RuneCountInString(t) >= 3 {
			long = append(long, t)
		} else {
			short = append(short, t)
		}
	}
	if s.DB.Dialect == db.SQLite {
		if len(long) > 0 {
			conds = append(conds, `i.id IN (SELECT rowid FROM content_search_doc WHERE content_search_doc MATCH `+arg(matchFTS(long))+`)`)
		}
		if len(short) > 0 {
			conds = append(conds, `i.id IN (SELECT rowid FROM content_search_grams WHERE content_search_grams MATCH `+arg(matchFTS(short))+`)`)
		}
	} else {
		var sc []string
		for _, t := range long {
			sc = append(sc, `doc LIKE `+arg("%"+db.EscapeLike(t)+"%")+` ESCAPE '\'`)
		}
		if len(short) > 0 {
			var words []string
			for _, t := range short {
				words = append(words, arg(t)+`::text`)
			}
			sc = append(sc, `grams @> ARRAY[`+strings.Join(words, ", ")+`]`)
		}
		conds = append(conds, `i.id IN (SELECT item_id FROM content_search WHERE `+strings.Join(sc, " AND ")+`)`)
	}
	return strings.Join(conds, " AND "), order, args
}

// EnsureIndexed rebuilds the search index (Reindex, in one transaction) when it does not hold
// one row per item — items written before migration 0005_content_search, or by a bulk load
// that did not call Reindex — and reports whether it did. For start-up, after the migrations.
// Errors: the driver's.
func (s *Store) EnsureIndexed(ctx context.Context) (bool, error) {
	index := `SELECT count(*) FROM content_search`
	if s.DB.Dialect == db.SQLite {
		index = `SELECT count(*) FROM content_search_doc`
	}
	var items, indexed int
	if err := s.DB.QueryRowContext(ctx, `SELECT count(*) FROM content_items`).Scan(&items); err != nil {
		return false, fmt.Errorf("content.EnsureIndexed: %w", db.Map(err))
	}
	if err := s.DB.QueryRowContext(ctx, index).Scan(&indexed); err != nil {
		return false, fmt.Errorf("content.EnsureIndexed: %w", db.Map(err))
	}
	if items == indexed {
		return false, nil
	}
	return true, s.DB.Tx(ctx, func(tx *sql.Tx) error { return Reindex(ctx, tx, s.DB.Dialect) })
}
