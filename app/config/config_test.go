package config_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"rapport/app/config"
)

func env(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func TestDefaultsAndGeneratedSecret(t *testing.T) {
	dir := t.TempDir()
	c, err := config.Load(nil, env(map[string]string{"RAPPORT_DATA_DIR": dir}))
	if err != nil {
		t.Fatal(err)
	}
	if c.Addr != "127.0.0.1:8080" || c.DatabaseURL != "sqlite:"+filepath.Join(dir, "rapport.db") || c.BaseURL != "http://127.0.0.1:8080" {
		t.Fatalf("defaults: %+v", c)
	}
	st, err := os.Stat(filepath.Join(dir, "secret.key"))
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("secret key file: %v %v", st, err)
	}
	again, err := config.Load(nil, env(map[string]string{"RAPPORT_DATA_DIR": dir}))
	if err != nil || again.SecretKey != c.SecretKey || len(c.SecretKey) < 32 {
		t.Fatal("the generated secret must be reused on the next start")
	}
}

func TestFlagsOverrideEnvironment(t *testing.T) {
	c, err := config.Load([]string{"--addr", "127.0.0.1:9999", "--log-format", "json"},
		env(map[string]string{"RAPPORT_ADDR": "127.0.0.1:7777", "RAPPORT_DATA_DIR": t.TempDir(), "RAPPORT_LOG_FORMAT": "text"}))
	if err != nil {
		t.Fatal(err)
	}
	if c.Addr != "127.0.0.1:9999" || c.LogFormat != "json" {
		t.Fatalf("flags did not override: %s %s", c.Addr, c.LogFormat)
	}
}

func TestBadSettingsNameTheSetting(t *testing.T) {
	for _, tc := range []struct{ key, val, want string }{
		{"RAPPORT_ADDR", "nonsense", "RAPPORT_ADDR (--addr)"},
		{"RAPPORT_DATABASE_URL", "mysql://x", "RAPPORT_DATABASE_URL (--database-url)"},
		{"RAPPORT_LOG_LEVEL", "loud", "RAPPORT_LOG_LEVEL (--log-level)"},
		{"RAPPORT_SECRET_KEY", "short", "RAPPORT_SECRET_KEY (--secret-key)"},
		{"RAPPORT_BASE_URL", "ftp://x", "RAPPORT_BASE_URL (--base-url)"},
		{"RAPPORT_WORKERS", "-1", "RAPPORT_WORKERS (--workers)"},
		{"RAPPORT_SHUTDOWN_TIMEOUT", "soon", "RAPPORT_SHUTDOWN_TIMEOUT (--shutdown-timeout)"},
	} {
		_, err := config.Load(nil, env(map[string]string{"RAPPORT_DATA_DIR": t.TempDir(), tc.key: tc.val}))
		var ce *config.Error
		if !errors.As(err, &ce) || !strings.Contains(err.Error(), tc.want) || strings.Contains(err.Error(), "\n") {
			t.Errorf("%s=%q: got %v, want one line naming %s", tc.key, tc.val, err, tc.want)
		}
	}
}

func TestSecureCookiesFollowBaseURL(t *testing.T) {
	c, err := config.Load(nil, env(map[string]string{"RAPPORT_DATA_DIR": t.TempDir(), "RAPPORT_BASE_URL": "https://crm.example.com/"}))
	if err != nil || !c.SecureCookies() || c.BaseURL != "https://crm.example.com" {
		t.Fatalf("https base URL: %v %v", c, err)
	}
}

// The README's configuration table is generated from the same list of
// settings; this keeps it true after every change.
func TestReadmeListsEverySetting(t *testing.T) {
	b, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), config.MarkdownTable()) {
		t.Fatal("README.md's configuration table is stale: replace it with the output of `go run . config`")
	}
}
