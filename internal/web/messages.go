package web

import (
	"embed"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
)

//go:embed messages/*.json
var messageFS embed.FS

// Languages Kepu's interface can speak, first the default; each has messages/<lang>.json, and
// a key missing from one falls back to Chinese. Traditional Mongolian (mn-Mong) joins the list
// when a translator has filled messages/mn-Mong.json; until then it is not offered, so that no
// one picks "Mongolian" and gets Chinese.
var Languages = []string{"zh-Hans", "en"}

// DefaultLang is the language of every page unless the visitor chooses another.
const DefaultLang = "zh-Hans"

// Catalog holds the interface strings: language → key → text (a fmt format when the caller
// passes arguments).
type Catalog struct {
	msgs map[string]map[string]string
}

// LoadCatalog reads messages/<lang>.json for every language in Languages.
func LoadCatalog() (*Catalog, error) {
	c := &Catalog{msgs: map[string]map[string]string{}}
	for _, lang := range Languages {
		b, err := messageFS.ReadFile("messages/" + lang + ".json")
		if err != nil {
			return nil, fmt.Errorf("message catalogue %s: %w", lang, err)
		}
		m := map[string]string{}
		if err := json.Unmarshal(b, &m); err != nil {
			return nil, fmt.Errorf("message catalogue %s: %w", lang, err)
		}
		c.msgs[lang] = m
	}
	return c, nil
}

// Has reports whether the default language defines key.
func (c *Catalog) Has(key string) bool {
	_, ok := c.msgs[DefaultLang][key]
	return ok
}

// Keys returns every key of a language's catalogue.
func (c *Catalog) Keys(lang string) []string {
	var ks []string
	for k := range c.msgs[lang] {
		ks = append(ks, k)
	}
	return ks
}

// T returns the text of key in lang, falling back to the default language, then to the key
// itself (so a missing string shows up, and a test can find it).
func (c *Catalog) T(lang, key string, args ...any) string {
	s, ok := c.msgs[lang][key]
	if !ok || s == "" {
		s, ok = c.msgs[DefaultLang][key]
	}
	if !ok {
		return key
	}
	if len(args) > 0 {
		return fmt.Sprintf(s, args...)
	}
	return s
}

// Lang picks the language of a request: the "lang" cookie if it names a known language,
// then the Accept-Language header, then DefaultLang.
func Lang(r *http.Request) string {
	if c, err := r.Cookie("lang"); err == nil {
		for _, l := range Languages {
			if c.Value == l {
				return l
			}
		}
	}
	for _, part := range strings.Split(r.Header.Get("Accept-Language"), ",") {
		tag := strings.ToLower(strings.TrimSpace(strings.Split(part, ";")[0]))
		switch {
		case strings.HasPrefix(tag, "zh"):
			return "zh-Hans"
		case strings.HasPrefix(tag, "en"):
			return "en"
		}
	}
	return DefaultLang
}
