package cli_test

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"

	"rapport/app/cli"
	"rapport/models"
	"rapport/models/dbtest"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

type result struct {
	code           int
	stdout, stderr string
}

func run(t *testing.T, dbURL, stdin string, args ...string) result {
	t.Helper()
	var out, errb bytes.Buffer
	vars := map[string]string{"RAPPORT_DATABASE_URL": dbURL, "RAPPORT_DATA_DIR": t.TempDir(), "RAPPORT_LOG_LEVEL": "error"}
	code := cli.Main(context.Background(), args, cli.Env{Stdin: strings.NewReader(stdin), Stdout: &out, Stderr: &errb,
		Getenv: func(k string) string { return vars[k] }})
	return result{code, out.String(), errb.String()}
}

func TestVersionAndHelp(t *testing.T) {
	if r := run(t, "", "", "version"); r.code != 0 || !strings.HasPrefix(r.stdout, "rapport ") {
		t.Fatalf("version: %+v", r)
	}
	r := run(t, "", "", "help")
	for _, c := range []string{"serve", "migrate", "user", "token", "version"} {
		if !strings.Contains(r.stdout, c) {
			t.Errorf("help does not list %s", c)
		}
	}
	if r := run(t, "", "", "frobnicate"); r.code != 2 || !strings.Contains(r.stderr, "unknown command") {
		t.Fatalf("unknown command: %+v", r)
	}
}

func TestMigrateAndRefuseNewerSchema(t *testing.T) {
	for _, d := range dbtest.Dialects {
		t.Run(d, func(t *testing.T) {
			url := dbtest.FreshURL(t, d)
			r := run(t, url, "", "migrate")
			if r.code != 0 || !strings.Contains(r.stdout, "schema at version") {
				t.Fatalf("migrate: %+v", r)
			}
			if r := run(t, url, "", "migrate"); r.code != 0 || !strings.Contains(r.stdout, "applied 0 now") {
				t.Fatalf("second migrate should apply nothing: %+v", r)
			}
			// A newer Rapport migrated this database: this binary must refuse it.
			db, err := models.Open(context.Background(), url, models.Options{})
			if err != nil {
				t.Fatal(err)
			}
			if err := db.SimulateNewerSchemaForTest(context.Background(), 999999); err != nil {
				t.Fatal(err)
			}
			_, err = db.Migrate(context.Background())
			db.Close()
			if !errors.Is(err, models.ErrDatabaseTooNew) {
				t.Fatalf("Migrate on a newer schema: %v", err)
			}
			if r := run(t, url, "", "user", "list"); r.code == 0 || !strings.Contains(r.stderr, "newer") {
				t.Fatalf("commands must refuse a newer schema: %+v", r)
			}
		})
	}
}

func TestUserAndTokenCommands(t *testing.T) {
	for _, d := range dbtest.Dialects {
		t.Run(d, func(t *testing.T) {
			url := dbtest.FreshURL(t, d)
			r := run(t, url, "a long enough password\n", "user", "create", "--email", "ops@example.com", "--name", "Ops Person",
				"--role", "admin", "--department", "Sales", "--department", "Billing")
			if r.code != 0 || !strings.Contains(r.stdout, "created user") || strings.Contains(r.stdout, "password:") {
				t.Fatalf("user create with piped password: %+v", r)
			}
			r = run(t, url, "", "user", "create", "--email", "viewer@example.com", "--name", "Vic", "--role", "viewer")
			if r.code != 0 || !strings.Contains(r.stdout, "password: ") {
				t.Fatalf("user create should print a generated password: %+v", r)
			}
			if r := run(t, url, "", "user", "create", "--email", "ops@example.com", "--name", "Again"); r.code == 0 || !strings.Contains(r.stderr, "already exists") {
				t.Fatalf("duplicate email: %+v", r)
			}
			if r := run(t, url, "", "user", "create", "--email", "x@example.com"); r.code != 2 || !strings.Contains(r.stderr, "usage:") {
				t.Fatalf("missing --name: %+v", r)
			}
			list := run(t, url, "", "user", "list")
			if list.code != 0 || !strings.Contains(list.stdout, "ops@example.com") || !strings.Contains(list.stdout, "Billing, Sales") {
				t.Fatalf("user list: %+v", list)
			}
			tok := run(t, url, "", "token", "create", "--email", "ops@example.com", "--name", "nightly export", "--expires", "2099-01-01")
			secret := strings.TrimSpace(tok.stdout)
			if tok.code != 0 || !strings.HasPrefix(secret, "rpt_") || !strings.Contains(tok.stderr, "shown once") {
				t.Fatalf("token create: %+v", tok)
			}
			db, err := models.Open(context.Background(), url, models.Options{})
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			u, err := db.UserByAPIToken(context.Background(), secret)
			if err != nil || u.Email != "ops@example.com" {
				t.Fatalf("printed token does not authenticate: %v %v", u, err)
			}
			if done, _ := db.IsSetUp(context.Background()); !done {
				t.Fatal("creating a user on the command line must close the setup page")
			}
		})
	}
}

func TestDemoFillsTheDatabase(t *testing.T) {
	for _, d := range dbtest.Dialects {
		t.Run(d, func(t *testing.T) {
			url := dbtest.FreshURL(t, d)
			r := run(t, url, "", "demo", "--contacts", "30", "--interactions", "3")
			if r.code != 0 || !strings.Contains(r.stdout, "created 30 demo contacts") {
				t.Fatalf("demo: %+v", r)
			}
			db, err := models.Open(context.Background(), url, models.Options{})
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			u, err := db.UserByEmail(context.Background(), "dana.demo@example.com")
			if err != nil {
				t.Fatal(err)
			}
			a := u.Actor("session")
			n, err := db.CountContacts(context.Background(), a, models.ContactListOptions{})
			if err != nil || n != 30 {
				t.Fatalf("contacts after demo: %d %v", n, err)
			}
			feed, err := db.Activity(context.Background(), a, models.ActivityOptions{Limit: 50})
			if err != nil || len(feed.Items) == 0 {
				t.Fatalf("demo made no history: %v", err)
			}
		})
	}
}

func TestExportCommand(t *testing.T) {
	for _, d := range dbtest.Dialects {
		t.Run(d, func(t *testing.T) {
			url := dbtest.FreshURL(t, d)
			if r := run(t, url, "", "demo", "--contacts", "12", "--interactions", "0"); r.code != 0 {
				t.Fatalf("demo: %+v", r)
			}
			r := run(t, url, "", "export", "--as", "dana.demo@example.com", "--columns", "given_name,family_name,email")
			lines := strings.Split(strings.TrimSpace(r.stdout), "\n")
			if r.code != 0 || len(lines) != 13 || lines[0] != "Given name,Family name,Email" || !strings.Contains(r.stderr, "exported 12") {
				t.Fatalf("export: %+v", r)
			}
			if r := run(t, url, "", "export", "--format", "vcard", "--as", "dana.demo@example.com"); r.code != 0 || strings.Count(r.stdout, "BEGIN:VCARD") != 12 {
				t.Fatalf("vcard export: %+v", r)
			}
			if r := run(t, url, "", "export"); r.code != 2 || !strings.Contains(r.stderr, "--as is required") {
				t.Fatalf("export without --as: %+v", r)
			}
		})
	}
}
