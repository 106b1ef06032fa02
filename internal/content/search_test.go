package content

import (
	"context"
	"database/sql"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/kepu/kepu/internal/db"
	"github.com/kepu/kepu/internal/db/dbtest"
	"github.com/kepu/kepu/internal/demo"
	"github.com/kepu/kepu/internal/region"
)

func TestParseQuery(t *testing.T) {
	for _, c := range []struct {
		q    string
		want []string
		err  error
	}{
		{"", nil, nil},
		{"   ", nil, nil},
		{"草", nil, ErrQueryShort},
		{"草 原", nil, ErrQueryShort},
		{"科普", []string{"科普"}, nil},
		{" 锡林郭勒，草原 草原 ", []string{"锡林郭勒", "草原"}, nil},
		{"ＡＩ 讲座", []string{"ai", "讲座"}, nil},
		{"ᠮᠣᠩᠭᠣᠯ", []string{"ᠮᠣᠩᠭᠣᠯ"}, nil},
		{"一 科普", []string{"科普"}, nil},
		{strings.Repeat("科", MaxQueryRunes), []string{strings.Repeat("科", MaxQueryRunes)}, nil},
		{strings.Repeat("科", MaxQueryRunes+1), nil, ErrQueryLong},
		{strings.Repeat("草原", 5000), nil, ErrQueryLong},
		{"aa bb cc dd ee ff gg hh ii jj", []string{"aa", "bb", "cc", "dd", "ee", "ff", "gg", "hh"}, nil},
	} {
		got, err := ParseQuery(c.q)
		if !errors.Is(err, c.err) || !slices.Equal(got, c.want) {
			t.Errorf("ParseQuery(%.20q) = %q, %v; want %q, %v", c.q, got, err, c.want, c.err)
		}
	}
}

func TestSegment(t *testing.T) {
	got := segment(normalize("锡林郭勒盟的AI科普，ᠮᠣᠩᠭᠣᠯ\u202Fᠤᠨ 草"))
	want := []string{"锡林", "林郭", "郭勒", "勒盟", "盟的", "ai", "科普", "ᠮᠣᠩᠭᠣᠯ", "ᠤᠨ"}
	if !slices.Equal(got, want) {
		t.Errorf("segment = %q, want %q", got, want)
	}
	if got := normalize("ᠮᠣ\u180Bᠩᠭᠣᠯ"); got != "ᠮᠣᠩᠭᠣᠯ" {
		t.Errorf("a free variation selector is kept: %q", got)
	}
}

// searchCorpus is the shared test corpus: the same items on both databases must give the same
// results (TestSearchCorpus).
var searchCorpus = []struct {
	key, code, status string
	zh, body, mn      string
	topics            []string
	future            bool // published with publish_at in the future
}{
	{key: "grass", code: "152502", status: Published, zh: "锡林郭勒草原生态保护", body: "<p>草原是牧区的根本。</p>", topics: []string{"生态"}},
	{key: "kepu", code: "152502", status: Published, zh: "科普知识进牧区", body: "<p>科普大篷车开进<b>苏木</b>。</p>", topics: []string{"科普"}},
	{key: "mongol", code: "152501", status: Published, zh: "蒙古文讲座", body: "<p>双语讲座。</p>", mn: "ᠮᠣᠩᠭᠣᠯ ᠬᠡᠯᠡ ᠶᠢᠨ ᠮᠡᠳᠡᠯᠭᠡ"},
	{key: "ai", code: "152501", status: Published, zh: "人工智能AI入门", body: "<p>什么是 Machine Learning？</p>", topics: []string{"前沿科技"}},
	{key: "draft", code: "152502", status: Draft, zh: "草原防火草稿", body: "<p>尚未发布。</p>"},
	{key: "later", code: "152502", status: Published, zh: "草原定时发布", body: "<p>明天发布。</p>", future: true},
	{key: "body", code: "152501", status: Published, zh: "气象灾害", body: "<p>暴雪过后，草场恢复需要时间。</p>"},
	{key: "news", code: "152501", status: Published, zh: "牧民新闻", body: "<p>锡林郭勒盟的牧民迎来好天气。</p>"},
}

