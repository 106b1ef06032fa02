package activity

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/kepu/kepu/internal/account"
	"github.com/kepu/kepu/internal/db"
	"github.com/kepu/kepu/internal/db/dbtest"
	"github.com/kepu/kepu/internal/demo"
	"github.com/kepu/kepu/internal/region"
	"github.com/kepu/kepu/internal/registry"
)

// orderFixture is a database with three teams and the accounts of every side.
type orderFixture struct {
	st   *Store
	reg  *registry.Store
	team struct{ township, expert, otherBanner int64 }
	// admin (region) holds every side; banner-152502 is the banner association of the orders;
	// township-152502001 is the requester and the team side of the township's volunteer team.
	admin, banner, township, otherBanner *account.Principal
}

var orderClock = time.Date(2026, 5, 30, 8, 0, 0, 0, time.UTC)

func principal(role account.Role, code string) *account.Principal {
	return &account.Principal{Username: code, Grants: []account.Grant{{Role: role, RegionCode: code}}}
}

func newOrderFixture(t *testing.T, d *db.DB) *orderFixture {
	t.Helper()
	ctx := context.Background()
	regions := &region.Store{DB: d}
	f := &orderFixture{st: &Store{DB: d, Regions: regions, Now: func() time.Time { return orderClock }}, reg: &registry.Store{DB: d, Regions: regions},
		admin: principal(account.RegionAdmin, "150000"), banner: principal(account.BannerAdmin, "152502"),
		township: principal(account.TownshipOperator, "152502001"), otherBanner: principal(account.BannerAdmin, "152501")}
	all := region.NewScope("150000")
	var err error
	if f.team.township, err = f.reg.Create(ctx, &registry.VolunteerTeams, all, 0, registry.Values{"name": "希日塔拉街道科技志愿服务队", "region_code": "152502001"}); err != nil {
		t.Fatal(err)
	}
	if f.team.expert, err = f.reg.Create(ctx, &registry.ExpertTeams, all, 0, registry.Values{"name": "锡林浩特市科普专家团", "region_code": "152502", "tier": "banner"}); err != nil {
		t.Fatal(err)
	}
	if f.team.otherBanner, err = f.reg.Create(ctx, &registry.VolunteerTeams, all, 0, registry.Values{"name": "二连浩特市科技志愿服务队", "region_code": "152501"}); err != nil {
		t.Fatal(err)
	}
	return f
}

func goodOrder() OrderInput {
	return OrderInput{RegionCode: "152502001001", RequesterKind: "community", RequesterName: "赛罕社区居委会", Topic: "冬季防火与燃气安全",
		Place: "赛罕社区活动室", WindowStart: time.Date(2026, 6, 10, 1, 0, 0, 0, time.UTC), WindowEnd: time.Date(2026, 6, 20, 9, 0, 0, 0, time.UTC),
		Audience: 80, Language: "both"}
}

// stepFor gives every action the fields it needs, so that only the state decides.
func (f *orderFixture) stepFor(action string) OrderStep {
	st := OrderStep{Action: action, Note: "测试说明"}
	switch action {
	case ActDispatch:
		st.TeamKind, st.TeamID = registry.TeamVolunteer, f.team.township
	case ActReassign:
		st.TeamKind, st.TeamID = registry.TeamExpert, f.team.expert
	case ActFinish:
		st.Report = "讲座两场，发放资料 200 份。"
	case ActRate:
		st.Rating, st.Comment = 5, "讲得清楚"
	}
	return st
}

// pathTo lists the actions that bring a new order to a state.
var pathTo = map[string][]string{
	OrderSubmitted:  nil,
	OrderInReview:   {ActReview},
	OrderDispatched: {ActReview, ActDispatch},
	OrderAccepted:   {ActReview, ActDispatch, ActAccept},
	OrderInService:  {ActReview, ActDispatch, ActAccept, ActStart},
	OrderDone:       {ActReview, ActDispatch, ActAccept, ActStart, ActFinish},
	OrderRejected:   {ActReview, ActReject},
	OrderCancelled:  {ActCancel},
}

func (f *orderFixture) orderIn(t *testing.T, state string) int64 {
	t.Helper()
	ctx := context.Background()
	id, err := f.st.SubmitOrder(ctx, f.township, 0, goodOrder())
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range pathTo[state] {
		if err := f.st.ActOnOrder(ctx, f.reg, f.admin, 0, id, f.stepFor(a)); err != nil {
			t.Fatalf("to %s, %s: %v", state, a, err)
		}
	}
	o, err := f.st.Order(ctx, f.admin.Scope(), id)
	if err != nil || o.Status != state {
		t.Fatalf("order meant to be %s is %s (%v)", state, o.Status, err)
	}
	return id
}

