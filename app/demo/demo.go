// Package demo fills a database with realistic sample data: departments,
// people, companies, contacts with names in several scripts, emails,
// phones, tags and histories of calls, meetings, messages and profile
// changes, skewed as real histories are (most people have a few items, a
// few have hundreds). It writes through models' batch writers, which
// validate every row as the single-row API does, so a million contacts and
// ten million timeline items take minutes. The data is the same for the
// same seed and day.
package demo

import (
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"strings"
	"time"

	"rapport/models"
)

// Options size the data set.
type Options struct {
	Contacts            int // contacts to create
	InteractionsPerItem int // timeline items per contact, on average
	// HeavyItems gives one extra contact ("Heavy History",
	// heavy.demo@example.com) that many interactions; 0 for none.
	HeavyItems int
	// First numbers the contacts from here, so that a second run adds
	// contacts with emails and phones of their own.
	First    int
	Seed     uint64
	Progress io.Writer // receives a line now and then; may be nil
}

var (
	givenNames = []string{"José", "Zoë", "Amélie", "Søren", "Łukasz", "Chloé", "Mateo", "Aisha", "Kenji", "Olga", "Nguyễn",
		"Liam", "Emma", "Noah", "Mia", "Lucas", "Sofia", "Hugo", "Ines", "Omar", "Fatima", "Ravi", "Priya", "Jonas", "Ingrid",
		"小明", "美玲", "محمد", "ليلى", "Дмитрий", "Анна", "Νίκος", "Ελένη", "민준", "서연", "さくら", "ひろし", "אורי", "נועה",
		"अर्जुन", "सुनीता", "สมชาย", "Thảo", "Oluwaseun", "Chiamaka", "Mehmet", "Elif", "Joaquín", "Björk"}
	familyNames = []string{"Álvarez", "Müller", "Dubois", "Jensen", "Nowak", "Rossi", "García", "Khan", "Tanaka", "Ivanova",
		"Smith", "Johnson", "Brown", "Martin", "Bernard", "Schmidt", "Kowalski", "Silva", "Santos", "Haddad", "Patel",
		"Sharma", "Larsen", "Berg", "王", "李", "الأحمد", "حسن", "Петров", "Смирнова", "Παπαδόπουλος", "김", "이",
		"佐藤", "鈴木", "כהן", "לוי", "वर्मा", "ใจดี", "Trần", "Adeyemi", "Okonkwo", "Yılmaz", "Kaya", "Guðmundsdóttir"}
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
	domains = []string{"example.com", "example.org", "example.net"}
)

// person is one generated contact as a row of a file would carry it.
type person struct {
	given, family, email, phone, company, title, note string
	tags                                              []string
}

// generator draws people and histories from one seeded source.
type generator struct {
	r         *rand.Rand
	companies []string
}

func newGenerator(seed uint64) *generator {
	g := &generator{r: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))}
	for i := range 200 {
		g.companies = append(g.companies, fmt.Sprintf("%s %s %s", companyWords[i%len(companyWords)],
			companyWords[(i/len(companyWords)+3)%len(companyWords)], companySuffixes[i%len(companySuffixes)]))
	}
	return g
}

// person i has an email and a phone number no other person of a run has
// (up to eight million people).
func (g *generator) person(i int) person {
	r := g.r
	p := person{given: givenNames[r.IntN(len(givenNames))], family: familyNames[r.IntN(len(familyNames))],
		email: fmt.Sprintf("contact%d@%s", i, domains[i%len(domains)]),
		phone: fmt.Sprintf("+1 212 %03d %04d", 200+(i/10000)%800, i%10000),
		title: titles[r.IntN(len(titles))], tags: []string{tags[r.IntN(len(tags))]}}
	if r.IntN(10) < 8 {
		p.company = g.companies[r.IntN(len(g.companies))]
	}
	if r.IntN(4) == 0 {
		p.tags = append(p.tags, tags[r.IntN(len(tags))])
	}
	if r.IntN(3) == 0 {
		p.note = bodies[r.IntN(len(bodies))]
	}
	return p
}

// historySize draws how many items a contact has: exponential around mean,
// so most have a few and some many, as in a real CRM.
func (g *generator) historySize(mean int) int {
	if mean <= 0 {
		return 0
	}
	return int(math.Round(-float64(mean) * math.Log(1-g.r.Float64())))
}

// Generate writes the data set, a batch of contacts and their histories
// per transaction, and refreshes the planner's statistics at the end.
func Generate(ctx context.Context, db *models.DB, opts Options) error {
	g := newGenerator(opts.Seed)
	say := func(format string, a ...any) {
		if opts.Progress != nil {
			fmt.Fprintf(opts.Progress, format+"\n", a...)
		}
	}
	actors, err := staff(ctx, db)
	if err != nil {
		return err
	}
	day := time.Now().UTC().Truncate(24 * time.Hour)
	const batch = 500
	start := time.Now()
	var items int64
	for first := 0; first < opts.Contacts; first += batch {
		n := min(batch, opts.Contacts-first)
		err := db.Tx(ctx, func(tx *models.DB) error {
			made, err := g.batch(ctx, tx, actors, day, opts.First+first, n, opts.InteractionsPerItem)
			items += made
			return err
		})
		if err != nil {
			return fmt.Errorf("demo contacts %d–%d: %w", opts.First+first, opts.First+first+n-1, err)
		}
		if done := first + n; done%50000 < batch || done == opts.Contacts {
			el := time.Since(start).Seconds()
			say("%d/%d contacts, %d timeline items (%.0f contacts/s, %.0f items/s)", done, opts.Contacts, items,
				float64(done)/el, float64(items)/el)
		}
	}
	if opts.HeavyItems > 0 {
		say("giving one contact %d timeline items…", opts.HeavyItems)
		if err := g.heavy(ctx, db, actors[0], day, opts.HeavyItems); err != nil {
			return err
		}
	}
	return db.Analyze(ctx)
}

