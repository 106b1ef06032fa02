package region

import (
	"fmt"
	"sort"
	"strings"
)

// Scope is a set of subtrees of the division tree: the units an account may see and change.
// The zero Scope contains nothing (a public user); a scope rooted at the region contains
// everything in the province. Scopes are values; build them with NewScope.
type Scope struct {
	roots []string // canonical codes, no root inside another
}

// NewScope returns the scope made of the subtrees rooted at the given canonical codes.
// Roots inside other roots are folded away.
func NewScope(roots ...string) Scope {
	rs := append([]string(nil), roots...)
	sort.Slice(rs, func(i, j int) bool {
		return len(Prefix(rs[i])) < len(Prefix(rs[j])) || (len(Prefix(rs[i])) == len(Prefix(rs[j])) && rs[i] < rs[j])
	})
	var kept []string
	for _, r := range rs {
		inside := false
		for _, k := range kept {
			if Within(r, k) {
				inside = true
				break
			}
		}
		if !inside {
			kept = append(kept, r)
		}
	}
	return Scope{roots: kept}
}

// Roots returns the canonical codes of the scope's subtrees.
func (s Scope) Roots() []string { return append([]string(nil), s.roots...) }

// Empty reports whether the scope contains no unit at all.
func (s Scope) Empty() bool { return len(s.roots) == 0 }

// Contains reports whether the unit with this canonical code lies in the scope. It is the one
// rule for "may this account see or change a record of this region": every record carries the
// code of the unit it belongs to, and access needs that code inside the scope.
func (s Scope) Contains(code string) bool {
	if code == "" {
		return false
	}
	for _, r := range s.roots {
		if Within(code, r) {
			return true
		}
	}
	return false
}

// Covers reports whether every unit of other lies in s.
func (s Scope) Covers(other Scope) bool {
	for _, r := range other.roots {
		if !s.Contains(r) {
			return false
		}
	}
	return true
}

// Where returns an SQL condition limiting column (a canonical region code) to the scope, with
// its arguments; placeholders are numbered from $next. An empty scope gives a condition that
// is always false. Each subtree is a code range (prefix ≤ code < prefix+1), which both SQLite
// and PostgreSQL serve from an index.
func (s Scope) Where(column string, next int) (string, []any) {
	if len(s.roots) == 0 {
		return "1 = 0", nil
	}
	var parts []string
	var args []any
	for _, r := range s.roots {
		lo, hi := rangeOf(Prefix(r))
		parts = append(parts, fmt.Sprintf("(%s >= $%d AND %s < $%d)", column, next, column, next+1))
		args = append(args, lo, hi)
		next += 2
	}
	return "(" + strings.Join(parts, " OR ") + ")", args
}

// rangeOf returns [prefix, prefix+1) as strings of the same length: "1501" → "1501", "1502".
func rangeOf(prefix string) (string, string) {
	b := []byte(prefix)
	for i := len(b) - 1; i >= 0; i-- {
		if b[i] < '9' {
			b[i]++
			return prefix, string(b)
		}
		b[i] = '0'
	}
	return prefix, ":" // after every digit string
}

// Narrow returns the part of the scope inside the subtree of code: the subtree itself when the
// scope contains it, the scope's subtrees below code otherwise (possibly none). An empty code
// returns the scope unchanged.
func (s Scope) Narrow(code string) Scope {
	if code == "" {
		return s
	}
	if s.Contains(code) {
		return NewScope(code)
	}
	var roots []string
	for _, r := range s.roots {
		if Within(r, code) {
			roots = append(roots, r)
		}
	}
	return NewScope(roots...)
}
