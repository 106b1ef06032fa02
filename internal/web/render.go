package web

import (
	"embed"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"os"
	"path"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
)

//go:embed templates/*.html
var layoutFS embed.FS

// Templates is one package's set of page templates: every *.html file in FS is a page named
// Prefix + "/" + file name without ".html" (e.g. "region/browse"). DevDir is the same folder on
// disk, read instead of FS when the server runs with --dev.
type Templates struct {
	Prefix string
	FS     fs.FS
	DevDir string
}

// PackageTemplates returns the set of a domain package that embeds its pages as
// templates/*.html: pages are named "<pkg>/<file>", and --dev reads internal/<pkg>/templates.
func PackageTemplates(pkg string, embedded fs.FS) Templates {
	sub, err := fs.Sub(embedded, "templates")
	if err != nil {
		panic(err) // only when the package embeds no templates folder: a build mistake
	}
	return Templates{Prefix: pkg, FS: sub, DevDir: "internal/" + pkg + "/templates"}
}

// LayoutTemplates is web's own set: the layout, shared partials and the home, console and
// error pages.
func LayoutTemplates() Templates {
	return PackageTemplates("web", layoutFS)
}

// Renderer renders pages: each page is parsed once, at start, together with the layout and
// partials (files named _*.html in web's set). A missing or broken template fails NewRenderer.
type Renderer struct {
	dev   bool
	sets  []Templates
	funcs template.FuncMap
	mu    sync.RWMutex
	pages map[string]*template.Template
}

// China is the zone of every date and time a person reads: China Standard Time, UTC+8 all
// year (no daylight saving since 1991), so a fixed zone needs no tz database on the server.
var China = time.FixedZone("CST", 8*3600)

// Rendered records every page name rendered by any Renderer in this process, so that tests
// can fail when a template was never rendered (see webtest.CheckRendered).
var Rendered sync.Map

// NewRenderer parses every page of every set. With dev set, pages are parsed again from the
// sets' DevDir folders on each render.
func NewRenderer(dev bool, sets ...Templates) (*Renderer, error) {
	r := &Renderer{dev: dev, sets: sets, funcs: template.FuncMap{
		"join": strings.Join,
		"add":  func(a, b int) int { return a + b },
		"dict": dict,
		"num":  Num,
		"list": func(v ...string) []string { return v },
		"date": func(t time.Time) string { return t.In(China).Format("2006-01-02") },
		"time": func(t time.Time) string { return t.In(China).Format("2006-01-02 15:04") },
	}}
	pages, err := r.parse()
	if err != nil {
		return nil, err
	}
	r.pages = pages
	return r, nil
}

func (r *Renderer) fsOf(s Templates) fs.FS {
	if r.dev && s.DevDir != "" {
		return os.DirFS(s.DevDir)
	}
	return s.FS
}

func (r *Renderer) parse() (map[string]*template.Template, error) {
	base := template.New("").Funcs(r.funcs)
	// Partials (files starting with "_") of every set are shared by all pages.
	for _, s := range r.sets {
		partials, err := fs.Glob(r.fsOf(s), "_*.html")
		if err != nil {
			return nil, err
		}
		if len(partials) > 0 {
			if _, err := base.ParseFS(r.fsOf(s), partials...); err != nil {
				return nil, fmt.Errorf("templates %s: %w", s.Prefix, err)
			}
		}
	}
	if base.Lookup("layout") == nil {
		return nil, fmt.Errorf("templates: the layout (_layout.html defining \"layout\") is missing")
	}
	pages := map[string]*template.Template{}
	for _, s := range r.sets {
		files, err := fs.Glob(r.fsOf(s), "*.html")
		if err != nil {
			return nil, err
		}
		for _, f := range files {
			if strings.HasPrefix(f, "_") {
				continue
			}
			t, err := base.Clone()
			if err != nil {
				return nil, err
			}
			if _, err := t.ParseFS(r.fsOf(s), f); err != nil {
				return nil, fmt.Errorf("template %s/%s: %w", s.Prefix, f, err)
			}
			if t.Lookup("content") == nil {
				return nil, fmt.Errorf("template %s/%s: defines no \"content\"", s.Prefix, f)
			}
			pages[s.Prefix+"/"+strings.TrimSuffix(path.Base(f), ".html")] = t
		}
	}
	return pages, nil
}

// Pages lists the names of all parsed pages.
func (r *Renderer) Pages() []string {
	r.mu.RLock()
	defer r.mu.RUnlock()
	var names []string
	for n := range r.pages {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// HTML renders a page into a buffer first, so a template error never sends half a page, then
// writes it with the status.
func (r *Renderer) HTML(w http.ResponseWriter, req *http.Request, status int, name string, data any) error {
	body, err := r.Render(req, name, data)
	if err != nil {
		return err
	}
	WriteHTML(w, status, body)
	return nil
}

// dict builds a map from alternating keys and values, to pass several values to a partial:
// {{template "user-fields" dict "Page" .Page "Form" .Form}}.
func dict(kv ...any) (map[string]any, error) {
	if len(kv)%2 != 0 {
		return nil, fmt.Errorf("dict: odd number of arguments")
	}
	m := make(map[string]any, len(kv)/2)
	for i := 0; i < len(kv); i += 2 {
		k, ok := kv[i].(string)
		if !ok {
			return nil, fmt.Errorf("dict: key %v is not a string", kv[i])
		}
		m[k] = kv[i+1]
	}
	return m, nil
}

// Num formats a whole number with thousands separators (24049155 → "24,049,155"), for counts
// and populations in pages. It takes int, int64 or *int64 (nil gives "").
func Num(v any) string {
	var n int64
	switch x := v.(type) {
	case int:
		n = int64(x)
	case int64:
		n = x
	case *int64:
		if x == nil {
			return ""
		}
		n = *x
	default:
		return fmt.Sprint(v)
	}
	neg := n < 0
	if neg {
		n = -n
	}
	s := strconv.FormatInt(n, 10)
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}
