// Package browsertest drives Rapport in headless Chromium, for the journeys a
// user takes through real pages: forms typed into, buttons clicked, layouts
// at desktop and phone widths. Every page is watched while it runs: a console
// error, an uncaught exception, a Content-Security-Policy violation or an
// HTTP error the test did not expect fails the test, and when a test fails
// everything the page logged is printed with it.
//
// A test launches one browser and opens a page per subtest:
//
//	b := browsertest.Launch(t)
//	dbtest.EachFresh(t, func(t *testing.T, db *models.DB, _ string) {
//		p := b.Open(t, apptest.Start(t, db).URL, browsertest.Desktop)
//		p.Go("/")
//		p.Screenshot("today")
//	})
//
// Chromium comes from /usr/bin/chromium (Debian's package) or from
// RAPPORT_TEST_CHROMIUM. Without it the tests skip, unless
// RAPPORT_TEST_BROWSER_REQUIRED=1, when they fail.
package browsertest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
)

const (
	// Timeout bounds everything one page does, from opening it to its last
	// step, so a hung page fails its test instead of the whole run.
	Timeout = 60 * time.Second
	// StepTimeout bounds one step, so a selector that never matches fails
	// quickly and names itself rather than using up the whole Timeout.
	StepTimeout = 10 * time.Second
	// launchTimeout bounds Chromium's start.
	launchTimeout = 20 * time.Second
)

// ScreenshotDir is where pages save their screenshots, relative to the
// package directory that go test runs in. It is git-ignored.
const ScreenshotDir = "screenshots"

// Viewport is the size of the window a page is shown in.
type Viewport struct {
	Width, Height int64
	// Mobile makes Chromium behave as a phone: the meta viewport applies and
	// the page gets touch events.
	Mobile bool
}

var (
	// Desktop is a common laptop window.
	Desktop = Viewport{Width: 1280, Height: 800}
	// Phone is a small Android phone, the narrowest screen Rapport designs for.
	Phone = Viewport{Width: 360, Height: 740, Mobile: true}
)

// Browser is one Chromium process, shared by the pages of one test.
type Browser struct {
	ctx context.Context
}

// ChromiumPath returns the Chromium the tests run: RAPPORT_TEST_CHROMIUM
// (a path or a command name) or Debian's /usr/bin/chromium.
func ChromiumPath() (string, error) {
	want := os.Getenv("RAPPORT_TEST_CHROMIUM")
	if want == "" {
		want = "/usr/bin/chromium"
	}
	return exec.LookPath(want)
}

// Launch starts a headless Chromium for t and its subtests and stops it when
// t ends. It skips t when Chromium is not installed, or fails it when
// RAPPORT_TEST_BROWSER_REQUIRED=1.
func Launch(t *testing.T) *Browser {
	t.Helper()
	path, err := ChromiumPath()
	if err != nil {
		msg := fmt.Sprintf("browser tests need Chromium: %v. Install it with `apt-get install chromium`, "+
			"or set RAPPORT_TEST_CHROMIUM to a Chromium binary", err)
		if os.Getenv("RAPPORT_TEST_BROWSER_REQUIRED") == "1" {
			t.Fatal(msg)
		}
		t.Skip(msg + " (set RAPPORT_TEST_BROWSER_REQUIRED=1 to fail instead of skipping)")
	}

	// The flags are the ones known to work on the machines the tests run
	// on: as root Chromium needs --no-sandbox, and without the
	// background-networking flags it keeps dialling Google's hosts through
	// a closed network. Without a UserDataDir option, ExecAllocator gives
	// each launch a new, empty --user-data-dir and removes it once the
	// browser and its children have exited.
	out := &lockedBuffer{}
	opts := append(slices.Clone(chromedp.DefaultExecAllocatorOptions[:]),
		chromedp.ExecPath(path),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.WindowSize(int(Desktop.Width), int(Desktop.Height)),
		chromedp.CombinedOutput(out),
	)
	// Not t.Context(): it ends before cleanups run, and the pages' cleanups
	// still need the browser to save a screenshot of a failure.
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelBrowser := chromedp.NewContext(allocCtx)
	t.Cleanup(func() {
		cancelBrowser()
		cancelAlloc() // waits until Chromium has exited
	})

	// The first Do starts the browser and ties its life to the context it
	// is given, so the launch is bounded from outside rather than with a
	// deadline on that context.
	started := make(chan error, 1)
	go func() { started <- chromedp.Do(ctx) }()
	select {
	case err := <-started:
		if err != nil {
			t.Fatalf("start Chromium %s: %v\n%s", path, err, out)
		}
	case <-time.After(launchTimeout):
		cancelBrowser()
		t.Fatalf("Chromium %s did not start within %s\n%s", path, launchTimeout, out)
	}
	return &Browser{ctx: ctx}
}

