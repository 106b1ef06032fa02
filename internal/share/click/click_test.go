package click

import (
	"fmt"
	"net/netip"
	"testing"
	"time"
)

func TestClassify(t *testing.T) {
	dc := []netip.Prefix{netip.MustParsePrefix("47.92.0.0/14")}
	phone := "Mozilla/5.0 (Linux; Android 12) AppleWebKit/537.36 Mobile Safari/537.36 MicroMessenger/8.0"
	home := netip.MustParseAddr("111.121.3.4")
	cases := []struct {
		name string
		r    Request
		want Reason
	}{
		{"person", Request{Method: "GET", UserAgent: phone, Addr: home}, Counted},
		{"head", Request{Method: "HEAD", UserAgent: phone, Addr: home}, Head},
		{"telegram unfurl", Request{Method: "GET", UserAgent: "TelegramBot (like TwitterBot)", Addr: home}, Unfurl},
		{"facebook unfurl", Request{Method: "GET", UserAgent: "facebookexternalhit/1.1", Addr: home}, Unfurl},
		{"prefetch", Request{Method: "GET", UserAgent: phone, Purpose: "prefetch;prerender", Addr: home}, Unfurl},
		{"curl", Request{Method: "GET", UserAgent: "curl/8.5.0", Addr: home}, Bot},
		{"headless", Request{Method: "GET", UserAgent: "Mozilla/5.0 HeadlessChrome/120.0", Addr: home}, Bot},
		{"no agent", Request{Method: "GET", Addr: home}, Bot},
		{"data centre", Request{Method: "GET", UserAgent: phone, Addr: netip.MustParseAddr("47.93.1.1")}, DataCentre},
		{"data centre mapped v6", Request{Method: "GET", UserAgent: phone, Addr: netip.MustParseAddr("::ffff:47.93.1.1")}, DataCentre},
		{"own", Request{Method: "GET", UserAgent: phone, Addr: home, Own: true}, Self},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := Classify(c.r, dc); got != c.want {
				t.Errorf("Classify = %q, want %q", got, c.want)
			}
		})
	}
}

func TestWindowRepeat(t *testing.T) {
	w := &Window{}
	t0 := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
	if w.Repeat("v1", "abc", t0) {
		t.Fatal("first click is a repeat")
	}
	if !w.Repeat("v1", "abc", t0.Add(59*time.Minute)) {
		t.Error("click 59 min later not a repeat")
	}
	if w.Repeat("v2", "abc", t0.Add(time.Minute)) || w.Repeat("v1", "xyz", t0.Add(time.Minute)) {
		t.Error("another visitor or link counted as a repeat")
	}
	if w.Repeat("v1", "abc", t0.Add(61*time.Minute)) {
		t.Error("click 61 min after the counted one is a repeat")
	}
	// Bounded memory: past Max the oldest are forgotten and new clicks still count.
	small := &Window{Max: 10}
	for i := range 50 {
		if small.Repeat(fmt.Sprint("v", i), "abc", t0) {
			t.Fatalf("visitor %d counted as a repeat", i)
		}
	}
	if small.Len() > 10 {
		t.Errorf("window holds %d keys, more than Max 10", small.Len())
	}
}

func TestVisitorHashAndHelpers(t *testing.T) {
	a := netip.MustParseAddr("10.1.2.3")
	h1 := VisitorHash([]byte("salt1"), a, "ua")
	if h1 != VisitorHash([]byte("salt1"), a, "ua") || len(h1) != 32 {
		t.Errorf("hash not stable or not 32 hex: %q", h1)
	}
	if h1 == VisitorHash([]byte("salt2"), a, "ua") || h1 == VisitorHash([]byte("salt1"), a, "ub") {
		t.Error("hash ignores the salt or the User-Agent")
	}
	if s := Subnet(a); s != "10.1.2.0/24" {
		t.Errorf("Subnet = %q", s)
	}
	if s := Subnet(netip.MustParseAddr("2001:db8:1:2::5")); s != "2001:db8:1::/48" {
		t.Errorf("Subnet v6 = %q", s)
	}
	for ref, want := range map[string]string{"https://www.Weixin.qq.com:443/x?y": "weixin.qq.com", "": "", "android-app://x": ""} {
		if got := ReferrerDomain(ref); got != want {
			t.Errorf("ReferrerDomain(%q) = %q, want %q", ref, got, want)
		}
	}
	if UAClass("Mozilla/5.0 (iPhone) MicroMessenger/8") != "wechat" || UAClass("curl/8") != "bot" || UAClass("Mozilla/5.0 (Windows NT 10.0)") != "desktop" {
		t.Error("UAClass misclassifies")
	}
}

func TestBursts(t *testing.T) {
	t0 := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
	var hits []Hit
	// One script clicks 25 officers' links in 5 minutes; ordinary visitors click two links each.
	for o := range 25 {
		hits = append(hits, Hit{Officer: int64(o + 1), Visitor: "script", Subnet: "1.2.3.0/24", At: t0.Add(time.Duration(o) * 12 * time.Second)})
	}
	for v := range 200 {
		hits = append(hits, Hit{Officer: int64(100 + v%30), Visitor: fmt.Sprint("p", v), Subnet: fmt.Sprintf("9.%d.0.0/24", v), At: t0.Add(time.Duration(v) * time.Minute)})
	}
	fs := Bursts(hits, DefaultBurst)
	if len(fs) != 25 {
		t.Fatalf("%d findings, want the 25 officers of the script: %+v", len(fs), fs)
	}
	for _, f := range fs {
		if f.Officer > 25 || f.Kind != KindBurst || f.Size != 25 {
			t.Errorf("finding %+v", f)
		}
	}
	// The same 25 clicks spread over a day are no burst.
	for i := range 25 {
		hits[i].At = t0.Add(time.Duration(i) * time.Hour)
	}
	if fs := Bursts(hits, DefaultBurst); len(fs) != 0 {
		t.Errorf("spread clicks flagged: %+v", fs)
	}
}

func TestDeviceFarmsRatioBulk(t *testing.T) {
	var ds []Device
	for o := range 12 {
		ds = append(ds, Device{Day: "2026-03-01", Visitor: "farm", Officer: int64(o + 1)})
	}
	ds = append(ds, Device{Day: "2026-03-01", Visitor: "home", Officer: 50}, Device{Day: "2026-03-01", Visitor: "home", Officer: 51})
	if fs := DeviceFarms(ds, 10); len(fs) != 12 || fs[0].Officer != 1 {
		t.Errorf("device farms: %+v", fs)
	}
	var rs []Ratio
	for o := range 40 {
		rs = append(rs, Ratio{Officer: int64(o + 1), Group: "152502", Shares: 20, Clicks: int64(20 + o)})
	}
	rs = append(rs, Ratio{Officer: 99, Group: "152502", Shares: 20, Clicks: 2000}, Ratio{Officer: 98, Group: "152502", Shares: 1, Clicks: 30})
	fs := RatioOutliers(rs, DefaultRatio)
	if len(fs) != 1 || fs[0].Officer != 99 {
		t.Errorf("ratio outliers: %+v", fs)
	}
	var regs []Registration
	for o := range 300 {
		regs = append(regs, Registration{Officer: int64(o + 1), Day: "2026-02-01", Source: "import:7"})
	}
	for o := range 30 {
		regs = append(regs, Registration{Officer: int64(1000 + o), Day: fmt.Sprintf("2026-02-%02d", o%28+1), Source: "account:3"})
	}
	if fs := BulkRegistrations(regs, 200); len(fs) != 300 {
		t.Errorf("bulk registrations: %d findings", len(fs))
	}
}
