// Package demo is the frame of the demo-network generator: a seeded random source, the list
// of steps that each domain contributes, and a progress bar. `kepu demo --seed N` and
// `kepu serve --demo` run it. It owns no tables; each step writes its own domain's records
// through that domain's code. The same seed gives the same network.
package demo

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"time"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"

	"github.com/kepu/kepu/internal/db"
)

// MarkerSetting is the settings row that records the seed of a demo database.
const MarkerSetting = "demo_seed"

// Generator is handed to each step.
type Generator struct {
	DB   *db.DB
	Seed int64
	// Rand is the step's own random source, derived from the seed and the step's name, so that
	// adding a step never changes what the others generate.
	Rand *rand.Rand
	// Scale multiplies the seed-scale counts (1 = the seed's numbers; 0.01 for a quick demo).
	Scale  float64
	bar    *progressbar.ProgressBar
	ticked int
}

// N scales a seed-scale count, keeping at least 1 of anything the seed has.
func (g *Generator) N(count int) int {
	if g.Scale <= 0 || g.Scale == 1 {
		return count
	}
	return max(1, int(float64(count)*g.Scale+0.5))
}

// Tick advances the progress bar by n units of the step's declared Work.
func (g *Generator) Tick(n int) {
	g.ticked += n
	if g.bar != nil {
		g.bar.Add(n)
	}
}

// Step is one domain's part of the demo network.
type Step struct {
	Name string
	Work int // units of progress the step will Tick, for the bar's total
	Run  func(ctx context.Context, g *Generator) error
}

// Report says what a run did.
type Report struct {
	Seed     int64
	Steps    int
	Duration time.Duration
}

// Run executes the steps in order on a migrated database that holds the division tree and no
// accounts, then records the seed. progress receives a progress bar when it is a terminal, one
// line per step otherwise, nothing when nil.
func Run(ctx context.Context, d *db.DB, seed int64, scale float64, steps []Step, progress io.Writer) (Report, error) {
	start := time.Now()
	if v, err := d.Setting(ctx, MarkerSetting); err == nil {
		return Report{}, fmt.Errorf("%s already holds the demo network of seed %s", d.Where, v)
	}
	var n int
	if err := d.QueryRowContext(ctx, `SELECT count(*) FROM accounts`).Scan(&n); err != nil {
		return Report{}, err
	}
	if n > 0 {
		return Report{}, fmt.Errorf("%s already holds %d account(s); the demo needs a new database (give another --db)", d.Where, n)
	}
	if err := d.QueryRowContext(ctx, `SELECT count(*) FROM regions WHERE population IS NOT NULL OR name_mn <> ''`).Scan(&n); err != nil {
		return Report{}, err
	}
	if n > 0 {
		return Report{}, fmt.Errorf("%s already holds population or Mongolian-name figures for %d units; the demo needs a new database (give another --db)", d.Where, n)
	}
	total := 0
	for _, s := range steps {
		total += s.Work
	}
	var bar *progressbar.ProgressBar
	if f, ok := progress.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		bar = progressbar.NewOptions(total, progressbar.OptionSetWriter(progress), progressbar.OptionSetDescription("demo"),
			progressbar.OptionShowCount(), progressbar.OptionSetWidth(30), progressbar.OptionThrottle(100*time.Millisecond),
			progressbar.OptionOnCompletion(func() { fmt.Fprintln(progress) }))
	}
	for _, s := range steps {
		if bar != nil {
			bar.Describe("demo: " + s.Name)
		}
		g := &Generator{DB: d, Seed: seed, Scale: scale, Rand: rand.New(rand.NewPCG(uint64(seed), hash(s.Name))), bar: bar}
		stepStart := time.Now()
		if err := s.Run(ctx, g); err != nil {
			return Report{}, fmt.Errorf("demo step %s: %w", s.Name, err)
		}
		switch {
		case bar != nil && g.ticked < s.Work:
			bar.Add(s.Work - g.ticked) // the step's estimate was high: close its share of the bar
		case bar == nil && progress != nil:
			fmt.Fprintf(progress, "demo: %s done in %.2f s\n", s.Name, time.Since(stepStart).Seconds())
		}
	}
	if bar != nil {
		bar.Finish()
	}
	if err := d.SetSetting(ctx, MarkerSetting, fmt.Sprintf("%d scale %g", seed, scale)); err != nil {
		return Report{}, err
	}
	return Report{Seed: seed, Steps: len(steps), Duration: time.Since(start)}, nil
}

// hash is FNV-1a of a step name.
func hash(s string) uint64 {
	h := uint64(14695981039346656037)
	for i := 0; i < len(s); i++ {
		h ^= uint64(s[i])
		h *= 1099511628211
	}
	return h
}

// Split divides total among n parts with random weights in [0.5, 1.5), deterministically for
// the source; the parts sum to total exactly.
func Split(r *rand.Rand, total int64, n int) []int64 {
	if n == 0 {
		return nil
	}
	w := make([]float64, n)
	sum := 0.0
	for i := range w {
		w[i] = 0.5 + r.Float64()
		sum += w[i]
	}
	out := make([]int64, n)
	var given int64
	for i := range out {
		out[i] = int64(float64(total) * w[i] / sum)
		given += out[i]
	}
	out[n-1] += total - given
	return out
}

var familyNames = []rune("王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙万段")

var givenParts = []rune("伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉萍红兰峰建文辉力新宇浩凯晨欣雅琳博鑫")

// mongolianNames are common Mongolian given names as written in Chinese, for herding areas.
var mongolianNames = []string{"巴特尔", "其其格", "乌兰", "额尔敦", "斯琴", "图雅", "阿拉坦", "萨仁", "宝音", "格日勒", "那日苏", "苏和", "乌云", "朝鲁", "哈斯", "敖登"}

// PersonName returns a plausible synthetic Chinese (or, one time in four, Mongolian) name.
func PersonName(r *rand.Rand) string {
	if r.IntN(4) == 0 {
		return mongolianNames[r.IntN(len(mongolianNames))]
	}
	name := []rune{familyNames[r.IntN(len(familyNames))], givenParts[r.IntN(len(givenParts))]}
	if r.IntN(3) > 0 {
		name = append(name, givenParts[r.IntN(len(givenParts))])
	}
	return string(name)
}

// Phone returns a synthetic mobile number in the 11-digit Chinese form.
func Phone(r *rand.Rand) string {
	prefixes := []string{"130", "131", "132", "135", "136", "138", "139", "150", "151", "152", "155", "158", "159", "180", "186", "187", "188", "189"}
	return fmt.Sprintf("%s%08d", prefixes[r.IntN(len(prefixes))], r.IntN(100_000_000))
}
