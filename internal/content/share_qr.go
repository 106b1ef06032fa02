package content

import (
	"fmt"
	"html/template"
	"net/url"
	"strings"

	"github.com/kepu/kepu/internal/activity"
)

// shareQRSize is the drawn width and height of the share QR code, in CSS pixels: big enough for
// a phone camera across a desk, small enough beside the text on a 360 px screen.
const shareQRSize = 160

// ShareQR draws the absolute URL of a page as an inline SVG QR code for WeChat's scanner
// (activity.TicketQR: level M, quiet zone of 4), sized shareQRSize px by width/height attributes
// because content pages do not load the check-in style sheet that sizes svg.qr (and the CSP
// forbids inline styles).
func ShareQR(pageURL, label string) (template.HTML, error) {
	svg, err := activity.TicketQR(pageURL, label)
	if err != nil {
		return "", fmt.Errorf("content.ShareQR: %w", err)
	}
	return template.HTML(strings.Replace(string(svg), `<svg class="qr"`,
		fmt.Sprintf(`<svg class="qr content-share-qr" width="%d" height="%d"`, shareQRSize, shareQRSize), 1)), nil
}

// ShareURL is the absolute address of the item's public page: the page's own og:url with the
// path /content/{id} (so a staff preview shares the public address, not the console one).
func (p ItemPage) ShareURL() string {
	u, err := url.Parse(p.OG.URL)
	if err != nil {
		return p.OG.URL
	}
	return (&url.URL{Scheme: u.Scheme, Host: u.Host, Path: fmt.Sprintf("/content/%d", p.It.ID)}).String()
}

// WeiboURL is Weibo's share page for the item (service.weibo.com/share/share.php with url and
// title, the address Weibo's own share button opens).
func (p ItemPage) WeiboURL() string {
	return "https://service.weibo.com/share/share.php?" + url.Values{"url": {p.ShareURL()}, "title": {p.It.Zh.Title}}.Encode()
}

// ShareQR is the WeChat QR code of ShareURL ("" if it cannot be drawn, which only a URL too
// long for a QR code causes).
func (p ItemPage) ShareQR() template.HTML {
	svg, err := ShareQR(p.ShareURL(), p.T("content.share_qr"))
	if err != nil {
		return ""
	}
	return svg
}