// Page is one browser tab in a browser context of its own (its own cookies
// and storage), opened on a Rapport server.
type Page struct {
	t    *testing.T
	ctx  context.Context
	base string
	vp   Viewport
	shot int // screenshots taken, to number them in journey order

	mu       sync.Mutex
	log      []string                     // everything the page reported, printed when the test fails
	problems []string                     // what fails the test
	reported int                          // problems already reported
	allowed  []allowance                  // HTTP errors the test expects
	requests map[network.RequestID]string // request URLs, to name failed loads
	step     string                       // the step the page is at, to place what it reports
}

type allowance struct {
	status int
	path   string
}

// Open opens a page on the server at baseURL (such as apptest.Server.URL)
// with the given viewport. The page closes when t ends, after its problems
// are checked, and, when t failed, after a screenshot of where it stopped.
func (b *Browser) Open(t *testing.T, baseURL string, vp Viewport) *Page {
	t.Helper()
	p := &Page{t: t, base: strings.TrimRight(baseURL, "/"), vp: vp, requests: map[network.RequestID]string{}, step: "open"}
	clearScreenshots(t)

	ctx, cancelTimeout := context.WithTimeout(b.ctx, Timeout)
	ctx, cancelTab := chromedp.NewContext(ctx, chromedp.WithNewBrowserContext(), chromedp.WithListener(p.listen))
	p.ctx = ctx
	t.Cleanup(func() {
		p.finish()
		cancelTab()
		cancelTimeout()
	})

	emulate := []chromedp.EmulateViewportOption{}
	if vp.Mobile {
		emulate = append(emulate, chromedp.EmulateMobile, chromedp.EmulateTouch)
	}
	if err := chromedp.Do(ctx); err != nil { // opens the tab
		t.Fatalf("open a tab: %v", err)
	}
	p.do("set the viewport", chromedp.EmulateViewport(vp.Width, vp.Height, emulate...),
		chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
			_, err := cdp.Call(ctx, tg, page.BringToFront, cdp.Empty{})
			return err
		}))
	return p
}

// URL returns the absolute URL of a path on the page's server.
func (p *Page) URL(path string) string { return p.base + path }

// Go loads a path and returns the HTTP status of the page it ends on, after
// redirects.
func (p *Page) Go(path string) int {
	p.t.Helper()
	p.setStep("go " + path)
	resp, err := run(p, chromedp.NavigateResponse(p.URL(path)))
	if err != nil {
		p.t.Fatalf("go to %s: %v", path, p.explain(err))
	}
	return int(resp.Status)
}

// Click clicks the first element that sel (CSS) matches, once it is visible.
// For a click that loads another page, use ClickAndLoad.
func (p *Page) Click(sel string) {
	p.t.Helper()
	p.setStep("click " + sel)
	ctx, cancel := context.WithTimeout(p.ctx, StepTimeout)
	defer cancel()
	var err error
	for range 3 {
		if err = chromedp.Do(ctx, chromedp.Click(chromedp.CSS(sel))); !swappedOut(err) {
			break
		}
	}
	if err != nil {
		p.t.Fatalf("click %s: %v", sel, p.explain(err))
	}
}

// ClickAndLoad clicks the element and waits until the page it leads to has
// loaded, such as a link or a form's submit button. It returns the HTTP
// status of that page, after redirects.
func (p *Page) ClickAndLoad(sel string) int {
	p.t.Helper()
	p.setStep("click " + sel)
	ctx, cancel := context.WithTimeout(p.ctx, StepTimeout)
	defer cancel()
	// A click can miss the navigation when htmx swaps the element out
	// from under it (search-as-you-type re-rendering its results on a
	// slow machine): RunResponse then reports no response, or Chromium
	// no longer knows the node it found. Click again, a few times, before
	// calling it a failure.
	for range 3 {
		resp, err := chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS(sel)))
		if swappedOut(err) {
			continue
		}
		if err != nil {
			p.t.Fatalf("click %s and wait for the next page: %v", sel, p.explain(err))
		}
		if resp != nil {
			return int(resp.Status)
		}
	}
	p.t.Fatalf("click %s: no page loaded after three clicks", sel)
	return 0
}