// TestOrderTransitions walks every (state, action) pair on the real database: the pairs in
// OrderTransitions succeed, land on their state and record an event; every other pair is
// refused with a Chinese message naming the state and the action, and changes nothing.
func TestOrderTransitions(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		f := newOrderFixture(t, d)
		allowed := 0
		for _, state := range OrderStates {
			for _, action := range OrderActions {
				t.Run(state+"/"+action, func(t *testing.T) {
					id := f.orderIn(t, state)
					before, _ := f.st.OrderEvents(ctx, id)
					want, _, tableErr := NextOrderState(state, action)
					err := f.st.ActOnOrder(ctx, f.reg, f.admin, 0, id, f.stepFor(action))
					o, _ := f.st.Order(ctx, f.admin.Scope(), id)
					after, _ := f.st.OrderEvents(ctx, id)
					if tableErr == nil {
						allowed++
						if err != nil {
							t.Fatalf("allowed %s from %s refused: %v", action, state, err)
						}
						if o.Status != want || len(after) != len(before)+1 {
							t.Fatalf("after %s: status %s (want %s), %d events (had %d)", action, o.Status, want, len(after), len(before))
						}
						last := after[len(after)-1]
						if last.Action != action || last.From != state || last.To != want || !last.At.Equal(orderClock) {
							t.Errorf("event %+v", last)
						}
						return
					}
					var te *TransitionError
					if !errors.As(err, &te) {
						t.Fatalf("%s from %s: %v, want a refused transition", action, state, err)
					}
					msg := te.Error()
					if !strings.Contains(msg, OrderStateLabel(state)) || !strings.Contains(msg, OrderActionLabel(action)) {
						t.Errorf("message %q names neither the state %s nor the action %s", msg, OrderStateLabel(state), OrderActionLabel(action))
					}
					if o.Status != state || len(after) != len(before) {
						t.Errorf("a refused %s changed the order: %s, %d events", action, o.Status, len(after))
					}
				})
			}
		}
		if allowed != len(OrderTransitions)-1 { // every row but submit starts from a state
			t.Errorf("%d allowed pairs walked, the table has %d", allowed, len(OrderTransitions)-1)
		}
	})
}

func TestOrderFlowTable(t *testing.T) {
	seen := map[string]bool{}
	for _, tr := range OrderTransitions {
		key := tr.From + "/" + tr.Action
		if seen[key] {
			t.Errorf("%s twice in the table", key)
		}
		seen[key] = true
		if tr.From != "" && OrderFinal(tr.From) && tr.Action != ActRate {
			t.Errorf("%s leaves the final state %s", tr.Action, tr.From)
		}
		if OrderStateLabel(tr.To) == "" || OrderActionLabel(tr.Action) == "" || tr.By == 0 {
			t.Errorf("row %+v: unknown state or action, or nobody may take it", tr)
		}
	}
	if got := OrderActionsFor(OrderDispatched, SideRequester); strings.Join(got, ",") != ActCancel {
		t.Errorf("requester on a dispatched order: %v", got)
	}
	if got := OrderActionsFor(OrderInReview, SideBanner); strings.Join(got, ",") != "reject,dispatch,cancel" {
		t.Errorf("banner on an order in review: %v", got)
	}
	if msg := (&SideError{Action: ActAccept, Need: SideTeam}).Error(); msg != "“接单”应由承接服务队办理" {
		t.Errorf("side error: %q", msg)
	}
}

