package web

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"log/slog"
	"net/http"
	"net/netip"
	"runtime/debug"
	"strings"
	"sync"
	"time"
)

// Middleware wraps a handler.
type Middleware func(http.Handler) http.Handler

// Chain applies middleware so that the first in the list is the outermost.
func Chain(h http.Handler, mws ...Middleware) http.Handler {
	for i := len(mws) - 1; i >= 0; i-- {
		h = mws[i](h)
	}
	return h
}

// Recover turns a panic in a handler into a logged 500 and the error page in the visitor's
// language.
func Recover(k *Kit) Middleware {
	log := k.Log
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			defer func() {
				if v := recover(); v != nil {
					if v == http.ErrAbortHandler {
						panic(v)
					}
					log.Error("panic", "path", r.URL.Path, "value", fmt.Sprint(v), "stack", string(debug.Stack()))
					k.WriteError(w, r, Errorf(http.StatusInternalServerError, "error.internal"))
				}
			}()
			next.ServeHTTP(w, r)
		})
	}
}

type statusWriter struct {
	http.ResponseWriter
	status int
	bytes  int
}

func (s *statusWriter) WriteHeader(code int) {
	if s.status == 0 {
		s.status = code
	}
	s.ResponseWriter.WriteHeader(code)
}

func (s *statusWriter) Write(b []byte) (int, error) {
	if s.status == 0 {
		s.status = http.StatusOK
	}
	n, err := s.ResponseWriter.Write(b)
	s.bytes += n
	return n, err
}

func (s *statusWriter) Unwrap() http.ResponseWriter { return s.ResponseWriter }

// RequestLog gives each request an id (header X-Request-Id) and logs one line when it ends.
func RequestLog(log *slog.Logger) Middleware {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			start := time.Now()
			id := randomToken(9)
			w.Header().Set("X-Request-Id", id)
			sw := &statusWriter{ResponseWriter: w}
			next.ServeHTTP(sw, r.WithContext(context.WithValue(r.Context(), requestIDKey, id)))
			log.Info("request", "method", r.Method, "path", r.URL.Path, "status", sw.status,
				"bytes", sw.bytes, "ms", time.Since(start).Milliseconds(), "request_id", id)
		})
	}
}

// SecurityHeaders sets a strict Content-Security-Policy (no inline script, nothing from other
// origins) and the usual hardening headers; HSTS when Kepu is served over HTTPS; and no-store
// on pages with personal or session data (console, sign-in, setup, /api/v1/me).
func SecurityHeaders(https bool) Middleware {
	return func(next http.Handler) http.Handler {
		return securityHeaders(https, next)
	}
}

func securityHeaders(https bool, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		if https {
			h.Set("Strict-Transport-Security", "max-age=31536000")
		}
		p := r.URL.Path
		if strings.HasPrefix(p, "/console") || p == "/login" || strings.HasPrefix(p, "/setup/") || p == "/api/v1/me" {
			h.Set("Cache-Control", "no-store")
		}
		h.Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; font-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'; object-src 'none'")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "strict-origin-when-cross-origin")
		next.ServeHTTP(w, r)
	})
}

// BodyLimit refuses at once, with 413 and a page that says so, any request whose declared
// body is larger than max bytes, and cuts off bodies that grow past it.
func BodyLimit(max int64, k *Kit) Middleware {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			max := max
			if IdentityFrom(r.Context()) == nil {
				// Nobody signed in uploads files: public forms (sign-in, sign-up, cancel) are a
				// few fields, so a visitor cannot make the server buffer or spool large bodies.
				max = min(max, MaxAnonymousBody)
			}
			if r.ContentLength > max {
				k.WriteError(w, r, Errorf(http.StatusRequestEntityTooLarge, "error.too_large", byteSize(max)))
				return
			}
			r.Body = http.MaxBytesReader(w, r.Body, max)
			next.ServeHTTP(w, r)
		})
	}
}

// RealIP makes r.RemoteAddr the visitor's address when the request came through one of the
// trusted reverse proxies: the rightmost X-Forwarded-For address that is not itself a trusted
// proxy (a client can prepend anything to the header, but not what the proxies append). From
// anyone else the header is ignored. Login limits and sign-up limits key on this address.
func RealIP(trusted []netip.Prefix) Middleware {
	isTrusted := func(a netip.Addr) bool {
		for _, p := range trusted {
			if p.Contains(a.Unmap()) {
				return true
			}
		}
		return false
	}
	return func(next http.Handler) http.Handler {
		if len(trusted) == 0 {
			return next
		}
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			peer, err := netip.ParseAddrPort(r.RemoteAddr)
			if err != nil || !isTrusted(peer.Addr()) {
				next.ServeHTTP(w, r)
				return
			}
			hops := strings.Split(strings.Join(r.Header.Values("X-Forwarded-For"), ","), ",")
			for i := len(hops) - 1; i >= 0; i-- {
				a, err := netip.ParseAddr(strings.TrimSpace(hops[i]))
				if err != nil {
					break
				}
				if !isTrusted(a) || i == 0 {
					r2 := r.Clone(r.Context())
					r2.RemoteAddr = netip.AddrPortFrom(a.Unmap(), 0).String()
					next.ServeHTTP(w, r2)
					return
				}
			}
			next.ServeHTTP(w, r)
		})
	}
}

