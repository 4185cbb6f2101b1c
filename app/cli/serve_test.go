package cli_test

import (
	"bytes"
	"context"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"rapport/app/cli"
	"rapport/models/dbtest"
)

// syncBuffer is a bytes.Buffer safe to read while serve writes to it.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}
func (s *syncBuffer) String() string { s.mu.Lock(); defer s.mu.Unlock(); return s.b.String() }

var listening = regexp.MustCompile(`listening on (127\.0\.0\.1:\d+)`)

func TestServeStartsMigratesAndStopsGracefully(t *testing.T) {
	for _, d := range dbtest.Dialects {
		t.Run(d, func(t *testing.T) {
			url := dbtest.FreshURL(t, d)
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			var out, errb syncBuffer
			vars := map[string]string{"RAPPORT_DATABASE_URL": url, "RAPPORT_DATA_DIR": t.TempDir(), "RAPPORT_ADDR": "127.0.0.1:0",
				"RAPPORT_LOG_LEVEL": "info", "RAPPORT_SHUTDOWN_TIMEOUT": "5s"}
			done := make(chan int, 1)
			go func() {
				done <- cli.Main(ctx, []string{"serve"}, cli.Env{Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errb,
					Getenv: func(k string) string { return vars[k] }})
			}()
			var addr string
			for deadline := time.Now().Add(20 * time.Second); addr == "" && time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
				if m := listening.FindStringSubmatch(out.String()); m != nil {
					addr = m[1]
				}
				select {
				case code := <-done:
					t.Fatalf("serve exited early with %d: %s", code, errb.String())
				default:
				}
			}
			if addr == "" {
				t.Fatalf("serve printed no address: %q %q", out.String(), errb.String())
			}
			resp, err := http.Get("http://" + addr + "/readyz")
			if err != nil || resp.StatusCode != http.StatusOK {
				t.Fatalf("readyz: %v %v", resp, err)
			}
			resp.Body.Close()
			if !strings.Contains(errb.String(), "applied migration") {
				t.Errorf("migrations were not applied on start: %s", errb.String())
			}
			cancel() // what SIGINT/SIGTERM do
			select {
			case code := <-done:
				if code != 0 {
					t.Fatalf("serve exited %d on shutdown: %s", code, errb.String())
				}
			case <-time.After(10 * time.Second):
				t.Fatal("serve did not stop within 10s of shutdown")
			}
			if !strings.Contains(errb.String(), "Rapport stopped") {
				t.Errorf("no clean stop logged: %s", errb.String())
			}
		})
	}
}
