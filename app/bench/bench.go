// Package bench measures Rapport as a whole: it fills a database at a
// chosen scale, runs Rapport on a loopback port, and times what users do
// over HTTP — search, the contact page, timeline pages — next to the same
// data fetched straight from the model layer, so the application's own
// overhead shows as a ratio. Figures go to docs/BENCHMARKS.md.
package bench

import (
	"cmp"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"rapport/app"
	"rapport/app/config"
	"rapport/app/demo"
	"rapport/models"
)

// Options choose the scale and what to run.
type Options struct {
	Contacts     int           // contacts in the data set
	Interactions int           // interactions per contact, on average
	HeavyItems   int           // timeline items on one "heavy" contact
	Samples      int           // timed requests per figure
	Clients      int           // concurrent clients for the throughput figure
	Duration     time.Duration // how long the throughput run lasts
	ImportRows   int           // rows of the CSV imported for the import and export figures; 0 skips them
	Social       SocialOptions // pushes and feeds for the listening figures; zero skips them
	Server       string        // the database server and its memory settings, for the report
	Log          io.Writer
}

// Result is one measured figure.
type Result struct {
	Name, Target       string
	P50, P99, Baseline time.Duration
	Throughput         float64 // requests per second, for load figures
	// Rows, Elapsed and BaselineElapsed are for import and export figures,
	// with the peak heap while they ran.
	Rows                     int
	Elapsed, BaselineElapsed time.Duration
	PeakHeapMB               float64
	// FloorElapsed is, for an import on Postgres, psql's \copy of exactly
	// the rows it wrote into Rapport's own tables (Floor), and FloorTables
	// its parts.
	FloorElapsed time.Duration
	FloorTables  []FloorTable
	// RatioOf, when set, is what the ratio sets beside Baseline instead of P50.
	RatioOf time.Duration
	// Feeds, Posts and CPUPerPost are for the feed poll figure, with
	// Elapsed and BaselineElapsed.
	Feeds, Posts int
	CPUPerPost   time.Duration
	Pass         bool
	Note         string
}

