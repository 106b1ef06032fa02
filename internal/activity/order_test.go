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
	st    *Store
	reg   *registry.Store
	clock time.Time // the store's clock; orderClock unless a test moves it
	team  struct{ township, expert, otherBanner int64 }
	// admin (region) holds every side; banner-152502 is the banner association of the orders;
	// township-152502001 is the requester and the team side of the township's volunteer team.
	// banner2 is a second staff member of banner 152502, township2 a second operator of the
	// township, league the league above them (every side of the orders). Each has an account.
	admin, banner, township, otherBanner, banner2, township2, league *account.Principal
}

var orderClock = time.Date(2026, 5, 30, 8, 0, 0, 0, time.UTC)

func principal(role account.Role, code string) *account.Principal {
	return &account.Principal{Username: code, Grants: []account.Grant{{Role: role, RegionCode: code}}}
}

func newOrderFixture(t *testing.T, d *db.DB) *orderFixture {
	t.Helper()
	ctx := context.Background()
	regions := &region.Store{DB: d}
	f := &orderFixture{reg: &registry.Store{DB: d, Regions: regions}, clock: orderClock,
		admin: principal(account.RegionAdmin, "150000"), banner: principal(account.BannerAdmin, "152502"),
		township: principal(account.TownshipOperator, "152502001"), otherBanner: principal(account.BannerAdmin, "152501"),
		banner2: principal(account.BannerAdmin, "152502"), township2: principal(account.TownshipOperator, "152502001"),
		league: principal(account.LeagueAdmin, "152500")}
	f.st = &Store{DB: d, Regions: regions, Now: func() time.Time { return f.clock }}
	accounts := &account.Store{DB: d, Regions: regions}
	hash, err := account.HashPassword("order-test-pw")
	if err != nil {
		t.Fatal(err)
	}
	for i, p := range []*account.Principal{f.admin, f.banner, f.township, f.otherBanner, f.banner2, f.township2, f.league} {
		p.Username = fmt.Sprintf("staff%d-%s", i, p.Grants[0].RegionCode)
		if p.ID, err = accounts.Create(ctx, account.NewAccount{Username: p.Username, DisplayName: p.Username, Phone: "13912345678", PasswordHash: hash,
			Grants: p.Grants}); err != nil {
			t.Fatal(err)
		}
	}
	all := region.NewScope("150000")
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

// goodOrder is a three-week window that began on the morning of orderClock's day (09:00 in
// China; the clock is 16:00), so that a walk can finish its service at orderClock.
func goodOrder() OrderInput {
	return OrderInput{RegionCode: "152502001001", RequesterKind: "community", RequesterName: "赛罕社区居委会", Topic: "冬季防火与燃气安全",
		Place: "赛罕社区活动室", WindowStart: time.Date(2026, 5, 30, 1, 0, 0, 0, time.UTC), WindowEnd: time.Date(2026, 6, 20, 9, 0, 0, 0, time.UTC),
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
			{"zero-length window", func(in *OrderInput) { in.WindowEnd = in.WindowStart }, "window_end", "服务时间段的结束时间应晚于开始时间"},
			{"window in the past", func(in *OrderInput) {
				in.WindowStart, in.WindowEnd = orderClock.AddDate(0, -2, 0), orderClock.AddDate(0, -2, 1)
			}, "window_end", "服务时间段的结束时间 2026-03-31 16:00 已过"},
			{"window ending now", func(in *OrderInput) { in.WindowEnd = orderClock }, "window_end", "请填写将来的时间段"},
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
		// A window that has begun but not ended is kept: the service may still happen in it.
		in.Audience, in.WindowStart, in.WindowEnd = 100_000, orderClock.Add(-time.Hour), orderClock.Add(time.Minute)
		in.RequesterKind, in.Language = "学校", "蒙古语"
		if _, err := f.st.SubmitOrder(ctx, f.township, 0, in); err != nil {
			t.Errorf("audience 100,000 in a window ending a minute from now, by labels: %v", err)
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

// TestOrderDutyConflict checks the separation-of-duties rule on plain values for every pair
// (an action, a step the same account took earlier on the order): refused exactly for the
// team's steps after a dispatch or reassignment, and for the rating after a dispatch, a
// reassignment or a team step. The expected pairs are written out here, not read from
// OrderDuties, so that a change of the rule shows.
func TestOrderDutyConflict(t *testing.T) {
	barred := map[string]bool{
		"accept/dispatch": true, "accept/reassign": true,
		"start/dispatch": true, "start/reassign": true,
		"finish/dispatch": true, "finish/reassign": true,
		"rate/dispatch": true, "rate/reassign": true, "rate/accept": true, "rate/start": true, "rate/finish": true,
	}
	for _, a := range OrderActions {
		for _, b := range OrderActions {
			err := OrderDutyConflict(a, []string{ActSubmit, b, ActReview})
			var de *DutyError
			if got := errors.As(err, &de); got != barred[a+"/"+b] {
				t.Errorf("%s after %s by the same account: refused %v, want %v (%v)", a, b, got, barred[a+"/"+b], err)
				continue
			}
			if de != nil && (de.Action != a || de.Earlier != b || !strings.Contains(de.Error(), OrderActionLabel(b))) {
				t.Errorf("%s after %s: %+v %q", a, b, de, de.Error())
			}
		}
		if err := OrderDutyConflict(a, nil); err != nil {
			t.Errorf("%s by an account that took no step: %v", a, err)
		}
	}
	if msg := (&DutyError{Action: ActAccept, Earlier: ActDispatch}).Error(); !strings.Contains(msg, "派单与承接服务须由不同人员办理") || !strings.Contains(msg, "“接单”") {
		t.Errorf("team-step message: %q", msg)
	}
	if msg := (&DutyError{Action: ActRate, Earlier: ActFinish}).Error(); !strings.Contains(msg, "评单须由需求方中未参与派单和服务的人员办理") || !strings.Contains(msg, "“完成并提交总结”") {
		t.Errorf("rating message: %q", msg)
	}
}

// TestOrderDuties walks, on the real database, every pair OrderDuties bars: one account (the
// league, which holds every side) takes the earlier step and is refused the later one, which
// changes nothing; another account on the right side then takes it. A flow with distinct
// people — the township files and rates, the banner reviews and dispatches, a second banner
// staff member serves — goes through, and so do the allowed repeats (review then dispatch,
// accept then start then finish, file then rate).
func TestOrderDuties(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		f := newOrderFixture(t, d)
		do := func(p *account.Principal, id int64, st OrderStep) error {
			return f.st.ActOnOrder(ctx, f.reg, p, p.ID, id, st)
		}
		// The walk: the banner dispatches (to the township's team, then reassigns to the banner's
		// expert team when the pair is about reassign), banner2 serves, township2 rates.
		steps := func(reassign bool) []string {
			if reassign {
				return []string{ActReview, ActDispatch, ActReassign, ActAccept, ActStart, ActFinish, ActRate}
			}
			return []string{ActReview, ActDispatch, ActAccept, ActStart, ActFinish, ActRate}
		}
		stepOf := func(a string, reassign bool) OrderStep {
			st := f.stepFor(a)
			if a == ActDispatch && !reassign {
				st.TeamKind, st.TeamID = registry.TeamExpert, f.team.expert
			}
			return st
		}
		who := map[string]*account.Principal{ActReview: f.admin, ActDispatch: f.banner, ActReassign: f.banner, ActAccept: f.banner2,
			ActStart: f.banner2, ActFinish: f.banner2, ActRate: f.township2}
		pairs := 0
		for _, duty := range OrderDuties {
			for _, earlier := range duty.Barred {
				t.Run(duty.Action+"-after-"+earlier, func(t *testing.T) {
					pairs++
					reassign := earlier == ActReassign
					id, err := f.st.SubmitOrder(ctx, f.township, f.township.ID, goodOrder())
					if err != nil {
						t.Fatal(err)
					}
					for _, a := range steps(reassign) {
						if a == duty.Action {
							break
						}
						p := who[a]
						if a == earlier {
							p = f.league
						}
						if err := do(p, id, stepOf(a, reassign)); err != nil {
							t.Fatalf("%s by %s: %v", a, p.Username, err)
						}
					}
					before, _ := f.st.OrderEvents(ctx, id)
					err = do(f.league, id, stepOf(duty.Action, reassign))
					var de *DutyError
					if !errors.As(err, &de) || de.Action != duty.Action || de.Earlier != earlier {
						t.Fatalf("%s by the account that took %s: %v", duty.Action, earlier, err)
					}
					if status, _, _, _ := refusal(err); status != 403 {
						t.Errorf("refusal status %d", status)
					}
					after, _ := f.st.OrderEvents(ctx, id)
					if o, _ := f.st.Order(ctx, f.admin.Scope(), id); len(after) != len(before) || o.Rating != 0 {
						t.Errorf("a refused %s changed the order: %d events (had %d), rating %d", duty.Action, len(after), len(before), o.Rating)
					}
					if err := do(who[duty.Action], id, stepOf(duty.Action, reassign)); err != nil {
						t.Errorf("%s by %s: %v", duty.Action, who[duty.Action].Username, err)
					}
				})
			}
		}
		if pairs != 11 {
			t.Errorf("%d barred pairs walked, want 11", pairs)
		}

		// Distinct people with the allowed repeats: the banner reviews and dispatches; banner2
		// accepts, starts and finishes; the township files and rates.
		id, err := f.st.SubmitOrder(ctx, f.township, f.township.ID, goodOrder())
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range []struct {
			p *account.Principal
			a string
		}{{f.banner, ActReview}, {f.banner, ActDispatch}, {f.banner2, ActAccept}, {f.banner2, ActStart}, {f.banner2, ActFinish}, {f.township, ActRate}} {
			if err := do(s.p, id, stepOf(s.a, false)); err != nil {
				t.Fatalf("%s by %s: %v", s.a, s.p.Username, err)
			}
		}
		// What the order page and the API offer follows the rule: the banner that dispatched
		// is on the team side of a dispatched order but is not offered the team's steps.
		id2, _ := f.st.SubmitOrder(ctx, f.township, f.township.ID, goodOrder())
		do(f.banner, id2, stepOf(ActReview, false))
		do(f.banner, id2, stepOf(ActDispatch, false))
		o2, _ := f.st.Order(ctx, f.banner.Scope(), id2)
		taken, err := f.st.OrderActionsBy(ctx, f.banner.ID, []int64{id, id2})
		if err != nil || strings.Join(taken[id2], ",") != "review,dispatch" || strings.Join(taken[id], ",") != "review,dispatch" {
			t.Fatalf("actions by the banner: %v %v", taken, err)
		}
		if got := strings.Join(orderJSON(o2, f.banner, taken[id2]).Actions, ","); got != "reassign,cancel" {
			t.Errorf("the dispatcher is offered %s", got)
		}
		if got := strings.Join(orderJSON(o2, f.banner2, nil).Actions, ","); got != "reassign,cancel,accept" {
			t.Errorf("another banner staff member is offered %s", got)
		}
	})
}

// TestOrderServiceActivity: the activity created at the start is filed at the order's unit
// even when the team side cannot write it, and the requester reads it; its times follow the
// window; a linked activity must be the newest version of its series and start within the
// window (China dates, both ends included).
func TestOrderServiceActivity(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		f := newOrderFixture(t, d)
		do := func(p *account.Principal, id int64, st OrderStep) error {
			return f.st.ActOnOrder(ctx, f.reg, p, p.ID, id, st)
		}
		// An order of the other banner's township, dispatched by the region to the township
		// team of 152502001: the team side cannot write 152501200.
		in := goodOrder()
		in.RegionCode, in.RequesterKind = "152501200", "township"
		id, err := f.st.SubmitOrder(ctx, f.otherBanner, f.otherBanner.ID, in)
		if err != nil {
			t.Fatal(err)
		}
		for _, a := range []string{ActReview, ActDispatch} {
			if err := do(f.admin, id, f.stepFor(a)); err != nil {
				t.Fatal(err)
			}
		}
		for _, a := range []string{ActAccept, ActStart} {
			if err := do(f.township, id, OrderStep{Action: a}); err != nil {
				t.Fatalf("%s by the township team: %v", a, err)
			}
		}
		o, _ := f.st.Order(ctx, f.otherBanner.Scope(), id)
		a, err := f.st.Get(ctx, f.otherBanner.Scope(), o.ActivityID)
		if err != nil || a.RegionCode != "152501200" || a.Status != Draft {
			t.Fatalf("the requester reads the order's activity: %+v %v", a, err)
		}
		// The window is three weeks: the draft starts with it and lasts the two-hour placeholder.
		if !a.StartsAt.Equal(in.WindowStart) || !a.EndsAt.Equal(in.WindowStart.Add(2*time.Hour)) {
			t.Errorf("draft of a long window: %s – %s", a.StartsAt, a.EndsAt)
		}
		if _, err := f.st.Get(ctx, f.township.Scope(), o.ActivityID); !errors.Is(err, db.ErrNotFound) {
			t.Errorf("the team side outside the unit reads the activity: %v", err)
		}
		// A window of a day or less: the draft takes the whole window.
		in = goodOrder()
		in.WindowStart, in.WindowEnd = orderClock.Add(time.Hour), orderClock.Add(5*time.Hour)
		short, _ := f.st.SubmitOrder(ctx, f.township, f.township.ID, in)
		for _, s := range []struct {
			p *account.Principal
			a string
		}{{f.banner, ActReview}, {f.banner, ActDispatch}, {f.township2, ActAccept}, {f.township2, ActStart}} {
			if err := do(s.p, short, f.stepFor(s.a)); err != nil {
				t.Fatal(err)
			}
		}
		o, _ = f.st.Order(ctx, f.township.Scope(), short)
		if a, err := f.st.Get(ctx, f.township.Scope(), o.ActivityID); err != nil || !a.StartsAt.Equal(in.WindowStart) || !a.EndsAt.Equal(in.WindowEnd) || a.RegionCode != in.RegionCode {
			t.Errorf("draft of a short window: %+v %v", a, err)
		}

		// Linking. Window: 2026-05-30 09:00 – 2026-06-20 17:00 in China.
		mk := func(title string, start time.Time) int64 {
			t.Helper()
			aid, err := f.st.Create(ctx, f.banner.Scope(), 0, Input{RegionCode: "152502001001", Title: title, Type: "lecture", Organizer: "锡林浩特市科协",
				StartsAt: start, EndsAt: start.Add(2 * time.Hour), Mode: "offline", Sessions: 1})
			if err != nil {
				t.Fatal(err)
			}
			return aid
		}
		accept := func(aid int64) {
			t.Helper()
			scope := f.admin.Scope()
			a, err := f.st.Get(ctx, scope, aid)
			if err != nil {
				t.Fatal(err)
			}
			clock := f.st.Now // submitted once the activity ended: step past its end and back
			f.st.Now = func() time.Time { return a.EndsAt.Add(time.Minute) }
			defer func() { f.st.Now = clock }()
			if err := f.st.Submit(ctx, scope, 0, aid); err != nil {
				t.Fatal(err)
			}
			if err := f.st.Review(ctx, f.admin, scope, f.banner.ID, aid, true, ""); err != nil {
				t.Fatal(err)
			}
			if err := f.st.Accept(ctx, f.admin, scope, f.league.ID, aid, true, ""); err != nil {
				t.Fatal(err)
			}
		}
		cn := func(y int, m time.Month, d, h int) time.Time { return time.Date(y, m, d, h, 0, 0, 0, China) }
		old := mk("半年前的讲座", cn(2026, 1, 15, 9))
		before := mk("窗口前一天", cn(2026, 5, 29, 20))
		firstDay := mk("窗口第一天清早", cn(2026, 5, 30, 7)) // before 09:00, but on the window's first date
		after := mk("窗口后一天", cn(2026, 6, 21, 9))
		// A series with two accepted versions: v1 is superseded by v2; v3 is an open correction.
		v1 := mk("更正过的讲座", cn(2026, 6, 5, 9))
		accept(v1)
		v2, err := f.st.Correct(ctx, f.admin.Scope(), 0, v1)
		if err != nil {
			t.Fatal(err)
		}
		accept(v2)
		v3, err := f.st.Correct(ctx, f.admin.Scope(), 0, v2)
		if err != nil {
			t.Fatal(err)
		}
		lastDay := mk("窗口最后一天晚上", cn(2026, 6, 20, 19))
		order := func() int64 {
			t.Helper()
			id, err := f.st.SubmitOrder(ctx, f.township, f.township.ID, goodOrder())
			if err != nil {
				t.Fatal(err)
			}
			for _, s := range []struct {
				p *account.Principal
				a string
			}{{f.banner, ActReview}, {f.banner, ActDispatch}, {f.township2, ActAccept}} {
				if err := do(s.p, id, f.stepFor(s.a)); err != nil {
					t.Fatal(err)
				}
			}
			return id
		}
		id = order()
		for _, tc := range []struct {
			aid  int64
			want string
		}{
			{old, "开始日期 2026-01-15 不在订单的服务时间段 2026-05-30 至 2026-06-20 内"},
			{before, "开始日期 2026-05-29 不在"},
			{after, "开始日期 2026-06-21 不在"},
			{v1, fmt.Sprintf("不是这条活动的最新版本，请关联最新版本 #%d", v3)},
			{v2, fmt.Sprintf("请关联最新版本 #%d", v3)},
		} {
			var ve ValidationError
			if err := do(f.township2, id, OrderStep{Action: ActStart, ActivityID: tc.aid}); !errors.As(err, &ve) || !strings.Contains(ve["activity_id"], tc.want) {
				t.Errorf("link #%d: %v, want …%s…", tc.aid, err, tc.want)
			}
		}
		if o, _ := f.st.Order(ctx, f.admin.Scope(), id); o.Status != OrderAccepted || o.ActivityID != 0 {
			t.Errorf("refused links changed the order: %+v", o)
		}
		for _, aid := range []int64{firstDay, lastDay, v3} {
			id := order()
			if err := do(f.township2, id, OrderStep{Action: ActStart, ActivityID: aid}); err != nil {
				t.Errorf("link #%d: %v", aid, err)
			}
			if aid == v3 {
				if o, _ := f.st.Order(ctx, f.admin.Scope(), id); o.ActivityID != v1 {
					t.Errorf("linked the newest version #%d: the order keeps %d, want the series %d", v3, o.ActivityID, v1)
				}
			}
		}
	})
}

