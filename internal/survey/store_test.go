package survey

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/kepu/kepu/internal/db"
	"github.com/kepu/kepu/internal/db/dbtest"
	"github.com/kepu/kepu/internal/region"
	"github.com/kepu/kepu/internal/sheet"
	"github.com/kepu/kepu/internal/web"
)

var (
	all      = region.NewScope("150000")
	xilin    = region.NewScope("152500") // 锡林郭勒盟
	xilinhot = region.NewScope("152502") // 锡林浩特市
	erlian   = region.NewScope("152501") // 二连浩特市
)

func newStore(d *db.DB) *Store { return &Store{DB: d, Regions: &region.Store{DB: d}} }

func leagueSurvey(t *testing.T, s *Store) int64 {
	t.Helper()
	id, err := s.Create(context.Background(), xilin, 0, Input{RegionCode: "152500", Title: "锡林郭勒盟科学素质调查", Year: 2026, Scheme: National2024, Sample: true})
	if err != nil {
		t.Fatal(err)
	}
	return id
}

func person(code string) Respondent {
	return Respondent{RegionCode: code, Stratum: "s1", PSU: code, Weight: 100, Urban: true, Sex: "female", AgeGroup: "30-39"}
}

func TestCreateAndScope(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		ctx, s := context.Background(), newStore(d)
		var fe web.FieldErrors
		if _, err := s.Create(ctx, xilinhot, 0, Input{RegionCode: "152500", Title: "x", Year: 2026, Scheme: National2024}); !errors.As(err, &fe) || fe["region_code"] == "" {
			t.Errorf("a banner admin created a league survey: %v", err)
		}
		if _, err := s.Create(ctx, all, 0, Input{RegionCode: "150000", Year: 1990, Scheme: "magic"}); !errors.As(err, &fe) || fe["title"] == "" || fe["year"] == "" || fe["scheme"] == "" {
			t.Errorf("bad input: %v", err)
		}
		if _, err := s.Create(ctx, all, 0, Input{RegionCode: "150000", Title: "x", Year: 2026, Scheme: Custom, PassPct: 60}); !errors.As(err, &fe) || !strings.Contains(fe["scheme"], "分值") {
			t.Errorf("custom scheme without points: %v", err)
		}
		id := leagueSurvey(t, s)
		items, _ := s.Items(ctx, id)
		if len(items) != len(SampleBank()) || items[9].Options[2].Mn == "" || items[12].Kind != Multi || len(items[12].Answer) != 2 {
			t.Fatalf("sample bank not stored as written: %d items", len(items))
		}
		// The banner admin sees the league's survey (it covers the banner); the other league does not.
		if _, err := s.Get(ctx, xilinhot, id); err != nil {
			t.Errorf("banner admin cannot see its league's survey: %v", err)
		}
		if _, err := s.Get(ctx, region.NewScope("150100"), id); !errors.Is(err, db.ErrNotFound) {
			t.Errorf("Hohhot sees Xilingol's survey: %v", err)
		}
		// Only the league may change it.
		if err := s.AddItem(ctx, xilinhot, id, Item{Kind: TrueFalse, Dimension: Knowledge, Points: 1, Zh: "题", Answer: []int{0}}); err == nil {
			t.Error("a banner admin added an item to a league survey")
		}
		// Responses: each admin sees its own subtree's.
		if _, err := s.Interview(ctx, xilinhot, 0, id, person("152502"), nil); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Interview(ctx, erlian, 0, id, person("152501"), nil); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Interview(ctx, xilinhot, 0, id, person("152501"), nil); !errors.As(err, &fe) || !strings.Contains(fe["region_code"], "管辖范围") {
			t.Errorf("interview outside scope: %v", err)
		}
		if _, err := s.Interview(ctx, all, 0, id, person("150102"), nil); !errors.As(err, &fe) || !strings.Contains(fe["region_code"], "不在本调查的范围") {
			t.Errorf("interview outside the survey's unit: %v", err)
		}
		for scope, want := range map[*region.Scope]int{&xilinhot: 1, &erlian: 1, &xilin: 2} {
			rs, _ := s.Responses(ctx, *scope, id)
			if len(rs) != want {
				t.Errorf("%v sees %d responses, want %d", scope.Roots(), len(rs), want)
			}
		}
		svs, _ := s.List(ctx, xilinhot)
		if len(svs) != 1 || svs[0].Responses != 1 {
			t.Errorf("list for the banner: %+v", svs)
		}
		// Items cannot change once responses exist.
		if err := s.AddItem(ctx, xilin, id, Item{Kind: TrueFalse, Dimension: Knowledge, Points: 1, Zh: "题", Answer: []int{0}}); !errors.Is(err, ErrHasAnswers) {
			t.Errorf("item added after responses: %v", err)
		}
	})
}

