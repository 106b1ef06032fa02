// Package content owns the content hub: items of science content (articles, videos, online
// lectures, reposts of the national science platform), each with a Simplified Chinese version
// and an optional traditional Mongolian one, their topics and target groups, the editorial
// workflow (draft → in review → published → withdrawn) with its audit trail, the public pages
// and feed that show published items, the channels (e-station kiosks, the TV feed, pushes to
// outside platforms and their reach imports), cookie-free view counting and the reach report,
// and Chinese and Mongolian full-text search.
//
// It reads accounts, regions and the registry only through their packages and never writes
// another domain's tables.
package content

import (
	"fmt"
	"net/url"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/microcosm-cc/bluemonday"
	"golang.org/x/net/html"

	"github.com/kepu/kepu/internal/activity"
	"github.com/kepu/kepu/internal/region"
	"github.com/kepu/kepu/internal/web"
)

// China is the zone of every date a person reads (web.China: UTC+8).
var China = web.China

// Kind is one kind of item.
type Kind struct {
	Slug  string
	Label string // Chinese
}

// Kinds of items, in the order forms list them.
var Kinds = []Kind{
	{"article", "图文"},
	{"video", "视频"},
	{"lecture", "线上讲座"},
	{"repost", "转载"},
}

// KindLabel names a kind in Chinese ("" for an unknown slug).
func KindLabel(slug string) string {
	for _, k := range Kinds {
		if k.Slug == slug {
			return k.Label
		}
	}
	return ""
}

// Statuses of an item: draft → review → published → withdrawn; review may return to draft
// (with a note), and a withdrawn item may be reopened as a draft.
const (
	Draft     = "draft"
	Review    = "review"
	Published = "published"
	Withdrawn = "withdrawn"
)

// StatusLabel names a status in Chinese.
func StatusLabel(s string) string {
	switch s {
	case Draft:
		return "草稿"
	case Review:
		return "待审核"
	case Published:
		return "已发布"
	case Withdrawn:
		return "已撤回"
	}
	return s
}

// Languages of a version: Simplified Chinese (required) and traditional Mongolian in Unicode
// (optional), as BCP 47 tags.
const (
	Chinese   = "zh-Hans"
	Mongolian = "mn-Mong"
)

// Version is one language version of an item. Body is sanitized HTML (Sanitize).
type Version struct {
	Lang                 string
	Title, Summary, Body string
}

// Empty reports whether nothing was filled in.
func (v Version) Empty() bool { return v.Title == "" && v.Summary == "" && v.Body == "" }

// Input is what an editor fills in.
type Input struct {
	RegionCode   string
	Kind         string
	Topics       []string
	TargetGroups []string // activity.TargetGroups slugs
	Emergency    bool
	Featured     bool
	// Video: an external address, the length in seconds (a poster image is uploaded apart).
	VideoURL string
	Duration int
	// Online lecture: speaker, schedule, stream and replay addresses.
	Speaker          string
	StartsAt, EndsAt time.Time
	StreamURL        string
	ReplayURL        string
	// Repost: the platform and the address of the original.
	SourcePlatform string
	SourceURL      string
	// PublishAt schedules publishing: zero means when a reviewer publishes.
	PublishAt time.Time
	Zh, Mn    Version
}

// Limits of an item's text (runes unless bytes are said).
const (
	MaxTitle    = 100
	MaxSummary  = 300
	MaxBody     = 60_000 // bytes of sanitized HTML per language version: two fit the page budget (150 KB)
	MaxTopics   = 8
	MaxTopic    = 20
	MaxURL      = 500
	MaxDuration = 24 * 3600 // seconds
	MaxNote     = 500
)

// ValidationError maps a field key to what is wrong with it, in Chinese.
type ValidationError = web.FieldErrors

// policy is the article sanitizer: bluemonday v1.0.27's UGC policy (headings, paragraphs,
// lists, links with rel="nofollow", images, tables, emphasis, code), which drops scripts,
// event-handler and style attributes, iframes, objects and forms.
var policy = func() *bluemonday.Policy {
	p := bluemonday.UGCPolicy()
	p.AddTargetBlankToFullyQualifiedLinks(true)
	return p
}()

