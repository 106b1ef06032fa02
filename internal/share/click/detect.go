package click

import (
	"fmt"
	"sort"
	"time"
)

// Kinds of anti-gaming findings (the review queue's case kinds).
const (
	KindBurst            = "burst"             // one visitor or subnet across many officers' links in a short time
	KindDeviceFarm       = "device_farm"       // one device behind many officers' accounts
	KindRatio            = "ratio"             // clicks per share far above the region's distribution
	KindBulkRegistration = "bulk_registration" // many officers registered at once from one source
)

// Finding is one officer flagged by a detector, with the evidence a reviewer reads.
type Finding struct {
	Kind     string
	Officer  int64
	Evidence string // one line, in Chinese, with the figures
	Size     int    // how many officers, clicks or registrations the pattern holds
}

// Hit is a raw click as the burst detector sees it.
type Hit struct {
	Officer int64
	Visitor string
	Subnet  string
	At      time.Time
}

// BurstRule: a visitor or a subnet that clicks links of at least MinOfficers distinct officers
// within Span is a burst; each of those officers is flagged.
type BurstRule struct {
	Span        time.Duration // e.g. 10 minutes
	MinOfficers int           // e.g. 20
}

// DefaultBurst is the rule the server and the demo use: 20 officers within 10 minutes. A
// person reading a chat group rarely opens 20 officers' links in 10 minutes; a script does.
var DefaultBurst = BurstRule{Span: 10 * time.Minute, MinOfficers: 20}

// Bursts finds bursts in hits (any order) by visitor and by subnet: sliding windows of Span
// over each source's clicks in time order; each officer is reported once per source kind
// (the largest burst it was part of).
func Bursts(hits []Hit, rule BurstRule) []Finding {
	best := map[int64]Finding{}
	scan := func(label string, key func(Hit) string) {
		bySrc := map[string][]Hit{}
		for _, h := range hits {
			if k := key(h); k != "" {
				bySrc[k] = append(bySrc[k], h)
			}
		}
		for src, hs := range bySrc {
			if len(hs) < rule.MinOfficers {
				continue
			}
			sort.Slice(hs, func(i, j int) bool { return hs[i].At.Before(hs[j].At) })
			count := map[int64]int{}
			lo := 0
			for hi := range hs {
				count[hs[hi].Officer]++
				for hs[hi].At.Sub(hs[lo].At) > rule.Span {
					if count[hs[lo].Officer]--; count[hs[lo].Officer] == 0 {
						delete(count, hs[lo].Officer)
					}
					lo++
				}
				if len(count) >= rule.MinOfficers {
					ev := fmt.Sprintf("%s %s 在 %s 起 %d 分钟内点击了 %d 名信息员的链接，共 %d 次", label, short(src),
						hs[lo].At.In(china).Format("2006-01-02 15:04"), int(rule.Span.Minutes()), len(count), hi-lo+1)
					for o := range count {
						if f, ok := best[o]; !ok || len(count) > f.Size {
							best[o] = Finding{Kind: KindBurst, Officer: o, Evidence: ev, Size: len(count)}
						}
					}
				}
			}
		}
	}
	scan("同一访客", func(h Hit) string { return h.Visitor })
	scan("同一网段", func(h Hit) string { return h.Subnet })
	return sorted(best)
}

// Device is one officer seen on one device (visitor hash) on one day.
type Device struct {
	Day     string
	Visitor string
	Officer int64
}

// DeviceFarms flags the officers of every device that signed in or took links as at least
// minOfficers distinct officers on one day.
func DeviceFarms(ds []Device, minOfficers int) []Finding {
	type key struct{ day, visitor string }
	by := map[key]map[int64]bool{}
	for _, d := range ds {
		k := key{d.Day, d.Visitor}
		if by[k] == nil {
			by[k] = map[int64]bool{}
		}
		by[k][d.Officer] = true
	}
	best := map[int64]Finding{}
	for k, os := range by {
		if len(os) < minOfficers {
			continue
		}
		ev := fmt.Sprintf("同一设备 %s 在 %s 登录或取链接时用了 %d 名信息员的身份", short(k.visitor), k.day, len(os))
		for o := range os {
			if f, ok := best[o]; !ok || len(os) > f.Size {
				best[o] = Finding{Kind: KindDeviceFarm, Officer: o, Evidence: ev, Size: len(os)}
			}
		}
	}
	return sorted(best)
}

