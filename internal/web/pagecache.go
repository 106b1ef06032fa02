package web

import (
	"bytes"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"
)

// PageCache keeps rendered public pages for a short time, so that a popular page is rendered
// once every TTL instead of on every request. Only pages that are the same for every visitor
// who is not signed in may go in (no CSRF token, no name); the key must hold everything the
// page depends on besides time (e.g. item id and language). A change shows after at most TTL.
// At most Max pages are kept (0: 1,000); when full, expired pages go first, then any.
type PageCache struct {
	TTL time.Duration
	Max int

	mu    sync.Mutex
	pages map[string]cachedPage
}

type cachedPage struct {
	body    []byte
	meta    string
	expires time.Time
}

// Get returns a page still fresh at now, with the note kept beside it.
func (c *PageCache) Get(key string, now time.Time) ([]byte, string, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	p, ok := c.pages[key]
	if !ok || !now.Before(p.expires) {
		return nil, "", false
	}
	return p.body, p.meta, true
}

// Put keeps a page until now + TTL, with a note the handler needs on a hit without reading
// its record again (e.g. the unit a view counts in).
func (c *PageCache) Put(key string, body []byte, meta string, now time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.pages == nil {
		c.pages = map[string]cachedPage{}
	}
	max := c.Max
	if max <= 0 {
		max = 1000
	}
	if len(c.pages) >= max {
		for k, p := range c.pages {
			if !now.Before(p.expires) {
				delete(c.pages, k)
			}
		}
		for k := range c.pages {
			if len(c.pages) < max {
				break
			}
			delete(c.pages, k) // map order: an arbitrary page
		}
	}
	c.pages[key] = cachedPage{body: body, meta: meta, expires: now.Add(c.TTL)}
}

// Forget drops every page whose key starts with prefix (after a change this process made, so
// that it shows at once here; other processes show it after TTL).
func (c *PageCache) Forget(prefix string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for k := range c.pages {
		if strings.HasPrefix(k, prefix) {
			delete(c.pages, k)
		}
	}
}

// Render renders a page into bytes (as HTML does, without writing it).
func (r *Renderer) Render(req *http.Request, name string, data any) ([]byte, error) {
	pages := r.pages
	if r.dev {
		p, err := r.parse()
		if err != nil {
			return nil, err
		}
		pages = p
	}
	t, ok := pages[name]
	if !ok {
		return nil, fmt.Errorf("web.Render: no page %q", name)
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout", data); err != nil {
		return nil, fmt.Errorf("web.Render %s: %w", name, err)
	}
	Rendered.Store(name, true)
	return buf.Bytes(), nil
}

// WriteHTML writes a rendered page.
func WriteHTML(w http.ResponseWriter, status int, body []byte) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	if _, err := w.Write(body); err != nil {
		slog.Default().Debug("write page", "err", err)
	}
}
