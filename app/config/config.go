// Package config reads Rapport's settings from environment variables, with
// command-line flags of the same name overriding them. Every setting is
// listed once, in settings below; the README table is generated from the
// same list by `rapport config`, so the two cannot drift apart.
package config

import (
	"crypto/rand"
	"encoding/base64"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// Config is the whole configuration, passed explicitly to whatever needs it.
type Config struct {
	Addr            string
	DatabaseURL     string
	DataDir         string
	BaseURL         string
	SecretKey       string
	LogLevel        slog.Level
	LogFormat       string
	Workers         int
	DBMaxConns      int
	ShutdownTimeout time.Duration
	MaxBodyBytes    int64
	ImportMaxBytes  int64 // largest file an upload may import

	// Social streams (issue #8).
	FeedAllowHosts []string      // hosts (or host:port) allowed past the SSRF guard
	FeedInterval   time.Duration // default time between two polls of one feed
	FeedTimeout    time.Duration // one fetch, connect to last byte
	FeedMaxBytes   int64         // largest feed body read
	FeedDiscovery  bool          // fetch profile pages to find <link rel="alternate"> feeds
	AttentionTag   string        // posts of contacts with this tag always reach the Inbox
	InboxTarget    time.Duration // response-time target: amber at half, red past it

	raw map[string]*string // flag values before validation, keyed by flag name
}

type setting struct {
	flag, env, def, help string
}

// settings is the single list of configuration settings.
var settings = []setting{
	{"addr", "RAPPORT_ADDR", "127.0.0.1:8080", "address the HTTP server listens on"},
	{"database-url", "RAPPORT_DATABASE_URL", "", "postgres://user:pass@host/db, or a SQLite file (default: DATA_DIR/rapport.db)"},
	{"data-dir", "RAPPORT_DATA_DIR", ".", "directory for the SQLite database, the generated secret key and uploads"},
	{"base-url", "RAPPORT_BASE_URL", "", "public URL of this Rapport, used in links and to mark cookies Secure on https (default: http://ADDR)"},
	{"secret-key", "RAPPORT_SECRET_KEY", "", "at least 32 characters; signs tokens (default: generated once into DATA_DIR/secret.key)"},
	{"log-level", "RAPPORT_LOG_LEVEL", "info", "debug, info, warn or error"},
	{"log-format", "RAPPORT_LOG_FORMAT", "text", "text or json"},
	{"workers", "RAPPORT_WORKERS", "2", "background job workers in this process"},
	{"db-max-conns", "RAPPORT_DB_MAX_CONNS", "16", "Postgres connection pool size"},
	{"shutdown-timeout", "RAPPORT_SHUTDOWN_TIMEOUT", "30s", "how long in-flight requests and jobs get to finish on SIGINT/SIGTERM"},
	{"max-body-bytes", "RAPPORT_MAX_BODY_BYTES", "10485760", "largest request body accepted outside file uploads, in bytes"},
	{"import-max-bytes", "RAPPORT_IMPORT_MAX_BYTES", "4294967296", "largest file an upload through the browser or the API may import, in bytes; rapport import on the server has no limit"},
	{"feed-allow-hosts", "RAPPORT_FEED_ALLOW_HOSTS", "", "comma-separated hosts (or host:port) that feed fetches may reach even though they resolve to loopback or private addresses"},
	{"feed-interval", "RAPPORT_FEED_INTERVAL", "15m", "default time between two polls of one feed (jittered ±10%)"},
	{"feed-timeout", "RAPPORT_FEED_TIMEOUT", "20s", "longest one feed fetch may take"},
	{"feed-max-bytes", "RAPPORT_FEED_MAX_BYTES", "5242880", "largest feed body read, in bytes; a longer feed is refused"},
	{"feed-discovery", "RAPPORT_FEED_DISCOVERY", "true", "fetch a pasted profile page to find the feed it names in link rel=alternate (true or false)"},
	{"attention-tag", "RAPPORT_ATTENTION_TAG", "attention", "tag that sends every post of a contact to the Inbox"},
	{"inbox-target", "RAPPORT_INBOX_TARGET", "20m", "response-time target for Inbox items: amber at half of it, red past it"},
}

// Register adds every setting to fs as a flag whose default comes from the
// environment (or the built-in default), so flags override environment.
func Register(fs *flag.FlagSet, getenv func(string) string) *Config {
	c := &Config{raw: map[string]*string{}}
	for _, s := range settings {
		def := s.def
		if v := getenv(s.env); v != "" {
			def = v
		}
		c.raw[s.flag] = fs.String(s.flag, def, s.help+" ($"+s.env+")")
	}
	return c
}

// Error names the setting at fault, so start-up stops with one clear line.
type Error struct {
	Flag, Env, Value, Reason string
}

func (e *Error) Error() string {
	return fmt.Sprintf("invalid setting %s (--%s) = %q: %s", e.Env, e.Flag, e.Value, e.Reason)
}

func bad(flagName, value, reason string) error {
	for _, s := range settings {
		if s.flag == flagName {
			return &Error{Flag: s.flag, Env: s.env, Value: value, Reason: reason}
		}
	}
	return &Error{Flag: flagName, Value: value, Reason: reason}
}

// Resolve validates the parsed values and fills in derived defaults. It
// generates and stores the secret key on first run when none is given.
func (c *Config) Resolve() error {
	get := func(k string) string { return strings.TrimSpace(*c.raw[k]) }

	c.Addr = get("addr")
	if _, port, err := net.SplitHostPort(c.Addr); err != nil {
		return bad("addr", c.Addr, "want host:port, for example 127.0.0.1:8080")
	} else if p, err := strconv.Atoi(port); err != nil || p < 0 || p > 65535 {
		return bad("addr", c.Addr, "port must be a number from 0 to 65535")
	}

	c.DataDir = get("data-dir")
	if c.DataDir == "" {
		return bad("data-dir", "", "must name a directory")
	}
	if err := os.MkdirAll(c.DataDir, 0o755); err != nil {
		return bad("data-dir", c.DataDir, "cannot create it: "+err.Error())
	}

	c.DatabaseURL = get("database-url")
	if c.DatabaseURL == "" {
		c.DatabaseURL = "sqlite:" + filepath.Join(c.DataDir, "rapport.db")
	}
	if strings.Contains(c.DatabaseURL, "://") && !strings.HasPrefix(c.DatabaseURL, "postgres://") &&
		!strings.HasPrefix(c.DatabaseURL, "postgresql://") && !strings.HasPrefix(c.DatabaseURL, "sqlite://") &&
		!strings.HasPrefix(c.DatabaseURL, "file://") {
		return bad("database-url", redactURL(c.DatabaseURL), "use postgres://… for Postgres or a file path for SQLite")
	}

	c.BaseURL = strings.TrimSuffix(get("base-url"), "/")
	if c.BaseURL == "" {
		c.BaseURL = "http://" + c.Addr
	}
	if u, err := url.Parse(c.BaseURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return bad("base-url", c.BaseURL, "want an absolute http:// or https:// URL")
	}

	switch lvl := strings.ToLower(get("log-level")); lvl {
	case "debug":
		c.LogLevel = slog.LevelDebug
	case "info":
		c.LogLevel = slog.LevelInfo
	case "warn", "warning":
		c.LogLevel = slog.LevelWarn
	case "error":
		c.LogLevel = slog.LevelError
	default:
		return bad("log-level", lvl, "want debug, info, warn or error")
	}
	c.LogFormat = strings.ToLower(get("log-format"))
	if c.LogFormat != "text" && c.LogFormat != "json" {
		return bad("log-format", c.LogFormat, "want text or json")
	}

	var err error
	if c.Workers, err = positiveInt("workers", get("workers"), 0, 64); err != nil {
		return err
	}
	if c.DBMaxConns, err = positiveInt("db-max-conns", get("db-max-conns"), 1, 1000); err != nil {
		return err
	}
	n, err := positiveInt("max-body-bytes", get("max-body-bytes"), 1024, 1<<40)
	if err != nil {
		return err
	}
	c.MaxBodyBytes = int64(n)
	if n, err = positiveInt("import-max-bytes", get("import-max-bytes"), 1024, 1<<44); err != nil {
		return err
	}
	c.ImportMaxBytes = int64(n)
	c.ShutdownTimeout, err = time.ParseDuration(get("shutdown-timeout"))
	if err != nil || c.ShutdownTimeout <= 0 {
		return bad("shutdown-timeout", get("shutdown-timeout"), "want a positive duration such as 30s")
	}

	if err := c.resolveSocial(get); err != nil {
		return err
	}

	c.SecretKey = get("secret-key")
	if c.SecretKey == "" {
		if c.SecretKey, err = loadOrCreateSecret(filepath.Join(c.DataDir, "secret.key")); err != nil {
			return bad("secret-key", "", err.Error())
		}
	}
	if len(c.SecretKey) < 32 {
		return bad("secret-key", "(hidden)", "must be at least 32 characters")
	}
	return nil
}

// SecureCookies reports whether cookies must carry the Secure attribute.
func (c *Config) SecureCookies() bool { return strings.HasPrefix(c.BaseURL, "https://") }

// Logger builds the process logger the configuration asks for.
func (c *Config) Logger(w io.Writer) *slog.Logger {
	opts := &slog.HandlerOptions{Level: c.LogLevel}
	if c.LogFormat == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

func positiveInt(flagName, v string, lo, hi int) (int, error) {
	n, err := strconv.Atoi(v)
	if err != nil || n < lo || n > hi {
		return 0, bad(flagName, v, fmt.Sprintf("want a whole number from %d to %d", lo, hi))
	}
	return n, nil
}

// loadOrCreateSecret reads the key generated on an earlier run, or creates
// one readable only by this user. The key must survive restarts: sessions
// and tokens signed with it would otherwise all become invalid.
func loadOrCreateSecret(path string) (string, error) {
	b, err := os.ReadFile(path)
	if err == nil {
		return strings.TrimSpace(string(b)), nil
	}
	if !errors.Is(err, os.ErrNotExist) {
		return "", fmt.Errorf("read %s: %w", path, err)
	}
	buf := make([]byte, 48)
	if _, err := rand.Read(buf); err != nil {
		return "", fmt.Errorf("generate secret key: %w", err)
	}
	key := base64.RawURLEncoding.EncodeToString(buf)
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, os.ErrExist) {
		// Another process created it first; use theirs.
		return loadOrCreateSecret(path)
	}
	if err != nil {
		return "", fmt.Errorf("store generated key in %s: %w", path, err)
	}
	defer f.Close()
	if _, err := f.WriteString(key + "\n"); err != nil {
		return "", fmt.Errorf("store generated key in %s: %w", path, err)
	}
	return key, nil
}

func redactURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "(unparsable URL)"
	}
	return u.Redacted()
}