// TestOrderFinishBeforeWindow: the team may not file its closing report before the window
// starts; from the window's start it may.
func TestOrderFinishBeforeWindow(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		f := newOrderFixture(t, d)
		in := goodOrder()
		in.WindowStart, in.WindowEnd = orderClock.AddDate(0, 0, 10), orderClock.AddDate(0, 0, 11)
		id, err := f.st.SubmitOrder(ctx, f.township, f.township.ID, in)
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range []struct {
			p *account.Principal
			a string
		}{{f.banner, ActReview}, {f.banner, ActDispatch}, {f.township2, ActAccept}} {
			if err := f.st.ActOnOrder(ctx, f.reg, s.p, s.p.ID, id, f.stepFor(s.a)); err != nil {
				t.Fatal(err)
			}
		}
		// The service starts on the window's first day at the earliest (China date).
		firstDay := time.Date(2026, 6, 9, 0, 0, 0, 0, China)
		f.clock = firstDay.Add(-time.Minute)
		var ve ValidationError
		if err := f.st.ActOnOrder(ctx, f.reg, f.township2, f.township2.ID, id, f.stepFor(ActStart)); !errors.As(err, &ve) || !strings.Contains(ve["activity_id"], "到当天再开始服务") {
			t.Fatalf("start the day before the window: %v", err)
		}
		f.clock = firstDay
		if err := f.st.ActOnOrder(ctx, f.reg, f.township2, f.township2.ID, id, f.stepFor(ActStart)); err != nil {
			t.Fatalf("start on the window's first day: %v", err)
		}
		f.clock = in.WindowStart.Add(-time.Minute)
		if err := f.st.ActOnOrder(ctx, f.reg, f.township2, f.township2.ID, id, f.stepFor(ActFinish)); !errors.As(err, &ve) ||
			!strings.Contains(ve["report"], "服务时间段 2026-06-09 16:00 才开始，服务开始前不能提交完成总结") {
			t.Errorf("finish a minute before the window: %v", err)
		}
		f.clock = in.WindowStart
		if err := f.st.ActOnOrder(ctx, f.reg, f.township2, f.township2.ID, id, f.stepFor(ActFinish)); err != nil {
			t.Errorf("finish as the window starts: %v", err)
		}
	})
}
