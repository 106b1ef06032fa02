// Package account owns users, their region-bound roles, passwords, server-side sessions,
// first-admin setup links, login rate limiting and the audit log of sign-ins. Principal.Can is
// the one rule for whether an account may see or change a record of a given region.
//
// It reads regions only through region.Store and must not read other domains' tables.
package account

import (
	"context"
	"errors"
	"fmt"
	"sort"

	"github.com/kepu/kepu/internal/region"
	"github.com/kepu/kepu/internal/web"
)

// Role is a role an account holds over a unit of the division tree and its subtree. The four
// staff roles are each bound to a unit of one level and give the account that subtree as its
// Scope; the content roles (ContentRoles) may be bound to a unit of any level and give no scope
// outside the content hub's editorial workflow.
type Role string

// The staff roles. An account with no role is a public user.
const (
	RegionAdmin      Role = "region_admin"      // 自治区科协管理员, bound to a level-1 unit
	LeagueAdmin      Role = "league_admin"      // 盟市科协管理员, level 2
	BannerAdmin      Role = "banner_admin"      // 旗县科协管理员, level 3
	TownshipOperator Role = "township_operator" // 苏木乡镇操作员, level 4
)

// Roles lists the staff roles from the top of the tree down.
var Roles = []Role{RegionAdmin, LeagueAdmin, BannerAdmin, TownshipOperator}

// The content roles of the content hub's editorial workflow (GLOSSARY: editor, reviewer). A
// grant of one covers the content items of its unit's subtree and nothing else: not the
// registry, not activities, not accounts.
const (
	ContentEditor   Role = "content_editor"   // 科普内容编辑: writes, edits and submits items
	ContentReviewer Role = "content_reviewer" // 科普内容审核: publishes, returns and withdraws items
)

// ContentRoles lists the content roles.
var ContentRoles = []Role{ContentEditor, ContentReviewer}

// IsContentRole reports whether r is one of ContentRoles.
func (r Role) IsContentRole() bool { return r == ContentEditor || r == ContentReviewer }

// Level is the tree level of the units a staff role is bound to; 0 for a content role (bound
// to a unit of any level) and for an unknown role.
func (r Role) Level() region.Level {
	switch r {
	case RegionAdmin:
		return region.LevelRegion
	case LeagueAdmin:
		return region.LevelLeague
	case BannerAdmin:
		return region.LevelBanner
	case TownshipOperator:
		return region.LevelTownship
	}
	return 0
}

// ParseRole accepts a role's English name ("banner_admin"; "banner-admin" too), staff or
// content role.
func ParseRole(s string) (Role, error) {
	for _, r := range append(Roles[:len(Roles):len(Roles)], ContentRoles...) {
		if string(r) == s || string(r) == replaceDash(s) {
			return r, nil
		}
	}
	return "", fmt.Errorf("unknown role %q; use one of region_admin, league_admin, banner_admin, township_operator, content_editor, content_reviewer", s)
}

func replaceDash(s string) string {
	b := []byte(s)
	for i := range b {
		if b[i] == '-' {
			b[i] = '_'
		}
	}
	return string(b)
}

// Grant binds a role to a region subtree.
type Grant struct {
	Role       Role
	RegionCode string // canonical
	RegionName string // filled when read back
}

// RoleName is the grant's role in Chinese (see RoleName), for pages.
func (g Grant) RoleName() string { return RoleName(g.Role) }

// Principal is a signed-in account with its grants. It implements web.Identity.
type Principal struct {
	ID       int64
	Username string
	Name     string
	Grants   []Grant
}

// Action is what a caller wants to do with a record.
type Action int

// The two actions scope decides on.
const (
	View Action = iota
	Change
)

// Scope returns the union of the subtrees of the principal's staff grants (content roles
// excluded: they open the content hub only, through ScopeFor).
func (p *Principal) Scope() region.Scope {
	if p == nil {
		return region.Scope{}
	}
	var roots []string
	for _, g := range p.Grants {
		if g.Role.Level() != 0 {
			roots = append(roots, g.RegionCode)
		}
	}
	return region.NewScope(roots...)
}

// ScopeFor returns the union of the subtrees of the principal's grants of the given roles, e.g.
// ScopeFor(ContentReviewer) for the items an account may publish. Empty for a nil principal.
func (p *Principal) ScopeFor(roles ...Role) region.Scope {
	if p == nil {
		return region.Scope{}
	}
	var roots []string
	for _, g := range p.Grants {
		for _, r := range roles {
			if g.Role == r {
				roots = append(roots, g.RegionCode)
			}
		}
	}
	return region.NewScope(roots...)
}

// Can reports whether the principal may do action to a record that belongs to the unit with
// this canonical region code. It is the one rule every handler and query follows: a staff
// account may see and change exactly the records of the subtrees it holds a role in; the unit
// above and its siblings are outside. A nil principal (anonymous) may do nothing.
func (p *Principal) Can(action Action, regionCode string) bool {
	if p == nil {
		return false
	}
	_ = action // view and change share the subtree rule; later workflows (review, lock) refine Change
	return p.Scope().Contains(regionCode)
}

// Holds reports whether the principal holds a role of level maxLevel or above (a banner
// admin, or a league or region admin above it, for maxLevel = banner) over the unit with this
// code. Workflows use it for steps that belong to one level of the association.
func (p *Principal) Holds(maxLevel region.Level, code string) bool {
	if p == nil {
		return false
	}
	for _, g := range p.Grants {
		if lvl := g.Role.Level(); lvl != 0 && lvl <= maxLevel && region.Within(code, g.RegionCode) {
			return true
		}
	}
	return false
}

// DisplayName implements web.Identity.
func (p *Principal) DisplayName() string { return p.Name }

// IsStaff reports whether the account holds any role, staff or content: it may open the
// console, where each domain limits it to its own scope (empty for a content-only account
// outside the content hub).
func (p *Principal) IsStaff() bool { return p != nil && len(p.Grants) > 0 }

// RoleSummary lists the grants as "unit name · role" in Chinese, for the console.
func (p *Principal) RoleSummary() []string {
	var out []string
	for _, g := range p.Grants {
		out = append(out, fmt.Sprintf("%s %s · %s", g.RegionCode, g.RegionName, RoleName(g.Role)))
	}
	sort.Strings(out)
	return out
}

// RoleName is a role's Chinese name.
func RoleName(r Role) string {
	switch r {
	case RegionAdmin:
		return "自治区级管理员"
	case LeagueAdmin:
		return "盟市级管理员"
	case BannerAdmin:
		return "旗县级管理员"
	case TownshipOperator:
		return "苏木乡镇操作员"
	case ContentEditor:
		return "科普内容编辑"
	case ContentReviewer:
		return "科普内容审核"
	}
	return string(r)
}

// FromContext returns the signed-in principal, or nil.
func FromContext(ctx context.Context) *Principal {
	p, _ := web.IdentityFrom(ctx).(*Principal)
	return p
}

// ScopeOf returns the region scope of a request's signed-in account (empty when anonymous).
// Other domains take it as their scope function, so they need not import account's types.
func ScopeOf(ctx context.Context) region.Scope {
	return FromContext(ctx).Scope()
}

// Errors returned by the store.
var (
	ErrBadCredentials = errors.New("wrong username or password")
	ErrDisabled       = errors.New("account disabled")
)
