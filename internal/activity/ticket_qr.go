package activity

import (
	"fmt"
	"html/template"
	"strings"

	qr "github.com/piglig/go-qr"
)

// qrBorder is the quiet zone around the code, in modules; ISO/IEC 18004 asks for 4.
const qrBorder = 4

// TicketQR draws a payload as an inline SVG QR code (error-correction level M, 15 % of the
// code may be damaged or smudged and it still reads), one <path> of unit squares in a
// viewBox of (size + 8) modules, so it scales to any width and prints sharp. The SVG carries
// no style attribute (the site's CSP forbids inline styles); its size comes from the
// stylesheet. Encoding uses github.com/piglig/go-qr v1.1.0 (MIT, no dependencies).
func TicketQR(payload, label string) (template.HTML, error) {
	code, err := qr.EncodeText(payload, qr.Medium)
	if err != nil {
		return "", fmt.Errorf("activity.TicketQR: %w", err)
	}
	n := code.Size()
	var b strings.Builder
	fmt.Fprintf(&b, `<svg class="qr" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %d %d" role="img" aria-label="%s" shape-rendering="crispEdges">`,
		n+2*qrBorder, n+2*qrBorder, template.HTMLEscapeString(label))
	fmt.Fprintf(&b, `<rect width="%d" height="%d" fill="#fff"/><path fill="#000" d="`, n+2*qrBorder, n+2*qrBorder)
	for y := 0; y < n; y++ {
		for x := 0; x < n; x++ {
			if !code.Module(x, y) {
				continue
			}
			// A run of dark modules on a row is one rectangle.
			run := 1
			for x+run < n && code.Module(x+run, y) {
				run++
			}
			fmt.Fprintf(&b, "M%d %dh%dv1h-%dz", x+qrBorder, y+qrBorder, run, run)
			x += run - 1
		}
	}
	b.WriteString(`"/></svg>`)
	return template.HTML(b.String()), nil
}
