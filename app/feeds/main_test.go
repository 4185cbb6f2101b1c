package feeds_test

import (
	"os"
	"testing"

	"rapport/models/dbtest"
)

func TestMain(m *testing.M) {
	// The crash test runs this binary again as the poller it kills; that
	// child polls and must not make test databases of its own.
	if os.Getenv(crashChildEnv) != "" {
		os.Exit(crashChild())
	}
	dbtest.Main(m)
}
