package quiz

import (
	"context"
	"database/sql"
	"fmt"
	"math/rand/v2"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/kepu/kepu/internal/db"
	"github.com/kepu/kepu/internal/demo"
	"github.com/kepu/kepu/internal/region"
)

// demoQuestions is the demo bank: short questions of the topics the seed's quizzes covered
// (emergency and weather, health, farming and herding, everyday science, science and
// technology news), in the bank sheet's columns.
var demoQuestions = []Question{
	{Kind: TrueFalse, Topic: "应急避险", TextZh: "沙尘暴天气外出时应远离广告牌和高大树木。", Answer: "A", ExplanationZh: "大风可能吹落广告牌、折断树枝，应远离。"},
	{Kind: Single, Topic: "应急避险", TextZh: "发生地震时，在室内最安全的做法是？", OptionsZh: []string{"躲在坚固桌子下护住头部", "乘电梯迅速下楼", "站在窗户边观察"}, Answer: "A", ExplanationZh: "震时就近躲避，震后再有序撤离，不要乘电梯。"},
	{Kind: Single, Topic: "应急避险", TextZh: "草原火灾时，应向哪个方向撤离？", OptionsZh: []string{"逆风方向", "顺风方向", "原地不动"}, Answer: "A", ExplanationZh: "火借风势蔓延，应逆风撤离到已烧过或植被稀少的地方。"},
	{Kind: TrueFalse, Topic: "应急避险", TextZh: "雷雨天气可以在空旷草原上的孤立大树下避雨。", Answer: "B", ExplanationZh: "孤立大树容易遭雷击，应蹲低身体、远离高处。"},
	{Kind: Multiple, Topic: "应急避险", TextZh: "暴雪天气牧区应做好哪些准备？", OptionsZh: []string{"储备饲草料", "加固棚圈", "把牲畜赶到河道里", "备足燃料"}, Answer: "ABD", ExplanationZh: "河道低洼易积雪结冰，不宜放牧。"},
	{Kind: Single, Topic: "健康生活", TextZh: "成年人每天食盐摄入量建议不超过多少克？", OptionsZh: []string{"5 克", "10 克", "15 克"}, Answer: "A", ExplanationZh: "《中国居民膳食指南（2022）》建议成人每天食盐不超过 5 克。"},
	{Kind: TrueFalse, Topic: "健康生活", TextZh: "抗生素可以治疗病毒引起的感冒。", Answer: "B", ExplanationZh: "抗生素对病毒无效，滥用会产生耐药性。"},
	{Kind: Multiple, Topic: "健康生活", TextZh: "预防流感的有效做法有？", OptionsZh: []string{"接种流感疫苗", "勤洗手", "常开窗通风", "多喝白酒"}, Answer: "ABC", ExplanationZh: "饮酒不能预防流感。"},
	{Kind: Single, Topic: "健康生活", TextZh: "测量血压前应安静休息至少多久？", OptionsZh: []string{"5 分钟", "30 秒", "1 小时"}, Answer: "A", ExplanationZh: "安静休息 5 分钟后测量，结果更准确。"},
	{Kind: TrueFalse, Topic: "健康生活", TextZh: "包虫病可以通过与犬密切接触传播给人。", Answer: "A", ExplanationZh: "牧区应定期给犬驱虫，饭前洗手。"},
	{Kind: Single, Topic: "农牧科技", TextZh: "苜蓿属于哪一类牧草？", OptionsZh: []string{"豆科", "禾本科", "菊科"}, Answer: "A", ExplanationZh: "苜蓿是豆科多年生牧草，被称为“牧草之王”。"},
	{Kind: TrueFalse, Topic: "农牧科技", TextZh: "划区轮牧有利于草场恢复。", Answer: "A", ExplanationZh: "轮牧让草场有休养生息的时间。"},
	{Kind: Single, Topic: "农牧科技", TextZh: "羊的胃有几个胃室？", OptionsZh: []string{"4 个", "2 个", "1 个"}, Answer: "A", ExplanationZh: "反刍动物的复胃由瘤胃、网胃、瓣胃和皱胃组成。"},
	{Kind: Multiple, Topic: "农牧科技", TextZh: "节水灌溉的方式有？", OptionsZh: []string{"滴灌", "喷灌", "大水漫灌", "膜下滴灌"}, Answer: "ABD", ExplanationZh: "大水漫灌耗水多，不属于节水灌溉。"},
	{Kind: TrueFalse, Topic: "农牧科技", TextZh: "给牲畜接种疫苗是预防口蹄疫的重要措施。", Answer: "A", ExplanationZh: "口蹄疫实行强制免疫。"},
	{Kind: Single, Topic: "生活科学", TextZh: "水在标准大气压下的沸点是多少摄氏度？", OptionsZh: []string{"100", "90", "120"}, Answer: "A", ExplanationZh: "海拔越高气压越低，沸点越低。"},
	{Kind: TrueFalse, Topic: "生活科学", TextZh: "用湿手触摸电器开关是安全的。", Answer: "B", ExplanationZh: "水能导电，湿手触摸开关有触电危险。"},
	{Kind: Single, Topic: "生活科学", TextZh: "煤炉取暖时最需要防范的是？", OptionsZh: []string{"一氧化碳中毒", "二氧化碳过多", "氧气过多"}, Answer: "A", ExplanationZh: "一氧化碳无色无味，要保持通风、安装烟囱和报警器。"},
	{Kind: Multiple, Topic: "生活科学", TextZh: "下列属于可再生能源的有？", OptionsZh: []string{"风能", "太阳能", "煤炭", "水能"}, Answer: "ABD", ExplanationZh: "煤炭是化石能源，不可再生。"},
	{Kind: TrueFalse, Topic: "生活科学", TextZh: "地球绕太阳公转一周约需一年。", Answer: "A", ExplanationZh: "公转周期约 365.25 天。"},
	{Kind: Single, Topic: "科技前沿", TextZh: "我国自主建设的空间站名为？", OptionsZh: []string{"天宫", "和平号", "天和号"}, Answer: "A", ExplanationZh: "天宫空间站由天和核心舱、问天和梦天实验舱组成。"},
	{Kind: Single, Topic: "科技前沿", TextZh: "我国的卫星导航系统是？", OptionsZh: []string{"北斗", "伽利略", "格洛纳斯"}, Answer: "A", ExplanationZh: "北斗卫星导航系统已向全球提供服务。"},
	{Kind: TrueFalse, Topic: "科技前沿", TextZh: "神舟飞船从内蒙古四子王旗着陆场返回过地面。", Answer: "A", ExplanationZh: "四子王旗曾是神舟飞船的主着陆场。"},
	{Kind: Multiple, Topic: "科技前沿", TextZh: "下列属于人工智能应用的有？", OptionsZh: []string{"语音识别", "人脸识别", "机器翻译", "手摇纺车"}, Answer: "ABC", ExplanationZh: "手摇纺车是传统机械。"},
}

