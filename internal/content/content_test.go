package content

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"image"
	"image/png"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/kepu/kepu/internal/account"
	"github.com/kepu/kepu/internal/db"
	"github.com/kepu/kepu/internal/db/dbtest"
	"github.com/kepu/kepu/internal/demo"
	"github.com/kepu/kepu/internal/region"
)

const mnTitle = "ᠰᠢᠨᠵᠢᠯᠡᠬᠦ ᠤᠬᠠᠭᠠᠨ ᠤ ᠮᠡᠳᠡᠯᠭᠡ"

func article(code string) Input {
	return Input{RegionCode: code, Kind: "article", Topics: []string{"健康、 气象"}, TargetGroups: []string{"farmers"},
		Zh: Version{Title: "冬季防寒知识", Summary: "牧区冬季防寒要点。", Body: "<p>注意保暖。</p>"}}
}

func TestValidateAndSanitize(t *testing.T) {
	in := article("152502")
	in.Zh.Body = `<h2 onclick="steal()">标题</h2><p style="color:red">正文<script>alert(1)</script></p><iframe src="https://evil.example"></iframe>` +
		`<a href="javascript:alert(1)">坏链接</a><a href="https://www.kepuchina.cn/x">好链接</a><img src="https://img.example/a.png" onerror="x()">` +
		`<table><tr><td><em>表</em></td></tr></table><ul><li>一</li></ul>`
	if errs := in.Validate(); errs != nil {
		t.Fatal(errs)
	}
	for _, bad := range []string{"<script", "onclick", "onerror", "style=", "<iframe", "javascript:"} {
		if strings.Contains(in.Zh.Body, bad) {
			t.Errorf("sanitized body keeps %q: %s", bad, in.Zh.Body)
		}
	}
	for _, good := range []string{"<h2>标题</h2>", "<table>", "<em>表</em>", "<li>一</li>", `href="https://www.kepuchina.cn/x"`, `<img src="https://img.example/a.png"`} {
		if !strings.Contains(in.Zh.Body, good) {
			t.Errorf("sanitized body lost %q: %s", good, in.Zh.Body)
		}
	}
	if len(in.Topics) != 2 || in.Topics[1] != "气象" {
		t.Errorf("topics %q", in.Topics)
	}

	cases := []struct {
		name  string
		edit  func(*Input)
		field string
		want  string
	}{
		{"no chinese title", func(in *Input) { in.Zh.Title = " " }, "zh_title", "中文标题"},
		{"oversized body", func(in *Input) { in.Zh.Body = "<p>" + strings.Repeat("科普", MaxBody/5) + "</p>" }, "zh_body", "正文过长"},
		{"menksoft", func(in *Input) { in.Mn = Version{Title: "\ue2b1\ue2c4\ue26c"} }, "mn_title", "蒙科立"},
		{"cyrillic", func(in *Input) { in.Mn = Version{Title: "Шинжлэх ухаан"} }, "mn_title", "非蒙古文字符"},
		{"chinese in mongolian body", func(in *Input) { in.Mn = Version{Title: mnTitle, Body: "<p>" + mnTitle + " 科普</p>"} }, "mn_body", "非蒙古文字符"},
		{"mongolian without title", func(in *Input) { in.Mn = Version{Body: "<p>" + mnTitle + "</p>"} }, "mn_title", "蒙古文标题"},
		{"repost without source", func(in *Input) { in.Kind = "repost"; in.SourcePlatform = "科普中国" }, "source_url", "地址"},
		{"lecture backwards", func(in *Input) {
			in.Kind, in.Speaker, in.StartsAt, in.EndsAt = "lecture", "张三", time.Date(2026, 5, 1, 10, 0, 0, 0, China), time.Date(2026, 5, 1, 9, 0, 0, 0, China)
		}, "ends_at", "晚于"},
		{"bad group", func(in *Input) { in.TargetGroups = []string{"aliens"} }, "target_groups", "重点人群"},
		{"video address", func(in *Input) { in.Kind, in.VideoURL = "video", "ftp://x" }, "video_url", "http"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			in := article("152502")
			c.edit(&in)
			errs := in.Validate()
			if !strings.Contains(errs[c.field], c.want) {
				t.Errorf("%s: %q, want it to say %q (all: %v)", c.field, errs[c.field], c.want, errs)
			}
		})
	}
	ok := article("152502")
	ok.Mn = Version{Title: mnTitle, Summary: mnTitle + "᠃ 2026", Body: "<p>" + mnTitle + "\u202fᠤᠨ</p>"}
	if errs := ok.Validate(); errs != nil {
		t.Errorf("a Unicode Mongolian version is refused: %v", errs)
	}
}