// TestOrderSides: each action is refused to accounts on no side that may take it, and the
// side rules follow the order's unit and the team's unit.
func TestOrderSides(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		f := newOrderFixture(t, d)
		sideErr := func(err error) bool { var se *SideError; return errors.As(err, &se) }

		id := f.orderIn(t, OrderSubmitted)
		// A township operator may not take up, and another banner does not even see the order.
		if err := f.st.ActOnOrder(ctx, f.reg, f.township, 0, id, f.stepFor(ActReview)); !sideErr(err) {
			t.Errorf("township takes up for review: %v", err)
		}
		if err := f.st.ActOnOrder(ctx, f.reg, f.otherBanner, 0, id, f.stepFor(ActReview)); !errors.Is(err, db.ErrNotFound) {
			t.Errorf("other banner takes up for review: %v", err)
		}
		if err := f.st.ActOnOrder(ctx, f.reg, f.banner, 0, id, f.stepFor(ActReview)); err != nil {
			t.Fatal(err)
		}
		// Dispatch only to a team that exists, in the dispatcher's scope.
		for _, step := range []OrderStep{{Action: ActDispatch, TeamKind: registry.TeamVolunteer, TeamID: f.team.otherBanner},
			{Action: ActDispatch, TeamKind: registry.TeamVolunteer, TeamID: 999999}, {Action: ActDispatch, TeamKind: registry.TeamExpert, TeamID: f.team.township + 999}} {
			var ve ValidationError
			if err := f.st.ActOnOrder(ctx, f.reg, f.banner, 0, id, step); !errors.As(err, &ve) || !strings.Contains(ve["team"], "不存在或不在您的管辖范围内") {
				t.Errorf("dispatch to %+v: %v", step, err)
			}
		}
		if err := f.st.ActOnOrder(ctx, f.reg, f.banner, 0, id, OrderStep{Action: ActDispatch, TeamKind: registry.TeamExpert, TeamID: f.team.expert}); err != nil {
			t.Fatal(err)
		}
		// The expert team is banner-level: its side is the banner association, not the township.
		if err := f.st.ActOnOrder(ctx, f.reg, f.township, 0, id, f.stepFor(ActAccept)); !sideErr(err) {
			t.Errorf("township accepts for the banner's expert team: %v", err)
		}
		// Reassign to the same team is refused; to the township's volunteer team it works, and
		// then the township operator is the team side.
		if err := f.st.ActOnOrder(ctx, f.reg, f.banner, 0, id, OrderStep{Action: ActReassign, TeamKind: registry.TeamExpert, TeamID: f.team.expert}); !errors.Is(err, ErrSameTeam) {
			t.Errorf("reassign to the same team: %v", err)
		}
		if err := f.st.ActOnOrder(ctx, f.reg, f.banner, 0, id, f.stepFor(ActDispatch)); err == nil {
			t.Error("dispatch again from dispatched")
		}
		if err := f.st.ActOnOrder(ctx, f.reg, f.banner, 0, id, OrderStep{Action: ActReassign, TeamKind: registry.TeamVolunteer, TeamID: f.team.township, Note: "专家外出"}); err != nil {
			t.Fatal(err)
		}
		if err := f.st.ActOnOrder(ctx, f.reg, f.township, 0, id, f.stepFor(ActAccept)); err != nil {
			t.Fatalf("township team accepts: %v", err)
		}
		// The requester may no longer cancel once accepted; the banner may.
		if err := f.st.ActOnOrder(ctx, f.reg, f.township, 0, id, f.stepFor(ActCancel)); !sideErr(err) {
			t.Errorf("requester cancels an accepted order: %v", err)
		}
		// Start: the township team may write its own unit, so the draft is in the order's unit.
		if err := f.st.ActOnOrder(ctx, f.reg, f.township, 0, id, OrderStep{Action: ActStart}); err != nil {
			t.Fatal(err)
		}
		o, err := f.st.Order(ctx, f.township.Scope(), id)
		if err != nil || o.ActivityID == 0 || o.TeamRegionCode != "152502001" {
			t.Fatalf("started order: %+v %v", o, err)
		}
		a, err := f.st.Get(ctx, f.township.Scope(), o.ActivityID)
		if err != nil || a.Type != "volunteer_service" || a.Title != o.Topic || a.RegionCode != "152502001001" || a.Status != Draft || a.Organizer != "希日塔拉街道科技志愿服务队" {
			t.Errorf("linked activity: %+v %v", a, err)
		}
		var ve ValidationError
		if err := f.st.ActOnOrder(ctx, f.reg, f.township, 0, id, OrderStep{Action: ActFinish, Report: "  "}); !errors.As(err, &ve) || ve["report"] == "" {
			t.Errorf("finish without a report: %v", err)
		}
		if err := f.st.ActOnOrder(ctx, f.reg, f.township, 0, id, f.stepFor(ActFinish)); err != nil {
			t.Fatal(err)
		}
		// Rate: the requester, 1–5, once.
		if err := f.st.ActOnOrder(ctx, f.reg, f.township, 0, id, OrderStep{Action: ActRate, Rating: 6}); !errors.As(err, &ve) || ve["rating"] == "" {
			t.Errorf("rating 6: %v", err)
		}
		if err := f.st.ActOnOrder(ctx, f.reg, f.township, 0, id, OrderStep{Action: ActRate, Rating: 4, Comment: "很实用"}); err != nil {
			t.Fatal(err)
		}
		if err := f.st.ActOnOrder(ctx, f.reg, f.township, 0, id, OrderStep{Action: ActRate, Rating: 5}); !errors.Is(err, ErrOrderRated) {
			t.Errorf("second rating: %v", err)
		}
		o, _ = f.st.Order(ctx, f.township.Scope(), id)
		if o.Status != OrderDone || o.Rating != 4 || o.RatingComment != "很实用" || o.Report == "" {
			t.Errorf("done order: %+v", o)
		}
		evs, _ := f.st.OrderEvents(ctx, id)
		var acts []string
		for _, e := range evs {
			acts = append(acts, e.Action)
		}
		if got := strings.Join(acts, ","); got != "submit,review,dispatch,reassign,accept,start,finish,rate" {
			t.Errorf("events %s", got)
		}
		if !strings.Contains(evs[2].Note, "锡林浩特市科普专家团") || !strings.Contains(evs[3].Note, "专家外出") || evs[7].Note != "评分 4；很实用" {
			t.Errorf("event notes: %q %q %q", evs[2].Note, evs[3].Note, evs[7].Note)
		}

		// An expert team started by the banner: the draft is an expert lecture; and linking an
		// activity already linked elsewhere is refused.
		id2 := f.orderIn(t, OrderAccepted)
		if err := f.st.ActOnOrder(ctx, f.reg, f.admin, 0, id2, OrderStep{Action: ActStart, ActivityID: o.ActivityID}); !errors.Is(err, ErrActivityTaken) {
			t.Errorf("link a taken activity: %v", err)
		}
		if err := f.st.ActOnOrder(ctx, f.reg, f.admin, 0, id2, OrderStep{Action: ActStart, ActivityID: 987654}); !errors.As(err, &ve) || ve["activity_id"] == "" {
			t.Errorf("link a missing activity: %v", err)
		}
		free, err := f.st.Create(ctx, f.banner.Scope(), 0, Input{RegionCode: "152502", Title: "已有活动", Type: "lecture", Organizer: "锡林浩特市科协",
			StartsAt: orderClock, EndsAt: orderClock.Add(2 * time.Hour), Mode: "offline", Sessions: 1})
		if err != nil {
			t.Fatal(err)
		}
		if err := f.st.ActOnOrder(ctx, f.reg, f.banner, 0, id2, OrderStep{Action: ActReassign, TeamKind: registry.TeamExpert, TeamID: f.team.expert}); err != nil {
			t.Fatal(err)
		}
		if err := f.st.ActOnOrder(ctx, f.reg, f.banner, 0, id2, f.stepFor(ActAccept)); err != nil {
			t.Fatal(err)
		}
		if err := f.st.ActOnOrder(ctx, f.reg, f.banner, 0, id2, OrderStep{Action: ActStart, ActivityID: free}); err != nil {
			t.Fatal(err)
		}
		if o2, _ := f.st.Order(ctx, f.banner.Scope(), id2); o2.ActivityID != free {
			t.Errorf("linked %d, want %d", o2.ActivityID, free)
		}
		id3 := f.orderIn(t, OrderInReview)
		if err := f.st.ActOnOrder(ctx, f.reg, f.banner, 0, id3, OrderStep{Action: ActDispatch, TeamKind: registry.TeamExpert, TeamID: f.team.expert}); err != nil {
			t.Fatal(err)
		}
		f.st.ActOnOrder(ctx, f.reg, f.banner, 0, id3, f.stepFor(ActAccept))
		if err := f.st.ActOnOrder(ctx, f.reg, f.banner, 0, id3, OrderStep{Action: ActStart}); err != nil {
			t.Fatal(err)
		}
		o3, _ := f.st.Order(ctx, f.banner.Scope(), id3)
		if a, err := f.st.Get(ctx, f.banner.Scope(), o3.ActivityID); err != nil || a.Type != "expert_lecture" || a.RegionCode != "152502001001" {
			t.Errorf("expert team's activity: %+v %v", a, err)
		}
		// Reject and cancel need a reason, which the order keeps.
		id4 := f.orderIn(t, OrderInReview)
		if err := f.st.ActOnOrder(ctx, f.reg, f.banner, 0, id4, OrderStep{Action: ActReject}); !errors.As(err, &ve) || !strings.Contains(ve["note"], "驳回时请填写理由") {
			t.Errorf("reject without a reason: %v", err)
		}
		if err := f.st.ActOnOrder(ctx, f.reg, f.township, 0, id4, OrderStep{Action: ActCancel, Note: "活动改期"}); err != nil {
			t.Fatal(err)
		}
		if o4, _ := f.st.Order(ctx, f.township.Scope(), id4); o4.Reason != "活动改期" || o4.Status != OrderCancelled {
			t.Errorf("cancelled order: %+v", o4)
		}
	})
}