// Ratio is an officer's shares and counted clicks in a period, with the group (the region
// whose distribution it is compared with, e.g. the banner).
type Ratio struct {
	Officer int64
	Group   string
	Shares  int64
	Clicks  int64
}

// RatioRule: an officer whose clicks per share exceed the group's median by more than
// Factor times the group's 90th percentile spread, with at least MinClicks clicks and a group
// of at least MinGroup officers, is flagged.
type RatioRule struct {
	Factor    float64 // e.g. 3
	MinClicks int64   // e.g. 200: small counts are never outliers
	MinGroup  int     // e.g. 10
}

// DefaultRatio is the rule the server and the demo use.
var DefaultRatio = RatioRule{Factor: 3, MinClicks: 200, MinGroup: 10}

// RatioOutliers flags officers whose clicks per share are far above their group's: ratio >
// p90 + Factor × (p90 − median), computed on the group's officers with at least one share.
func RatioOutliers(rs []Ratio, rule RatioRule) []Finding {
	groups := map[string][]Ratio{}
	for _, r := range rs {
		if r.Shares > 0 {
			groups[r.Group] = append(groups[r.Group], r)
		}
	}
	best := map[int64]Finding{}
	for g, members := range groups {
		if len(members) < rule.MinGroup {
			continue
		}
		vals := make([]float64, len(members))
		for i, m := range members {
			vals[i] = float64(m.Clicks) / float64(m.Shares)
		}
		sort.Float64s(vals)
		med, p90 := vals[len(vals)/2], vals[len(vals)*9/10]
		limit := p90 + rule.Factor*max(p90-med, 1)
		for _, m := range members {
			ratio := float64(m.Clicks) / float64(m.Shares)
			if m.Clicks >= rule.MinClicks && ratio > limit {
				best[m.Officer] = Finding{Kind: KindRatio, Officer: m.Officer, Size: int(m.Clicks),
					Evidence: fmt.Sprintf("每次分享带来 %.1f 次有效点击（%d 次分享，%d 次点击）；%s 的中位数 %.1f，九成信息员不超过 %.1f",
						ratio, m.Shares, m.Clicks, g, med, p90)}
			}
		}
	}
	return sorted(best)
}

// Registration is an officer's registration as the bulk detector sees it: the day and where it
// came from (an import or an account; "" when unknown).
type Registration struct {
	Officer int64
	Day     string
	Source  string
}

// BulkRegistrations flags officers registered on one day from one source in a batch of at
// least minBatch.
func BulkRegistrations(rs []Registration, minBatch int) []Finding {
	type key struct{ day, source string }
	by := map[key][]int64{}
	for _, r := range rs {
		if r.Source != "" && r.Day != "" {
			k := key{r.Day, r.Source}
			by[k] = append(by[k], r.Officer)
		}
	}
	best := map[int64]Finding{}
	for k, os := range by {
		if len(os) < minBatch {
			continue
		}
		ev := fmt.Sprintf("%s 这一天由同一来源（%s）登记了 %d 名信息员", k.day, k.source, len(os))
		for _, o := range os {
			best[o] = Finding{Kind: KindBulkRegistration, Officer: o, Evidence: ev, Size: len(os)}
		}
	}
	return sorted(best)
}

var china = time.FixedZone("CST", 8*3600)

func short(s string) string {
	if len(s) > 12 {
		return s[:12]
	}
	return s
}

func sorted(m map[int64]Finding) []Finding {
	out := make([]Finding, 0, len(m))
	for _, f := range m {
		out = append(out, f)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Officer < out[j].Officer })
	return out
}
