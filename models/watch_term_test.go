package models_test

import (
	"context"
	"errors"
	"slices"
	"testing"

	"rapport/models"
	"rapport/models/dbtest"
)

func TestWatchTermMatchingRules(t *testing.T) {
	terms := []models.WatchTerm{
		{Term: "refund"},
		{Term: "Can't log in"},
		{Term: "Acme", Exclude: []string{"acme corp careers"}},
		{Term: "déjà vu"},
	}
	cases := []struct {
		text string
		want []string
	}{
		{"Refund please!", []string{"refund"}},
		{"RÉFUND", []string{"refund"}},
		{"I was refunded", nil},
		{"prefund", nil},
		{"I can't   log-in since Monday", []string{"Can't log in"}},
		{"cant log in", nil},
		{"Love ACME products", []string{"Acme"}},
		{"Apply at Acme Corp careers today", nil},
		{"deja vu, refund again", []string{"refund", "déjà vu"}},
		{"", nil},
	}
	for _, c := range cases {
		if got := models.MatchWatchTerms(terms, c.text); !slices.Equal(got, c.want) {
			t.Errorf("MatchWatchTerms(%q) = %q, want %q", c.text, got, c.want)
		}
	}
	for in, want := range map[string]string{"  Réfund\tplease!! ": "refund please", "Straße": "strasse", "ÆON ﬁx": "aeon fix", "¡¿…": ""} {
		if got := models.FoldText(in); got != want {
			t.Errorf("FoldText(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestWatchTermAdmin(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *models.DB) {
		ctx := context.Background()
		admin := newTestActor(t, db, models.RoleAdmin)
		member := newTestActor(t, db, models.RoleMember)
		word := uniqueLabel("Réclamation")
		if _, err := db.CreateWatchTerm(ctx, member, models.WatchTermInput{Term: word}); !errors.Is(err, models.ErrForbidden) {
			t.Fatalf("member create: %v", err)
		}
		w, err := db.CreateWatchTerm(ctx, admin, models.WatchTermInput{Term: "  " + word + " ", Exclude: []string{"jobs", "", "JOBS", "  "}})
		if err != nil || w.Term != word || !slices.Equal(w.Exclude, []string{"jobs"}) || w.CreatedByID == nil || *w.CreatedByID != admin.UserID {
			t.Fatalf("create = %+v, %v", w, err)
		}
		// The same term in another case or without accents is a duplicate.
		_, err = db.CreateWatchTerm(ctx, admin, models.WatchTermInput{Term: models.FoldText(word)})
		if f := validationFields(t, err); f["term"] == "" {
			t.Fatalf("duplicate: %v", f)
		}
		_, err = db.CreateWatchTerm(ctx, admin, models.WatchTermInput{Term: "?!"})
		if f := validationFields(t, err); f["term"] == "" {
			t.Fatalf("no letters: %v", f)
		}
		terms, err := db.WatchTerms(ctx)
		if err != nil || !slices.ContainsFunc(terms, func(x models.WatchTerm) bool { return x.ID == w.ID && x.Term == word }) {
			t.Fatalf("WatchTerms = %+v, %v", terms, err)
		}
		if err := db.DeleteWatchTerm(ctx, member, w.ID); !errors.Is(err, models.ErrForbidden) {
			t.Fatalf("member delete: %v", err)
		}
		if err := db.DeleteWatchTerm(ctx, admin, w.ID); err != nil {
			t.Fatal(err)
		}
		if err := db.DeleteWatchTerm(ctx, admin, w.ID); !errors.Is(err, models.ErrNotFound) {
			t.Fatalf("second delete: %v", err)
		}
		terms, _ = db.WatchTerms(ctx)
		if slices.ContainsFunc(terms, func(x models.WatchTerm) bool { return x.ID == w.ID }) {
			t.Fatal("deleted term still listed")
		}
		// Deleted, the term may be watched again.
		if _, err := db.CreateWatchTerm(ctx, admin, models.WatchTermInput{Term: word}); err != nil {
			t.Fatalf("re-create: %v", err)
		}
		for _, action := range []string{"watch_term.create", "watch_term.delete"} {
			evs, err := db.AuditEvents(ctx, admin, models.AuditListOptions{Action: action, ActorID: admin.UserID})
			if err != nil || len(evs) == 0 {
				t.Errorf("no %s audit event (%v)", action, err)
			}
		}
	})
}
