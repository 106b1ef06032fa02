package account

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/kepu/kepu/internal/db"
	"github.com/kepu/kepu/internal/demo"
)

// DemoPassword is the password of every demo account (documented in the README). Demo
// accounts share one argon2id hash, computed once, so the demo does not spend a second of
// hashing per account; real accounts each get their own salt.
const DemoPassword = "kepu-demo"

// DemoStep creates the demo staff: "admin" for the region, "league-<code>" for each league,
// "banner-<code>" for each banner and "township-<code>" for each township-level unit, each
// with a synthetic name and phone number.
func DemoStep() demo.Step {
	return demo.Step{Name: "accounts", Work: 1400, Run: func(ctx context.Context, g *demo.Generator) error {
		hash, err := HashPassword(DemoPassword)
		if err != nil {
			return err
		}
		rows, err := g.DB.QueryContext(ctx, `SELECT code, level FROM regions WHERE level <= 4 ORDER BY level, code`)
		if err != nil {
			return db.Map(err)
		}
		type unit struct {
			code  string
			level int
		}
		var units []unit
		for rows.Next() {
			var u unit
			if err := rows.Scan(&u.code, &u.level); err != nil {
				rows.Close()
				return err
			}
			units = append(units, u)
		}
		rows.Close()
		now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
		var accounts, grants [][]any
		for i, u := range units {
			id := int64(i + 1)
			var username string
			var role Role
			switch u.level {
			case 1:
				username, role = "admin", RegionAdmin
				if i > 0 {
					username = "admin-" + u.code[:2]
				}
			case 2:
				username, role = "league-"+u.code, LeagueAdmin
			case 3:
				username, role = "banner-"+u.code, BannerAdmin
			default:
				username, role = "township-"+u.code, TownshipOperator
			}
			accounts = append(accounts, []any{id, username, demo.PersonName(g.Rand), demo.Phone(g.Rand), hash, now})
			grants = append(grants, []any{id, string(role), u.code, now})
			if u.level <= 2 {
				// The region's and the leagues' staff review content (科普内容审核); banner
				// and township staff edit it through their staff role.
				grants = append(grants, []any{id, string(ContentReviewer), u.code, now})
			}
		}
		return g.DB.Tx(ctx, func(tx *sql.Tx) error {
			if err := db.BulkInsert(ctx, tx, g.DB.Dialect, "accounts", []string{"id", "username", "display_name", "phone", "password_hash", "created_at"}, accounts, ""); err != nil {
				return err
			}
			g.Tick(len(accounts) / 2)
			if err := db.BulkInsert(ctx, tx, g.DB.Dialect, "role_grants", []string{"account_id", "role", "region_code", "granted_at"}, grants, ""); err != nil {
				return err
			}
			g.Tick(len(accounts) / 2)
			if g.DB.Dialect == db.Postgres {
				// Ids were given explicitly; move the identity past them.
				if _, err := tx.ExecContext(ctx, `SELECT setval(pg_get_serial_sequence('accounts', 'id'), (SELECT max(id) FROM accounts))`); err != nil {
					return fmt.Errorf("demo accounts: %w", err)
				}
			}
			return nil
		})
	}}
}
