package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/kepu/kepu/internal/account"
	"github.com/kepu/kepu/internal/content"
	"github.com/kepu/kepu/internal/db"
	"github.com/kepu/kepu/internal/region"
	"github.com/kepu/kepu/internal/registry"
	"github.com/kepu/kepu/internal/share"
)

// shareLinks publishes an item of banner 152502 and gives n officers of a village a link to it,
// through the domains' stores; it returns the item and the link codes.
func shareLinks(t testing.TB, d *db.DB, n int) (int64, []string) {
	t.Helper()
	ctx := context.Background()
	regions := &region.Store{DB: d}
	accounts := &account.Store{DB: d, Regions: regions}
	var ids []int64
	for _, u := range []string{"share-editor", "share-reviewer"} {
		id, err := accounts.Create(ctx, account.NewAccount{Username: u, DisplayName: u, Phone: "13912345678", Password: pw,
			Grants: []account.Grant{{Role: account.BannerAdmin, RegionCode: "152502"}}})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
	}
	scope := region.NewScope("152502")
	cs := &content.Store{DB: d, Regions: regions}
	item, err := cs.Create(ctx, scope, ids[0], content.Input{RegionCode: "152502", Kind: "article", Topics: []string{"健康"},
		Zh: content.Version{Title: "冬季防寒知识", Summary: "牧区冬季防寒要点。", Body: "<p>注意保暖。</p>"}}, "", nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := cs.Act(ctx, scope, ids[0], item, content.ActSubmit, ""); err != nil {
		t.Fatal(err)
	}
	if err := cs.Act(ctx, scope, ids[1], item, content.ActPublish, ""); err != nil {
		t.Fatal(err)
	}
	reg := &registry.Store{DB: d, Regions: regions}
	st := &share.Store{DB: d, Regions: regions}
	var codes []string
	for i := range n {
		o, err := reg.Create(ctx, &registry.InformationOfficers, scope, ids[0], registry.Values{"name": fmt.Sprint("信息员", i), "phone": fmt.Sprintf("137%08d", i), "region_code": "152502001001"})
		if err != nil {
			t.Fatal(err)
		}
		l, _, err := st.TakeLink(ctx, o, "152502001001", item)
		if err != nil {
			t.Fatal(err)
		}
		codes = append(codes, l.Code)
	}
	return item, codes
}

func freeAddr(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

func startServe(t *testing.T, bin, dbPath, addr string) *exec.Cmd {
	t.Helper()
	cmd := exec.Command(bin, "serve", "--db", dbPath, "--addr", addr)
	cmd.Env = append(os.Environ(), "KEPU_BASE_URL=http://"+addr)
	cmd.Stdout, cmd.Stderr = io.Discard, io.Discard
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(60 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if resp, err := http.Get("http://" + addr + "/healthz"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return cmd
			}
		}
	}
	cmd.Process.Kill()
	t.Fatal("kepu serve did not answer /healthz")
	return nil
}

// Kill `kepu serve` (SQLite) with SIGKILL in the middle of a load of clicks; after a restart
// every click that got its redirect is stored exactly once, and the roll-ups agree with the
// raw rows (issue 6, "Reliability"). Each request carries its own number in the Referer's
// domain and its own User-Agent, so that every click is counted and can be found.
func TestShareSIGKILL(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary and runs it")
	}
	dir := t.TempDir()
	bin := filepath.Join(dir, "kepu")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v %s", err, out)
	}
	dbPath := filepath.Join(dir, "kill.db")
	if code, _, errs := kepu(t, nil, "", "migrate", "--db", dbPath); code != 0 {
		t.Fatalf("migrate: %s", errs)
	}
	d, err := db.Open(context.Background(), dbPath)
	if err != nil {
		t.Fatal(err)
	}
	_, codes := shareLinks(t, d, 10)
	d.Close()

	addr := freeAddr(t)
	cmd := startServe(t, bin, dbPath, addr)
	var acked sync.Map // request number → true, for each 302 received
	var nAcked, sent atomic.Int64
	tr := &http.Transport{MaxIdleConnsPerHost: 50}
	client := &http.Client{Transport: tr, Timeout: 10 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	var wg sync.WaitGroup
	stop := make(chan struct{})
	for w := range 50 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				n := w*1_000_000 + i
				req, _ := http.NewRequest("GET", fmt.Sprintf("http://%s/s/%s", addr, codes[n%len(codes)]), nil)
				req.Header.Set("User-Agent", fmt.Sprintf("Mozilla/5.0 (Linux; Android 12) Mobile kill-%d", n))
				req.Header.Set("Referer", fmt.Sprintf("https://c%d.example/", n))
				sent.Add(1)
				resp, err := client.Do(req)
				if err != nil {
					return // the server is gone
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode == http.StatusFound {
					acked.Store(n, true)
					nAcked.Add(1)
				}
			}
		}()
	}
	for deadline := time.Now().Add(30 * time.Second); nAcked.Load() < 2000 && time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
	}
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	cmd.Wait()
	close(stop)
	wg.Wait()
	tr.CloseIdleConnections()
	if nAcked.Load() < 100 {
		t.Fatalf("only %d clicks acknowledged before the kill", nAcked.Load())
	}

	// Restart on the same file (SQLite recovers its WAL), check it serves, stop it.
	cmd = startServe(t, bin, dbPath, addr)
	cmd.Process.Signal(syscall.SIGTERM)
	cmd.Wait()

	d, err = db.Open(context.Background(), dbPath)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	stored := map[int]int{}
	rows, err := d.QueryContext(context.Background(), `SELECT referrer, reason FROM share_clicks`)
	if err != nil {
		t.Fatal(err)
	}
	var raw, counted int64
	for rows.Next() {
		var ref, reason string
		rows.Scan(&ref, &reason)
		var n int
		fmt.Sscanf(ref, "c%d.example", &n)
		stored[n]++
		raw++
		if reason == "" {
			counted++
		}
	}
	rows.Close()
	missing, twice := 0, 0
	acked.Range(func(k, _ any) bool {
		switch stored[k.(int)] {
		case 0:
			missing++
		case 1:
		default:
			twice++
		}
		return true
	})
	for _, c := range stored {
		if c > 1 {
			twice++
		}
	}
	if missing > 0 || twice > 0 {
		t.Errorf("%d acknowledged clicks not stored, %d stored more than once (acknowledged %d, sent %d, stored %d)", missing, twice, nAcked.Load(), sent.Load(), raw)
	}
	if counted != raw {
		t.Errorf("%d of %d stored clicks not counted", raw-counted, raw)
	}
	// The roll-up after the restart (every report runs it first) counts each stored click once.
	if _, err := (&share.Store{DB: d, Regions: &region.Store{DB: d}}).RollUp(context.Background()); err != nil {
		t.Fatal(err)
	}
	var daily, monthly, unit int64
	d.QueryRowContext(context.Background(), `SELECT COALESCE(sum(clicks), 0) FROM share_daily`).Scan(&daily)
	d.QueryRowContext(context.Background(), `SELECT COALESCE(sum(clicks), 0) FROM share_officer_months`).Scan(&monthly)
	d.QueryRowContext(context.Background(), `SELECT COALESCE(sum(clicks), 0) FROM share_region_months`).Scan(&unit)
	if daily != counted || monthly != counted || unit != counted {
		t.Errorf("roll-ups disagree with the raw clicks: daily %d, officer-months %d, unit-months %d, raw counted %d", daily, monthly, unit, counted)
	}
	t.Logf("acknowledged %d, sent %d, stored %d (unacknowledged but stored: %d)", nAcked.Load(), sent.Load(), raw, raw-nAcked.Load())
}
