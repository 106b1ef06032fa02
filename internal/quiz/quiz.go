// Package quiz owns science quiz contests (科普知识答题): question banks in Chinese and
// traditional Mongolian, contests with their rules, participants signed up by phone number or
// invitation code, attempts timed by the server's clock, every answer given (kept for audit),
// leaderboards by contest, league and banner, and certificates verified on Kepu.
//
// Fair play rests on the server: an attempt's questions are drawn and kept on the server, a
// question's answer key and explanation leave the server only in the reply to the
// participant's answer to it, the time a question was shown is the server's, and answers after
// the limit are refused (kept, flagged "late", scored 0).
//
// It must not read other domains' tables: divisions and populations come from region.Store.
// The statistics issue reads participation through the exported functions of stats.go.
package quiz

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// Kind is a question's form.
type Kind string

// The three question kinds.
const (
	TrueFalse Kind = "true_false" // two options: A 对 (true), B 错 (false)
	Single    Kind = "single"     // one correct option among 2–6
	Multiple  Kind = "multiple"   // two or more correct options among 3–6
)

// Limits of a question.
const (
	MaxOptions = 6
	MaxText    = 1000 // runes of a question's text or explanation
	MaxOption  = 200  // runes of one option
)

// Question is one question of a bank. Options are in order A, B, C…; Answer is the letters of
// the correct options in order ("B", "ACD"). A true/false question has the options 对 and 错.
type Question struct {
	ID            int64
	BankID        int64
	Kind          Kind
	Topic         string
	Difficulty    int // 1 easy, 2 medium, 3 hard
	TextZh        string
	TextMn        string
	OptionsZh     []string
	OptionsMn     []string
	Answer        string
	ExplanationZh string
	ExplanationMn string
	Retired       bool
}

// TrueFalseOptions are the fixed options of a true/false question.
var TrueFalseOptions = []string{"对", "错"}

// Letter is the option letter of a 0-based index.
func Letter(i int) string { return string(rune('A' + i)) }

// NormalizeChoice reads a choice as people and clients write it — "ac", "A,C", "C A", "对" —
// into sorted, distinct upper-case letters ("AC"). It returns "" when any part is not an option
// letter within n options. True/false questions also accept 对/错/T/F/true/false.
func NormalizeChoice(s string, kind Kind, n int) string {
	s = strings.TrimSpace(s)
	if kind == TrueFalse {
		switch strings.ToLower(s) {
		case "对", "正确", "√", "t", "true", "是":
			return "A"
		case "错", "错误", "×", "f", "false", "否":
			return "B"
		}
	}
	var letters []byte
	for _, r := range s {
		switch {
		case r == ',' || r == ' ' || r == '，' || r == '、' || r == ';':
			continue
		case r >= 'a' && r <= 'z':
			r -= 'a' - 'A'
		case r >= 'Ａ' && r <= 'Ｚ':
			r = r - 'Ａ' + 'A'
		}
		if r < 'A' || r >= rune('A'+n) {
			return ""
		}
		if !slices.Contains(letters, byte(r)) {
			letters = append(letters, byte(r))
		}
	}
	slices.Sort(letters)
	return string(letters)
}

