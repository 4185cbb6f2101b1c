package app_test

import (
	"compress/gzip"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"

	"rapport/app"
	"rapport/app/apptest"
	"rapport/models"
	"rapport/models/dbtest"
)

// rawGet fetches path asking for the given Accept-Encoding and returns the
// response as sent (Go's client decodes gzip itself only when it asked).
func rawGet(t *testing.T, srv *apptest.Server, c *apptest.Client, method, path, acceptEncoding string) *apptest.Response {
	t.Helper()
	req, err := http.NewRequestWithContext(context.Background(), method, srv.URL+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Accept-Encoding", acceptEncoding)
	return c.Do(req)
}

// gunzip decodes a gzip body, failing the test on a damaged stream.
func gunzip(t *testing.T, body string) string {
	t.Helper()
	zr, err := gzip.NewReader(strings.NewReader(body))
	if err != nil {
		t.Fatalf("gzip header: %v", err)
	}
	b, err := io.ReadAll(zr)
	if err != nil {
		t.Fatalf("gzip body: %v", err)
	}
	return string(b)
}

func TestResponsesGzipped(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *models.DB) {
		ctx := context.Background()
		srv := apptest.Start(t, db)
		c, u := srv.SignedIn(t, models.RoleMember, "Sales")
		tag := apptest.Unique("gz")
		ct, err := db.CreateContact(ctx, u.Actor("session"), models.ContactRequest{GivenName: "Gzip", FamilyName: tag, Tags: []string{tag}})
		if err != nil {
			t.Fatal(err)
		}
		page := fmt.Sprintf("/contacts/%d", ct.ID)

		plain := rawGet(t, srv, c, http.MethodGet, page, "identity")
		if plain.Status != http.StatusOK || plain.Header.Get("Content-Encoding") != "" || len(plain.Body) < 4096 {
			t.Fatalf("identity page: %d %q, %d bytes", plain.Status, plain.Header.Get("Content-Encoding"), len(plain.Body))
		}
		zipped := rawGet(t, srv, c, http.MethodGet, page, "gzip")
		if zipped.Status != http.StatusOK || zipped.Header.Get("Content-Encoding") != "gzip" ||
			!strings.Contains(zipped.Header.Get("Vary"), "Accept-Encoding") {
			t.Fatalf("gzip page: %d %v", zipped.Status, zipped.Header)
		}
		// Compressed in pieces without a window, the page would barely
		// shrink; whole, it comes to about a third.
		if len(zipped.Body)*2 > len(plain.Body) {
			t.Errorf("page compressed to %d of %d bytes; small writes are not being gathered", len(zipped.Body), len(plain.Body))
		}
		if got := gunzip(t, zipped.Body); got != plain.Body {
			t.Fatalf("decoded page differs from the identity page (%d vs %d bytes)", len(got), len(plain.Body))
		}

		// A HEAD answer has no body, so it must not claim an encoding (pages
		// have no HEAD route; the error handler answers it without a body).
		if h := rawGet(t, srv, c, http.MethodHead, page, "gzip"); h.Header.Get("Content-Encoding") != "" || h.Body != "" {
			t.Fatalf("HEAD: %d %v", h.Status, h.Header)
		}

		// Under 1 KB goes as it is.
		small := rawGet(t, srv, c, http.MethodGet, "/healthz", "gzip")
		if small.Status != http.StatusOK || small.Header.Get("Content-Encoding") != "" || len(small.Body) >= 1024 ||
			!strings.Contains(small.Header.Get("Vary"), "Accept-Encoding") {
			t.Fatalf("small response: %d %v %q", small.Status, small.Header, small.Body)
		}

		// Errors are rendered by echo's error handler after the handler
		// returns: they must still arrive whole, and compressed when large.
		api, _ := apiClient(t, srv, "bearer", models.RoleMember, "Sales")
		r := rawGet(t, srv, api, http.MethodGet, "/api/v1/contacts/999999999", "gzip")
		body := r.Body
		if r.Header.Get("Content-Encoding") == "gzip" {
			body = gunzip(t, body)
		}
		var p app.Problem
		if r.Status != http.StatusNotFound || r.Header.Get("Content-Type") != "application/problem+json" ||
			json.Unmarshal([]byte(body), &p) != nil || p.Status != http.StatusNotFound || p.Detail == "" {
			t.Fatalf("API 404: %d %v %q", r.Status, r.Header, body)
		}
		// The session middleware renders its routes' errors itself; a route
		// without a session (a missing asset, an unknown path) leaves it to
		// echo, after the middleware chain.
		for _, path := range []string{"/contacts/999999999", "/static/missing-" + tag + ".css", "/no-such-" + tag} {
			missing := rawGet(t, srv, c, http.MethodGet, path, "gzip")
			if missing.Status != http.StatusNotFound || missing.Header.Get("Content-Encoding") != "gzip" {
				t.Fatalf("%s: %d %v", path, missing.Status, missing.Header)
			}
			if got := gunzip(t, missing.Body); !strings.Contains(got, "Page not found") || !strings.Contains(got, "</html>") {
				t.Fatalf("%s decoded to:\n%.600s", path, got)
			}
		}

		// The export streams through the compressor and decodes whole.
		exp := rawGet(t, srv, c, http.MethodGet, "/export/contacts?format=csv&tag="+tag, "gzip")
		if exp.Status != http.StatusOK || !strings.HasPrefix(exp.Header.Get("Content-Type"), "text/csv") {
			t.Fatalf("export: %d %v", exp.Status, exp.Header)
		}
		csv := exp.Body
		if exp.Header.Get("Content-Encoding") == "gzip" {
			csv = gunzip(t, csv)
		}
		if !strings.Contains(csv, "Gzip") || !strings.Contains(csv, tag) {
			t.Fatalf("export decoded to:\n%s", csv)
		}
	})
}

