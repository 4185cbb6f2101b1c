package vcardio

import (
	"bytes"
	"io"
	"testing"
)

// BenchmarkReadVCard reads and maps cards as Apple writes them, photo
// included (skipped), and reports cards per second.
func BenchmarkReadVCard(b *testing.B) {
	one, err := io.ReadAll(open(b, "apple.vcf"))
	if err != nil {
		b.Fatal(err)
	}
	data := bytes.Repeat(one, 1000) // 2,000 people and 1,000 groups
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	cards := 0
	for b.Loop() {
		r := NewReader(bytes.NewReader(data), ReadOptions{})
		for {
			c, err := r.Read()
			if err == io.EOF {
				break
			}
			if err != nil {
				continue // the group card
			}
			Map(c, "GB")
			cards++
		}
	}
	b.ReportMetric(float64(cards)/b.Elapsed().Seconds(), "cards/s")
}

// BenchmarkWriteVCard writes full contacts as vCard 4.0.
func BenchmarkWriteVCard(b *testing.B) {
	contacts := roundTripContacts()
	w, _ := NewWriter(io.Discard, WriterOptions{})
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		if err := w.Write(contacts[i%len(contacts)]); err != nil {
			b.Fatal(err)
		}
		i++
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "cards/s")
}