// DemoCampaign is the demo's campaign name: the seed report's 10 quizzes on TV and mobile
// with 480,000 participants in all.
const DemoCampaign = "2026 年全区科普知识网络答题"

// DemoStep adds a bank of 24 questions and a campaign of 10 contests (one a month, March to
// November 2026 and the last one open now) with 480,000 participants in all (48,000 a
// contest at --scale 1), spread over the townships by population, each with one to three
// finished attempts and their best kept, leaderboard buckets filled. Every answer row is
// written for one attempt in 50 (their attempt figures match their answers); the others keep
// their attempt's score and time only, to keep `kepu demo` short.
func DemoStep() demo.Step {
	return demo.Step{Name: "quiz", Work: 480, Run: func(ctx context.Context, g *demo.Generator) error {
		regions := &region.Store{DB: g.DB}
		towns, err := regions.UnitsAt(ctx, region.LevelTownship)
		if err != nil {
			return err
		}
		if len(towns) == 0 {
			return nil
		}
		weights := make([]int64, len(towns))
		var total int64
		for i, t := range towns {
			w := int64(1000)
			if t.Population != nil && *t.Population > 0 {
				w = *t.Population
			}
			total += w
			weights[i] = total
		}
		pick := func(r *rand.Rand) string {
			x := r.Int64N(total)
			return towns[sort.Search(len(weights), func(i int) bool { return weights[i] > x })].Code
		}
		s := &Store{DB: g.DB, Regions: regions}
		root := towns[0].Code[:2] + "0000"
		bankID, err := s.CreateBank(ctx, region.NewScope(root), 0, root, "全区科普知识题库（演示）")
		if err != nil {
			return err
		}
		now := time.Now().UTC()
		rows := make([][]any, len(demoQuestions))
		for i, q := range demoQuestions {
			q.Validate()
			rows[i] = questionRow(bankID, q, now)
		}
		if err := db.BulkInsert(ctx, g.DB, g.DB.Dialect, "quiz_questions", questionColumns, rows, ""); err != nil {
			return err
		}
		pool, err := s.Questions(ctx, bankID)
		if err != nil {
			return err
		}
		perContest := g.N(48_000)
		for i := range 10 {
			starts := time.Date(2026, time.Month(3+i), 10, 1, 0, 0, 0, time.UTC)
			ends := starts.AddDate(0, 0, 10)
			if i == 9 {
				starts, ends = now.AddDate(0, 0, -3).Truncate(time.Hour), now.AddDate(0, 0, 11).Truncate(time.Hour)
			}
			c := Contest{RegionCode: root, BankID: bankID, Campaign: DemoCampaign, Title: fmt.Sprintf("科普知识网络答题 第 %d 期", i+1),
				StartsAt: starts, EndsAt: ends, Questions: 10, SecondsPerQuestion: 20, AttemptsPerDay: 3, Stratified: true, Practice: true, MinAnswerMS: 1000, Winners: 100}
			id, err := s.CreateContest(ctx, region.NewScope(root), 0, c)
			if err != nil {
				return err
			}
			c.ID = id
			err = g.DB.Tx(ctx, func(tx *sql.Tx) error {
				return FillContest(ctx, tx, g.DB.Dialect, c, pool, perContest, g.Rand, pick, 50, func(n int) { g.Tick(n * 48 / max(perContest, 1)) })
			})
			if err != nil {
				return fmt.Errorf("quiz demo contest %d: %w", i+1, err)
			}
		}
		return nil
	}}
}

