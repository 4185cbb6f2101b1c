// Package static embeds the CSS, JavaScript and images Rapport serves, and
// addresses each file by a checksum of its content so browsers may cache it
// forever and still never see a stale copy after an upgrade.
package static

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"io/fs"
	"path"
	"sync"
)

//go:embed css js img vendor
var files embed.FS

// Prefix is where the server mounts the files.
const Prefix = "/static/"

var (
	sumsOnce sync.Once
	sums     map[string]string // file path -> short content hash
)

func checksums() map[string]string {
	sumsOnce.Do(func() {
		sums = map[string]string{}
		_ = fs.WalkDir(files, ".", func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			b, err := files.ReadFile(p)
			if err != nil {
				return err
			}
			h := sha256.Sum256(b)
			sums[p] = hex.EncodeToString(h[:])[:12]
			return nil
		})
	})
	return sums
}

// Path returns the URL of an embedded file, such as Path("css/app.css") ->
// "/static/3f2a9c1b0d4e/css/app.css". It panics on a name that is not
// embedded: that is a programming error caught by the first render in tests.
func Path(name string) string {
	sum, ok := checksums()[name]
	if !ok {
		panic("static: no embedded file " + name)
	}
	return Prefix + sum + "/" + name
}

// Lookup resolves a request path below Prefix ("<sum>/<name>") to the file's
// content. current reports whether sum matches the embedded file; a stale
// checksum is still served, but must not be cached for long.
func Lookup(rest string) (data []byte, name string, current bool, ok bool) {
	sum, name, found := cut(rest)
	if !found {
		return nil, "", false, false
	}
	want, ok := checksums()[name]
	if !ok {
		return nil, "", false, false
	}
	b, err := files.ReadFile(name)
	if err != nil {
		return nil, "", false, false
	}
	return b, name, want == sum, true
}

func cut(rest string) (sum, name string, ok bool) {
	for i := 0; i < len(rest); i++ {
		if rest[i] == '/' {
			return rest[:i], path.Clean(rest[i+1:]), i > 0 && i < len(rest)-1
		}
	}
	return "", "", false
}