// swappedOut reports whether a step failed because the element it had found
// left the document before it could act on it: htmx replaced it. Finding it
// again is what a person would do, so the step is retried.
func swappedOut(err error) bool {
	if err == nil {
		return false
	}
	msg := err.Error()
	return strings.Contains(msg, "Could not find node with given id") ||
		strings.Contains(msg, "No node with given id found") ||
		strings.Contains(msg, "Node is detached from document")
}

// Fill replaces the value of an input or text area by typing text into it,
// key by key, as a user would.
func (p *Page) Fill(sel, text string) {
	p.t.Helper()
	// Emptied by script, not chromedp.Clear: Clear fails on an empty text
	// area, which has no text node to remove.
	if !Eval[bool](p, call(`function (sel) { var e = document.querySelector(sel); if (!e) return false; e.value = ""; return true; }`, sel)) {
		p.t.Fatalf("fill %s: no such element", sel)
	}
	p.do("fill "+sel, chromedp.SendKeys(chromedp.CSS(sel), text))
}

// Upload chooses files for a file input, as a person picking them in the
// file dialog would.
func (p *Page) Upload(sel string, paths ...string) {
	p.t.Helper()
	p.do("choose files for "+sel, chromedp.SetUploadFiles(chromedp.CSS(sel), paths))
}

// Press sends keys to the element that has the focus, such as kb.Tab.
func (p *Page) Press(keys string) {
	p.t.Helper()
	p.do(fmt.Sprintf("press %q", keys), chromedp.KeyEvent(keys))
}

// Value returns the current value of a form control.
func (p *Page) Value(sel string) string {
	p.t.Helper()
	return runStep(p, "read the value of "+sel, chromedp.Value(chromedp.CSS(sel)))
}

// Text returns the visible text of an element, whitespace collapsed.
func (p *Page) Text(sel string) string {
	p.t.Helper()
	s := runStep(p, "read the text of "+sel, chromedp.Text(chromedp.CSS(sel)))
	return strings.Join(strings.Fields(s), " ")
}

// Path returns the path and query of the page's current URL.
func (p *Page) Path() string {
	p.t.Helper()
	loc := runStep(p, "read the location", chromedp.Location())
	u, err := url.Parse(loc)
	if err != nil {
		p.t.Fatalf("parse location %q: %v", loc, err)
	}
	return u.RequestURI()
}

// isVisibleJS reports whether an element is rendered where a user could
// see it: not display:none, visibility:hidden or transparent, not of zero
// size, and not moved off the page to the left or top (as a skip link
// waiting for focus is).
const isVisibleJS = `(el) => {
	if (!el) return false;
	const r = el.getBoundingClientRect();
	const s = getComputedStyle(el);
	return r.width > 0 && r.height > 0 && s.visibility !== "hidden" && s.opacity !== "0" &&
		r.right + scrollX > 0 && r.bottom + scrollY > 0;
}`

// Visible reports whether the first element sel matches is visible now. It
// does not wait: a missing element is not visible.
func (p *Page) Visible(sel string) bool {
	p.t.Helper()
	return Eval[bool](p, call(`(sel) => (`+isVisibleJS+`)(document.querySelector(sel))`, sel))
}

// VisibleTexts returns the text of each element sel matches that is
// visible now, in document order: the links a menu shows, say.
func (p *Page) VisibleTexts(sel string) []string {
	p.t.Helper()
	return Eval[[]string](p, call(`(sel) => [...document.querySelectorAll(sel)]
		.filter(`+isVisibleJS+`)
		.map(el => el.textContent.trim().replace(/\s+/g, " "))`, sel))
}

