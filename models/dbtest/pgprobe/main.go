// Command pgprobe tells `make test` whether the Postgres half of the tests
// will run, so a skipped half is said plainly instead of hidden in -v output.
// With RAPPORT_TEST_POSTGRES_REQUIRED=1 an unreachable server is an error.
package main

import (
	"context"
	"fmt"
	"os"

	"rapport/models/dbtest"
)

func main() {
	url, explicit := dbtest.AdminURL()
	src := "default"
	if explicit {
		src = "RAPPORT_TEST_POSTGRES_URL"
	}
	if err := dbtest.ProbePostgres(context.Background()); err != nil {
		if dbtest.PostgresRequired() {
			fmt.Fprintf(os.Stderr, "Postgres tests: REQUIRED but unreachable (%s, %s): %v\n", src, redact(url), err)
			os.Exit(1)
		}
		fmt.Fprintf(os.Stderr, "Postgres tests: SKIPPED — no server at %s (%s): %v\n  Only the SQLite half will run. Set RAPPORT_TEST_POSTGRES_URL to a reachable server to run both.\n", redact(url), src, err)
		return
	}
	fmt.Fprintf(os.Stderr, "Postgres tests: enabled (%s, %s)\n", redact(url), src)
}

func redact(raw string) string { return dbtest.Redacted(raw) }
