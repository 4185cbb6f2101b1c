package feeds_test

import (
	"testing"

	"rapport/models/dbtest"
)

func TestMain(m *testing.M) { dbtest.Main(m) }
