package registry_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/kepu/kepu/internal/db"
	"github.com/kepu/kepu/internal/db/dbtest"
	"github.com/kepu/kepu/internal/region"
	"github.com/kepu/kepu/internal/registry"
)

// seedTeams creates n teams in 152502 and one volunteer per phone given.
func seedTeams(t *testing.T, st *registry.Store, n int, phones ...string) ([]int64, []int64) {
	ctx := context.Background()
	var teams, vols []int64
	for i := range n {
		id, err := st.Create(ctx, &registry.VolunteerTeams, everyone, 0, registry.Values{"name": fmt.Sprintf("队%d", i+1), "region_code": "152502"})
		if err != nil {
			t.Fatal(err)
		}
		teams = append(teams, id)
	}
	for _, p := range phones {
		id, err := st.Create(ctx, &registry.Volunteers, everyone, 0, registry.Values{"name": "志愿者" + p[7:], "phone": p, "region_code": "152502001"})
		if err != nil {
			t.Fatal(err)
		}
		vols = append(vols, id)
	}
	return teams, vols
}

func TestMembershipRules(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		st := newStore(d)
		teams, vols := seedTeams(t, st, 6, "13800000001", "13800000002")
		v := vols[0]
		var ms []int64
		for _, team := range teams[:5] {
			id, err := st.Join(ctx, banner, 0, v, team)
			if err != nil {
				t.Fatal(err)
			}
			ms = append(ms, id)
		}
		if _, err := st.Join(ctx, banner, 0, v, teams[5]); !errors.Is(err, registry.ErrTooManyTeams) {
			t.Errorf("6th team: %v", err)
		}
		if _, err := st.Join(ctx, banner, 0, v, teams[0]); !errors.Is(err, registry.ErrAlreadyMember) {
			t.Errorf("same team twice: %v", err)
		}
		if _, err := st.Join(ctx, region.NewScope("152501"), 0, vols[1], teams[0]); !errors.Is(err, db.ErrNotFound) {
			t.Errorf("join a team outside the scope: %v", err)
		}
		if err := st.Decide(ctx, banner, 0, ms[0], false, ""); err == nil {
			t.Error("refusal without a reason")
		}
		if err := st.Decide(ctx, banner, 0, ms[0], false, "不在服务区域"); err != nil {
			t.Fatal(err)
		}
		if err := st.Decide(ctx, banner, 0, ms[0], true, ""); !errors.Is(err, registry.ErrNotPending) {
			t.Errorf("decide twice: %v", err)
		}
		// The refused request frees a place: the 6th team now works.
		if _, err := st.Join(ctx, banner, 0, v, teams[5]); err != nil {
			t.Errorf("join after a refusal: %v", err)
		}
		if err := st.SetAdmin(ctx, banner, 0, ms[1], true); !errors.Is(err, registry.ErrNotMember) {
			t.Errorf("admin before approval: %v", err)
		}
		if err := st.Decide(ctx, banner, 0, ms[1], true, ""); err != nil {
			t.Fatal(err)
		}
		if err := st.SetAdmin(ctx, region.NewScope("152501"), 0, ms[1], true); !errors.Is(err, db.ErrNotFound) {
			t.Errorf("admin from outside the scope: %v", err)
		}
		if err := st.SetAdmin(ctx, banner, 0, ms[1], true); err != nil {
			t.Fatal(err)
		}
		m2, _ := st.Join(ctx, banner, 0, vols[1], teams[1])
		st.Decide(ctx, banner, 0, m2, true, "")
		if err := st.SetAdmin(ctx, banner, 0, m2, true); !errors.Is(err, registry.ErrTooManyAdmins) {
			t.Errorf("second admin of a 2-member team: %v", err)
		}
		members, err := st.Members(ctx, banner, teams[1])
		if err != nil || len(members) != 2 || !members[0].Admin || members[0].VolunteerPhone != "138****0001" {
			t.Errorf("members = %+v, %v", members, err)
		}
		if err := st.Leave(ctx, banner, 0, ms[1]); err != nil {
			t.Fatal(err)
		}
		mine, _ := st.TeamsOf(ctx, banner, v)
		if len(mine) != 6 {
			t.Errorf("TeamsOf: %d memberships", len(mine))
		}
	})
}

func TestAdminLimit(t *testing.T) {
	for members, want := range map[int]int{0: 1, 1: 1, 100: 1, 101: 2, 250: 3, 500: 5, 5000: 5} {
		if got := registry.AdminLimit(members); got != want {
			t.Errorf("AdminLimit(%d) = %d, want %d", members, got, want)
		}
	}
}

// Parallel requests cannot put a volunteer in more than 5 teams.
func TestJoinRace(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		st := newStore(d)
		teams, vols := seedTeams(t, st, 8, "13800000009")
		var wg sync.WaitGroup
		for _, team := range teams {
			wg.Add(1)
			go func() {
				defer wg.Done()
				st.Join(ctx, everyone, 0, vols[0], team)
			}()
		}
		wg.Wait()
		var n int
		d.QueryRowContext(ctx, `SELECT count(*) FROM volunteer_memberships WHERE volunteer_id = $1 AND status IN ('pending', 'approved')`, vols[0]).Scan(&n)
		if n > registry.MaxTeamsPerVolunteer {
			t.Errorf("volunteer in %d teams after parallel joins", n)
		}
	})
}

func TestImportMemberships(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		st := newStore(d)
		seedTeams(t, st, 6, "13800000001", "13800000002")
		var b strings.Builder
		b.WriteString("志愿者手机号,志愿服务队,是否管理员\n")
		for i := 1; i <= 5; i++ {
			fmt.Fprintf(&b, "13800000001,队%d,否\n", i)
		}
		b.WriteString("13800000002,队1,是\n")
		res, err := st.ImportMemberships(ctx, banner, 0, strings.NewReader(b.String()), 0)
		if err != nil || len(res.Errors) > 0 || res.Created != 6 {
			t.Fatalf("import: %+v %v", res, err)
		}
		res, _ = st.ImportMemberships(ctx, banner, 0, strings.NewReader(b.String()), 0)
		if res.Created != 0 || res.Unchanged != 6 {
			t.Errorf("second import: %+v", res)
		}
		bad := "志愿者手机号,志愿服务队,是否管理员\n13800000001,队6,否\n13800000003,队1,否\n13800000002,队9,否\n13800000001,队1,是\n"
		res, _ = st.ImportMemberships(ctx, banner, 0, strings.NewReader(bad), 0)
		var got []string
		for _, e := range res.Errors {
			got = append(got, e.Error())
		}
		all := strings.Join(got, "\n")
		for _, want := range []string{"第 2 行，“志愿服务队”列：该志愿者已在 5 支服务队中，一名志愿者最多加入 5 支", "第 3 行，“志愿者手机号”列：没有以此手机号登记的科技志愿者",
			"第 4 行，“志愿服务队”列：您的管理范围内没有名为“队9”的科技志愿服务队", "将有 2 名管理员"} {
			if !strings.Contains(all, want) {
				t.Errorf("missing %q in\n%s", want, all)
			}
		}
		var n int
		d.QueryRowContext(ctx, `SELECT count(*) FROM volunteer_memberships`).Scan(&n)
		if n != 6 || res.Created+res.Updated != 0 {
			t.Errorf("a rejected file changed memberships: %d rows", n)
		}
	})
}