func TestReadPoster(t *testing.T) {
	if _, _, err := ReadPoster(strings.NewReader("<html>not an image</html>")); !errors.Is(err, ErrPosterType) {
		t.Errorf("text as poster: %v", err)
	}
	var real bytes.Buffer
	png.Encode(&real, image.NewRGBA(image.Rect(0, 0, 4, 3)))
	if ct, _, err := ReadPoster(bytes.NewReader(real.Bytes())); err != nil || ct != "image/png" {
		t.Errorf("png: %q %v", ct, err)
	}
	// A PNG signature over nothing, or a header declaring a decompression bomb, is refused at
	// upload, not only when the poster is resized.
	broken := "\x89PNG\r\n\x1a\n" + strings.Repeat("\x00", 100)
	if _, _, err := ReadPoster(strings.NewReader(broken)); !errors.Is(err, ErrPosterDecode) {
		t.Errorf("broken png: %v", err)
	}
	bomb := []byte("\x89PNG\r\n\x1a\n")
	ihdr := make([]byte, 13)
	binary.BigEndian.PutUint32(ihdr[0:], 50000)
	binary.BigEndian.PutUint32(ihdr[4:], 50000)
	ihdr[8], ihdr[9] = 8, 2
	chunk := append([]byte("IHDR"), ihdr...)
	bomb = binary.BigEndian.AppendUint32(bomb, uint32(len(ihdr)))
	bomb = append(bomb, chunk...)
	bomb = binary.BigEndian.AppendUint32(bomb, crc32.ChecksumIEEE(chunk))
	if _, _, err := ReadPoster(bytes.NewReader(bomb)); !errors.Is(err, ErrPosterPixels) {
		t.Errorf("50000×50000 poster: %v", err)
	}
	png := real.String()
	if _, _, err := ReadPoster(strings.NewReader(png + strings.Repeat("\x00", MaxPosterBytes))); !errors.Is(err, ErrPosterSize) {
		t.Errorf("oversized poster: %v", err)
	}
}

// fixture is a store on a fresh database with two accounts of banner 152502 and one of 152501.
func fixture(t *testing.T, d *db.DB) (*Store, *time.Time, [3]int64) {
	ctx := context.Background()
	regions := &region.Store{DB: d}
	accounts := &account.Store{DB: d, Regions: regions}
	var ids [3]int64
	for i, a := range []struct{ user, code string }{{"editor", "152502"}, {"reviewer", "152502"}, {"other", "152501"}} {
		id, err := accounts.Create(ctx, account.NewAccount{Username: a.user, DisplayName: a.user, Phone: "13912345678", Password: "correct horse battery",
			Grants: []account.Grant{{Role: account.BannerAdmin, RegionCode: a.code}}})
		if err != nil {
			t.Fatal(err)
		}
		ids[i] = id
	}
	now := time.Date(2026, 6, 1, 2, 0, 0, 0, time.UTC)
	s := &Store{DB: d, Regions: regions}
	s.Now = func() time.Time { return now }
	return s, &now, ids
}