// Run fills db (when it holds fewer contacts than asked), measures, and
// returns the results.
func Run(ctx context.Context, cfg *config.Config, db *models.DB, opts Options) ([]Result, error) {
	say := func(f string, a ...any) { fmt.Fprintf(opts.Log, f+"\n", a...) }
	u, actor, err := benchUser(ctx, db)
	if err != nil {
		return nil, err
	}
	if _, err := ensureContacts(ctx, db, actor, opts.Contacts, opts.Interactions, opts.Log); err != nil {
		return nil, err
	}
	heavy, err := heavyContact(ctx, db, actor, opts.HeavyItems, say)
	if err != nil {
		return nil, err
	}
	// Measure with the statistics a settled database has, not those of a
	// database that was just filled.
	if err := db.Analyze(ctx); err != nil {
		return nil, err
	}

	srv := app.New(app.Deps{Config: cfg, DB: db, Logger: slog.New(slog.DiscardHandler), Version: "bench"})
	defer srv.Close()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	sctx, stop := context.WithCancel(ctx)
	defer stop()
	go func() { _ = srv.Serve(sctx, ln) }()
	base := "http://" + ln.Addr().String()
	client, err := signIn(base, u.Email)
	if err != nil {
		return nil, err
	}

	var results []Result
	// Common words early and late in name order ("alvarez", "müller": one
	// contact in 45 each, "王" too), common words spread through the list
	// ("acme", "vip", "5550"), a rare one ("contact12") and one that finds
	// nothing ("petrov").
	terms := []string{"alvarez", "müller", "acme", "contact12", "5550", "petrov", "王", "vip"}
	res, err := measure(opts.Samples, func(i int) error {
		return get(client, base+"/contacts?q="+url.QueryEscape(terms[i%len(terms)]), true)
	}, func(i int) error {
		_, err := db.Contacts(ctx, actor, models.ContactListOptions{Query: terms[i%len(terms)], Limit: 50})
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("search: %w", err)
	}
	res.Name, res.Target = "contact search, name/email/company (HTML results)", "p50 ≤ 30 ms, p99 ≤ 100 ms"
	res.Pass = res.P50 <= 30*time.Millisecond && res.P99 <= 100*time.Millisecond
	results = append(results, res)

	page := fmt.Sprintf("%s/contacts/%d", base, heavy)
	// Round trips, not rows, are what the page pays for: count them on one
	// request (the server shares db) and name the figure with them.
	before := db.Statements()
	if err := get(client, page, false); err != nil {
		return nil, fmt.Errorf("contact page: %w", err)
	}
	statements := db.Statements() - before
	// The baseline is every model call the page makes, so the ratio is the
	// cost of routing, session, authorisation and rendering alone.
	res, err = measure(opts.Samples, func(int) error { return get(client, page, false) }, func(int) error {
		ct, err := db.Contact(ctx, actor, heavy)
		if err != nil {
			return err
		}
		if _, _, err := db.ContactPeople(ctx, ct); err != nil {
			return err
		}
		if _, err := db.DuplicatesOfContact(ctx, actor, ct); err != nil {
			return err
		}
		if _, err := db.ContactMerges(ctx, actor, heavy); err != nil {
			return err
		}
		if _, err := db.KeyFacts(ctx, actor, heavy); err != nil {
			return err
		}
		notes, err := db.Notes(ctx, actor, models.NoteListOptions{ContactID: heavy, Limit: 30})
		if err != nil {
			return err
		}
		if _, err := db.RepliesOf(ctx, actor, notes.Notes); err != nil {
			return err
		}
		if _, err := db.Timeline(ctx, actor, models.TimelineOptions{ContactID: heavy, Limit: 30}); err != nil {
			return err
		}
		_, err = db.TimelineCounts(ctx, actor, heavy)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("contact page: %w", err)
	}
	res.Name = fmt.Sprintf("contact page with timeline (contact with %d items; %d SQL statements)", opts.HeavyItems, statements)
	res.Target = "p50 ≤ 10 ms"
	res.Pass = res.P50 <= 10*time.Millisecond
	results = append(results, res)

	// Timeline pages: the first, and the 100th reached by following cursors.
	first := fmt.Sprintf("%s/contacts/%d/timeline", base, heavy)
	cursor100, err := cursorAt(ctx, db, actor, heavy, 99)
	if err != nil {
		return nil, err
	}
	for _, p := range []struct {
		name, cursor string
	}{{"timeline page 1", ""}, {"timeline page 100", cursor100}} {
		target := first
		if p.cursor != "" {
			target += "?cursor=" + url.QueryEscape(p.cursor)
		}
		cur := p.cursor
		res, err = measure(opts.Samples, func(int) error { return get(client, target, true) }, func(int) error {
			_, err := db.Timeline(ctx, actor, models.TimelineOptions{ContactID: heavy, Cursor: cur, Limit: 30})
			return err
		})
		if err != nil {
			return nil, fmt.Errorf("%s: %w", p.name, err)
		}
		res.Name, res.Target = p.name+" (30 items, htmx fragment)", "p50 ≤ 10 ms, p99 ≤ 40 ms"
		res.Pass = res.P50 <= 10*time.Millisecond && res.P99 <= 40*time.Millisecond
		results = append(results, res)
	}

	say("throughput: %d clients for %s…", opts.Clients, opts.Duration)
	rps, errs := load(opts.Clients, opts.Duration, func() error { return get(client, first, true) })
	results = append(results, Result{Name: fmt.Sprintf("timeline pages under %d concurrent clients", opts.Clients),
		Target: "≥ 1,000 pages/s, no errors", Throughput: rps, Pass: rps >= 1000 && errs == 0,
		Note: fmt.Sprintf("%d errors", errs)})
	if opts.Social.Pushes > 0 && opts.Social.Feeds > 0 {
		social, err := Social(ctx, cfg, db, base, opts)
		if err != nil {
			return nil, err
		}
		results = append(results, social...)
	}
	if opts.ImportRows > 0 {
		transfer, err := Transfer(ctx, db, opts, cfg.DatabaseURL)
		if err != nil {
			return nil, err
		}
		results = append(results, transfer...)
	}
	return results, nil
}

// benchUser is the member the benchmark acts as.
func benchUser(ctx context.Context, db *models.DB) (*models.User, models.Actor, error) {
	const email = "bench@example.com"
	u, err := db.UserByEmail(ctx, email)
	if err != nil {
		dep, derr := db.DepartmentBySlugOrName(ctx, "Sales")
		if derr != nil {
			if dep, derr = db.CreateDepartment(ctx, "Sales"); derr != nil {
				return nil, models.Actor{}, derr
			}
		}
		if u, err = db.CreateUser(ctx, models.UserRequest{Email: email, Name: "Bench Mark", Role: models.RoleMember,
			Password: benchPassword, DepartmentIDs: []int64{dep.ID}}); err != nil {
			return nil, models.Actor{}, err
		}
		if err := db.MarkSetUp(ctx); err != nil {
			return nil, models.Actor{}, err
		}
	}
	return u, u.Actor("session"), nil
}

const benchPassword = "benchmark password, loopback only"

// heavyContact returns a contact with at least n timeline items, making one
// when there is none.
func heavyContact(ctx context.Context, db *models.DB, a models.Actor, n int, say func(string, ...any)) (int64, error) {
	page, err := db.Contacts(ctx, a, models.ContactListOptions{Email: "heavy.bench@example.com", Limit: 1})
	if err != nil {
		return 0, err
	}
	var id int64
	if len(page.Contacts) == 1 {
		id = page.Contacts[0].ID
	} else {
		c, err := db.CreateContact(ctx, a, models.ContactRequest{GivenName: "Heavy", FamilyName: "History",
			Emails: []models.EmailInput{{Address: "heavy.bench@example.com"}}})
		if err != nil {
			return 0, err
		}
		id = c.ID
	}
	counts, err := db.TimelineCounts(ctx, a, id)
	if err != nil {
		return 0, err
	}
	have := 0
	for _, c := range counts {
		have += int(c)
	}
	if have < n {
		say("giving one contact %d timeline items…", n)
	}
	start := time.Now().Add(-time.Duration(n) * time.Hour)
	for i := have; i < n; {
		err := db.Tx(ctx, func(tx *models.DB) error {
			var hb models.HistoryBatch
			for ; i < n && hb.Len() < 5000; i++ {
				if err := hb.AddInteraction(a, models.InteractionRequest{Kind: models.InteractionEmail, Direction: models.DirectionInbound,
					ContactIDs: []int64{id}, OccurredAt: start.Add(time.Duration(i) * time.Hour), Subject: fmt.Sprintf("Message %d", i)}); err != nil {
					return err
				}
			}
			return hb.Flush(ctx, tx)
		})
		if err != nil {
			return 0, err
		}
	}
	return id, nil
}

// cursorAt follows cursors to the given page of 30 items.
func cursorAt(ctx context.Context, db *models.DB, a models.Actor, contactID int64, pages int) (string, error) {
	cursor := ""
	for range pages {
		p, err := db.Timeline(ctx, a, models.TimelineOptions{ContactID: contactID, Cursor: cursor, Limit: 30})
		if err != nil {
			return "", err
		}
		if p.NextCursor == "" {
			break
		}
		cursor = p.NextCursor
	}
	return cursor, nil
}

var csrfMeta = regexp.MustCompile(`<meta name="csrf-token" content="([^"]*)"`)

func signIn(base, email string) (*http.Client, error) {
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, Timeout: 30 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 128}}
	resp, err := c.Get(base + "/signin")
	if err != nil {
		return nil, err
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	m := csrfMeta.FindSubmatch(body)
	if m == nil {
		return nil, fmt.Errorf("sign-in page has no CSRF token")
	}
	resp, err = c.PostForm(base+"/signin", url.Values{"email": {email}, "password": {benchPassword}, "_csrf": {string(m[1])}})
	if err != nil {
		return nil, err
	}
	resp.Body.Close()
	if resp.Request.URL.Path == "/signin" {
		return nil, fmt.Errorf("sign in as %s failed", email)
	}
	return c, nil
}

func get(c *http.Client, u string, htmx bool) error {
	req, err := http.NewRequest(http.MethodGet, u, nil)
	if err != nil {
		return err
	}
	if htmx {
		req.Header.Set("HX-Request", "true")
		req.Header.Set("HX-Target", "contact-results")
	}
	resp, err := c.Do(req)
	if err != nil {
		return err
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: %s", u, resp.Status)
	}
	return nil
}

// measure times n calls of fn and of baseline (after a warm-up) and
// returns their medians and the 99th percentile of fn.
func measure(n int, fn, baseline func(int) error) (Result, error) {
	for i := range min(n/10+1, 20) {
		if err := fn(i); err != nil {
			return Result{}, err
		}
	}
	times := make([]time.Duration, n)
	base := make([]time.Duration, n)
	for i := range n {
		t := time.Now()
		if err := fn(i); err != nil {
			return Result{}, err
		}
		times[i] = time.Since(t)
		t = time.Now()
		if err := baseline(i); err != nil {
			return Result{}, err
		}
		base[i] = time.Since(t)
	}
	p50, p99 := quantiles(times)
	b50, _ := quantiles(base)
	return Result{P50: p50, P99: p99, Baseline: b50}, nil
}

// quantiles sorts ds and returns their median and 99th percentile.
func quantiles(ds []time.Duration) (p50, p99 time.Duration) {
	slices.Sort(ds)
	n := len(ds)
	return ds[n/2], ds[min(n-1, n*99/100)]
}

// load runs fn from several clients for d and returns requests per second
// and the error count. Bounded in time, loopback only.
func load(clients int, d time.Duration, fn func() error) (float64, int64) {
	var done, errs atomic.Int64
	deadline := time.Now().Add(d)
	var wg sync.WaitGroup
	start := time.Now()
	for range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for time.Now().Before(deadline) {
				if err := fn(); err != nil {
					errs.Add(1)
				}
				done.Add(1)
			}
		}()
	}
	wg.Wait()
	return float64(done.Load()) / time.Since(start).Seconds(), errs.Load()
}