// Focused describes the element that has the keyboard focus, as
// "tag#id.class: text".
func (p *Page) Focused() string {
	p.t.Helper()
	return Eval[string](p, `(() => {
		const el = document.activeElement;
		if (!el || el === document.body) return "body";
		return el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") +
			(el.classList.length ? "." + [...el.classList].join(".") : "") + ": " + el.textContent.trim().slice(0, 40);
	})()`)
}

// Overflow is the width of the page's content when it is wider than the
// viewport, with the elements that stick out on the right; a zero width
// means the page fits.
type Overflow struct {
	ScrollWidth, ViewportWidth int
	Culprits                   []string
}

// Overflow measures whether anything makes the page scroll sideways.
func (p *Page) Overflow() Overflow {
	p.t.Helper()
	return Eval[Overflow](p, `(() => {
		const doc = document.documentElement, w = doc.clientWidth;
		const culprits = [];
		for (const el of document.querySelectorAll("body *")) {
			const r = el.getBoundingClientRect();
			if (r.width > 0 && r.right > w + 0.5) {
				culprits.push(el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") +
					(el.classList.length ? "." + [...el.classList].join(".") : "") +
					" (" + Math.round(r.left) + "–" + Math.round(r.right) + "px)");
			}
		}
		return {ScrollWidth: doc.scrollWidth, ViewportWidth: w, Culprits: culprits.slice(0, 10)};
	})()`)
}

// CheckFits fails the test when the page is wider than the viewport, so a
// phone user would have to scroll sideways.
func (p *Page) CheckFits() {
	p.t.Helper()
	if o := p.Overflow(); o.ScrollWidth > int(p.vp.Width) || o.ScrollWidth > o.ViewportWidth {
		p.t.Errorf("%s: the page is %dpx wide in a %dpx viewport; too wide: %s",
			p.Path(), o.ScrollWidth, p.vp.Width, strings.Join(o.Culprits, ", "))
	}
}

// Cookie returns the page's cookie of that name, if it has one.
func (p *Page) Cookie(name string) (*network.Cookie, bool) {
	p.t.Helper()
	res := runStep(p, "read cookies", func(ctx context.Context, tg *chromedp.Target) (network.GetCookiesResult, error) {
		return cdp.Call(ctx, tg, network.GetCookies, network.GetCookiesParams{URLs: []string{p.base + "/"}})
	})
	for _, c := range res.Cookies {
		if c.Name == name {
			return c, true
		}
	}
	return nil, false
}

// SignIn signs in through the sign-in form and fails the test unless that
// ends on a page of the app.
func (p *Page) SignIn(email, password string) {
	p.t.Helper()
	p.Go("/signin")
	p.Fill("#f-email", email)
	p.Fill("#f-password", password)
	if status := p.ClickAndLoad("form[action='/signin'] button[type=submit]"); status != 200 {
		p.t.Fatalf("sign in as %s: ended on %s with status %d: %s", email, p.Path(), status, p.Text("main"))
	}
}

// AllowStatus tells the page that a response with this status for this path
// is expected, such as a 404 page or a form answered with 422, so it does not
// fail the test.
func (p *Page) AllowStatus(status int, path string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.allowed = append(p.allowed, allowance{status, path})
}

// Screenshot saves the whole page as
// screenshots/<test>-<subtest>-<nn>-<step>.png and reports any problem the
// page had since the last check.
func (p *Page) Screenshot(step string) {
	p.t.Helper()
	p.shot++
	step = fmt.Sprintf("%02d-%s", p.shot, step)
	p.setStep("screenshot " + step)
	if err := p.saveScreenshot(p.ctx, step); err != nil {
		p.t.Fatalf("screenshot %s: %v", step, err)
	}
	p.CheckProblems()
}

func (p *Page) saveScreenshot(ctx context.Context, step string) error {
	ctx, cancel := context.WithTimeout(ctx, StepTimeout)
	defer cancel()
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		return err
	}
	if err := os.MkdirAll(ScreenshotDir, 0o755); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(ScreenshotDir, screenshotPrefix(p.t)+step+".png"), png, 0o644)
}

// CheckProblems fails the test (without stopping it) for each problem the
// page reported since the last check: console errors, uncaught exceptions,
// CSP violations, failed loads and HTTP errors not allowed with AllowStatus.
// Screenshot checks too, and so does the end of the test.
func (p *Page) CheckProblems() {
	p.t.Helper()
	for _, msg := range p.TakeProblems() {
		p.t.Errorf("the page reported a problem: %s", msg)
	}
}

