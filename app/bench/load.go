package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"rapport/models"
)

// LoadOptions shape a load run.
type LoadOptions struct {
	Binary      string // the rapport binary to start as the server
	DatabaseURL string
	DataDir     string
	Contacts    int
	Clients     int
	Duration    time.Duration
	Server      string // the database server and its memory settings, for the report
	Log         io.Writer
}

// LoadResult is what a load run measured.
type LoadResult struct {
	Ops              map[string]*OpStats
	Total, Errors    int64
	Elapsed          time.Duration
	RSSStart, RSSEnd int64 // server resident memory, bytes
	RSSPeak          int64
	// RSSEvery holds the server's resident memory at each tenth of the
	// run, to show whether it levels off or keeps climbing.
	RSSEvery            []int64
	ContactsInDatabase  int64
	ClientsAndDurations string
}

// OpStats are one operation's figures.
type OpStats struct {
	mu     sync.Mutex
	times  []time.Duration
	errors int64
}

func (o *OpStats) add(d time.Duration, err error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if err != nil {
		o.errors++
		return
	}
	o.times = append(o.times, d)
}

// Load starts Rapport as a separate process over the database, drives a
// mixed workload at it from many clients for a bounded time, loopback only,
// and stops it again.
func Load(ctx context.Context, db *models.DB, opts LoadOptions) (*LoadResult, error) {
	say := func(f string, a ...any) { fmt.Fprintf(opts.Log, f+"\n", a...) }
	_, actor, err := benchUser(ctx, db)
	if err != nil {
		return nil, err
	}
	have, err := ensureContacts(ctx, db, actor, opts.Contacts, 5, opts.Log)
	if err != nil {
		return nil, err
	}
	if err := db.Analyze(ctx); err != nil {
		return nil, err
	}
	// The clients pick contacts among the first 5,000 in name order.
	var ids []int64
	errEnough := errors.New("enough contacts")
	if err := db.EachContact(ctx, actor, models.ContactListOptions{}, func(cs []models.Contact) error {
		for _, c := range cs {
			ids = append(ids, c.ID)
		}
		if len(ids) >= 5000 {
			return errEnough
		}
		return nil
	}); err != nil && !errors.Is(err, errEnough) {
		return nil, err
	}
	_, token, err := db.CreateAPIToken(ctx, actor.UserID, fmt.Sprintf("load %d", time.Now().Unix()), time.Now().Add(24*time.Hour))
	if err != nil {
		return nil, err
	}

	addr, err := freeAddr()
	if err != nil {
		return nil, err
	}
	cmd := exec.CommandContext(ctx, opts.Binary, "serve", "--addr", addr, "--database-url", opts.DatabaseURL,
		"--data-dir", opts.DataDir, "--log-level", "error", "--workers", "1")
	cmd.Stderr = opts.Log
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start server: %w", err)
	}
	defer func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		_ = cmd.Wait()
	}()
	base := "http://" + addr
	if err := waitReady(base, 30*time.Second); err != nil {
		return nil, err
	}
	client := &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: opts.Clients * 2}}
	res := &LoadResult{Ops: map[string]*OpStats{}, ContactsInDatabase: max(have, int64(opts.Contacts))}
	ops := []struct {
		name   string
		weight int
		do     func(r *rand.Rand) error
	}{
		{"timeline page (API)", 50, func(r *rand.Rand) error {
			return call(client, token, http.MethodGet, fmt.Sprintf("%s/api/v1/contacts/%d/timeline?limit=30", base, ids[r.IntN(len(ids))]), nil)
		}},
		{"search (API)", 25, func(r *rand.Rand) error {
			terms := []string{"alvarez", "acme", "contact1", "5550", "müller", "vip", "petrov", "globex"}
			return call(client, token, http.MethodGet, base+"/api/v1/contacts?q="+terms[r.IntN(len(terms))], nil)
		}},
		{"log interaction (API)", 15, func(r *rand.Rand) error {
			return call(client, token, http.MethodPost, base+"/api/v1/interactions", map[string]any{
				"kind": "call", "direction": "outbound", "contact_ids": []int64{ids[r.IntN(len(ids))]},
				"subject": "Load test call", "body": "Checked in about the renewal."})
		}},
		{"write note (API)", 10, func(r *rand.Rand) error {
			return call(client, token, http.MethodPost, fmt.Sprintf("%s/api/v1/contacts/%d/notes", base, ids[r.IntN(len(ids))]),
				map[string]any{"body": "Prefers **email**; renewal in March.", "visibility": "everyone"})
		}},
	}
	for _, o := range ops {
		res.Ops[o.name] = &OpStats{}
	}
	res.RSSStart = rss(cmd.Process.Pid)
	peak := atomic.Int64{}
	peak.Store(res.RSSStart)
	stopSampling := make(chan struct{})
	sampled := make(chan []int64)
	go func() {
		t := time.NewTicker(time.Second)
		defer t.Stop()
		var every []int64
		begun, next := time.Now(), opts.Duration/10
		for {
			select {
			case <-stopSampling:
				sampled <- every
				return
			case <-t.C:
				v := rss(cmd.Process.Pid)
				if v > peak.Load() {
					peak.Store(v)
				}
				if time.Since(begun) >= next {
					every = append(every, v)
					next += opts.Duration / 10
				}
			}
		}
	}()
	say("load: %d clients for %s against %s…", opts.Clients, opts.Duration, base)
	deadline := time.Now().Add(opts.Duration)
	start := time.Now()
	var wg sync.WaitGroup
	for i := range opts.Clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := rand.New(rand.NewPCG(uint64(i), 42))
			for time.Now().Before(deadline) && ctx.Err() == nil {
				n := r.IntN(100)
				for _, o := range ops {
					if n < o.weight {
						t := time.Now()
						err := o.do(r)
						res.Ops[o.name].add(time.Since(t), err)
						break
					}
					n -= o.weight
				}
			}
		}()
	}
	wg.Wait()
	close(stopSampling)
	res.RSSEvery = <-sampled
	res.Elapsed = time.Since(start)
	res.RSSEnd = rss(cmd.Process.Pid)
	res.RSSPeak = max(peak.Load(), res.RSSEnd)
	for _, o := range res.Ops {
		res.Total += int64(len(o.times)) + o.errors
		res.Errors += o.errors
	}
	return res, nil
}

