package csvio

import (
	"bytes"
	"io"
	"testing"
	"time"

	"rapport/models"
)

// BenchmarkReadCSV reads a 100,000-row Google-style file (quoted
// multi-line notes, UTF-8) and reports rows per second.
func BenchmarkReadCSV(b *testing.B) {
	const rows = 100_000
	data, err := io.ReadAll(&rowSource{n: rows})
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		r, err := Open(bytes.NewReader(data), ReadOptions{})
		if err != nil {
			b.Fatal(err)
		}
		n := 0
		for {
			_, err := r.Read()
			if err == io.EOF {
				break
			}
			if err != nil {
				b.Fatal(err)
			}
			n++
		}
		if n != rows {
			b.Fatalf("read %d rows", n)
		}
	}
	b.ReportMetric(float64(rows*b.N)/b.Elapsed().Seconds(), "rows/s")
}

// BenchmarkMapRow maps rows of that file to requests, phone and email
// checks included.
func BenchmarkMapRow(b *testing.B) {
	data, _ := io.ReadAll(&rowSource{n: 1000})
	r, err := Open(bytes.NewReader(data), ReadOptions{})
	if err != nil {
		b.Fatal(err)
	}
	var recs []Record
	for {
		rec, err := r.Read()
		if err != nil {
			break
		}
		rec.Fields = append([]string(nil), rec.Fields...)
		recs = append(recs, rec)
	}
	m := Suggest(r.Header())
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		if _, errs := Map(recs[i%len(recs)], m); len(errs) > 0 {
			b.Fatal(errs)
		}
		i++
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "rows/s")
}

// BenchmarkWriteCSV writes full contacts with every default column.
func BenchmarkWriteCSV(b *testing.B) {
	c := roundTripContacts()[0]
	c.CreatedAt = time.Now()
	contacts := []models.Contact{c, roundTripContacts()[1], roundTripContacts()[3]}
	w, err := NewWriter(io.Discard, WriterOptions{Columns: DefaultColumns("tier", "balance")})
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		if err := w.Write(contacts[i%len(contacts)]); err != nil {
			b.Fatal(err)
		}
		i++
	}
	if err := w.Flush(); err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "rows/s")
}