func TestWorkflow(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		s, now, ids := fixture(t, d)
		editor, reviewer, other := ids[0], ids[1], ids[2]
		banner, elsewhere := region.NewScope("152502"), region.NewScope("152501")
		if _, err := s.Create(ctx, elsewhere, other, article("152502"), "", nil); err == nil || !strings.Contains(err.Error(), "管辖范围") {
			t.Errorf("create outside scope: %v", err)
		}
		in := article("152502")
		in.Mn = Version{Title: mnTitle, Body: "<p>" + mnTitle + "</p>"}
		id, err := s.Create(ctx, banner, editor, in, "", nil)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.Get(ctx, elsewhere, id); !errors.Is(err, db.ErrNotFound) {
			t.Errorf("another banner reads the item: %v", err)
		}
		if err := s.Act(ctx, elsewhere, other, id, ActSubmit, ""); !errors.Is(err, db.ErrNotFound) {
			t.Errorf("another banner submits the item: %v", err)
		}
		if err := s.Act(ctx, banner, editor, id, ActPublish, ""); !errors.Is(err, ErrWrongStep) {
			t.Errorf("publish a draft: %v", err)
		}
		if err := s.Act(ctx, banner, editor, id, ActSubmit, ""); err != nil {
			t.Fatal(err)
		}
		if err := s.Act(ctx, banner, editor, id, ActPublish, ""); !errors.Is(err, ErrOwnEdit) || !strings.Contains(err.Error(), "最后编辑者以外") {
			t.Errorf("the last editor publishes: %v", err)
		}
		if err := s.Act(ctx, banner, reviewer, id, ActReturn, ""); !errors.Is(err, ErrNoReason) {
			t.Errorf("return without a note: %v", err)
		}
		if err := s.Act(ctx, banner, reviewer, id, ActReturn, "标题再短一些"); err != nil {
			t.Fatal(err)
		}
		// The reviewer edits the text: now the reviewer may not publish, the editor may.
		in.Zh.Title = "冬季防寒"
		in.PublishAt = now.Add(48 * time.Hour) // scheduled
		if err := s.Update(ctx, banner, reviewer, id, in, "", nil); err != nil {
			t.Fatal(err)
		}
		if err := s.Act(ctx, banner, reviewer, id, ActSubmit, ""); err != nil {
			t.Fatal(err)
		}
		if err := s.Act(ctx, banner, reviewer, id, ActPublish, ""); !errors.Is(err, ErrOwnEdit) {
			t.Errorf("the reviewer publishes after editing: %v", err)
		}
		if err := s.Update(ctx, banner, editor, id, in, "", nil); !errors.Is(err, ErrLocked) {
			t.Errorf("edit in review: %v", err)
		}
		if err := s.Act(ctx, banner, editor, id, ActPublish, "同意"); err != nil {
			t.Fatal(err)
		}
		if _, err := s.GetPublic(ctx, id); !errors.Is(err, db.ErrNotFound) {
			t.Errorf("a scheduled item is public before its time: %v", err)
		}
		if items, _ := s.Latest(ctx, PublicQuery{}); len(items) != 0 {
			t.Errorf("%d public items before the schedule", len(items))
		}
		*now = now.Add(49 * time.Hour)
		it, err := s.GetPublic(ctx, id)
		if err != nil || it.Mn.Body == "" || it.Zh.Title != "冬季防寒" {
			t.Fatalf("public after the schedule: %+v %v", it, err)
		}
		if items, _ := s.Latest(ctx, PublicQuery{Topic: "气象"}); len(items) != 1 {
			t.Errorf("topic list: %d items", len(items))
		}
		if err := s.Act(ctx, banner, reviewer, id, ActWithdraw, ""); !errors.Is(err, ErrNoReason) {
			t.Errorf("withdraw without a reason: %v", err)
		}
		if err := s.Act(ctx, banner, reviewer, id, ActWithdraw, "数据有误"); err != nil {
			t.Fatal(err)
		}
		if _, err := s.GetPublic(ctx, id); !errors.Is(err, db.ErrNotFound) {
			t.Errorf("a withdrawn item is public: %v", err)
		}
		it, _ = s.Get(ctx, banner, id)
		if it.Status != Withdrawn || it.WithdrawReason != "数据有误" {
			t.Errorf("after withdrawal: %s %q", it.Status, it.WithdrawReason)
		}
		steps, err := s.Steps(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		var trail []string
		for _, st := range steps {
			trail = append(trail, st.Step)
		}
		if got := strings.Join(trail, " "); got != "create submit return update submit publish withdraw" {
			t.Errorf("audit trail %q", got)
		}
		if steps[5].AccountID != editor || !strings.Contains(steps[5].Note, "定时发布") || steps[6].Note != "数据有误" {
			t.Errorf("publish step %+v, withdraw step %+v", steps[5], steps[6])
		}
		page, err := s.List(ctx, Filter{Scope: banner, Status: Withdrawn, Topic: "健康"})
		if err != nil || page.Total != 1 {
			t.Errorf("list by status and topic: %d %v", page.Total, err)
		}
		if page, _ := s.List(ctx, Filter{Scope: elsewhere}); page.Total != 0 {
			t.Errorf("another banner lists %d items", page.Total)
		}
	})
}