func TestOrderInput(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		f := newOrderFixture(t, d)
		for _, tc := range []struct {
			name  string
			edit  func(*OrderInput)
			field string
			want  string
		}{
			{"window reversed", func(in *OrderInput) { in.WindowEnd = in.WindowStart.Add(-time.Hour) }, "window_end", "结束时间早于开始时间"},
			{"no start", func(in *OrderInput) { in.WindowStart = time.Time{} }, "window_start", "开始时间"},
			{"audience 0", func(in *OrderInput) { in.Audience = 0 }, "audience", "1–100000"},
			{"audience too big", func(in *OrderInput) { in.Audience = 100_001 }, "audience", "1–100000"},
			{"language", func(in *OrderInput) { in.Language = "en" }, "language", "蒙古语"},
			{"topic", func(in *OrderInput) { in.Topic = " " }, "topic", "服务主题"},
			{"kind", func(in *OrderInput) { in.RequesterKind = "factory" }, "requester_kind", "学校"},
			{"banner code", func(in *OrderInput) { in.RegionCode, in.RequesterKind = "152502", "school" }, "region_code", "苏木乡镇"},
			{"township on a village code", func(in *OrderInput) { in.RequesterKind = "township" }, "region_code", "9 位"},
			{"community on a township code", func(in *OrderInput) { in.RegionCode = "152502001" }, "region_code", "12 位"},
			{"outside scope", func(in *OrderInput) { in.RegionCode = "152502002001" }, "region_code", "不在您的管辖范围内"},
			{"unknown unit", func(in *OrderInput) { in.RegionCode = "152502001999" }, "region_code", "不存在"},
		} {
			in := goodOrder()
			tc.edit(&in)
			_, err := f.st.SubmitOrder(ctx, f.township, 0, in)
			var ve ValidationError
			if !errors.As(err, &ve) || !strings.Contains(ve[tc.field], tc.want) {
				t.Errorf("%s: %v, want %s: …%s…", tc.name, err, tc.field, tc.want)
			}
		}
		in := goodOrder()
		in.Audience, in.WindowEnd = 100_000, in.WindowStart
		in.RequesterKind, in.Language = "学校", "蒙古语"
		if _, err := f.st.SubmitOrder(ctx, f.township, 0, in); err != nil {
			t.Errorf("audience 100,000 in a one-moment window, by labels: %v", err)
		}
		var n int
		d.QueryRowContext(ctx, `SELECT count(*) FROM service_orders`).Scan(&n)
		if n != 1 {
			t.Errorf("%d orders written, want the one good one", n)
		}
	})
}

