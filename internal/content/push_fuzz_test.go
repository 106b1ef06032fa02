package content

import (
	"bytes"
	"testing"
)

// FuzzReadReach: any bytes as a platform export either give rows whose matches are pushes
// that exist, each at most once, or an error; never a panic.
func FuzzReadReach(f *testing.F) {
	f.Add([]byte("标题,链接,发表时间,阅读量,点赞数,转发数\n草原防火知识,https://mp.weixin.qq.com/s/AAA,2026-11-20,1300,25,7\n"))
	f.Add([]byte("链接,阅读量\nhttps://mp.weixin.qq.com/s/AAA,1\nhttps://mp.weixin.qq.com/s/AAA,2\n"))
	f.Add([]byte("作品标题,发布时间,播放量\n冬季取暖安全,2026/11/21,800\n别的,2026-11-22,5\n"))
	f.Add([]byte("PK\x03\x04garbage"))
	pushes := []Push{{ID: 1, PushInput: PushInput{URL: "https://mp.weixin.qq.com/s/AAA", Title: "草原防火知识", PushedOn: "2026-11-20"}},
		{ID: 2, PushInput: PushInput{URL: "https://mp.weixin.qq.com/s/BBB", Title: "冬季取暖安全", PushedOn: "2026-11-21"}}}
	f.Fuzz(func(t *testing.T, b []byte) {
		rows, matched, err := readReach(bytes.NewReader(b), pushes)
		if err != nil {
			return
		}
		seen := map[int64]bool{}
		n := 0
		for _, r := range rows {
			if r.PushID == 0 {
				if r.Note == "" {
					t.Fatalf("unmatched row %d without a reason", r.Row)
				}
				continue
			}
			if (r.PushID != 1 && r.PushID != 2) || seen[r.PushID] {
				t.Fatalf("row %d matched push %d (seen: %v)", r.Row, r.PushID, seen[r.PushID])
			}
			seen[r.PushID] = true
			n++
		}
		if n != matched {
			t.Fatalf("matched %d, counted %d", matched, n)
		}
	})
}