func TestInvitationOnce(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		ctx, s := context.Background(), newStore(d)
		id := leagueSurvey(t, s)
		p := person("152502")
		p.Weight, p.Prob1, p.Prob2 = 0, 0.5, 0.01
		// A banner association invites its own banner's sampled people, not another banner's.
		other := p
		other.RegionCode = "152501"
		var fe web.FieldErrors
		if _, err := s.Invite(ctx, xilinhot, id, other); !errors.As(err, &fe) || !strings.Contains(fe["region_code"], "管辖范围") {
			t.Errorf("invitation outside the banner: %v", err)
		}
		if _, err := s.Invite(ctx, region.NewScope("150100"), id, p); !errors.Is(err, db.ErrNotFound) {
			t.Errorf("Hohhot invited to Xilingol's survey: %v", err)
		}
		code, err := s.Invite(ctx, xilinhot, id, p)
		if err != nil {
			t.Fatal(err)
		}
		iv, _, err := s.Invitation(ctx, strings.ToLower(code))
		if err != nil || iv.Weight != 200 || iv.UsedAt != nil {
			t.Fatalf("invitation: %+v %v (weight from probabilities 1/(0.5×0.01) = 200)", iv, err)
		}
		items, _ := s.Items(ctx, id)
		answers := key(items)
		answers[0] = nil
		// Two submissions at once: exactly one is recorded.
		var wg sync.WaitGroup
		errs := make([]error, 4)
		for i := range errs {
			wg.Add(1)
			go func() { defer wg.Done(); _, errs[i] = s.Respond(ctx, code, answers) }()
		}
		wg.Wait()
		ok := 0
		for _, err := range errs {
			switch {
			case err == nil:
				ok++
			case !errors.Is(err, ErrUsedCode):
				t.Errorf("unexpected: %v", err)
			}
		}
		if ok != 1 {
			t.Errorf("%d responses recorded for one code", ok)
		}
		rs, _ := s.Responses(ctx, xilin, id)
		if len(rs) != 1 || rs[0].Unanswered != 1 || rs[0].Total != 96 || rs[0].Mode != "online" || rs[0].Weight != 200 {
			t.Errorf("stored response: %+v", rs)
		}
		if _, err := s.Respond(ctx, "NOSUCHCODE", answers); !errors.Is(err, ErrNoCode) {
			t.Errorf("unknown code: %v", err)
		}
	})
}

// sheetOf writes a CSV of responses to the sample bank (19 items).
func sheetOf(rows ...string) *strings.Reader {
	head := "区划代码,层,初级抽样单元,权数,第一阶段入样概率,第二阶段入样概率,城乡,性别,年龄组"
	for i := 1; i <= len(SampleBank()); i++ {
		head += fmt.Sprintf(",第%d题", i)
	}
	return strings.NewReader(head + "\n" + strings.Join(rows, "\n") + "\n")
}

const allRight = ",对,对,错,对,对,错,错,错,对,C,B,A,AB,对,B,错,AC,B,对"