func call(c *http.Client, token, method, url string, body any) error {
	var r io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		r = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, url, r)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+token)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.Do(req)
	if err != nil {
		return err
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode >= 300 {
		return fmt.Errorf("%s %s: %s", method, url, resp.Status)
	}
	return nil
}

func waitReady(base string, d time.Duration) error {
	for deadline := time.Now().Add(d); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		resp, err := http.Get(base + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
	}
	return fmt.Errorf("server at %s not ready within %s", base, d)
}

// rss reads a process's resident set size from /proc, in bytes (0 when
// unavailable, such as off Linux).
func rss(pid int) int64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(line, "VmRSS:") {
			f := strings.Fields(line)
			if len(f) >= 2 {
				kb, _ := strconv.ParseInt(f[1], 10, 64)
				return kb * 1024
			}
		}
	}
	return 0
}

// LoadMarkdown renders a load run for docs/BENCHMARKS.md.
func LoadMarkdown(r *LoadResult, dialect string, opts LoadOptions, command string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "### Load, %s, %d contacts, %d clients for %s — %s\n\n", dialect, r.ContactsInDatabase, opts.Clients,
		opts.Duration, time.Now().UTC().Format("2006-01-02 15:04 UTC"))
	fmt.Fprintf(&b, "Command: `%s`. Server in its own process on loopback; clients in another.\n\n", command)
	if opts.Server != "" {
		fmt.Fprintf(&b, "Database: %s.\n\n", opts.Server)
	}
	b.WriteString("| Operation | Requests | Errors | p50 | p99 |\n|---|---|---|---|---|\n")
	names := make([]string, 0, len(r.Ops))
	for n := range r.Ops {
		names = append(names, n)
	}
	slices.Sort(names)
	for _, n := range names {
		o := r.Ops[n]
		p50, p99 := "—", "—"
		if len(o.times) > 0 {
			t50, t99 := quantiles(o.times)
			p50, p99 = ms(t50), ms(t99)
		}
		fmt.Fprintf(&b, "| %s | %d | %d | %s | %s |\n", n, len(o.times), o.errors, p50, p99)
	}
	fmt.Fprintf(&b, "\nThroughput %.0f requests/s, %d errors (target: zero). Server memory (RSS): %d MB at start, %d MB at end, %d MB peak.\n",
		float64(r.Total)/r.Elapsed.Seconds(), r.Errors, r.RSSStart>>20, r.RSSEnd>>20, r.RSSPeak>>20)
	if len(r.RSSEvery) > 0 {
		mb := make([]string, len(r.RSSEvery))
		for i, v := range r.RSSEvery {
			mb[i] = strconv.FormatInt(v>>20, 10)
		}
		fmt.Fprintf(&b, "RSS at each tenth of the run, MB: %s.\n", strings.Join(mb, ", "))
	}
	return b.String()
}