func TestSearchCorpus(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		s, now, ids := fixture(t, d)
		editor, reviewer := ids[0], ids[1]
		all := region.NewScope("15")
		idOf := map[string]int64{}
		keyOf := map[int64]string{}
		for _, c := range searchCorpus {
			in := Input{RegionCode: c.code, Kind: "article", Topics: c.topics, Zh: Version{Title: c.zh, Summary: c.zh + "。", Body: c.body}}
			if c.mn != "" {
				in.Mn = Version{Title: c.mn, Body: "<p>" + c.mn + "</p>"}
			}
			if c.future {
				in.PublishAt = now.Add(24 * time.Hour)
			}
			id, err := s.Create(ctx, all, editor, in, "", nil)
			if err != nil {
				t.Fatal(c.key, err)
			}
			if c.status == Published {
				for _, a := range []string{ActSubmit, ActPublish} {
					if err := s.Act(ctx, all, reviewer, id, a, ""); err != nil {
						t.Fatal(c.key, a, err)
					}
				}
			}
			idOf[c.key], keyOf[id] = id, c.key
		}
		search := func(q string, public bool, scope region.Scope) []string {
			t.Helper()
			terms, err := ParseQuery(q)
			if err != nil {
				t.Fatalf("ParseQuery(%q): %v", q, err)
			}
			res, err := s.Search(ctx, SearchQuery{Terms: terms, Public: public, Scope: scope})
			if err != nil {
				t.Fatalf("Search(%q): %v", q, err)
			}
			var keys []string
			for _, it := range res.Items {
				keys = append(keys, keyOf[it.ID])
			}
			if res.Total != len(keys) {
				t.Errorf("Search(%q): total %d, %d items", q, res.Total, len(keys))
			}
			slices.Sort(keys)
			return keys
		}
		for _, c := range []struct {
			q    string
			want []string
		}{
			{"草原", []string{"grass"}},            // two characters: the bigram column; the draft and the scheduled item are not public
			{"科普", []string{"kepu"}},             // title, body and topic
			{"锡林郭勒", []string{"grass", "news"}},  // a place name: trigrams
			{"郭勒", []string{"grass", "news"}},    // the inside of a longer word
			{"牧区", []string{"grass", "kepu"}},    // body of one, title of the other
			{"草场", []string{"body"}},             // body text only
			{"苏木", []string{"kepu"}},             // text split by a tag
			{"ᠮᠣᠩᠭᠣᠯ", []string{"mongol"}},       // traditional Mongolian word
			{"ᠮᠡᠳᠡᠯᠭᠡ", []string{"mongol"}},      // and another one
			{"ai", []string{"ai"}},               // a two-letter Latin word
			{"ＡＩ", []string{"ai"}},               // full-width letters are normalized
			{"machine learning", []string{"ai"}}, // case-insensitive, both terms
			{"learn", []string{"ai"}},            // substring of three letters or more
			{"草原 科普", nil},                       // every term must match
			{"草原 锡林郭勒 生态", []string{"grass"}},    // topics are searched too
			{"原是", []string{"grass"}},            // bigrams across a word boundary match: documented
			{"沙漠", nil},                          // absent
			{"100%", nil},                        // LIKE wildcards are not wildcards
			{`"科普" OR 草原`, nil},                  // FTS syntax is not syntax: "or" is a term
			{"草稿", nil},                          // drafts are not public
		} {
			if got := search(c.q, true, region.Scope{}); !slices.Equal(got, c.want) {
				t.Errorf("public search %q = %v, want %v", c.q, got, c.want)
			}
		}
		// A title hit comes before a newer body hit.
		terms, _ := ParseQuery("锡林郭勒")
		if res, err := s.Search(ctx, SearchQuery{Terms: terms, Public: true}); err != nil || len(res.Items) != 2 ||
			res.Items[0].ID != idOf["grass"] || res.Items[1].ID != idOf["news"] {
			t.Errorf("锡林郭勒: the title hit is not first: %v %v", res.Items, err)
		}
		if res, err := s.Search(ctx, SearchQuery{Terms: []string{"牧民"}, Public: true}); err != nil || len(res.Items) != 1 || res.Items[0].ID != idOf["news"] {
			t.Errorf("牧民: %v %v", res.Items, err)
		}
		// Staff search covers their scope, drafts and scheduled items included.
		if got, want := search("草原", false, region.NewScope("152502")), []string{"draft", "grass", "later"}; !slices.Equal(got, want) {
			t.Errorf("banner 152502 search 草原 = %v, want %v", got, want)
		}
		if got := search("草原", false, region.NewScope("152501")); got != nil {
			t.Errorf("banner 152501 finds another banner's items: %v", got)
		}
		// The scheduled item becomes searchable when its time comes.
		*now = now.Add(25 * time.Hour)
		if got, want := search("草原", true, region.Scope{}), []string{"grass", "later"}; !slices.Equal(got, want) {
			t.Errorf("after publish_at: %v, want %v", got, want)
		}
		// An edit reindexes in its transaction: the old words are gone, the new ones found.
		in := Input{RegionCode: "152502", Kind: "article", Zh: Version{Title: "沙漠治理", Body: "<p>防沙治沙。</p>"}}
		if err := s.Update(ctx, all, editor, idOf["draft"], in, "", nil); err != nil {
			t.Fatal(err)
		}
		if got, want := search("沙漠", false, all), []string{"draft"}; !slices.Equal(got, want) {
			t.Errorf("after the edit 沙漠 = %v, want %v", got, want)
		}
		if got := search("防火", false, all); got != nil {
			t.Errorf("after the edit the old text is still found: %v", got)
		}
		// Reindex rebuilds the same index.
		if err := d.Tx(ctx, func(tx *sql.Tx) error { return Reindex(ctx, tx, d.Dialect) }); err != nil {
			t.Fatal(err)
		}
		if got, want := search("牧区", true, region.Scope{}), []string{"grass", "kepu"}; !slices.Equal(got, want) {
			t.Errorf("after Reindex 牧区 = %v, want %v", got, want)
		}
		// Limit bounds the items, not the total.
		res, err := s.Search(ctx, SearchQuery{Terms: []string{"草原"}, Scope: all, Limit: 1})
		if err != nil || len(res.Items) != 1 || res.Total != 2 {
			t.Errorf("limit 1: %d items of %d, %v", len(res.Items), res.Total, err)
		}
	})
}

