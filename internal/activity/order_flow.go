package activity

import "fmt"

// Service-order states (service_orders.status). Final states: done, rejected, cancelled.
const (
	OrderSubmitted  = "submitted"  // 已提交: the requester filed it
	OrderInReview   = "in_review"  // 审核中: the banner association took it up
	OrderDispatched = "dispatched" // 已派单: sent to a volunteer or expert team
	OrderAccepted   = "accepted"   // 已接单: the team said yes
	OrderInService  = "in_service" // 服务中: the team is carrying it out (activity linked)
	OrderDone       = "done"       // 已完成: the team filed its closing report
	OrderRejected   = "rejected"   // 已驳回: refused by the banner association, with a reason
	OrderCancelled  = "cancelled"  // 已取消: withdrawn by the requester or the banner association
)

// OrderStates lists every state in the order of the flow, for filters and tests.
var OrderStates = []string{OrderSubmitted, OrderInReview, OrderDispatched, OrderAccepted, OrderInService, OrderDone, OrderRejected, OrderCancelled}

// OrderStateLabel names a state in Chinese ("" for an unknown one).
func OrderStateLabel(s string) string {
	return map[string]string{OrderSubmitted: "已提交", OrderInReview: "审核中", OrderDispatched: "已派单", OrderAccepted: "已接单",
		OrderInService: "服务中", OrderDone: "已完成", OrderRejected: "已驳回", OrderCancelled: "已取消"}[s]
}

// OrderFinal reports whether no action but rating can follow a state.
func OrderFinal(s string) bool { return s == OrderDone || s == OrderRejected || s == OrderCancelled }

// Order actions (service_order_events.action and the {action} of the URLs).
const (
	ActSubmit   = "submit"   // 点单: create the order (from no state)
	ActReview   = "review"   // take up for review
	ActReject   = "reject"   // refuse, with a reason
	ActDispatch = "dispatch" // 派单: to a volunteer team or an expert team
	ActReassign = "reassign" // send to another team
	ActCancel   = "cancel"   // withdraw, with a reason
	ActAccept   = "accept"   // 接单
	ActStart    = "start"    // start the service: link or create the activity record
	ActFinish   = "finish"   // file the closing report
	ActRate     = "rate"     // 评单: 1–5 and a comment, once; not a change of state
)

// OrderActions lists every action, in the order of the flow.
var OrderActions = []string{ActSubmit, ActReview, ActReject, ActDispatch, ActReassign, ActCancel, ActAccept, ActStart, ActFinish, ActRate}

// OrderActionLabel names an action in Chinese ("" for an unknown one).
func OrderActionLabel(a string) string {
	return map[string]string{ActSubmit: "点单", ActReview: "受理审核", ActReject: "驳回", ActDispatch: "派单", ActReassign: "改派",
		ActCancel: "取消", ActAccept: "接单", ActStart: "开始服务", ActFinish: "完成并提交总结", ActRate: "评单"}[a]
}

// Side is who may take an action on an order; a set of bits.
type Side int

// The three sides. Volunteers and experts have no accounts yet, so each side is staff:
//   - SideRequester: staff whose scope contains the order's unit (a township operator files
//     for a township, school or community of its township);
//   - SideBanner: staff holding a role at banner level or above over the order's unit
//     (Principal.Holds(region.LevelBanner, unit));
//   - SideTeam: staff whose scope contains the unit of the team the order is dispatched to.
const (
	SideRequester Side = 1 << iota
	SideBanner
	SideTeam
)

// Label names the sides in a set in Chinese, joined by "或".
func (s Side) Label() string {
	out := ""
	for _, x := range []struct {
		bit   Side
		label string
	}{{SideRequester, "需求方"}, {SideBanner, "旗县级以上科协"}, {SideTeam, "承接服务队"}} {
		if s&x.bit != 0 {
			if out != "" {
				out += "或"
			}
			out += x.label
		}
	}
	return out
}

// OrderTransition is one allowed step: from a state, an action, to a state, by a side.
type OrderTransition struct {
	From, Action, To string
	By               Side
}

