package web

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"io/fs"
	"mime"
	"net/http"
	"os"
	"path"
	"strings"
)

//go:embed static
var staticFS embed.FS

// Assets serves the embedded static files at content-hashed URLs
// (/static/kepu.css → /static/kepu.1a2b3c4d5e.css) with a one-year immutable cache lifetime;
// a changed file gets a new URL. With dev set, files are read from internal/web/static on
// each request and served without long caching.
type Assets struct {
	dev    bool
	files  fs.FS
	byName map[string]string // "kepu.css" → "kepu.1a2b3c4d5e.css"
	byHash map[string]string // reverse
}

// NewAssets hashes every embedded static file.
func NewAssets(dev bool) (*Assets, error) {
	sub, err := fs.Sub(staticFS, "static")
	if err != nil {
		return nil, err
	}
	a := &Assets{dev: dev, files: sub, byName: map[string]string{}, byHash: map[string]string{}}
	if dev {
		a.files = os.DirFS("internal/web/static")
	}
	err = fs.WalkDir(a.files, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(a.files, p)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(b)
		ext := path.Ext(p)
		hashed := strings.TrimSuffix(p, ext) + "." + hex.EncodeToString(sum[:5]) + ext
		a.byName[p] = hashed
		a.byHash[hashed] = p
		return nil
	})
	return a, err
}

// URL returns the hashed URL of a static file (the plain path if the file is unknown, so a
// broken link shows in the page rather than panicking).
func (a *Assets) URL(name string) string {
	if h, ok := a.byName[name]; ok && !a.dev {
		return "/static/" + h
	}
	return "/static/" + name
}

// ServeHTTP serves GET /static/{file}.
func (a *Assets) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	name := strings.TrimPrefix(r.URL.Path, "/static/")
	immutable := false
	if orig, ok := a.byHash[name]; ok {
		name, immutable = orig, true
	}
	b, err := fs.ReadFile(a.files, name)
	if err != nil {
		http.NotFound(w, r)
		return
	}
	if ct := mime.TypeByExtension(path.Ext(name)); ct != "" {
		w.Header().Set("Content-Type", ct)
	}
	if immutable && !a.dev {
		w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
	} else {
		w.Header().Set("Cache-Control", "no-cache")
	}
	w.Write(b)
}
