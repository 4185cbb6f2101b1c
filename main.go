// Command rapport is a relationship-centric social CRM: one timeline per
// customer, shared across departments. See README.md.
package main

import (
	"context"
	"os"

	"rapport/app/cli"
)

func main() {
	os.Exit(cli.Main(context.Background(), os.Args[1:], cli.Env{Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr}))
}
