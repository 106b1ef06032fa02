package content

import (
	"strings"
	"testing"
)

// Whatever an editor pastes, an accepted item's bodies carry no script, event handler, style
// attribute or iframe, and an accepted Mongolian version holds no private-use (pre-Unicode)
// code point.
func FuzzValidate(f *testing.F) {
	f.Add("<p onclick=x()>科普</p>", "ᠮᠡᠳᠡᠯᠭᠡ", "<script>alert(1)</script>")
	f.Add("<scr<script>ipt>x</script>", "\ue2b1", "<p style=\"x\">ᠮᠡᠳᠡᠯᠭᠡ</p>")
	f.Add("<iframe src=//x></iframe><a href=javascript:x>a</a>", "ᠮᠡᠳᠡᠯᠭᠡ 12", "<img src=x onerror=y>")
	f.Fuzz(func(t *testing.T, zhBody, mnTitle, mnBody string) {
		in := Input{RegionCode: "152502", Kind: "article", Zh: Version{Title: "标题", Body: zhBody}, Mn: Version{Title: mnTitle, Body: mnBody}}
		if errs := in.Validate(); errs != nil {
			return
		}
		for _, body := range []string{in.Zh.Body, in.Mn.Body} {
			low := strings.ToLower(body)
			for _, bad := range []string{"<script", "<iframe", " onerror=", " onclick=", " style=", "javascript:"} {
				if strings.Contains(low, bad) {
					t.Errorf("accepted body keeps %q: %q", bad, body)
				}
			}
		}
		for _, r := range in.Mn.Title + TextOf(in.Mn.Body) {
			if r >= 0xE000 && r <= 0xF8FF {
				t.Errorf("accepted Mongolian holds U+%04X", r)
			}
		}
	})
}
