// Package demo fills a database with realistic sample data: departments,
// people, companies, contacts with names in several scripts, emails,
// phones, tags and histories of calls, meetings and messages. It goes
// through the same model API as the application, so the data obeys every
// rule real data does. The output is the same for the same seed.
package demo

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"strings"
	"time"

	"rapport/models"
)

// Options size the data set.
type Options struct {
	Contacts            int // contacts to create
	InteractionsPerItem int // interactions per contact, on average
	Seed                uint64
	Progress            io.Writer // receives a line now and then; may be nil
}

var (
	givenNames = []string{"José", "Zoë", "Amélie", "Søren", "Łukasz", "Chloé", "Mateo", "Aisha", "Kenji", "Olga", "Nguyễn",
		"Liam", "Emma", "Noah", "Mia", "Lucas", "Sofia", "Hugo", "Ines", "Omar", "Fatima", "Ravi", "Priya", "Jonas", "Ingrid",
		"小明", "美玲", "محمد", "ليلى", "Дмитрий", "Анна", "Νίκος", "Ελένη"}
	familyNames = []string{"Álvarez", "Müller", "Dubois", "Jensen", "Nowak", "Rossi", "García", "Khan", "Tanaka", "Ivanova",
		"Smith", "Johnson", "Brown", "Martin", "Bernard", "Schmidt", "Kowalski", "Silva", "Santos", "Haddad", "Patel",
		"Sharma", "Larsen", "Berg", "王", "李", "الأحمد", "حسن", "Петров", "Смирнова", "Παπαδόπουλος"}
	companyWords = []string{"Acme", "Globex", "Initech", "Umbrella", "Hooli", "Vandelay", "Stark", "Wayne", "Tyrell", "Cyberdyne",
		"Soylent", "Wonka", "Nordwind", "Lumen", "Helios", "Atlas", "Orion", "Vega", "Borealis", "Quanta"}
	companySuffixes = []string{"Ltd", "GmbH", "SA", "Inc", "BV", "AB", "Oy", "S.r.l.", "KK", "LLC"}
	titles          = []string{"Head of Procurement", "CFO", "VP Sales", "Office Manager", "CTO", "Buyer", "Operations Lead",
		"Marketing Director", "Founder", "Account Manager", "IT Administrator", "Customer Success Lead"}
	tags     = []string{"vip", "renewal", "prospect", "churn-risk", "partner", "newsletter", "trial", "enterprise", "smb", "event-2026"}
	subjects = []string{"Renewal pricing", "Quarterly review", "Onboarding call", "Invoice question", "Feature request: SSO",
		"Complaint about delivery", "Contract signature", "Demo of the new plan", "Support ticket follow-up", "Introductions"}
	bodies = []string{"Asked for a three-year quote; will decide by Friday.", "Walked through usage. They want single sign-on.",
		"Unhappy with the last delivery; promised a credit note.", "Introduced to their CFO, who signs off on budgets.",
		"Happy with support; might expand to a second team.", "Needs the invoice re-issued to the new address."}
)

// Generate writes the data set.
func Generate(ctx context.Context, db *models.DB, opts Options) error {
	r := rand.New(rand.NewPCG(opts.Seed, opts.Seed^0x9e3779b97f4a7c15))
	say := func(format string, a ...any) {
		if opts.Progress != nil {
			fmt.Fprintf(opts.Progress, format+"\n", a...)
		}
	}
	actors, err := staff(ctx, db)
	if err != nil {
		return err
	}
	companies := make([]string, 0, 200)
	for i := range 200 {
		companies = append(companies, fmt.Sprintf("%s %s %s", companyWords[i%len(companyWords)],
			companyWords[(i/len(companyWords)+3)%len(companyWords)], companySuffixes[i%len(companySuffixes)]))
	}
	start := time.Now()
	now := time.Now().UTC()
	for i := range opts.Contacts {
		a := actors[r.IntN(len(actors))]
		given, family := givenNames[r.IntN(len(givenNames))], familyNames[r.IntN(len(familyNames))]
		local := strings.ToLower(fmt.Sprintf("contact%d", i))
		req := models.ContactRequest{GivenName: given, FamilyName: family, JobTitle: titles[r.IntN(len(titles))],
			Source: models.SourceImport,
			Emails: []models.EmailInput{{Address: local + "@example.com", Label: "work", Primary: true}},
			Phones: []models.PhoneInput{{Number: fmt.Sprintf("+1 212 555 %04d", i%10000), Label: "office", Primary: true}},
			Tags:   []string{tags[r.IntN(len(tags))]}}
		if r.IntN(10) < 8 {
			req.CompanyName = companies[r.IntN(len(companies))]
		}
		if r.IntN(4) == 0 {
			req.Tags = append(req.Tags, tags[r.IntN(len(tags))])
		}
		c, err := db.CreateContact(ctx, a, req)
		if err != nil {
			return fmt.Errorf("demo contact %d: %w", i, err)
		}
		n := 0
		if opts.InteractionsPerItem > 0 {
			n = r.IntN(2*opts.InteractionsPerItem + 1)
		}
		for j := range n {
			kind := models.InteractionKinds[r.IntN(len(models.InteractionKinds))]
			req := models.InteractionRequest{Kind: kind, Direction: models.DirectionOutbound, ContactIDs: []int64{c.ID},
				OccurredAt: now.Add(-time.Duration(r.IntN(365*24*60)) * time.Minute), Subject: subjects[r.IntN(len(subjects))],
				Body: bodies[r.IntN(len(bodies))], DurationSeconds: 60 * (5 + r.IntN(55))}
			if r.IntN(3) == 0 {
				req.Direction = models.DirectionInbound
			}
			if _, err := db.LogInteraction(ctx, actors[r.IntN(len(actors))], req); err != nil {
				return fmt.Errorf("demo interaction %d of contact %d: %w", j, i, err)
			}
		}
		if (i+1)%500 == 0 || i+1 == opts.Contacts {
			say("%d/%d contacts (%.0f/s)", i+1, opts.Contacts, float64(i+1)/time.Since(start).Seconds())
		}
	}
	return nil
}

// staff makes sure there are a few colleagues in a few departments to
// attribute the histories to, and returns them as actors.
func staff(ctx context.Context, db *models.DB) ([]models.Actor, error) {
	people := []struct{ name, email, dept string }{
		{"Dana Reyes", "dana.demo@example.com", "Sales"}, {"Sam Okafor", "sam.demo@example.com", "Support"},
		{"Mira Lind", "mira.demo@example.com", "Marketing"}, {"Theo Brandt", "theo.demo@example.com", "Billing"},
	}
	var out []models.Actor
	for _, p := range people {
		u, err := db.UserByEmail(ctx, p.email)
		if err != nil {
			dep, derr := db.DepartmentBySlugOrName(ctx, p.dept)
			if derr != nil {
				if dep, derr = db.CreateDepartment(ctx, p.dept); derr != nil {
					return nil, fmt.Errorf("demo department %s: %w", p.dept, derr)
				}
			}
			// Demo colleagues cannot sign in: their password is random and
			// never shown. They exist to author the sample history.
			u, err = db.CreateUser(ctx, models.UserRequest{Email: p.email, Name: p.name, Role: models.RoleMember,
				Password: fmt.Sprintf("demo-%d-%d", time.Now().UnixNano(), rand.Int64()), DepartmentIDs: []int64{dep.ID}})
			if err != nil {
				return nil, fmt.Errorf("demo user %s: %w", p.email, err)
			}
		}
		out = append(out, u.Actor("cli"))
	}
	return out, nil
}