// OrderTransitions is THE table of the service-order flow; nothing else decides whether an
// action is allowed. Any (state, action) pair missing here is refused. Decisions behind it
// (the issue leaves them open):
//   - reject and dispatch follow "take up for review", so that the requester sees when the
//     banner association has the order in hand;
//   - reassign is allowed while dispatched and also after the team accepted, until the service
//     starts (a team that accepted may fall through); once in service an activity record is
//     linked, so the order can only be finished or cancelled;
//   - the requester may cancel before the team accepts; the banner association at any
//     non-final state;
//   - rate is done → done, once (the store refuses a second rating): a rating is not a state.
var OrderTransitions = []OrderTransition{
	{"", ActSubmit, OrderSubmitted, SideRequester},
	{OrderSubmitted, ActReview, OrderInReview, SideBanner},
	{OrderInReview, ActReject, OrderRejected, SideBanner},
	{OrderInReview, ActDispatch, OrderDispatched, SideBanner},
	{OrderDispatched, ActReassign, OrderDispatched, SideBanner},
	{OrderAccepted, ActReassign, OrderDispatched, SideBanner},
	{OrderSubmitted, ActCancel, OrderCancelled, SideRequester | SideBanner},
	{OrderInReview, ActCancel, OrderCancelled, SideRequester | SideBanner},
	{OrderDispatched, ActCancel, OrderCancelled, SideRequester | SideBanner},
	{OrderAccepted, ActCancel, OrderCancelled, SideBanner},
	{OrderInService, ActCancel, OrderCancelled, SideBanner},
	{OrderDispatched, ActAccept, OrderAccepted, SideTeam},
	{OrderAccepted, ActStart, OrderInService, SideTeam},
	{OrderInService, ActFinish, OrderDone, SideTeam},
	{OrderDone, ActRate, OrderDone, SideRequester},
}

// TransitionError refuses an action that the table does not allow from the order's state.
type TransitionError struct{ State, Action string }

func (e *TransitionError) Error() string {
	if e.State == "" {
		return fmt.Sprintf("“%s”不能用于新订单", actionName(e.Action))
	}
	return fmt.Sprintf("订单当前状态为“%s”，不能办理“%s”", stateName(e.State), actionName(e.Action))
}

// SideError refuses an allowed action to someone who is not on a side that may take it.
type SideError struct {
	Action string
	Need   Side
}

func (e *SideError) Error() string {
	return fmt.Sprintf("“%s”应由%s办理", actionName(e.Action), e.Need.Label())
}

func stateName(s string) string {
	if l := OrderStateLabel(s); l != "" {
		return l
	}
	return s
}

func actionName(a string) string {
	if l := OrderActionLabel(a); l != "" {
		return l
	}
	return a
}

// NextOrderState looks an action up in OrderTransitions: the state it leads to and the sides
// that may take it. Errors: *TransitionError when the pair is not in the table (an unknown
// action too).
func NextOrderState(from, action string) (string, Side, error) {
	for _, t := range OrderTransitions {
		if t.From == from && t.Action == action {
			return t.To, t.By, nil
		}
	}
	return "", 0, &TransitionError{State: from, Action: action}
}

// OrderActionsFor lists the actions a holder of sides may take from a state, in the order of
// OrderActions (for the buttons of the order page).
func OrderActionsFor(from string, sides Side) []string {
	var out []string
	for _, a := range OrderActions {
		if _, by, err := NextOrderState(from, a); err == nil && by&sides != 0 {
			out = append(out, a)
		}
	}
	return out
}

// OrderDuties is the separation-of-duties rule of the flow, beside OrderTransitions (which
// alone decides what may follow a state): an account that took any of Barred on an order may
// not take Action on it. It binds accounts, read from service_order_events.account_id:
//   - the team's steps (accept, start, finish) are not taken by the account that dispatched or
//     reassigned the order — whoever sends the work does not also take it up;
//   - the rating (评单) is the requester's view of the team, so it does not come from an
//     account that dispatched, reassigned or took a team step on the order.
//
// Steps with no account (the demo generator) bind nobody. The rule follows the tester's
// finding that one banner account could file, dispatch, serve and rate an order alone.
var OrderDuties = []struct {
	Action string
	Barred []string
}{
	{ActAccept, []string{ActDispatch, ActReassign}},
	{ActStart, []string{ActDispatch, ActReassign}},
	{ActFinish, []string{ActDispatch, ActReassign}},
	{ActRate, []string{ActDispatch, ActReassign, ActAccept, ActStart, ActFinish}},
}

// DutyError refuses an action to an account that took a conflicting step on the same order
// (see OrderDuties): Action is the refused action, Earlier the step the account took.
type DutyError struct{ Action, Earlier string }

func (e *DutyError) Error() string {
	if e.Action == ActRate {
		return fmt.Sprintf("评单须由需求方中未参与派单和服务的人员办理：您已办理过本订单的“%s”，不能再评单", actionName(e.Earlier))
	}
	return fmt.Sprintf("派单与承接服务须由不同人员办理：您已办理过本订单的“%s”，不能再办理“%s”，请由承接服务队的其他人员办理",
		actionName(e.Earlier), actionName(e.Action))
}

// OrderDutyConflict checks an action against the steps the same account already took on the
// order (taken: actions, any order, repeats allowed) by OrderDuties. Errors: *DutyError naming
// the first conflicting step, in the order of Barred.
func OrderDutyConflict(action string, taken []string) error {
	for _, d := range OrderDuties {
		if d.Action != action {
			continue
		}
		for _, b := range d.Barred {
			for _, t := range taken {
				if t == b {
					return &DutyError{Action: action, Earlier: b}
				}
			}
		}
	}
	return nil
}