// MarkdownTable renders the settings as the README's configuration table.
func MarkdownTable() string {
	var b strings.Builder
	b.WriteString("| Environment variable | Flag | Default | Meaning |\n|---|---|---|---|\n")
	for _, s := range settings {
		def := s.def
		if def == "" {
			def = "—"
		}
		fmt.Fprintf(&b, "| `%s` | `--%s` | `%s` | %s |\n", s.env, s.flag, def, s.help)
	}
	return b.String()
}

// Load registers the settings on a fresh flag set, parses args and resolves
// the result: for tests and tools that want a Config without a command line.
func Load(args []string, getenv func(string) string) (*Config, error) {
	fs := flag.NewFlagSet("rapport", flag.ContinueOnError)
	c := Register(fs, getenv)
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	return c, c.Resolve()
}

// resolveSocial reads the settings of social streams and the Inbox.
func (c *Config) resolveSocial(get func(string) string) error {
	c.FeedAllowHosts = nil
	for _, h := range strings.Split(get("feed-allow-hosts"), ",") {
		if h = strings.ToLower(strings.TrimSpace(h)); h != "" {
			c.FeedAllowHosts = append(c.FeedAllowHosts, h)
		}
	}
	durations := []struct {
		flag string
		dst  *time.Duration
		min  time.Duration
	}{
		{"feed-interval", &c.FeedInterval, time.Minute},
		{"feed-timeout", &c.FeedTimeout, time.Second},
		{"inbox-target", &c.InboxTarget, time.Minute},
	}
	for _, d := range durations {
		v, err := time.ParseDuration(get(d.flag))
		if err != nil || v < d.min {
			return bad(d.flag, get(d.flag), "want a duration of at least "+d.min.String()+", such as 15m")
		}
		*d.dst = v
	}
	n, err := positiveInt("feed-max-bytes", get("feed-max-bytes"), 1024, 1<<30)
	if err != nil {
		return err
	}
	c.FeedMaxBytes = int64(n)
	switch v := strings.ToLower(get("feed-discovery")); v {
	case "true", "1", "yes", "on":
		c.FeedDiscovery = true
	case "false", "0", "no", "off":
		c.FeedDiscovery = false
	default:
		return bad("feed-discovery", v, "want true or false")
	}
	c.AttentionTag = get("attention-tag")
	return nil
}
