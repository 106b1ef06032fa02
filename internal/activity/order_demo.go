package activity

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/kepu/kepu/internal/demo"
	"github.com/kepu/kepu/internal/region"
	"github.com/kepu/kepu/internal/registry"
)

// DemoOrders is how many service orders the demo files in 2026 at scale 1: a few hundred, a
// demo figure (the seed report counts no orders).
const DemoOrders = 300

// demoOrderPath lists the actions that bring a new order to each state, as the demo walks them.
var demoOrderPath = map[string][]string{
	OrderSubmitted:  nil,
	OrderInReview:   {ActReview},
	OrderDispatched: {ActReview, ActDispatch},
	OrderAccepted:   {ActReview, ActDispatch, ActAccept},
	OrderInService:  {ActReview, ActDispatch, ActAccept, ActStart},
	OrderDone:       {ActReview, ActDispatch, ActAccept, ActStart, ActFinish, ActRate},
	OrderRejected:   {ActReview, ActReject},
	OrderCancelled:  {ActCancel},
}

// demoOrderWeights is the share of each final state among the demo's orders, in percent.
var demoOrderWeights = []struct {
	state  string
	weight int
}{{OrderSubmitted, 6}, {OrderInReview, 6}, {OrderDispatched, 8}, {OrderAccepted, 8}, {OrderInService, 10}, {OrderDone, 50}, {OrderRejected, 6}, {OrderCancelled, 6}}

var demoTopics = []string{"冬春季草原防火", "牲畜疫病防治", "青少年科学实验秀", "慢病防治与健康生活", "防范电信网络诈骗", "气象灾害防御",
	"农牧业实用技术培训", "应急救护培训", "科学家精神宣讲", "人工智能走进课堂", "蒙医药健康知识", "节水灌溉技术", "地震避险演练", "食品安全知识"}

// orderDemo adds g.N(DemoOrders) service orders of 2026 to the demo network, in every state
// (the first eight orders take one state each, so that even a small demo shows them all; the
// rest follow demoOrderWeights), each with the events of its walk through OrderTransitions.
// Orders are dispatched to the demo's volunteer teams (70%) and expert teams (30%), read
// through registry.Store.ServiceTeams, and come from a township, school or community of the
// team's banner; in-service and done orders get a draft activity record like ActOnOrder's;
// most done orders are rated. Events carry no account (the demo's staff are not known here).
// It needs the registry step's teams; with none it adds nothing. One transaction.
func orderDemo(ctx context.Context, g *demo.Generator) error {
	r := g.Rand
	regions := &region.Store{DB: g.DB}
	reg := &registry.Store{DB: g.DB, Regions: regions}
	s := &Store{DB: g.DB, Regions: regions}
	leagues, err := regions.UnitsAt(ctx, region.LevelLeague)
	if err != nil {
		return err
	}
	var vteams, eteams []registry.ServiceTeam
	for _, l := range leagues {
		vs, err := reg.ServiceTeams(ctx, region.NewScope(l.Code), registry.TeamVolunteer, 1000)
		if err != nil {
			return err
		}
		vteams = append(vteams, vs...)
	}
	if eteams, err = reg.ServiceTeams(ctx, region.NewScope("150000"), registry.TeamExpert, 1000); err != nil {
		return err
	}
	if len(vteams)+len(eteams) == 0 {
		return nil
	}
	// Requesters: the townships and villages of each banner.
	below := map[string][]region.Unit{}
	var banners []string
	for _, l := range []region.Level{region.LevelTownship, region.LevelVillage} {
		units, err := regions.UnitsAt(ctx, l)
		if err != nil {
			return err
		}
		for _, u := range units {
			b := u.Code[:6]
			if below[b] == nil {
				banners = append(banners, b)
			}
			below[b] = append(below[b], u)
		}
	}
	// bannerOf picks the banner an order to this team comes from.
	bannerOf := func(t registry.ServiceTeam) string {
		switch region.LevelOf(t.RegionCode) {
		case region.LevelRegion, region.LevelLeague:
			var in []string
			for _, b := range banners {
				if region.Within(b, t.RegionCode) {
					in = append(in, b)
				}
			}
			if len(in) > 0 {
				return in[r.IntN(len(in))]
			}
		}
		return t.RegionCode[:6]
	}
	yearStart := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	return g.DB.Tx(ctx, func(tx *sql.Tx) error {
		for i := range g.N(DemoOrders) {
			state := ""
			if i < len(OrderStates) {
				state = OrderStates[i]
			} else {
				n := r.IntN(100)
				for _, w := range demoOrderWeights {
					if n < w.weight {
						state = w.state
						break
					}
					n -= w.weight
				}
			}
			var team registry.ServiceTeam
			if len(eteams) == 0 || len(vteams) > 0 && r.IntN(10) < 7 {
				team = vteams[r.IntN(len(vteams))]
			} else {
				team = eteams[r.IntN(len(eteams))]
			}
			units := below[bannerOf(team)]
			if len(units) == 0 {
				continue
			}
			unit := units[r.IntN(len(units))]
			kind, name := "township", unit.Name
			if unit.Level == region.LevelVillage {
				if strings.Contains(unit.Name, "社区") {
					kind = "community"
				} else {
					kind, name = "school", strings.TrimSuffix(strings.TrimSuffix(unit.Name, "村民委员会"), "嘎查村民委员会")+"小学"
				}
			}
			created := yearStart.Add(time.Duration(r.IntN(330*24)) * time.Hour)
			start := created.AddDate(0, 0, 7+r.IntN(24)).Truncate(24 * time.Hour).Add(time.Duration(1+r.IntN(8)) * time.Hour)
			o := Order{RegionCode: unit.Code, RequesterKind: kind, RequesterName: name, Topic: demoTopics[r.IntN(len(demoTopics))],
				Place: name + []string{"会议室", "活动室", "礼堂", "操场"}[r.IntN(4)], WindowStart: start, WindowEnd: start.Add(time.Duration(2+r.IntN(6)) * time.Hour),
				Audience: 20 + r.IntN(400), Language: []string{"zh", "zh", "mn", "both"}[r.IntN(4)], Status: OrderSubmitted}
			if err := s.demoOrder(ctx, tx, g, o, team, state, created); err != nil {
				return fmt.Errorf("demo order %d: %w", i+1, err)
			}
		}
		return nil
	})
}

