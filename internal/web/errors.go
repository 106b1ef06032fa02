// Package web is Kepu's HTTP shell: the server and its middleware list, the one adapter that
// turns handler errors into pages or JSON, template rendering with the message catalogue, the
// common page fields, static assets and the layout. Domains mount their routes on its mux.
//
// It must not import any domain package or run SQL of its own (healthz pings through a
// function it is given).
package web

import (
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"sort"
	"strconv"
	"strings"

	"github.com/kepu/kepu/internal/db"
)

// Error is an error with an HTTP status and a message safe to show. Key is a message
// catalogue key (see messages/zh-Hans.json) with Args for its format verbs; Err is the wrapped
// cause, logged but never shown.
type Error struct {
	Status int
	Key    string
	Args   []any
	Err    error
}

func (e *Error) Error() string {
	if e.Err != nil {
		return fmt.Sprintf("%d %s: %v", e.Status, e.Key, e.Err)
	}
	return fmt.Sprintf("%d %s", e.Status, e.Key)
}

func (e *Error) Unwrap() error { return e.Err }

// Errorf returns an *Error with the given status and message key.
func Errorf(status int, key string, args ...any) *Error {
	return &Error{Status: status, Key: key, Args: args}
}

// NotFound is the error for a record that does not exist or lies outside the caller's scope
// (the two are not told apart, so that scope does not leak what exists).
func NotFound(cause error) error {
	return &Error{Status: http.StatusNotFound, Key: "error.not_found", Err: cause}
}

// Forbidden is the error for an action the caller's role does not allow.
func Forbidden(cause error) error {
	return &Error{Status: http.StatusForbidden, Key: "error.forbidden", Err: cause}
}

// PathID reads the positive integer id in the path wildcard name; anything else is not found.
func PathID(r *http.Request, name string) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue(name), 10, 64)
	if err != nil || id <= 0 {
		return 0, NotFound(err)
	}
	return id, nil
}

// HandlerFunc is an HTTP handler that returns an error instead of writing one.
type HandlerFunc func(w http.ResponseWriter, r *http.Request) error

// IsAPI reports whether a request is for the JSON API.
func IsAPI(r *http.Request) bool { return strings.HasPrefix(r.URL.Path, "/api/") }

// H adapts a HandlerFunc: a returned *Error becomes its page (or JSON under /api/); a
// db.ErrNotFound becomes 404; anything else is logged once and shown as a plain 500.
func (k *Kit) H(fn HandlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// A parsed multipart form may have spooled files to disk; net/http removes them only
		// for the request object the server made, and middleware hands on copies.
		defer func() {
			if r.MultipartForm != nil {
				r.MultipartForm.RemoveAll()
			}
		}()
		err := fn(w, r)
		if err == nil {
			return
		}
		var we *Error
		switch {
		case errors.As(err, &we):
		case errors.Is(err, db.ErrNotFound):
			we = &Error{Status: http.StatusNotFound, Key: "error.not_found", Err: err}
		default:
			we = &Error{Status: http.StatusInternalServerError, Key: "error.internal", Err: err}
		}
		if we.Status >= 500 {
			k.Log.Error("request failed", "method", r.Method, "path", r.URL.Path, "request_id", RequestID(r.Context()), "err", err)
		}
		k.WriteError(w, r, we)
	})
}

// WriteError writes an *Error as JSON (API) or as the error page.
func (k *Kit) WriteError(w http.ResponseWriter, r *http.Request, we *Error) {
	lang := Lang(r)
	msg := k.Messages.T(lang, we.Key, we.Args...)
	if IsAPI(r) {
		WriteJSON(w, we.Status, map[string]any{"error": map[string]any{"status": we.Status, "code": we.Key, "message": msg}})
		return
	}
	page := ErrorPage{Page: k.Page(r, "error.title"), Status: we.Status, Message: msg}
	if err := k.Render.HTML(w, r, we.Status, "web/error", page); err != nil {
		k.Log.Error("error page failed", "err", err)
		http.Error(w, msg, we.Status)
	}
}

// ErrorPage is the data of the error page.
type ErrorPage struct {
	Page
	Status  int
	Message string
}

// WriteJSON writes v as JSON with the given status.
func WriteJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		slog.Default().Warn("json encode", "err", err)
	}
}

// FieldErrors says what is wrong with a form or a record, field key → message (in Chinese, for
// the person who filled it in); the form shows each message beside its field. Domains name it
// ValidationError.
type FieldErrors map[string]string

// Error lists the problems in key order.
func (e FieldErrors) Error() string {
	keys := make([]string, 0, len(e))
	for k := range e {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = k + ": " + e[k]
	}
	return strings.Join(parts, "; ")
}

// Messages joins the messages alone, in key order, with "；" (one line on a page or in an API
// error, where the keys are not shown).
func (e FieldErrors) Messages() string {
	keys := make([]string, 0, len(e))
	for k := range e {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	msgs := make([]string, len(keys))
	for i, k := range keys {
		msgs[i] = e[k]
	}
	return strings.Join(msgs, "；")
}