// Sanitize returns the body HTML with everything outside the article policy removed.
func Sanitize(body string) string { return strings.TrimSpace(policy.Sanitize(body)) }

// TextOf returns the text of an HTML fragment, tags removed and entities decoded.
func TextOf(fragment string) string {
	var b strings.Builder
	z := html.NewTokenizer(strings.NewReader(fragment))
	for {
		switch z.Next() {
		case html.ErrorToken:
			return b.String()
		case html.TextToken:
			b.Write(z.Text())
		}
	}
}

// MongolianProblem says, in Chinese, what keeps s from being Unicode traditional Mongolian, or
// "" when it is: every letter must lie in the Mongolian block U+1800–U+18AF; spaces,
// punctuation, digits and the joiners Mongolian uses (U+200C, U+200D, U+202F narrow no-break
// space, U+180E) are allowed. Code points of the private use area U+E000–U+F8FF are what the
// pre-Unicode Mongolian fonts and input methods (Menksoft 蒙科立, Sayin, Delehi) wrote;
// they are named as such so the editor knows to convert the text.
func MongolianProblem(s string) string {
	letters := 0
	for _, r := range s {
		switch {
		case r >= 0xE000 && r <= 0xF8FF:
			return fmt.Sprintf("含有旧编码（如蒙科立、赛音等非 Unicode 编码）的字符 U+%04X；请先用编码转换工具转为 Unicode 传统蒙古文再粘贴", r)
		case r >= 0x1800 && r <= 0x18AF:
			letters++
		case r == 0x200C || r == 0x200D || r == 0x202F || r == 0x2060:
		case unicode.IsSpace(r), unicode.IsPunct(r), unicode.IsDigit(r), unicode.IsSymbol(r):
		default:
			return fmt.Sprintf("含有非蒙古文字符“%c”（U+%04X）；蒙古文版本只收 Unicode 传统蒙古文、数字和标点", r, r)
		}
	}
	if s != "" && letters == 0 {
		return "没有蒙古文字母；请填写 Unicode 传统蒙古文"
	}
	return ""
}

// SplitTopics splits topics typed as "a、b，c" or one a line into trimmed, distinct tags.
func SplitTopics(s string) []string { return activity.SplitTags(s) }

func checkURL(errs ValidationError, key, s string, required bool) {
	if s == "" {
		if required {
			errs[key] = "请填写地址（以 http:// 或 https:// 开头）"
		}
		return
	}
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || len(s) > MaxURL {
		errs[key] = fmt.Sprintf("地址应以 http:// 或 https:// 开头，最多 %d 个字符", MaxURL)
	}
}

func checkVersion(errs ValidationError, prefix, what string, v *Version, required bool) {
	v.Title, v.Summary = strings.TrimSpace(v.Title), strings.TrimSpace(v.Summary)
	raw := v.Body
	v.Body = Sanitize(v.Body)
	if !required && v.Empty() {
		v.Body = ""
		return
	}
	if v.Title == "" || utf8.RuneCountInString(v.Title) > MaxTitle {
		errs[prefix+"title"] = fmt.Sprintf("请填写%s标题（最多 %d 字）", what, MaxTitle)
	}
	if utf8.RuneCountInString(v.Summary) > MaxSummary {
		errs[prefix+"summary"] = fmt.Sprintf("%s摘要最多 %d 字", what, MaxSummary)
	}
	if len(raw) > 4*MaxBody || len(v.Body) > MaxBody {
		errs[prefix+"body"] = fmt.Sprintf("%s正文过长：最多 %d KB（约 2 万字，图片另行上传或引用），现有 %d KB", what, MaxBody/1000, max(len(v.Body), len(raw))/1000)
	}
}

