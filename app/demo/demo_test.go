package demo_test

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"rapport/app/demo"
	"rapport/models"
	"rapport/models/dbtest"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

// TestGenerateWritesContactsAndHistories fills a database and reads it back
// through the model API: every contact, its history and the heavy contact.
func TestGenerateWritesContactsAndHistories(t *testing.T) {
	dbtest.EachFresh(t, func(t *testing.T, db *models.DB, _ string) {
		ctx := context.Background()
		if err := demo.Generate(ctx, db, demo.Options{Contacts: 1200, InteractionsPerItem: 4, HeavyItems: 6000, Seed: 3}); err != nil {
			t.Fatal(err)
		}
		u, err := db.UserByEmail(ctx, "dana.demo@example.com")
		if err != nil {
			t.Fatal(err)
		}
		a := u.Actor("session")
		if n, err := db.CountContacts(ctx, a, models.ContactListOptions{}); err != nil || n != 1201 {
			t.Fatalf("%d contacts, %v; want 1,200 and the heavy one", n, err)
		}
		page, err := db.Contacts(ctx, a, models.ContactListOptions{Email: "contact1199@example.net", Limit: 2})
		if err != nil || len(page.Contacts) != 1 {
			t.Fatalf("last contact: %+v %v", page, err)
		}
		heavy, err := db.Contacts(ctx, a, models.ContactListOptions{Query: "Heavy History", Limit: 2})
		if err != nil || len(heavy.Contacts) != 1 {
			t.Fatalf("heavy contact: %+v %v", heavy, err)
		}
		counts, err := db.TimelineCounts(ctx, a, heavy.Contacts[0].ID)
		if err != nil || counts[models.TimelineInteraction] != 6000 {
			t.Fatalf("heavy history: %v %v", counts, err)
		}
		// Histories are skewed: some contacts have none, some several.
		var none, many int
		for id := page.Contacts[0].ID - 200; id <= page.Contacts[0].ID; id++ {
			c, err := db.TimelineCounts(ctx, a, id)
			if err != nil {
				t.Fatal(err)
			}
			switch n := c[models.TimelineInteraction] + c[models.TimelineChange]; {
			case n == 0:
				none++
			case n >= 8:
				many++
			}
		}
		if none == 0 || many == 0 {
			t.Errorf("histories not skewed: %d without, %d with 8 or more", none, many)
		}
	})
}

func TestWriteCSVIsTheSameForTheSameSeed(t *testing.T) {
	var a, b, c bytes.Buffer
	for _, w := range []struct {
		buf  *bytes.Buffer
		seed uint64
	}{{&a, 1}, {&b, 1}, {&c, 2}} {
		if err := demo.WriteCSV(w.buf, 100, 50, w.seed); err != nil {
			t.Fatal(err)
		}
	}
	if a.String() != b.String() || a.String() == c.String() {
		t.Error("WriteCSV must depend on the seed and only on it")
	}
	lines := strings.Split(strings.TrimSpace(a.String()), "\n")
	if len(lines) != 51 || !strings.Contains(lines[1], "contact100@") || !strings.Contains(lines[50], "contact149@") {
		t.Errorf("rows: %d, first %q", len(lines), lines[1])
	}
}
