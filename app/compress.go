package app

import (
	"bufio"
	"fmt"
	"io"
	"net/http"
	"sync"

	"github.com/klauspost/compress/gzhttp"
	"github.com/klauspost/compress/gzhttp/writer"
	"github.com/klauspost/compress/gzip"
	"github.com/labstack/echo/v4"
)

// gzipBlockSize is how much of a response is gathered before it is
// compressed. A stateless compressor keeps no window between writes, and
// templ writes in pieces of ~40 bytes: compressed one by one they grow
// (12,000 bytes of a page became 15,020). Gathered into 32 KB blocks, most
// pages compress in one piece.
const gzipBlockSize = 32 << 10

// gzipResponses compresses responses of 1 KB or more for clients that accept
// gzip, holding only a small buffer per response in flight.
//
// echo's Gzip middleware holds a compress/flate writer, ~1.2 MB at level 1,
// for every response in flight: under load that was 79 of the server's
// 97 MB of live heap. gzhttp (klauspost/compress) buffers below its minimum
// size without taking a compressor, leaves alone responses that are already
// compressed (by Content-Encoding or type), partial (206) or bodiless (HEAD,
// 304), and keeps Vary and Content-Length right; behind it, klauspost's
// stateless gzip needs only the block buffer while a response is written.
func gzipResponses() echo.MiddlewareFunc {
	blocks := &statelessGzip{}
	wrap, err := gzhttp.NewWrapper(
		gzhttp.MinSize(1024),
		// zstd would hold an encoder per response, which is what this
		// middleware exists to avoid.
		gzhttp.EnableZstd(false),
		gzhttp.CompressionLevel(gzip.StatelessCompression),
		gzhttp.Implementation(writer.GzipWriterFactory{Levels: blocks.levels, New: blocks.newWriter}),
	)
	if err != nil {
		// The options are constants; only a programming error gets here.
		panic(fmt.Sprintf("gzip middleware options: %v", err))
	}
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			var err error
			res := c.Response()
			wrap(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
				plain := res.Writer
				res.Writer = w
				defer func() { res.Writer = plain }()
				err = next(c)
				if err != nil {
					// echo renders an error after the whole chain returns,
					// by when the compressor has closed: render it now, so
					// the error page is compressed like any other. Callers
					// above see the error still; the handler writes once.
					c.Error(err)
				}
			})).ServeHTTP(res.Writer, c.Request())
			return err
		}
	}
}

// statelessGzip makes gzip writers that compress each block on its own and
// so keep no compressor state between writes, reusing their buffers.
type statelessGzip struct{ pool sync.Pool }

func (*statelessGzip) levels() (minLevel, maxLevel int) {
	return gzip.StatelessCompression, gzip.StatelessCompression
}

func (s *statelessGzip) newWriter(w io.Writer, _ int) writer.GzipWriter {
	b, ok := s.pool.Get().(*blockGzipWriter)
	if !ok {
		gz, _ := gzip.NewWriterLevel(nil, gzip.StatelessCompression) // a valid level never fails
		b = &blockGzipWriter{gz: gz, buf: bufio.NewWriterSize(gz, gzipBlockSize), pool: &s.pool}
	}
	b.gz.Reset(w)
	b.buf.Reset(b.gz)
	return b
}

// blockGzipWriter gathers writes into blocks for a stateless gzip writer.
type blockGzipWriter struct {
	gz   *gzip.Writer
	buf  *bufio.Writer
	pool *sync.Pool
}

func (b *blockGzipWriter) Write(p []byte) (int, error) { return b.buf.Write(p) }

// Flush sends what is gathered, so a streamed response (an export flushing
// each batch) reaches the client as it is produced.
func (b *blockGzipWriter) Flush() error {
	if err := b.buf.Flush(); err != nil {
		return fmt.Errorf("gzip flush: %w", err)
	}
	return b.gz.Flush()
}

// Close ends the gzip stream and returns the writer to the pool; gzhttp
// never uses it again.
func (b *blockGzipWriter) Close() error {
	err := b.buf.Flush()
	if cerr := b.gz.Close(); err == nil {
		err = cerr
	}
	// Drop the response writer so the pooled writer does not keep it alive.
	b.gz.Reset(io.Discard)
	b.buf.Reset(io.Discard)
	b.pool.Put(b)
	if err != nil {
		return fmt.Errorf("gzip close: %w", err)
	}
	return nil
}
