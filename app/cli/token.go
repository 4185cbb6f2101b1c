package cli

import (
	"context"
	"fmt"
	"time"

	"rapport/models"
)

func token(ctx context.Context, env Env, args []string) error {
	if len(args) == 0 || args[0] != "create" {
		return usageError{"missing subcommand: create"}
	}
	fs, cfg := flags("token create", env)
	email := fs.String("email", "", "the user the token acts as (required)")
	name := fs.String("name", "", "what the token is for (required)")
	expires := fs.String("expires", "", "expiry date, YYYY-MM-DD (default: never)")
	if err := parse(fs, args[1:]); err != nil {
		return err
	}
	if *email == "" || *name == "" {
		return usageError{"--email and --name are required"}
	}
	var exp time.Time
	if *expires != "" {
		t, err := time.Parse(time.DateOnly, *expires)
		if err != nil {
			return usageError{fmt.Sprintf("--expires %q: want a date like 2027-01-31", *expires)}
		}
		exp = t
	}
	db, u, err := openAs(ctx, env, cfg, *email)
	if err != nil {
		return err
	}
	defer db.Close()
	t, secret, err := db.CreateAPIToken(ctx, u.ID, *name, exp)
	if err != nil {
		return err
	}
	a := u.Actor("cli")
	_ = db.Audit(ctx, models.AuditEntry{Actor: &a, Action: "token.create", SubjectType: "api_token", SubjectID: t.ID,
		Detail: map[string]string{"name": t.Name, "via": "command line"}})
	fmt.Fprintln(env.Stdout, secret)
	fmt.Fprintf(env.Stderr, "token %q for %s created; it is shown once, store it now\n", t.Name, u.Email)
	return nil
}
