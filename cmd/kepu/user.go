package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"strings"

	"golang.org/x/term"

	"github.com/kepu/kepu/internal/account"
	"github.com/kepu/kepu/internal/db"
	"github.com/kepu/kepu/internal/mask"
	"github.com/kepu/kepu/internal/region"
)

const userUsage = `Usage:
  kepu user add --username NAME --role ROLE --region CODE [--name 姓名] [--phone N] [--password-stdin]
  kepu user list [--region CODE]
  kepu user passwd --username NAME [--password-stdin]

Roles: region_admin (level-1 unit, e.g. 15), league_admin (e.g. 152500), banner_admin
(e.g. 152502), township_operator (e.g. 152502001), or public (no --region: a public user
with no staff rights). Without --password-stdin the password is
asked for twice on the terminal.
`

func (a *app) user(ctx context.Context, args []string) error {
	if len(args) == 0 || args[0] == "help" {
		fmt.Fprint(a.stdout, userUsage)
		if len(args) == 0 {
			return usagef("which subcommand? (add, list, passwd)")
		}
		return nil
	}
	var username, role, regionCode, name, phone string
	var pwStdin bool
	extra := func(fs *flag.FlagSet) {
		fs.StringVar(&username, "username", "", "login name: 3–32 lower-case letters, digits, . _ -")
		fs.StringVar(&role, "role", "", "region_admin, league_admin, banner_admin or township_operator")
		fs.StringVar(&regionCode, "region", "", "division code of the unit the role is bound to")
		fs.StringVar(&name, "name", "", "the person's name as shown in Kepu")
		fs.StringVar(&phone, "phone", "", "mobile phone number")
		fs.BoolVar(&pwStdin, "password-stdin", false, "read the password from the first line of standard input")
	}
	c, _, err := a.parse("user "+args[0], args[1:], []string{"db"}, extra)
	if err != nil {
		return err
	}
	switch args[0] {
	case "add":
		if username == "" || role == "" || (regionCode == "" && role != "public") {
			return usagef("--username, --role and --region are required\n%s", userUsage)
		}
		var grants []account.Grant
		if role != "public" {
			r, err := account.ParseRole(role)
			if err != nil {
				return usageError{err.Error()}
			}
			code, err := region.Normalize(regionCode)
			if err != nil {
				return usageError{err.Error()}
			}
			grants = []account.Grant{{Role: r, RegionCode: code}}
		}
		d, err := a.openMigrated(ctx, c.DB)
		if err != nil {
			return err
		}
		defer d.Close()
		st := &account.Store{DB: d, Regions: &region.Store{DB: d}}
		na := account.NewAccount{Username: username, DisplayName: name, Phone: phone, Grants: grants}
		// Check everything but the password before asking for it.
		na.PasswordHash = "-"
		if err := st.ValidateNew(ctx, &na); err != nil {
			return err
		}
		na.PasswordHash = ""
		if na.Password, err = a.readPassword(pwStdin); err != nil {
			return err
		}
		id, err := st.Create(ctx, na)
		if err != nil {
			if errors.Is(err, db.ErrConflict) {
				return fmt.Errorf("user %q already exists; choose another --username or change its password with `kepu user passwd`", na.Username)
			}
			return err
		}
		if len(na.Grants) == 0 {
			fmt.Fprintf(a.stdout, "created public user %s (id %d)\n", na.Username, id)
			return nil
		}
		g := na.Grants[0]
		fmt.Fprintf(a.stdout, "created user %s (id %d): %s at %s %s\n", na.Username, id, g.Role, g.RegionCode, g.RegionName)
		return nil
	case "passwd":
		if username == "" {
			return usagef("--username is required")
		}
		d, err := a.openMigrated(ctx, c.DB)
		if err != nil {
			return err
		}
		defer d.Close()
		st := &account.Store{DB: d, Regions: &region.Store{DB: d}}
		id, err := st.IDByUsername(ctx, username)
		if err != nil {
			return fmt.Errorf("no user %q", username)
		}
		pw, err := a.readPassword(pwStdin)
		if err != nil {
			return err
		}
		if err := st.SetPassword(ctx, id, pw); err != nil {
			return err
		}
		fmt.Fprintf(a.stdout, "password of %s changed; its sessions are signed out\n", username)
		return nil
	case "list":
		d, err := a.openMigrated(ctx, c.DB)
		if err != nil {
			return err
		}
		defer d.Close()
		regions := &region.Store{DB: d}
		roots, err := regions.Roots(ctx)
		if err != nil {
			return err
		}
		var codes []string
		for _, r := range roots {
			codes = append(codes, r.Code)
		}
		scope := region.NewScope(codes...)
		if regionCode != "" {
			u, err := regions.Get(ctx, regionCode)
			if err != nil {
				return err
			}
			scope = region.NewScope(u.Code)
		}
		st := &account.Store{DB: d, Regions: regions}
		rows, total, err := st.List(ctx, scope, "", 1000, 0)
		if err != nil {
			return err
		}
		for _, r := range rows {
			var gs []string
			for _, g := range r.Grants {
				gs = append(gs, fmt.Sprintf("%s@%s", g.Role, g.RegionCode))
			}
			fmt.Fprintf(a.stdout, "%-24s %-10s %-13s %s\n", r.Username, r.DisplayName, mask.Phone(r.Phone), strings.Join(gs, ","))
		}
		fmt.Fprintf(a.stdout, "%d of %d account(s)\n", len(rows), total)
		return nil
	}
	return usagef("unknown subcommand %q\n%s", args[0], userUsage)
}

// readPassword reads a password from stdin's first line (--password-stdin) or asks twice on
// the terminal.
func (a *app) readPassword(fromStdin bool) (string, error) {
	if fromStdin {
		line, err := bufio.NewReader(a.stdin).ReadString('\n')
		if err != nil && line == "" {
			return "", fmt.Errorf("--password-stdin: no password on standard input")
		}
		pw := strings.TrimRight(line, "\r\n")
		if len([]rune(pw)) < account.MinPasswordLen {
			return "", fmt.Errorf("password: at least %d characters", account.MinPasswordLen)
		}
		return pw, nil
	}
	f, ok := a.stdin.(*os.File)
	if !ok || !term.IsTerminal(int(f.Fd())) {
		return "", usagef("no terminal to ask for the password; pipe it in with --password-stdin")
	}
	fmt.Fprint(a.stderr, "Password: ")
	p1, err := term.ReadPassword(int(f.Fd()))
	fmt.Fprintln(a.stderr)
	if err != nil {
		return "", err
	}
	fmt.Fprint(a.stderr, "Again: ")
	p2, err := term.ReadPassword(int(f.Fd()))
	fmt.Fprintln(a.stderr)
	if err != nil {
		return "", err
	}
	if string(p1) != string(p2) {
		return "", fmt.Errorf("the two passwords differ; nothing changed")
	}
	if len([]rune(string(p1))) < account.MinPasswordLen {
		return "", fmt.Errorf("password: at least %d characters", account.MinPasswordLen)
	}
	return string(p1), nil
}
