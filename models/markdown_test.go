package models_test

import (
	"strings"
	"testing"

	"golang.org/x/net/html"

	"rapport/models"
)

// unsafeHTML reports what in out could run script: a script element, an
// event handler attribute, or a javascript:, vbscript: or data: URL.
func unsafeHTML(out string) string {
	if strings.Contains(strings.ToLower(out), "<script") {
		return "a script tag"
	}
	z := html.NewTokenizer(strings.NewReader(out))
	for {
		switch z.Next() {
		case html.ErrorToken:
			return ""
		case html.StartTagToken, html.SelfClosingTagToken:
			name, _ := z.TagName()
			switch string(name) {
			case "script", "iframe", "object", "embed", "svg", "math", "style", "form", "base", "meta", "link":
				return "element " + string(name)
			}
			for {
				k, v, more := z.TagAttr()
				key, val := string(k), strings.ToLower(strings.Join(strings.Fields(string(v)), ""))
				switch {
				case strings.HasPrefix(key, "on"):
					return "event attribute " + key
				case key == "style":
					return "style attribute"
				case strings.HasPrefix(val, "javascript:"), strings.HasPrefix(val, "vbscript:"), strings.HasPrefix(val, "data:"):
					return "URL " + val
				}
				if !more {
					break
				}
			}
		}
	}
}

func TestRenderMarkdownSanitises(t *testing.T) {
	payloads := []string{
		`<script>alert(1)</script>`,
		`<SCRIPT SRC=//evil.example/x.js></SCRIPT>`,
		`<img src=x onerror=alert(1)>`,
		`<img src="x" OnError="alert(1)">`,
		`[click](javascript:alert(1))`,
		`[click](JaVaScRiPt:alert(1))`,
		`[click](jav&#x61;script:alert(1))`,
		`[click](&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;alert(1))`,
		`[click](java%0ascript:alert(1))`,
		`<a href="javascript:alert(1)">x</a>`,
		`<a href="&#x6A;avascript:alert(1)">x</a>`,
		`<svg onload=alert(1)>`,
		`<svg><script>alert(1)</script></svg>`,
		`![x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)`,
		`[x](data:text/html,<script>alert(1)</script>)`,
		`<iframe src="https://evil.example"></iframe>`,
		`<div style="background:url(javascript:alert(1))">x</div>`,
		`<p onmouseover="alert(1)">hover</p>`,
		`<math><mi xlink:href="javascript:alert(1)">x</mi></math>`,
		`<details open ontoggle=alert(1)>`,
		`[a](<javascript:alert(1)>)`,
		"```\n<script>alert(1)</script>\n```",
		`<<script>script>alert(1)<</script>/script>`,
		`<a href="vbscript:msgbox(1)">x</a>`,
		`![x](x" onerror="alert(1))`,
	}
	for _, p := range payloads {
		out := string(models.RenderMarkdown(p))
		if why := unsafeHTML(out); why != "" {
			t.Errorf("RenderMarkdown(%q) = %q: %s survived", p, out, why)
		}
	}
}

func TestRenderMarkdownGFM(t *testing.T) {
	for _, tc := range []struct{ src, want string }{
		{"**bold** and ~~gone~~", "<strong>bold</strong> and <del>gone</del>"},
		{"| a | b |\n|---|---|\n| 1 | 2 |", "<table>"},
		{"| a | b |\n|---|---|\n| 1 | 2 |", "<td>2</td>"},
		{"- [x] done\n- [ ] todo", `<input checked="" disabled="" type="checkbox"`},
		{"- [ ] todo", `<input disabled="" type="checkbox"`},
		{"see https://example.com/x", `<a href="https://example.com/x" rel="nofollow noopener" target="_blank">`},
		{"[docs](/help)", `<a href="/help" rel="nofollow">docs</a>`},
		{"line one\nline two", "line one<br>"},
		{"[mail](mailto:a@example.com)", `href="mailto:a@example.com"`},
		{"`<b>` code", "<code>&lt;b&gt;</code>"},
	} {
		if out := string(models.RenderMarkdown(tc.src)); !strings.Contains(out, tc.want) {
			t.Errorf("RenderMarkdown(%q) = %q, want it to contain %q", tc.src, out, tc.want)
		}
	}
}

// FuzzRenderMarkdown checks that nothing able to run script survives
// rendering, whatever the input. Seeds live in testdata/fuzz.
func FuzzRenderMarkdown(f *testing.F) {
	f.Add("**hi** [x](https://example.com) <b>raw</b>")
	f.Add("<img src=x onerror=alert(1)>")
	f.Add("[x](javascript:alert(1))")
	f.Fuzz(func(t *testing.T, src string) {
		out := string(models.RenderMarkdown(src))
		if why := unsafeHTML(out); why != "" {
			t.Fatalf("RenderMarkdown(%q) = %q: %s survived", src, out, why)
		}
	})
}