// FillContest bulk-loads n synthetic participants into contest c inside tx, each living in
// the township pick returns, with one to three finished counted attempts drawn from pool
// (their answers written for one attempt in answerEvery; 0 writes none), their best kept and
// the leaderboard buckets and the participation roll-up (quiz_region_months) filled: the demo's
// loader, and the load tests' 480,000 participants.
// Participants' phones are 1 followed by 10 digits that encode the contest and the index.
// progress is called with the participants done since its last call.
func FillContest(ctx context.Context, tx *sql.Tx, dialect db.Dialect, c Contest, pool []Question, n int, r *rand.Rand,
	pick func(*rand.Rand) string, answerEvery int, progress func(int)) error {
	if dialect == db.SQLite {
		// The indexes of a few hundred thousand rows take random inserts: give this connection
		// a page cache that holds them (SQLite's default is 2 MB), and the default back after.
		var old int64
		if err := tx.QueryRowContext(ctx, `PRAGMA cache_size`).Scan(&old); err == nil {
			tx.ExecContext(ctx, `PRAGMA cache_size = -262144`)
			defer tx.ExecContext(ctx, fmt.Sprintf(`PRAGMA cache_size = %d`, old))
		}
	}
	var pid, aid int64
	if err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(id), 0) FROM quiz_participants`).Scan(&pid); err != nil {
		return db.Map(err)
	}
	if err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(id), 0) FROM quiz_attempts`).Scan(&aid); err != nil {
		return db.Map(err)
	}
	byID := map[int64]Question{}
	for _, q := range pool {
		byID[q.ID] = q
	}
	type bucket struct {
		scope      string
		score, sec int
	}
	buckets := map[bucket]int64{}
	type unitMonth struct{ code, month string }
	months := map[unitMonth][2]int64{} // quiz_region_months: participants, attempts
	span := c.EndsAt.Sub(c.StartsAt)
	limit := int64(c.SecondsPerQuestion) * 1000
	var people, attempts, answers [][]any
	flush := func(force bool) error {
		if len(people) >= 5000 || (force && len(people) > 0) {
			if err := db.BulkInsert(ctx, tx, dialect, "quiz_participants", []string{"id", "contest_id", "token_hash", "name", "phone", "region_code", "league_code", "banner_code",
				"school", "created_at", "attempts", "best_score", "best_sec", "best_ms", "best_attempt_id"}, people, ""); err != nil {
				return err
			}
			if err := db.BulkInsert(ctx, tx, dialect, "quiz_attempts", []string{"id", "contest_id", "participant_id", "practice", "day", "question_ids", "current",
				"score", "total_ms", "flagged", "started_at", "finished_at"}, attempts, ""); err != nil {
				return err
			}
			if err := db.BulkInsert(ctx, tx, dialect, "quiz_answers", []string{"attempt_id", "seq", "question_id", "choice", "correct", "ms", "flag", "served_at", "answered_at", "ip"}, answers, ""); err != nil {
				return err
			}
			if progress != nil {
				progress(len(people))
			}
			people, attempts, answers = people[:0], attempts[:0], answers[:0]
		}
		return nil
	}
	for i := range n {
		pid++
		code := pick(r)
		joined := c.StartsAt.Add(time.Duration(r.Int64N(int64(span) / 2)))
		if joined.After(time.Now()) {
			joined = c.StartsAt
		}
		ability := 0.35 + 0.6*r.Float64()
		best, bestMS, bestAttempt := -1, int64(0), int64(0)
		k := 1 // three in four take part once, one in five twice, one in twenty three times
		if x := r.IntN(20); x >= 15 {
			k = 2 + x/19
		}
		at := joined
		for range k {
			aid++
			ids := Draw(r, pool, c.Questions, false) // synthetic history: a plain draw is enough, and faster
			score, total, flagged := 0, int64(0), 0
			t := at
			var rows [][]any
			for seq, qid := range ids {
				q := byID[qid]
				ms := 2500 + r.Int64N(14000)
				if r.IntN(200) == 0 {
					ms = 300 + r.Int64N(600) // a rare too-fast answer, for the review list
				}
				correct := r.Float64() < ability
				choice := q.Answer
				if !correct {
					choice = map[bool]string{true: "B", false: "A"}[q.Answer == "A"]
					if q.Kind == Multiple {
						choice = q.Answer[:1]
					}
				}
				flag := ""
				if ms < int64(c.MinAnswerMS) {
					flag = "too_fast"
					flagged++
				}
				if correct {
					score++
				}
				total += min(ms, limit)
				served := t.Add(2 * time.Second)
				t = served.Add(time.Duration(ms) * time.Millisecond)
				rows = append(rows, []any{aid, seq + 1, qid, choice, correct, ms, flag, served, t, ""})
			}
			if answerEvery > 0 && aid%int64(answerEvery) == 0 {
				answers = append(answers, rows...)
			}
			day := ChinaDay(at)
			attempts = append(attempts, []any{aid, c.ID, pid, false, day, idList(ids), len(ids) + 1, score, total, flagged, at, t})
			m := months[unitMonth{code, day[:7]}]
			m[1]++
			months[unitMonth{code, day[:7]}] = m
			if score > best || (score == best && total < bestMS) {
				best, bestMS, bestAttempt = score, total, aid
			}
			at = at.Add(time.Duration(20+r.IntN(2000)) * time.Minute)
		}
		m := months[unitMonth{code, chinaMonth(joined)}]
		m[0]++
		months[unitMonth{code, chinaMonth(joined)}] = m
		sec := int(bestMS / 1000)
		for _, scope := range []string{"", code[:4] + "00", code[:6]} {
			buckets[bucket{scope, best, sec}]++
		}
		people = append(people, []any{pid, c.ID, hashToken("demo-" + strconv.FormatInt(c.ID, 10) + "-" + strconv.Itoa(i) + "-" + strconv.FormatUint(r.Uint64(), 36)),
			demo.PersonName(r), fmt.Sprintf("1%03d%07d", 300+c.ID%700, i%10_000_000), code, code[:4] + "00", code[:6], "", joined, k, best, sec, bestMS, bestAttempt})
		if err := flush(false); err != nil {
			return err
		}
	}
	if err := flush(true); err != nil {
		return err
	}
	rows := make([][]any, 0, len(buckets))
	scores := map[bucket]int64{}
	for b, n := range buckets {
		rows = append(rows, []any{c.ID, b.scope, b.score, b.sec, n})
		scores[bucket{b.scope, b.score, 0}] += n
	}
	srows := make([][]any, 0, len(scores))
	for b, n := range scores {
		srows = append(srows, []any{c.ID, b.scope, b.score, n})
	}
	if err := db.BulkInsert(ctx, tx, dialect, "quiz_board_scores", []string{"contest_id", "scope", "score", "n"}, srows,
		"ON CONFLICT (contest_id, scope, score) DO UPDATE SET n = quiz_board_scores.n + excluded.n"); err != nil {
		return err
	}
	if err := db.BulkInsert(ctx, tx, dialect, "quiz_board_buckets", []string{"contest_id", "scope", "score", "sec", "n"}, rows,
		"ON CONFLICT (contest_id, scope, score, sec) DO UPDATE SET n = quiz_board_buckets.n + excluded.n"); err != nil {
		return err
	}
	mrows := make([][]any, 0, len(months))
	for k, n := range months {
		mrows = append(mrows, []any{c.ID, k.code, k.month, n[0], n[1]})
	}
	if err := db.BulkInsert(ctx, tx, dialect, "quiz_region_months", monthColumns, mrows, addMonths); err != nil {
		return err
	}
	banners := map[unitMonth][2]int64{} // quiz_banner_months: the same, per banner
	for k, n := range months {
		b := unitMonth{bannerOf(k.code), k.month}
		banners[b] = [2]int64{banners[b][0] + n[0], banners[b][1] + n[1]}
	}
	brows := make([][]any, 0, len(banners))
	for k, n := range banners {
		brows = append(brows, []any{k.code, k.month, n[0], n[1]})
	}
	if err := db.BulkInsert(ctx, tx, dialect, "quiz_banner_months", bannerColumns, brows, addBannerMonths); err != nil {
		return err
	}
	for _, t := range []string{"quiz_participants", "quiz_attempts"} {
		if err := db.SyncSequence(ctx, tx, dialect, t); err != nil {
			return err
		}
	}
	return nil
}