func TestImportAllOrNothing(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		ctx, s := context.Background(), newStore(d)
		id := leagueSurvey(t, s)
		good := "152502,s1,p1,120.5,,,城镇,女,30-39" + allRight
		_, err := s.Import(ctx, xilin, 0, id, sheetOf(good,
			"152502,s1,p1,,,,城镇,女,30-39"+allRight,                                  // no weight, no probabilities
			"150102,s1,p2,10,,,乡村,男,18-29"+allRight,                                // outside the survey
			"152502,s1,p2,10,,,乡村,其他,18-29"+allRight,                               // sex
			"152502,s1,p2,10,,,乡村,男,18-29,对,对,错,对,对,错,错,错,对,D,B,A,AB,对,B,错,AC,B,对", // option D of a 3-option item
		))
		var se sheet.Errors
		if !errors.As(err, &se) {
			t.Fatalf("bad file accepted: %v", err)
		}
		msg := se.Error()
		for _, want := range []string{"第 3 行，“权数”列", "第 4 行，“区划代码”列", "不在本调查的范围", "第 5 行，“性别”列", "第 6 行，“第10题”列", "超出选项范围"} {
			if !strings.Contains(msg, want) {
				t.Errorf("errors lack %q:\n%s", want, msg)
			}
		}
		if rs, _ := s.Responses(ctx, xilin, id); len(rs) != 0 {
			t.Errorf("a bad file wrote %d responses", len(rs))
		}
		// A good file: blanks are unanswered items, scored and counted.
		n, err := s.Import(ctx, xilin, 0, id, sheetOf(good, "152502001,s1,p2,,0.5,0.02,乡村,男,60-69,对,,,,,,,,,,,,,,,,,,"))
		if err != nil || n != 2 {
			t.Fatalf("good file: %d %v", n, err)
		}
		rs, _ := s.Responses(ctx, xilin, id)
		if len(rs) != 2 || rs[0].Total != 100 || rs[0].Level != High || rs[1].Unanswered != 18 || rs[1].Weight != 100 || rs[1].Literate {
			t.Errorf("imported: %+v", rs)
		}
		// A banner admin may import only its own respondents.
		if _, err := s.Import(ctx, erlian, 0, id, sheetOf(good)); !errors.As(err, &se) || !strings.Contains(se.Error(), "管辖范围") {
			t.Errorf("import outside scope: %v", err)
		}
	})
}

func TestMargins(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		ctx, s := context.Background(), newStore(d)
		id := leagueSurvey(t, s)
		_, err := s.ImportMargins(ctx, xilin, id, strings.NewReader("区划代码,变量,类别,人口数\n152500,性别,男,500\n152500,性别,女,480\n152500,性别,其他,3\n150100,城乡,城镇,100\n152500,性别,女,1\n"))
		var se sheet.Errors
		if !errors.As(err, &se) || !strings.Contains(se.Error(), "性别没有类别“其他”") || !strings.Contains(se.Error(), "第 5 行") || !strings.Contains(se.Error(), "重复") {
			t.Errorf("bad margins: %v", err)
		}
		if n, err := s.ImportMargins(ctx, xilin, id, strings.NewReader("区划代码,变量,类别,人口数\n152500,性别,男,500\n152500,性别,女,480\n152500,城乡,城镇,600\n152500,城乡,乡村,380\n")); err != nil || n != 4 {
			t.Fatalf("margins: %d %v", n, err)
		}
		// Entering one variable again replaces only that variable.
		if err := s.SetMargins(ctx, xilin, id, []MarginRow{{RegionCode: "152500", Variable: BySex, Category: "male", Population: 510}, {RegionCode: "152500", Variable: BySex, Category: "female", Population: 490}}); err != nil {
			t.Fatal(err)
		}
		ms, _ := s.Margins(ctx, id)
		if len(ms) != 4 || ms[0].Population != 490 {
			t.Errorf("margins: %+v", ms)
		}
		if err := s.SetMargins(ctx, xilinhot, id, ms); err == nil {
			t.Error("a banner admin changed a league survey's margins")
		}
	})
}

func TestImportItemsBenchmarkBank(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		ctx, s := context.Background(), newStore(d)
		id, err := s.Create(ctx, xilin, 0, Input{RegionCode: "152500", Title: "基准测评", Year: 2026, Scheme: Benchmark})
		if err != nil {
			t.Fatal(err)
		}
		var b strings.Builder
		b.WriteString("题型,维度,基准编号,题目,选项,答案\n")
		for i := range 50 {
			if i%2 == 0 {
				fmt.Fprintf(&b, "判断题,科学知识,%d,判断题 %d,,对\n", i%26+1, i+1)
			} else {
				fmt.Fprintf(&b, "多选题,科学应用,%d,多选题 %d,甲|ᠨᠢᠭᠡ；乙|ᠬᠣᠶᠠᠷ；丙,AC\n", i%26+1, i+1)
			}
		}
		good := b.String()
		// One bad row (benchmark 27, an answer beyond the options) and nothing is written.
		bad := strings.Replace(good, "判断题,科学知识,1,判断题 1,,对", "判断题,科学知识,27,判断题 1,,对", 1)
		bad = strings.Replace(bad, "多选题 2,甲|ᠨᠢᠭᠡ；乙|ᠬᠣᠶᠠᠷ；丙,AC", "多选题 2,甲|ᠨᠢᠭᠡ；乙|ᠬᠣᠶᠠᠷ；丙,AD", 1)
		_, err = s.ImportItems(ctx, xilin, id, strings.NewReader(bad))
		var se sheet.Errors
		if !errors.As(err, &se) || !strings.Contains(se.Error(), "第 2 行，“基准编号”列") || !strings.Contains(se.Error(), "第 3 行，“答案”列") {
			t.Errorf("bad items: %v", err)
		}
		if items, _ := s.Items(ctx, id); len(items) != 0 {
			t.Fatalf("a refused file wrote %d items", len(items))
		}
		n, err := s.ImportItems(ctx, xilin, id, strings.NewReader(good))
		if err != nil || n != 50 {
			t.Fatalf("items: %d %v", n, err)
		}
		items, _ := s.Items(ctx, id)
		if err := BenchmarkScheme().Check(items); err != nil {
			t.Errorf("imported bank does not fit the benchmark scheme: %v", err)
		}
		if items[1].Options[1].Mn != "ᠬᠣᠶᠠᠷ" || items[1].Options[2].Mn != "" || Answer(items[1].Answer).Format() != "AC" || items[49].Position != 50 {
			t.Errorf("item 2: %+v", items[1])
		}
		if _, err := s.ImportItems(ctx, xilinhot, id, strings.NewReader(good)); err == nil {
			t.Error("a banner admin imported items into a league survey")
		}
	})
}

