package report

import (
	"crypto/sha256"
	_ "embed"
	"encoding/hex"
	"html/template"
	"io"
)

//go:embed report.html
var documentHTML string

// CSS is the report's style sheet, screen and print (A4, serif body, links printed as plain
// text, sections kept whole where they fit). The web serves it at CSSPath; the command line
// writes it into the document.
//
//go:embed report.css
var CSS string

// CSSPath is the content-hashed URL the web serves CSS at.
var CSSPath = func() string {
	h := sha256.Sum256([]byte(CSS))
	return "/stats/report." + hex.EncodeToString(h[:5]) + ".css"
}()

var document = template.Must(template.New("report").Funcs(template.FuncMap{"href": func(s string) string { return s }}).Parse(documentHTML))

// Options say how Render writes the document.
type Options struct {
	// BaseURL goes before every records link ("" leaves them relative, for the web).
	BaseURL string
	// InlineCSS writes the style sheet into the document (a standalone file); otherwise it
	// links CSSPath (the site's CSP allows no inline style).
	InlineCSS bool
	// Appendix is the link to the .xlsx data appendix ("" for none).
	Appendix string
	// Ranks is the link to the page where staff enter national ranks ("" for none).
	Ranks string
}

// Render writes the report as a complete HTML document in Chinese.
func Render(w io.Writer, rep *Report, o Options) error {
	t, err := document.Clone()
	if err != nil {
		return err
	}
	t.Funcs(template.FuncMap{"href": func(s string) string {
		if s == "" {
			return ""
		}
		return o.BaseURL + s
	}})
	return t.Execute(w, struct {
		*Report
		O       Options
		CSS     template.CSS
		CSSPath string
	}{rep, o, template.CSS(CSS), CSSPath})
}