// demoOrder writes one order walked to state, with its events an hour to a few days apart.
func (s *Store) demoOrder(ctx context.Context, tx *sql.Tx, g *demo.Generator, o Order, team registry.ServiceTeam, state string, at time.Time) error {
	r := g.Rand
	var id int64
	err := tx.QueryRowContext(ctx, `INSERT INTO service_orders (region_code, requester_kind, requester_name, topic, place, window_start, window_end,
		audience, language, status, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11) RETURNING id`,
		o.RegionCode, o.RequesterKind, o.RequesterName, o.Topic, o.Place, o.WindowStart, o.WindowEnd, o.Audience, o.Language, OrderSubmitted, at).Scan(&id)
	if err != nil {
		return err
	}
	if err := addOrderEvent(ctx, tx, id, ActSubmit, "", OrderSubmitted, "", at, 0); err != nil {
		return err
	}
	from := OrderSubmitted
	for _, action := range demoOrderPath[state] {
		to, _, err := NextOrderState(from, action)
		if err != nil {
			return err
		}
		at = at.Add(time.Duration(1+r.IntN(72)) * time.Hour)
		if action == ActFinish || action == ActRate {
			at = o.WindowEnd.Add(time.Duration(1+r.IntN(48)) * time.Hour)
		}
		note := ""
		set := "status = $1, updated_at = $2"
		args := []any{to, at}
		switch action {
		case ActReject:
			note = []string{"本季度服务队已排满，请下季度再申请", "需求超出科普服务范围"}[r.IntN(2)]
			set += ", reason = $3"
			args = append(args, note)
		case ActCancel:
			note = []string{"活动改期", "场地暂不具备条件"}[r.IntN(2)]
			set += ", reason = $3"
			args = append(args, note)
		case ActDispatch:
			note = "派往：" + team.Name
			set += ", team_kind = $3, team_id = $4, team_region_code = $5"
			args = append(args, team.Kind, team.ID, team.RegionCode)
		case ActStart:
			in := orderActivityInput(o, team, "")
			if errs := in.Validate(); errs != nil {
				return errs
			}
			aid, err := s.insert(ctx, tx, in, Draft, 0, 0, 1, 0, 0, at)
			if err != nil {
				return err
			}
			note = fmt.Sprintf("活动 #%d", aid)
			set += ", activity_id = $3"
			args = append(args, aid)
		case ActFinish:
			note = ""
			set += ", report = $3"
			args = append(args, fmt.Sprintf("开展%s活动 %d 场，现场受众约 %d 人，发放资料 %d 份。", o.Topic, 1+r.IntN(3), o.Audience*(70+r.IntN(40))/100, 50+r.IntN(300)))
		case ActRate:
			if r.IntN(10) >= 8 {
				continue // not every requester rates
			}
			rating := []int{5, 5, 5, 4, 4, 3}[r.IntN(6)]
			comment := []string{"讲解通俗易懂", "群众反映很好", "希望多来几次", ""}[r.IntN(4)]
			note = joinNote(fmt.Sprintf("评分 %d", rating), comment)
			set += ", rating = $3, rating_comment = $4"
			args = append(args, rating, comment)
		}
		args = append(args, id)
		if _, err := tx.ExecContext(ctx, fmt.Sprintf(`UPDATE service_orders SET %s WHERE id = $%d`, set, len(args)), args...); err != nil {
			return err
		}
		if err := addOrderEvent(ctx, tx, id, action, from, to, note, at, 0); err != nil {
			return err
		}
		from = to
	}
	return nil
}