// loadBankCSV is a bank of n single-choice questions over 6 topics.
func loadBankCSV(n int) string {
	var b strings.Builder
	b.WriteString("题型,主题,题目,选项,答案\n")
	for i := range n {
		fmt.Fprintf(&b, "单选题,主题%d,第 %d 题：下列哪项正确？,甲|乙|丙|丁,%c\n", i%6, i+1, 'A'+rune(i%4))
	}
	return b.String()
}

// LoadTestContest makes the benchmarks' and load tests' contest: 10 questions drawn from a
// bank of 60 (600 s each, so that no answer of a load run is late; nothing flagged too fast),
// open from an hour ago for two days, held by the region (150000), filled with n participants
// in townships of Inner Mongolia picked at random (seeded), by FillContest without answer rows.
func LoadTestContest(ctx context.Context, s *Store, n int) (Contest, error) {
	all := region.NewScope("150000")
	bank, err := s.CreateBank(ctx, all, 0, "150000", "压力测试题库")
	if err != nil {
		return Contest{}, err
	}
	if _, err := s.ImportQuestions(ctx, all, bank, strings.NewReader(loadBankCSV(60))); err != nil {
		return Contest{}, err
	}
	now := time.Now().UTC()
	c := Contest{RegionCode: "150000", BankID: bank, Title: "压力测试", StartsAt: now.Add(-time.Hour), EndsAt: now.Add(48 * time.Hour),
		Questions: 10, SecondsPerQuestion: 600, AttemptsPerDay: 3, Stratified: true, Practice: true, MinAnswerMS: 0, Winners: 100}
	if c.ID, err = s.CreateContest(ctx, all, 0, c); err != nil {
		return Contest{}, err
	}
	towns, err := s.Regions.UnitsAt(ctx, region.LevelTownship)
	if err != nil {
		return Contest{}, err
	}
	var in []string
	for _, t := range towns {
		if strings.HasPrefix(t.Code, "15") {
			in = append(in, t.Code)
		}
	}
	pool, err := s.Questions(ctx, bank)
	if err != nil {
		return Contest{}, err
	}
	r := rand.New(rand.NewPCG(9, 9))
	err = s.DB.Tx(ctx, func(tx *sql.Tx) error {
		return FillContest(ctx, tx, s.DB.Dialect, c, pool, n, r, func(r *rand.Rand) string { return in[r.IntN(len(in))] }, 0, nil)
	})
	return c, err
}