// ParsePrefixes reads a comma-separated list of addresses and CIDR ranges ("10.0.0.0/8,
// 127.0.0.1"); a bare address is a range of one.
func ParsePrefixes(s string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, f := range strings.Split(s, ",") {
		if f = strings.TrimSpace(f); f == "" {
			continue
		}
		if p, err := netip.ParsePrefix(f); err == nil {
			out = append(out, p.Masked())
			continue
		}
		a, err := netip.ParseAddr(f)
		if err != nil {
			return nil, fmt.Errorf("%q is not an address or a CIDR range", f)
		}
		out = append(out, netip.PrefixFrom(a, a.BitLen()))
	}
	return out, nil
}

// byteSize writes a limit for people: "110 MB", "64 KB".
func byteSize(n int64) string {
	if n >= 1<<20 {
		return fmt.Sprintf("%d MB", n>>20)
	}
	return fmt.Sprintf("%d KB", n>>10)
}

// MaxAnonymousBody bounds the body of a request made without signing in (BodyLimit).
const MaxAnonymousBody = 64 << 10

// CSRFCookie is the name of the cookie that anchors the CSRF token.
const CSRFCookie = "kepu_csrf"

// CSRF protects every state-changing request twice: Go's http.CrossOriginProtection refuses
// cross-origin browser requests (Sec-Fetch-Site / Origin), and a token check refuses any
// POST, PUT, PATCH or DELETE whose "csrf" form field or X-CSRF-Token header does not match
// HMAC-SHA256(key, the visitor's kepu_csrf cookie); a multipart upload may carry the token in
// its URL's csrf parameter instead. The token for forms is made when a handler first asks for
// it (CSRFToken, which Kit.Page calls), and only then is the cookie set on a visitor who has
// none: a redirect, a feed or a JSON answer sets no cookie (so that they stay cacheable, and a
// share-link click costs no random token). Refusals are 403 with a message that says
// to reload the form.
func CSRF(key []byte, secure bool, k *Kit) Middleware {
	cop := http.NewCrossOriginProtection()
	return func(next http.Handler) http.Handler {
		inner := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			var nonce string
			if c, err := r.Cookie(CSRFCookie); err == nil && len(c.Value) >= 16 {
				nonce = c.Value
			}
			unsafe := !(r.Method == http.MethodGet || r.Method == http.MethodHead || r.Method == http.MethodOptions)
			if unsafe {
				sent := r.Header.Get("X-CSRF-Token")
				if sent == "" && strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/form-data") {
					// An upload carries its token in the form's action URL, so that the body is
					// read only by the handler, under its own size limit.
					sent = r.URL.Query().Get("csrf")
				} else if sent == "" {
					sent = r.PostFormValue("csrf")
				}
				if nonce == "" || sent == "" || subtle.ConstantTimeCompare([]byte(sent), []byte(csrfToken(key, nonce))) != 1 {
					k.WriteError(w, r, Errorf(http.StatusForbidden, "error.csrf"))
					return
				}
			}
			st := &csrfState{key: key, nonce: nonce, w: w, secure: secure || r.TLS != nil}
			next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), csrfKey, st)))
		})
		cop.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			k.WriteError(w, r, Errorf(http.StatusForbidden, "error.csrf"))
		}))
		return cop.Handler(inner)
	}
}

// csrfState is the request's CSRF nonce, with what CSRFToken needs to set the cookie when the
// visitor has none yet.
type csrfState struct {
	key    []byte
	nonce  string
	w      http.ResponseWriter
	secure bool
	once   sync.Once
	token  string
}

// get returns the form token, setting the cookie first if the visitor had none. Called before
// the response's header is written (Kit.Page is built before rendering).
func (s *csrfState) get() string {
	s.once.Do(func() {
		if s.nonce == "" {
			s.nonce = randomToken(24)
			http.SetCookie(s.w, &http.Cookie{Name: CSRFCookie, Value: s.nonce, Path: "/", HttpOnly: true,
				SameSite: http.SameSiteLaxMode, Secure: s.secure, MaxAge: 365 * 24 * 3600})
		}
		s.token = csrfToken(s.key, s.nonce)
	})
	return s.token
}

func csrfToken(key []byte, nonce string) string {
	m := hmac.New(sha256.New, key)
	m.Write([]byte("csrf\x00" + nonce))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// randomToken returns n random bytes, base64url-encoded.
func randomToken(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}
