package cli

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"rapport/models"
)

func user(ctx context.Context, env Env, args []string) error {
	if len(args) == 0 {
		return usageError{"missing subcommand: create, list or password"}
	}
	switch args[0] {
	case "create":
		return userCreate(ctx, env, args[1:])
	case "list":
		return userList(ctx, env, args[1:])
	case "password":
		return userPassword(ctx, env, args[1:])
	}
	return usageError{fmt.Sprintf("unknown subcommand %q: want create, list or password", args[0])}
}

// readOrGeneratePassword reads a password from the first line of stdin when
// it is piped in, or generates one to print once.
func readOrGeneratePassword(env Env) (pw string, generated bool, err error) {
	if f, ok := env.Stdin.(*os.File); ok {
		if st, err := f.Stat(); err == nil && st.Mode()&os.ModeCharDevice != 0 {
			return generatePassword()
		}
	}
	line, err := bufio.NewReader(env.Stdin).ReadString('\n')
	line = strings.TrimRight(line, "\r\n")
	if line == "" {
		return generatePassword()
	}
	return line, false, nil
}

func generatePassword() (string, bool, error) {
	b := make([]byte, 18)
	if _, err := rand.Read(b); err != nil {
		return "", false, err
	}
	return base64.RawURLEncoding.EncodeToString(b), true, nil
}

func userCreate(ctx context.Context, env Env, args []string) error {
	fs, cfg := flags("user create", env)
	email := fs.String("email", "", "the user's email (required)")
	name := fs.String("name", "", "the user's display name (required)")
	role := fs.String("role", "member", "admin, member or viewer")
	var depts multiFlag
	fs.Var(&depts, "department", "a department to join, by name; repeat for several")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *email == "" || *name == "" {
		return usageError{"--email and --name are required"}
	}
	if err := cfg.Resolve(); err != nil {
		return err
	}
	db, err := openDB(ctx, cfg, cfg.Logger(env.Stderr))
	if err != nil {
		return err
	}
	defer db.Close()
	var ids []int64
	for _, d := range depts {
		dep, err := db.DepartmentBySlugOrName(ctx, d)
		if err != nil {
			dep, err = db.CreateDepartment(ctx, d)
			if err != nil {
				return fmt.Errorf("department %q: %w", d, err)
			}
			fmt.Fprintf(env.Stderr, "created department %s\n", dep.Name)
		}
		ids = append(ids, dep.ID)
	}
	pw, generated, err := readOrGeneratePassword(env)
	if err != nil {
		return fmt.Errorf("read password: %w", err)
	}
	u, err := db.CreateUser(ctx, models.UserRequest{Email: *email, Name: *name, Role: models.Role(*role), Password: pw, DepartmentIDs: ids})
	if err != nil {
		return err
	}
	// The first user made on the command line completes setup, so the web
	// setup page is not offered to whoever reaches the server next.
	if err := db.MarkSetUp(ctx); err != nil {
		return err
	}
	_ = db.Audit(ctx, models.AuditEntry{Actor: &models.Actor{Name: "command line", Via: "cli"}, ActorLabel: "command line",
		Action: "user.create", SubjectType: "user", SubjectID: u.ID, Detail: map[string]any{"email": u.Email, "role": u.Role}})
	fmt.Fprintf(env.Stdout, "created user %d %s (%s, %s)\n", u.ID, u.Email, u.Role, strings.Join(u.DepartmentNames(), ", "))
	if generated {
		fmt.Fprintf(env.Stdout, "password: %s\n(shown once; the user can change it in Settings)\n", pw)
	}
	return nil
}

func userList(ctx context.Context, env Env, args []string) error {
	fs, cfg := flags("user list", env)
	if err := parse(fs, args); err != nil {
		return err
	}
	if err := cfg.Resolve(); err != nil {
		return err
	}
	db, err := openDB(ctx, cfg, cfg.Logger(env.Stderr))
	if err != nil {
		return err
	}
	defer db.Close()
	tw := tabwriter.NewWriter(env.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tEMAIL\tNAME\tROLE\tDEPARTMENTS\tCREATED")
	var after int64
	for {
		us, err := db.Users(ctx, models.UserListOptions{AfterID: after, Limit: 500})
		if err != nil {
			return err
		}
		for _, u := range us {
			fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\n", u.ID, u.Email, u.Name, u.Role, strings.Join(u.DepartmentNames(), ", "), u.CreatedAt.Format(time.DateOnly))
			after = u.ID
		}
		if len(us) < 500 {
			break
		}
	}
	return tw.Flush()
}

func userPassword(ctx context.Context, env Env, args []string) error {
	fs, cfg := flags("user password", env)
	email := fs.String("email", "", "the user's email (required)")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *email == "" {
		return usageError{"--email is required"}
	}
	db, u, err := openAs(ctx, env, cfg, *email)
	if err != nil {
		return err
	}
	defer db.Close()
	pw, generated, err := readOrGeneratePassword(env)
	if err != nil {
		return err
	}
	if err := db.SetPassword(ctx, u.ID, pw); err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "password changed for %s; all their sessions are signed out\n", u.Email)
	if generated {
		fmt.Fprintf(env.Stdout, "password: %s\n", pw)
	}
	return nil
}

type multiFlag []string

func (m *multiFlag) String() string     { return strings.Join(*m, ",") }
func (m *multiFlag) Set(v string) error { *m = append(*m, v); return nil }
