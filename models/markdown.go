package models

import (
	"bytes"
	"html/template"
	"regexp"

	"github.com/microcosm-cc/bluemonday"
	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/extension"
	"github.com/yuin/goldmark/renderer/html"
)

// Notes are Markdown written by colleagues and shown to everyone, so what
// they render to is treated as hostile: goldmark turns GitHub-flavoured
// Markdown (tables, strikethrough, autolinks, task lists) into HTML without
// passing raw HTML through, and bluemonday's UGC policy then keeps only
// harmless elements and attributes — no scripts, event handlers, styles,
// or URLs other than http, https and mailto — whatever goldmark might let
// slip. Two layers, because a mistake in either alone would be an XSS.

var markdown = goldmark.New(
	goldmark.WithExtensions(extension.GFM),
	// Line breaks typed in a note's textarea are meant as line breaks.
	goldmark.WithRendererOptions(html.WithHardWraps()),
)

var markdownPolicy = func() *bluemonday.Policy {
	p := safeLinks(bluemonday.UGCPolicy())
	// GFM task lists render as disabled checkboxes.
	p.AllowAttrs("type").Matching(regexp.MustCompile(`^checkbox$`)).OnElements("input")
	p.AllowAttrs("checked", "disabled").Matching(regexp.MustCompile(`^$`)).OnElements("input")
	return p
}()

// safeLinks sets the rules for links in HTML others wrote (notes, feed
// posts): http, https and mailto only, parseable, and no endorsement nor
// window.opener for the page they open.
func safeLinks(p *bluemonday.Policy) *bluemonday.Policy {
	p.AllowURLSchemes("http", "https", "mailto")
	p.RequireParseableURLs(true)
	p.RequireNoFollowOnLinks(true)
	p.AddTargetBlankToFullyQualifiedLinks(true)
	return p
}

// RenderMarkdown turns a note's Markdown into HTML that is safe to put in
// a page as is.
func RenderMarkdown(src string) template.HTML {
	var buf bytes.Buffer
	if err := markdown.Convert([]byte(src), &buf); err != nil {
		// goldmark fails only on a failing writer; show the text escaped.
		return template.HTML(template.HTMLEscapeString(src))
	}
	return template.HTML(markdownPolicy.SanitizeBytes(buf.Bytes())) // #nosec G203 -- sanitised just now
}
