package main

import (
	"bytes"
	"context"
	"net/http"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

// syncBuffer is a bytes.Buffer safe to read while the server goroutine writes.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// The first `kepu serve` on an empty database creates and migrates it, prints a one-time link
// for the first region admin, answers /healthz, and stops cleanly on a signal.
func TestServeFirstStart(t *testing.T) {
	dbPath := filepath.Join(t.TempDir(), "data", "kepu.db")
	var out, errs syncBuffer
	a := &app{stdin: strings.NewReader(""), stdout: &out, stderr: &errs, getenv: func(string) string { return "" }}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan int, 1)
	go func() { done <- a.run(ctx, []string{"serve", "--db", dbPath, "--addr", "127.0.0.1:0"}) }()
	link := regexp.MustCompile(`http://localhost:(\d+)/setup/([\w-]+)`)
	var m []string
	for deadline := time.Now().Add(20 * time.Second); m == nil && time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		m = link.FindStringSubmatch(out.String())
	}
	if m == nil {
		cancel()
		t.Fatalf("no setup link printed; stdout %q, stderr %q", out.String(), errs.String())
	}
	base := "http://127.0.0.1:" + m[1]
	for path, want := range map[string]int{"/healthz": 200, "/setup/" + m[2]: 200, "/setup/not-the-token": 410, "/regions/152502": 200} {
		resp, err := http.Get(base + path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != want {
			t.Errorf("GET %s: %d, want %d", path, resp.StatusCode, want)
		}
	}
	cancel()
	select {
	case code := <-done:
		if code != 0 {
			t.Errorf("serve exited %d: %s", code, errs.String())
		}
	case <-time.After(15 * time.Second):
		t.Fatal("serve did not stop")
	}
}