// TestSearchDemo checks the index of the demo library, written by Reindex after the bulk
// insert: every public article (titled 电视科普) is found by 电视; and EnsureIndexed.
func TestSearchDemo(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		if _, err := demo.Run(ctx, d, 1, 0.1, []demo.Step{DemoStep()}, nil); err != nil {
			t.Fatal(err)
		}
		s := &Store{DB: d, Regions: &region.Store{DB: d}}
		res, err := s.Search(ctx, SearchQuery{Terms: []string{"电视"}, Public: true, Limit: 5})
		if err != nil || res.Total == 0 || len(res.Items) != 5 {
			t.Fatalf("电视: %d items of %d, %v", len(res.Items), res.Total, err)
		}
		var published int
		if err := d.QueryRowContext(ctx, `SELECT count(*) FROM content_items WHERE kind = 'article' AND status = 'published'`).Scan(&published); err != nil {
			t.Fatal(err)
		}
		if res.Total != published {
			t.Errorf("电视 finds %d items; %d articles (电视科普) are published", res.Total, published)
		}
		// An index that lost its rows (a database from before the search) is rebuilt once.
		if again, err := s.EnsureIndexed(ctx); again || err != nil {
			t.Errorf("EnsureIndexed on a complete index: %v, %v", again, err)
		}
		if err := d.Tx(ctx, func(tx *sql.Tx) error { return unindex(ctx, tx, d.Dialect, 0) }); err != nil {
			t.Fatal(err)
		}
		if res, _ := s.Search(ctx, SearchQuery{Terms: []string{"电视"}, Public: true}); res.Total != 0 {
			t.Fatalf("an emptied index still finds %d", res.Total)
		}
		if again, err := s.EnsureIndexed(ctx); !again || err != nil {
			t.Errorf("EnsureIndexed on an empty index: %v, %v", again, err)
		}
		if res, err := s.Search(ctx, SearchQuery{Terms: []string{"电视"}, Public: true}); err != nil || res.Total != published {
			t.Errorf("after EnsureIndexed 电视 finds %d, want %d (%v)", res.Total, published, err)
		}
	})
}