// TakeProblems returns the problems the page reported since the last check
// and marks them checked, for a test that expects some.
func (p *Page) TakeProblems() []string {
	p.t.Helper()
	p.sync()
	p.mu.Lock()
	defer p.mu.Unlock()
	news := slices.Clone(p.problems[p.reported:])
	p.reported = len(p.problems)
	return news
}

// Eval evaluates a JavaScript expression in the page and decodes its result
// (JSON) into T.
func Eval[T any](p *Page, js string) T {
	p.t.Helper()
	return runStep(p, "evaluate "+firstLine(js), chromedp.Evaluate[T](js))
}

// call makes the expression that calls a JavaScript function with Go values
// as its arguments.
func call(fn string, args ...any) string {
	var b strings.Builder
	b.WriteString("(" + fn + ")(")
	for i, a := range args {
		j, _ := json.Marshal(a)
		if i > 0 {
			b.WriteString(", ")
		}
		b.Write(j)
	}
	b.WriteString(")")
	return b.String()
}

// do runs steps that return nothing, bounded by StepTimeout.
func (p *Page) do(what string, steps ...chromedp.Action[chromedp.Void]) {
	p.t.Helper()
	p.setStep(what)
	ctx, cancel := context.WithTimeout(p.ctx, StepTimeout)
	defer cancel()
	if err := chromedp.Do(ctx, steps...); err != nil {
		p.t.Fatalf("%s: %v", what, p.explain(err))
	}
}

func runStep[T any](p *Page, what string, a chromedp.Action[T]) T {
	p.t.Helper()
	v, err := run(p, a)
	if err != nil {
		p.t.Fatalf("%s: %v", what, p.explain(err))
	}
	return v
}

// explain turns a step's deadline into what it most often means.
func (p *Page) explain(err error) error {
	switch {
	case !errors.Is(err, context.DeadlineExceeded):
		return err
	case p.ctx.Err() != nil:
		return fmt.Errorf("the page's time limit of %s has passed: %w", Timeout, err)
	default:
		return fmt.Errorf("not done within %s: is there a visible element that matches? (%w)", StepTimeout, err)
	}
}

func run[T any](p *Page, a chromedp.Action[T]) (T, error) {
	ctx, cancel := context.WithTimeout(p.ctx, StepTimeout)
	defer cancel()
	return chromedp.Run(ctx, a)
}

// sync waits until Chromium has delivered every event it sent so far: the
// listener sees events in order, before the reply to a later command.
func (p *Page) sync() {
	if p.ctx.Err() != nil {
		return
	}
	_, _ = run(p, chromedp.Evaluate[chromedp.Void]("0"))
}

func (p *Page) setStep(s string) {
	p.mu.Lock()
	p.step = s
	p.mu.Unlock()
}

