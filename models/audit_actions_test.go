package models_test

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"rapport/models"
)

// An action is written either in place (Action: "user.sign_in") or as a
// named constant (auditInboxAssign = "inbox.assign") that call sites pass.
var (
	auditAction = regexp.MustCompile(`(?:Action:\s+|\baudit[A-Z]\w*\s*=\s*)"([a-z_]+\.[a-z_]+)"`)
	// A name glued together at run time cannot be checked against the list.
	builtAction = regexp.MustCompile(`Action:\s+"[^"]*"\s*\+`)
)

// Every action the code records must be offered by the audit log filter,
// and spelled out whole where it is recorded.
func TestAuditActionsListed(t *testing.T) {
	for _, root := range []string{".", "../app"} {
		err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
				return err
			}
			b, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			if loc := builtAction.FindIndex(b); loc != nil {
				t.Errorf("%s builds an audit action from pieces (%s); name it as a constant", path, b[loc[0]:loc[1]])
			}
			for _, m := range auditAction.FindAllStringSubmatch(string(b), -1) {
				if !slices.Contains(models.AuditActions, m[1]) {
					t.Errorf("%s records %q, which models.AuditActions does not list", path, m[1])
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
}
