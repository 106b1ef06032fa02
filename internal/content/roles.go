package content

import (
	"github.com/kepu/kepu/internal/account"
	"github.com/kepu/kepu/internal/region"
)

// The editorial roles of the content hub. Who may take which step on an item of a unit:
//
//   - see it in the console, record pushes and import reach: ViewScope;
//   - write, edit, submit for review and reopen: EditScope — the association's staff of the
//     unit (any staff role whose subtree holds it), or an account granted 科普内容编辑
//     (account.ContentEditor) over it, e.g. a science museum's writer with no other role;
//   - publish, return and withdraw: ReviewScope — only an account granted 科普内容审核
//     (account.ContentReviewer) over it, and never the item's last editor (Store.Act).
//
// Content roles are granted per unit on an account's console page (/console/users/{id}) by a
// staff member whose scope holds the unit.

// EditScope is where p may write, edit, submit and reopen items: its staff scope and its
// content-editor grants.
func EditScope(p *account.Principal) region.Scope {
	return union(p.Scope(), p.ScopeFor(account.ContentEditor))
}

// ReviewScope is where p may publish, return and withdraw items: its content-reviewer grants.
func ReviewScope(p *account.Principal) region.Scope {
	return p.ScopeFor(account.ContentReviewer)
}

// ViewScope is where p sees items in the console: its staff scope and every content grant.
func ViewScope(p *account.Principal) region.Scope {
	return union(p.Scope(), p.ScopeFor(account.ContentEditor, account.ContentReviewer))
}

// ReviewAction reports whether a workflow action is a reviewer's step (publish, return,
// withdraw) rather than an editor's (submit, reopen).
func ReviewAction(action string) bool {
	return action == ActPublish || action == ActReturn || action == ActWithdraw
}

func union(a, b region.Scope) region.Scope {
	return region.NewScope(append(a.Roots(), b.Roots()...)...)
}