// finish checks the page one last time when its test ends and, when the test
// failed, saves where the page stopped and prints all it reported.
func (p *Page) finish() {
	t := p.t
	if p.ctx.Err() == nil {
		p.CheckProblems()
	}
	if !t.Failed() {
		return
	}
	if p.ctx.Err() == nil {
		if err := p.saveScreenshot(p.ctx, "failed"); err != nil {
			t.Logf("screenshot of the failure: %v", err)
		} else {
			t.Logf("the page as it was when the test failed: %s", filepath.Join(ScreenshotDir, screenshotPrefix(t)+"failed.png"))
		}
	} else {
		t.Logf("the page's %s deadline has passed: %v", Timeout, p.ctx.Err())
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(p.log) == 0 {
		t.Log("the browser reported nothing: no console messages and no HTTP errors")
		return
	}
	t.Logf("what the browser reported, in order:\n  %s", strings.Join(p.log, "\n  "))
}

// listen records what the page reports. Chromium calls it in the tab's
// event loop, in order, so it must be quick and send no command.
func (p *Page) listen(ev any) {
	p.mu.Lock()
	defer p.mu.Unlock()
	switch ev := ev.(type) {
	case *runtime.EventConsoleAPICalled:
		p.note(ev.Type == runtime.ConsoleAPICalledTypeError || ev.Type == runtime.ConsoleAPICalledTypeAssert,
			"console.%s: %s", ev.Type, remoteText(ev.Args))
	case *runtime.EventExceptionThrown:
		p.note(true, "uncaught exception: %s", exceptionText(ev.ExceptionDetails))
	case *log.EventEntryAdded:
		e := ev.Entry
		// Chromium logs every HTTP error as a network error too; those are
		// judged by their responses below, where a test can expect them.
		fails := e.Source == log.EntrySourceSecurity || (e.Level == log.EntryLevelError && e.Source != log.EntrySourceNetwork)
		p.note(fails, "%s %s: %s%s", e.Source, e.Level, e.Text, at(e.URL))
	case *network.EventRequestWillBeSent:
		p.requests[ev.RequestID] = ev.Request.URL
	case *network.EventResponseReceived:
		r := ev.Response
		if r.Status < 400 {
			return
		}
		if p.expected(int(r.Status), r.URL) {
			p.note(false, "HTTP %d %s (%s, expected)", r.Status, r.URL, ev.Type)
			return
		}
		p.note(true, "HTTP %d %s (%s)", r.Status, r.URL, ev.Type)
	case *network.EventLoadingFailed:
		// A load cancelled by the next navigation is not a failure.
		if ev.Canceled && ev.BlockedReason == "" {
			return
		}
		reason := ev.ErrorText
		if ev.BlockedReason != "" {
			reason += ", blocked: " + string(ev.BlockedReason)
		}
		p.note(true, "failed to load %s (%s): %s", p.requests[ev.RequestID], ev.Type, reason)
	}
}

// note records a message; mu is held.
func (p *Page) note(fails bool, format string, args ...any) {
	msg := fmt.Sprintf(format, args...) + " [during " + p.step + "]"
	p.log = append(p.log, msg)
	if fails {
		p.problems = append(p.problems, msg)
	}
}

// expected reports whether the test allowed this HTTP error; mu is held.
func (p *Page) expected(status int, rawURL string) bool {
	u, err := url.Parse(rawURL)
	if err != nil {
		return false
	}
	return slices.Contains(p.allowed, allowance{status, u.Path})
}

func remoteText(args []*runtime.RemoteObject) string {
	parts := make([]string, 0, len(args))
	for _, a := range args {
		switch {
		case a.Type == runtime.RemoteObjectTypeString:
			var s string
			if json.Unmarshal([]byte(a.Value), &s) == nil {
				parts = append(parts, s)
				continue
			}
			parts = append(parts, string(a.Value))
		case a.Description != "":
			parts = append(parts, a.Description)
		case len(a.Value) > 0:
			parts = append(parts, string(a.Value))
		default:
			parts = append(parts, string(a.Type))
		}
	}
	return strings.Join(parts, " ")
}

func exceptionText(d *runtime.ExceptionDetails) string {
	if d == nil {
		return "(no details)"
	}
	text := d.Text
	if d.Exception != nil && d.Exception.Description != "" {
		text += " " + d.Exception.Description
	}
	return text + at(fmt.Sprintf("%s:%d:%d", d.URL, d.LineNumber+1, d.ColumnNumber+1))
}

func at(where string) string {
	if where == "" || strings.HasPrefix(where, ":") {
		return ""
	}
	return " (at " + where + ")"
}

func firstLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i] + " …"
	}
	return s
}

var unsafeName = regexp.MustCompile(`[^A-Za-z0-9_.-]+`)

// screenshotPrefix names a test's screenshots: TestSetup/sqlite becomes
// "TestSetup-sqlite-".
func screenshotPrefix(t *testing.T) string {
	return unsafeName.ReplaceAllString(t.Name(), "-") + "-"
}

var cleared sync.Map // test names whose old screenshots are gone

// clearScreenshots removes what an earlier run of the same test saved, so
// the folder shows this run only, even when steps were renamed.
func clearScreenshots(t *testing.T) {
	if _, done := cleared.LoadOrStore(t.Name(), true); done {
		return
	}
	old, _ := filepath.Glob(filepath.Join(ScreenshotDir, screenshotPrefix(t)+"*.png"))
	for _, f := range old {
		if err := os.Remove(f); err != nil && !errors.Is(err, os.ErrNotExist) {
			t.Logf("remove old screenshot: %v", err)
		}
	}
}

// lockedBuffer collects Chromium's output, written from another goroutine.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