// TestOrderScope: lists and reads follow the order's unit and its team's unit.
func TestOrderScope(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		f := newOrderFixture(t, d)
		a := f.orderIn(t, OrderSubmitted)
		b := f.orderIn(t, OrderDone)
		in := goodOrder()
		in.RegionCode, in.RequesterKind = "152501200", "township"
		other, err := f.st.SubmitOrder(ctx, f.otherBanner, 0, in)
		if err != nil {
			t.Fatal(err)
		}
		// The other banner's order dispatched by the region admin to the township's team: the
		// township operator (and its banner) see it as the team side; the other banner sees
		// only its own order.
		for _, a := range []string{ActReview, ActDispatch} {
			if err := f.st.ActOnOrder(ctx, f.reg, f.admin, 0, other, f.stepFor(a)); err != nil {
				t.Fatal(err)
			}
		}
		ids := func(p *account.Principal, status string) string {
			list, _, err := f.st.Orders(ctx, OrderFilter{Scope: p.Scope(), Status: status})
			if err != nil {
				t.Fatal(err)
			}
			var out []string
			for _, o := range list {
				out = append(out, fmt.Sprint(o.ID))
			}
			return strings.Join(out, ",")
		}
		for _, tc := range []struct {
			who    *account.Principal
			status string
			want   []int64
		}{
			{f.township, "", []int64{other, b, a}}, {f.banner, "", []int64{other, b, a}}, {f.otherBanner, "", []int64{other}},
			{f.admin, OrderDone, []int64{b}}, {f.township, OrderDispatched, []int64{other}}, {f.admin, "bogus", nil},
		} {
			var want []string
			for _, id := range tc.want {
				want = append(want, fmt.Sprint(id))
			}
			if got := ids(tc.who, tc.status); got != strings.Join(want, ",") {
				t.Errorf("%s %q: %s, want %v", tc.who.Username, tc.status, got, want)
			}
		}
		if _, err := f.st.Order(ctx, f.otherBanner.Scope(), a); !errors.Is(err, db.ErrNotFound) {
			t.Errorf("banner reads another banner's order: %v", err)
		}
		o, err := f.st.Order(ctx, f.township.Scope(), other)
		if err != nil || OrderSides(f.township, o) != SideTeam {
			t.Errorf("township as team side: %v %v", OrderSides(f.township, o), err)
		}
		// Paging: newest first, Before continues.
		page, next, err := f.st.Orders(ctx, OrderFilter{Scope: f.admin.Scope(), Limit: 2})
		if err != nil || len(page) != 2 || next != page[1].ID {
			t.Fatalf("page 1: %d %d %v", len(page), next, err)
		}
		rest, next2, _ := f.st.Orders(ctx, OrderFilter{Scope: f.admin.Scope(), Limit: 2, Before: next})
		if len(rest) != 1 || rest[0].ID != a || next2 != 0 {
			t.Errorf("page 2: %+v %d", rest, next2)
		}
	})
}