func TestImportInvitations(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		ctx, s := context.Background(), newStore(d)
		id := leagueSurvey(t, s)
		head := "区划代码,层,初级抽样单元,权数,第一阶段入样概率,第二阶段入样概率,城乡,性别,年龄组\n"
		_, err := s.ImportInvitations(ctx, xilin, id, strings.NewReader(head+"152502,s1,p1,100,,,城镇,女,30-39\n152502,s1,,,,,城镇,女,30-39\n"))
		var se sheet.Errors
		if !errors.As(err, &se) || !strings.Contains(se.Error(), "第 3 行，“初级抽样单元”列") {
			t.Errorf("bad sample list: %v", err)
		}
		if ivs, _ := s.Invitations(ctx, xilin, id, 0); len(ivs) != 0 {
			t.Fatalf("a refused list made %d invitations", len(ivs))
		}
		codes, err := s.ImportInvitations(ctx, xilin, id, strings.NewReader(head+"152502,s1,p1,100,,,城镇,女,30-39\n152501,s1,p2,,0.5,0.1,乡村,男,18-29\n"))
		if err != nil || len(codes) != 2 || codes[0] == codes[1] {
			t.Fatalf("sample list: %v %v", codes, err)
		}
		iv, _, err := s.Invitation(ctx, codes[1])
		if err != nil || iv.Weight != 20 || iv.RegionCode != "152501" || iv.Urban || iv.AgeGroup != "18-29" {
			t.Errorf("invitation from the list: %+v %v", iv, err)
		}
		// Each banner admin sees its own invitations only.
		if ivs, _ := s.Invitations(ctx, xilinhot, id, 0); len(ivs) != 1 || ivs[0].RegionCode != "152502" {
			t.Errorf("banner sees %+v", ivs)
		}
		if _, err := s.ImportInvitations(ctx, xilinhot, id, strings.NewReader(head+"152501,s1,p1,100,,,城镇,女,30-39\n")); !errors.As(err, &se) || !strings.Contains(se.Error(), "管辖范围") {
			t.Errorf("a banner admin made invitations for another banner: %v", err)
		}
	})
}

// A questionnaire that does not fit its scheme collects nothing: a benchmark survey needs its
// 50 items over 26 benchmarks first.
func TestNoCollectionBeforeTheQuestionnaireFits(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		ctx, s := context.Background(), newStore(d)
		id, err := s.Create(ctx, xilin, 0, Input{RegionCode: "152500", Title: "基准测评", Year: 2026, Scheme: Benchmark, Sample: true})
		if err != nil {
			t.Fatal(err)
		}
		var fe web.FieldErrors
		if _, err := s.Interview(ctx, xilin, 0, id, person("152502"), nil); !errors.As(err, &fe) || !strings.Contains(fe["answers"], "基准测评须有 50 道题") {
			t.Errorf("interview on an unfit questionnaire: %v", err)
		}
		_, err = s.Import(ctx, xilin, 0, id, sheetOf("152502,s1,p1,120.5,,,城镇,女,30-39"+allRight))
		if err == nil || !strings.Contains(err.Error(), "暂不能导入") {
			t.Errorf("import on an unfit questionnaire: %v", err)
		}
	})
}
