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

var auditAction = regexp.MustCompile(`Action:\s+"([a-z_]+\.[a-z_]+)"`)

// Every action the code records must be offered by the audit log filter.
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