func TestOrderDemo(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		newOrderFixture(t, d)
		g := &demo.Generator{DB: d, Seed: 1, Rand: rand.New(rand.NewPCG(1, 2)), Scale: 0.05}
		if err := orderDemo(ctx, g); err != nil {
			t.Fatal(err)
		}
		checkDemoOrders(t, d, g.N(DemoOrders))
	})
}

// checkDemoOrders checks the demo's orders: want of them, every state present, the fields each
// state needs, times in 2026, and every event a row of the transition table.
func checkDemoOrders(t *testing.T, d *db.DB, want int) {
	t.Helper()
	ctx := context.Background()
	counts, err := d.Counts(ctx, `SELECT status, count(*) FROM service_orders GROUP BY status`)
	if err != nil {
		t.Fatal(err)
	}
	total := 0
	for _, s := range OrderStates {
		if counts[s] == 0 {
			t.Errorf("no demo order is %s: %v", s, counts)
		}
		total += counts[s]
	}
	if total != want {
		t.Errorf("%d demo orders, want %d", total, want)
	}
	var bad int
	d.QueryRowContext(ctx, `SELECT count(*) FROM service_orders o WHERE
		(status IN ('in_service', 'done') AND activity_id IS NULL)
		OR (status IN ('dispatched', 'accepted', 'in_service', 'done') AND (team_id IS NULL OR team_region_code IS NULL))
		OR (status = 'done' AND report = '')
		OR window_end < window_start OR audience < 1 OR audience > 100000
		OR created_at < $1 OR created_at >= $2
		OR NOT EXISTS (SELECT 1 FROM service_order_events e WHERE e.order_id = o.id AND e.action = 'submit')
		OR (SELECT to_status FROM service_order_events e WHERE e.order_id = o.id ORDER BY e.id DESC LIMIT 1) <> o.status`,
		time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC)).Scan(&bad)
	if bad != 0 {
		t.Errorf("%d demo orders break the rules", bad)
	}
	// Every walk in the demo follows the table.
	rows, err := d.QueryContext(ctx, `SELECT action, from_status, to_status FROM service_order_events`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var a, from, to string
		rows.Scan(&a, &from, &to)
		if next, _, err := NextOrderState(from, a); err != nil || next != to {
			t.Errorf("demo event %s %s→%s is not in the table", a, from, to)
		}
	}
}

// TestOrderDemoOnDemoNetwork runs the order demo after the registry's own demo step, at a
// small scale, so that it meets the demo's teams (township volunteer teams; region, league and
// banner expert teams).
func TestOrderDemoOnDemoNetwork(t *testing.T) {
	d := dbtest.SQLite(t)
	ctx := context.Background()
	steps := []demo.Step{region.DemoStep(), registry.DemoStep(), {Name: "orders", Run: orderDemo}}
	g := demo.Generator{Scale: 0.03}
	if _, err := demo.Run(ctx, d, 7, g.Scale, steps, nil); err != nil {
		t.Fatal(err)
	}
	checkDemoOrders(t, d, g.N(DemoOrders))
}