// Validate normalizes the input and checks it; problems come back per field, in Chinese. The
// region is checked against the tree and the caller's scope by the store, not here.
func (in *Input) Validate() ValidationError {
	errs := ValidationError{}
	if code, err := region.Normalize(in.RegionCode); err != nil {
		errs["region_code"] = "区划代码应为 6、9 或 12 位数字"
	} else {
		in.RegionCode = code
	}
	if KindLabel(in.Kind) == "" {
		errs["kind"] = "请选择内容类型（图文、视频、线上讲座或转载）"
	}
	in.Topics = SplitTopics(strings.Join(in.Topics, "\n"))
	if len(in.Topics) > MaxTopics {
		errs["topics"] = fmt.Sprintf("话题最多 %d 个", MaxTopics)
	}
	for _, t := range in.Topics {
		if utf8.RuneCountInString(t) > MaxTopic || strings.ContainsAny(t, "/?#") {
			errs["topics"] = fmt.Sprintf("每个话题最多 %d 字，不含 / ? #：%s", MaxTopic, t)
		}
	}
	var groups []string
	for _, g := range in.TargetGroups {
		if g = strings.TrimSpace(g); g == "" {
			continue
		}
		if activity.GroupLabel(g) == "" {
			errs["target_groups"] = fmt.Sprintf("“%s”不是重点人群之一（青少年、农牧民、产业工人、老年人、领导干部和公务员）", g)
			continue
		}
		if !contains(groups, g) {
			groups = append(groups, g)
		}
	}
	in.TargetGroups = groups
	for _, p := range []*string{&in.VideoURL, &in.Speaker, &in.StreamURL, &in.ReplayURL, &in.SourcePlatform, &in.SourceURL} {
		*p = strings.TrimSpace(*p)
	}
	switch in.Kind {
	case "video":
		checkURL(errs, "video_url", in.VideoURL, false)
		if in.Duration < 0 || in.Duration > MaxDuration {
			errs["duration"] = fmt.Sprintf("时长应为 0–%d 秒", MaxDuration)
		}
	case "lecture":
		if in.Speaker == "" || utf8.RuneCountInString(in.Speaker) > MaxTitle {
			errs["speaker"] = fmt.Sprintf("请填写主讲人（最多 %d 字）", MaxTitle)
		}
		switch {
		case in.StartsAt.IsZero():
			errs["starts_at"] = "请填写讲座开始时间"
		case in.EndsAt.IsZero():
			errs["ends_at"] = "请填写讲座结束时间"
		case !in.EndsAt.After(in.StartsAt):
			errs["ends_at"] = "讲座结束时间应晚于开始时间"
		case in.EndsAt.Sub(in.StartsAt) > 24*time.Hour:
			errs["ends_at"] = "一场讲座最长 24 小时"
		}
		checkURL(errs, "stream_url", in.StreamURL, false)
		checkURL(errs, "replay_url", in.ReplayURL, false)
	case "repost":
		if in.SourcePlatform == "" || utf8.RuneCountInString(in.SourcePlatform) > MaxTitle {
			errs["source_platform"] = fmt.Sprintf("请填写来源平台，如“科普中国”（最多 %d 字）", MaxTitle)
		}
		checkURL(errs, "source_url", in.SourceURL, true)
	}
	if in.Kind != "video" {
		in.VideoURL, in.Duration = "", 0
	}
	if in.Kind != "lecture" {
		in.Speaker, in.StartsAt, in.EndsAt, in.StreamURL, in.ReplayURL = "", time.Time{}, time.Time{}, "", ""
	}
	if in.Kind != "repost" {
		in.SourcePlatform, in.SourceURL = "", ""
	}
	in.StartsAt, in.EndsAt, in.PublishAt = in.StartsAt.UTC(), in.EndsAt.UTC(), in.PublishAt.UTC()
	in.Zh.Lang, in.Mn.Lang = Chinese, Mongolian
	checkVersion(errs, "zh_", "中文", &in.Zh, true)
	checkVersion(errs, "mn_", "蒙古文", &in.Mn, false)
	if !in.Mn.Empty() {
		for key, s := range map[string]string{"mn_title": in.Mn.Title, "mn_summary": in.Mn.Summary, "mn_body": TextOf(in.Mn.Body)} {
			if msg := MongolianProblem(s); msg != "" && errs[key] == "" {
				errs[key] = "蒙古文" + map[string]string{"mn_title": "标题", "mn_summary": "摘要", "mn_body": "正文"}[key] + msg
			}
		}
	}
	if len(errs) == 0 {
		return nil
	}
	return errs
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