// TestGzipFlushStreams checks that a flushed response reaches the client
// while the handler is still producing it, as the exports rely on.
func TestGzipFlushStreams(t *testing.T) {
	first := strings.Repeat("first batch of rows\n", 200)
	release := make(chan struct{})
	var once sync.Once
	done := func() { once.Do(func() { close(release) }) }
	t.Cleanup(done)

	e := echo.New()
	e.Use(app.GzipResponses())
	e.GET("/stream", func(c echo.Context) error {
		c.Response().Header().Set(echo.HeaderContentType, "text/csv")
		if _, err := io.WriteString(c.Response(), first); err != nil {
			return err
		}
		c.Response().Flush()
		<-release
		_, err := io.WriteString(c.Response(), "last row\n")
		return err
	})
	ts := httptest.NewServer(e)
	t.Cleanup(ts.Close)

	req, _ := http.NewRequestWithContext(context.Background(), http.MethodGet, ts.URL+"/stream", nil)
	req.Header.Set("Accept-Encoding", "gzip")
	resp, err := (&http.Client{Transport: &http.Transport{DisableCompression: true}}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.Header.Get("Content-Encoding") != "gzip" {
		t.Fatalf("not gzipped: %v", resp.Header)
	}
	got := make(chan error, 1)
	zr, err := gzip.NewReader(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	go func() {
		buf := make([]byte, len(first))
		_, err := io.ReadFull(zr, buf)
		if err == nil && string(buf) != first {
			err = fmt.Errorf("first batch decoded wrong")
		}
		got <- err
	}()
	select {
	case err := <-got:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the flushed batch did not arrive while the handler was still writing")
	}
	done()
	rest, err := io.ReadAll(zr)
	if err != nil || string(rest) != "last row\n" {
		t.Fatalf("rest %q, %v", rest, err)
	}
}

// BenchmarkGzipInFlight measures what the compression middleware costs per
// response: the live heap each response in flight holds (64 responses write
// the page over loopback and wait; the heap is read after a collection), the
// CPU of one response, and the bytes sent. The page is BenchmarkContactPage's,
// written whole as Server.render does or in the ~40-byte pieces templ writes
// to an unbuffered writer.
func BenchmarkGzipInFlight(b *testing.B) {
	page := contactPageHTML(b)
	for _, mw := range []struct {
		name string
		use  echo.MiddlewareFunc
	}{
		{"none", func(next echo.HandlerFunc) echo.HandlerFunc { return next }},
		{"echo-stdlib-level1", middleware.GzipWithConfig(middleware.GzipConfig{Level: 1, MinLength: 1024})},
		{"gzhttp-stateless-32k", app.GzipResponses()},
	} {
		for _, chunk := range []int{len(page), 40} {
			b.Run(fmt.Sprintf("%s/writes=%d", mw.name, chunk), func(b *testing.B) {
				benchInFlight(b, mw.use, page, chunk)
			})
		}
	}
}

func benchInFlight(b *testing.B, use echo.MiddlewareFunc, page []byte, chunk int) {
	const inFlight = 64
	var started sync.WaitGroup
	release := make(chan struct{})
	e := echo.New()
	e.Use(use)
	write := func(c echo.Context) {
		c.Response().Header().Set(echo.HeaderContentType, echo.MIMETextHTMLCharsetUTF8)
		for p := page; len(p) > 0; {
			n := min(chunk, len(p))
			_, _ = c.Response().Write(p[:n])
			p = p[n:]
		}
	}
	e.GET("/page", func(c echo.Context) error { write(c); return nil })
	e.GET("/slow", func(c echo.Context) error {
		write(c)
		started.Done()
		<-release
		return nil
	})
	ts := httptest.NewServer(e)
	defer ts.Close()
	client := &http.Client{Transport: &http.Transport{DisableCompression: true, MaxIdleConnsPerHost: inFlight}}
	get := func(path string) int {
		req, _ := http.NewRequestWithContext(context.Background(), http.MethodGet, ts.URL+path, nil)
		req.Header.Set("Accept-Encoding", "gzip")
		resp, err := client.Do(req)
		if err != nil {
			b.Error(err)
			return 0
		}
		defer resp.Body.Close()
		n, _ := io.Copy(io.Discard, resp.Body)
		return int(n)
	}
	size := get("/page")

	live := func() uint64 {
		runtime.GC()
		runtime.GC()
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		return m.HeapAlloc
	}
	base := live()
	started.Add(inFlight)
	var finished sync.WaitGroup
	for range inFlight {
		finished.Go(func() { get("/slow") })
	}
	started.Wait()
	held := live()
	close(release)
	finished.Wait()

	// The CPU of one response, without the network's noise.
	for b.Loop() {
		req := httptest.NewRequest(http.MethodGet, "/page", nil)
		req.Header.Set("Accept-Encoding", "gzip")
		e.ServeHTTP(httptest.NewRecorder(), req)
	}
	b.ReportMetric(float64(int64(held)-int64(base))/inFlight/1024, "live-KB/response")
	b.ReportMetric(float64(size), "sent-bytes")
}

// contactPageHTML is the HTML of BenchmarkContactPage's contact page (Go's
// client asks for gzip and decodes it).
func contactPageHTML(b *testing.B) []byte {
	c, path := contactPageFixture(b, dbtest.Shared(b, dbtest.Dialects[0]))
	r := c.Get(path)
	if r.Status != http.StatusOK {
		b.Fatalf("contact page: %d", r.Status)
	}
	return []byte(r.Body)
}