// Markdown renders results as the table docs/BENCHMARKS.md holds.
func Markdown(results []Result, dialect string, opts Options, command string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "### %s, %d contacts — %s\n\n", dialect, opts.Contacts, time.Now().UTC().Format("2006-01-02 15:04 UTC"))
	fmt.Fprintf(&b, "Machine: %s/%s, %d CPUs, %s. Command: `%s`.\n\n", runtime.GOOS, runtime.GOARCH, runtime.NumCPU(), runtime.Version(), command)
	if opts.Server != "" {
		fmt.Fprintf(&b, "Database: %s.\n\n", opts.Server)
	}
	b.WriteString("| Figure | Target | p50 | p99 | Baseline (same data from models, p50) | Ratio | Result |\n|---|---|---|---|---|---|---|\n")
	var transfers, polls []Result
	for _, r := range results {
		switch {
		case r.Feeds > 0:
			polls = append(polls, r)
			continue
		case r.Rows > 0:
			transfers = append(transfers, r)
			continue
		}
		verdict := verdictOf(r)
		if r.Throughput > 0 {
			fmt.Fprintf(&b, "| %s | %s | %.0f req/s | | | | %s (%s) |\n", r.Name, r.Target, r.Throughput, verdict, r.Note)
			continue
		}
		ratio := "—"
		if r.Baseline > 0 {
			ratio = fmt.Sprintf("%.1f×", float64(cmp.Or(r.RatioOf, r.P50))/float64(r.Baseline))
		}
		fmt.Fprintf(&b, "| %s | %s | %s | %s | %s | %s | %s |\n", r.Name, r.Target, ms(r.P50), ms(r.P99), ms(r.Baseline), ratio, verdict)
	}
	if len(transfers) > 0 {
		b.WriteString("\n| Figure | Target | Time | Rows/s | Baseline (psql \\copy or sqlite3 .import, same run) | Ratio | " +
			"Floor (psql \\copy of the rows it wrote into Rapport's tables, same run) | Ratio to floor | Peak heap | Result |\n" +
			"|---|---|---|---|---|---|---|---|---|---|\n")
	}
	var floors []string
	for _, r := range transfers {
		verdict := verdictOf(r)
		base, ratio := "—", "—"
		if r.BaselineElapsed > 0 {
			base = fmt.Sprintf("%.1f s", r.BaselineElapsed.Seconds())
			ratio = fmt.Sprintf("%.2f×", r.Elapsed.Seconds()/r.BaselineElapsed.Seconds())
		}
		floor, floorRatio := "—", "—"
		switch {
		case r.FloorElapsed > 0:
			floor = fmt.Sprintf("%.1f s", r.FloorElapsed.Seconds())
			floorRatio = fmt.Sprintf("%.2f×", r.Elapsed.Seconds()/r.FloorElapsed.Seconds())
			floors = append(floors, fmt.Sprintf("Floor of the %s, by table (psql's \\timing in the same \\copy run): %s.", r.Name, floorBreakdown(r.FloorTables)))
		case r.Note != "":
			floor = r.Note
		}
		fmt.Fprintf(&b, "| %s | %s | %.1f s | %.0f | %s | %s | %s | %s | %.0f MB | %s |\n", r.Name, r.Target, r.Elapsed.Seconds(),
			float64(r.Rows)/r.Elapsed.Seconds(), base, ratio, floor, floorRatio, r.PeakHeapMB, verdict)
	}
	for _, f := range floors {
		b.WriteString("\n" + f + "\n")
	}
	if len(polls) > 0 {
		b.WriteString("\n| Figure | Target | Time | Feeds/s | Posts/s | CPU per post (this process) | Baseline (fetch and parse only, same feeds) | Ratio | Result |\n" +
			"|---|---|---|---|---|---|---|---|---|\n")
	}
	for _, r := range polls {
		// No target is set for a cycle: the row records what it did.
		fmt.Fprintf(&b, "| %s | %s | %.1f s | %.0f | %.0f | %s | %.2f s (%.0f feeds/s) | %.1f× | %s |\n", r.Name, r.Target,
			r.Elapsed.Seconds(), float64(r.Feeds)/r.Elapsed.Seconds(), float64(r.Posts)/r.Elapsed.Seconds(), ms(r.CPUPerPost),
			r.BaselineElapsed.Seconds(), float64(r.Feeds)/r.BaselineElapsed.Seconds(), r.Elapsed.Seconds()/r.BaselineElapsed.Seconds(), r.Note)
	}
	return b.String()
}

func verdictOf(r Result) string {
	if r.Pass {
		return "meets target"
	}
	return "**misses target**"
}

func ms(d time.Duration) string { return fmt.Sprintf("%.2f ms", float64(d)/float64(time.Millisecond)) }

// freeAddr finds a free loopback port for a server process.
func freeAddr() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer ln.Close()
	return ln.Addr().String(), nil
}

// ensureContacts generates demo contacts until the actor can see n, and
// returns how many there are. A database filled by an earlier run is used
// as it is, so repeated runs measure the same data.
func ensureContacts(ctx context.Context, db *models.DB, actor models.Actor, n, interactions int, log io.Writer) (int64, error) {
	have, err := db.CountContacts(ctx, actor, models.ContactListOptions{})
	if err != nil {
		return 0, err
	}
	if int(have) >= n {
		return have, nil
	}
	fmt.Fprintf(log, "generating %d contacts (have %d)…\n", n-int(have), have)
	if err := demo.Generate(ctx, db, demo.Options{Contacts: n - int(have), InteractionsPerItem: interactions,
		First: int(have), Seed: uint64(have) + 1, Progress: log}); err != nil {
		return 0, err
	}
	return int64(n), nil
}