// batch creates n contacts numbered from first, with their histories, and
// returns how many timeline items it wrote besides their creation.
func (g *generator) batch(ctx context.Context, tx *models.DB, actors []models.Actor, day time.Time, first, n, mean int) (int64, error) {
	r := g.r
	type plan struct {
		actor models.Actor
		times []time.Time
	}
	plans := make([]plan, n)
	cb := models.NewContactBatch(actors[0], "")
	for j := range n {
		p := g.person(first + j)
		a := actors[r.IntN(len(actors))]
		times := make([]time.Time, g.historySize(mean))
		req := models.ContactRequest{GivenName: p.given, FamilyName: p.family, JobTitle: p.title, CompanyName: p.company,
			Source: models.SourceImport, OwnerID: &a.UserID, About: p.note, Tags: p.tags,
			Emails: []models.EmailInput{{Address: p.email, Label: "work", Primary: true}},
			Phones: []models.PhoneInput{{Number: p.phone, Label: "office", Primary: true}}}
		for k := range times {
			times[k] = day.Add(-time.Duration(1+r.IntN(3*365*24*60)) * time.Minute)
			if req.LastContactedAt == nil || times[k].After(*req.LastContactedAt) {
				t := times[k]
				req.LastContactedAt = &t
			}
		}
		if err := cb.Add(ctx, tx, req); err != nil {
			return 0, fmt.Errorf("contact %d: %w", first+j, err)
		}
		plans[j] = plan{a, times}
	}
	ids, err := cb.Flush(ctx, tx)
	if err != nil {
		return 0, err
	}
	var hb models.HistoryBatch
	for j, p := range plans {
		for _, at := range p.times {
			a := actors[r.IntN(len(actors))]
			// One item in eight is a profile change, the rest interactions.
			if r.IntN(8) == 0 {
				from, to := titles[r.IntN(len(titles))], titles[r.IntN(len(titles))]
				err = hb.AddItem(ctx, tx, a, models.TimelineEntry{Kind: models.TimelineChange, ContactIDs: []int64{ids[j]},
					OccurredAt: at, Summary: "Job title: " + from + " → " + to,
					Data: map[string]any{"action": "update", "changes": []models.ContactChange{{Field: "job_title", Label: "Job title", Old: from, New: to}}}})
			} else {
				err = hb.AddInteraction(a, g.interaction(ids[j], at))
			}
			if err != nil {
				return 0, fmt.Errorf("history of contact %d: %w", ids[j], err)
			}
		}
	}
	made := int64(hb.Len())
	return made, hb.Flush(ctx, tx)
}

func (g *generator) interaction(contactID int64, at time.Time) models.InteractionRequest {
	r := g.r
	req := models.InteractionRequest{Kind: models.InteractionKinds[r.IntN(len(models.InteractionKinds))],
		Direction: models.DirectionOutbound, ContactIDs: []int64{contactID}, OccurredAt: at,
		Subject: subjects[r.IntN(len(subjects))], Body: bodies[r.IntN(len(bodies))], DurationSeconds: 60 * (5 + r.IntN(55))}
	if r.IntN(3) == 0 {
		req.Direction = models.DirectionInbound
	}
	return req
}

// heavy gives one contact n interactions, an hour apart.
func (g *generator) heavy(ctx context.Context, db *models.DB, a models.Actor, day time.Time, n int) error {
	c, err := db.CreateContact(ctx, a, models.ContactRequest{GivenName: "Heavy", FamilyName: "History",
		Emails: []models.EmailInput{{Address: fmt.Sprintf("heavy.demo.%d@example.com", g.r.Uint32())}}})
	if err != nil {
		return fmt.Errorf("demo heavy contact: %w", err)
	}
	for done := 0; done < n; {
		err := db.Tx(ctx, func(tx *models.DB) error {
			var hb models.HistoryBatch
			for k := 0; k < 5000 && done+k < n; k++ {
				req := g.interaction(c.ID, day.Add(-time.Duration(done+k+1)*time.Hour))
				if err := hb.AddInteraction(a, req); err != nil {
					return err
				}
			}
			done += hb.Len()
			return hb.Flush(ctx, tx)
		})
		if err != nil {
			return fmt.Errorf("demo heavy history: %w", err)
		}
	}
	return nil
}

// CSVHeader is the header of the files WriteCSV writes.
var CSVHeader = []string{"First Name", "Last Name", "Email", "Phone", "Company", "Job Title", "Tags", "Notes"}

// WriteCSV writes n generated people, numbered from first, as a contacts
// CSV (CSVHeader's columns, about 150 bytes a row), the same people for
// the same seed, for measuring imports.
func WriteCSV(w io.Writer, first, n int, seed uint64) error {
	g := newGenerator(seed)
	cw := csv.NewWriter(w)
	if err := cw.Write(CSVHeader); err != nil {
		return err
	}
	for i := range n {
		p := g.person(first + i)
		if err := cw.Write([]string{p.given, p.family, p.email, p.phone, p.company, p.title, strings.Join(p.tags, ";"), p.note}); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
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