// Validate checks a question as written in a bank: text, options by kind, the answer key.
// It returns field key → message in Chinese (nil when all is well).
func (q *Question) Validate() map[string]string {
	errs := map[string]string{}
	if strings.TrimSpace(q.TextZh) == "" {
		errs["text_zh"] = "请填写题目（中文）"
	} else if len([]rune(q.TextZh)) > MaxText {
		errs["text_zh"] = fmt.Sprintf("题目不能超过 %d 字", MaxText)
	}
	if len([]rune(q.TextMn)) > MaxText {
		errs["text_mn"] = fmt.Sprintf("蒙古文题目不能超过 %d 字", MaxText)
	}
	if len([]rune(q.ExplanationZh)) > MaxText || len([]rune(q.ExplanationMn)) > MaxText {
		errs["explanation_zh"] = fmt.Sprintf("解析不能超过 %d 字", MaxText)
	}
	if q.Difficulty == 0 {
		q.Difficulty = 2
	}
	if q.Difficulty < 1 || q.Difficulty > 3 {
		errs["difficulty"] = "难度应为 1（易）、2（中）或 3（难）"
	}
	if q.Kind == TrueFalse {
		q.OptionsZh = TrueFalseOptions
		if len(q.OptionsMn) != 0 && len(q.OptionsMn) != 2 {
			errs["options_mn"] = "判断题的蒙古文选项应为 2 个或不填"
		}
	}
	n := len(q.OptionsZh)
	switch q.Kind {
	case TrueFalse:
	case Single, Multiple:
		min := 2
		if q.Kind == Multiple {
			min = 3
		}
		if n < min || n > MaxOptions {
			errs["options_zh"] = fmt.Sprintf("选项应有 %d 至 %d 个，每行一个", min, MaxOptions)
		}
		for _, o := range q.OptionsZh {
			if strings.TrimSpace(o) == "" || len([]rune(o)) > MaxOption {
				errs["options_zh"] = fmt.Sprintf("选项不能为空，也不能超过 %d 字", MaxOption)
			}
		}
		if len(q.OptionsMn) != 0 && len(q.OptionsMn) != n {
			errs["options_mn"] = fmt.Sprintf("蒙古文选项应与中文选项一样多（%d 个）或不填", n)
		}
	default:
		errs["kind"] = "题型应为判断题、单选题或多选题"
		return errs
	}
	raw := q.Answer
	q.Answer = NormalizeChoice(raw, q.Kind, n)
	switch {
	case q.Answer == "":
		errs["answer"] = fmt.Sprintf("答案“%s”不是本题的选项（%s–%s）", raw, Letter(0), Letter(max(n-1, 0)))
	case q.Kind != Multiple && len(q.Answer) != 1:
		errs["answer"] = "判断题和单选题只有一个答案"
	case q.Kind == Multiple && len(q.Answer) < 2:
		errs["answer"] = "多选题至少有两个正确选项"
	}
	if len(errs) == 0 {
		return nil
	}
	return errs
}

// Contest is one quiz contest. A campaign groups contests (the seed's 10 TV and mobile quizzes).
type Contest struct {
	ID                 int64
	RegionCode         string // the unit that runs it; participants come from its subtree
	BankID             int64
	Campaign           string
	Title              string
	TitleMn            string
	StartsAt, EndsAt   time.Time
	Questions          int  // drawn per attempt
	SecondsPerQuestion int  // time limit of each question
	AttemptsPerDay     int  // counted attempts a participant may start per China day
	Stratified         bool // draw the same share from every topic
	Practice           bool // practice attempts (unlimited, not counted) are offered
	InvitationOnly     bool // sign-up needs an invitation code instead of a phone number
	MinAnswerMS        int  // answers faster than this are flagged too fast
	Winners            int  // the first Winners of the contest get a winner's certificate
}

// Open reports whether attempts may start at t.
func (c Contest) Open(t time.Time) bool { return !t.Before(c.StartsAt) && t.Before(c.EndsAt) }

// Ended reports whether the contest is over at t (ranks are final).
func (c Contest) Ended(t time.Time) bool { return !t.Before(c.EndsAt) }

// Validate checks a contest's rules; field key → message in Chinese, nil when all is well.
func (c *Contest) Validate() map[string]string {
	errs := map[string]string{}
	c.Title = strings.TrimSpace(c.Title)
	if c.Title == "" || len([]rune(c.Title)) > 100 {
		errs["title"] = "请填写竞赛名称（不超过 100 字）"
	}
	if c.StartsAt.IsZero() || c.EndsAt.IsZero() || !c.EndsAt.After(c.StartsAt) {
		errs["ends_at"] = "结束时间应晚于开始时间"
	}
	if c.Questions < 1 || c.Questions > 100 {
		errs["questions"] = "每次答题的题数应为 1 至 100"
	}
	if c.SecondsPerQuestion < 5 || c.SecondsPerQuestion > 600 {
		errs["seconds_per_question"] = "每题限时应为 5 至 600 秒"
	}
	if c.AttemptsPerDay < 1 || c.AttemptsPerDay > 100 {
		errs["attempts_per_day"] = "每天答题次数应为 1 至 100"
	}
	if c.MinAnswerMS < 0 || c.MinAnswerMS > c.SecondsPerQuestion*1000 {
		errs["min_answer_ms"] = "过快阈值应在 0 与每题限时之间"
	}
	if c.Winners < 0 {
		errs["winners"] = "获奖名额不能为负数"
	}
	if c.BankID <= 0 {
		errs["bank_id"] = "请选择题库"
	}
	if len(errs) == 0 {
		return nil
	}
	return errs
}