// The demo's library at 10 % of the seed's scale: every line's share, a Chinese version for
// each item and a Unicode Mongolian one for some, and public items on the home lists.
func TestDemo(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		if _, err := demo.Run(ctx, d, 1, 0.1, []demo.Step{region.DemoStep(), DemoStep()}, nil); err != nil {
			t.Fatal(err)
		}
		want := 0
		for _, l := range demoLines {
			want += max(1, int(float64(l.items)*0.1+0.5))
		}
		var items, zh, mn int
		d.QueryRowContext(ctx, `SELECT count(*) FROM content_items`).Scan(&items)
		d.QueryRowContext(ctx, `SELECT count(*) FROM content_versions WHERE lang = 'zh-Hans'`).Scan(&zh)
		d.QueryRowContext(ctx, `SELECT count(*) FROM content_versions WHERE lang = 'mn-Mong'`).Scan(&mn)
		if items != want || zh != items || mn == 0 || mn > items/3 {
			t.Errorf("%d items (want %d), %d Chinese, %d Mongolian versions", items, want, zh, mn)
		}
		var title string
		d.QueryRowContext(ctx, `SELECT title FROM content_versions WHERE lang = 'mn-Mong'`).Scan(&title)
		if MongolianProblem(title) != "" {
			t.Errorf("demo Mongolian %q: %s", title, MongolianProblem(title))
		}
		s := &Store{DB: d, Regions: &region.Store{DB: d}}
		latest, err := s.Latest(ctx, PublicQuery{Emergency: true})
		if err != nil || len(latest) == 0 {
			t.Errorf("no public emergency items: %v", err)
		}
		// New items after the demo get fresh ids (the sequence moved past the demo's).
		if _, err := s.Create(ctx, region.NewScope("15"), 0, article("152502"), "", nil); err != nil {
			t.Error(err)
		}
	})
}

// The embedded Mongolian font is the pinned npm package's file (scripts/content-font.sh). The
// byte comparison runs when node_modules is installed (scripts/test.sh runs npm ci).
func TestMongolianFontMatchesNpm(t *testing.T) {
	lock, err := os.ReadFile("../../package-lock.json")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(lock), `"node_modules/@fontsource/noto-sans-mongolian": {`+"\n"+`      "version": "5.3.0"`) {
		t.Error("package-lock.json does not pin @fontsource/noto-sans-mongolian 5.3.0")
	}
	embedded, err := os.ReadFile("../web/static/" + MongolianFont)
	if err != nil || !strings.HasPrefix(string(embedded), "wOF2") {
		t.Fatalf("internal/web/static/%s is not a woff2 file: %v", MongolianFont, err)
	}
	npm, err := os.ReadFile("../../node_modules/@fontsource/noto-sans-mongolian/files/noto-sans-mongolian-mongolian-400-normal.woff2")
	if errors.Is(err, os.ErrNotExist) {
		t.Skip("node_modules/@fontsource/noto-sans-mongolian not installed (npm ci): byte comparison skipped")
	}
	if err != nil {
		t.Fatal(err)
	}
	if string(npm) != string(embedded) {
		t.Errorf("internal/web/static/%s differs from the npm package's: run scripts/content-font.sh", MongolianFont)
	}
}
