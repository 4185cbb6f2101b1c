package csvio

import (
	"bytes"
	"io"
	"unicode/utf8"

	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/unicode"
	"golang.org/x/text/transform"
)

// Encodings Open recognises, as Format.Encoding names them.
const (
	EncodingUTF8        = "UTF-8"
	EncodingUTF8BOM     = "UTF-8 with BOM"
	EncodingUTF16LE     = "UTF-16LE"
	EncodingUTF16BE     = "UTF-16BE"
	EncodingWindows1252 = "Windows-1252"
)

// sniffSize is how much of a file is looked at to decide its encoding,
// delimiter and header: enough for a few hundred rows.
const sniffSize = 64 << 10

var bomUTF8 = []byte{0xEF, 0xBB, 0xBF}

// detectEncoding names the encoding of a file from its first bytes. A file
// without a byte-order mark that is not valid UTF-8 is taken as
// Windows-1252, what Outlook and Excel write on Windows in the West; it
// agrees with Latin-1 on every letter. complete says head is the whole file,
// so a character cut at its end is an error rather than the sample's edge.
func detectEncoding(head []byte, complete bool) string {
	switch {
	case bytes.HasPrefix(head, bomUTF8):
		return EncodingUTF8BOM
	case bytes.HasPrefix(head, []byte{0xFF, 0xFE}):
		return EncodingUTF16LE
	case bytes.HasPrefix(head, []byte{0xFE, 0xFF}):
		return EncodingUTF16BE
	}
	// UTF-16 without a mark still shows itself: text is mostly ASCII, so
	// every other byte is zero.
	if len(head) >= 4 {
		switch {
		case head[0] != 0 && head[1] == 0 && head[2] != 0 && head[3] == 0:
			return EncodingUTF16LE
		case head[0] == 0 && head[1] != 0 && head[2] == 0 && head[3] != 0:
			return EncodingUTF16BE
		}
	}
	if !complete {
		// Drop a character the sample cuts in two.
		for i := 1; i <= utf8.UTFMax && i <= len(head); i++ {
			if utf8.RuneStart(head[len(head)-i]) {
				if !utf8.FullRune(head[len(head)-i:]) {
					head = head[:len(head)-i]
				}
				break
			}
		}
	}
	if utf8.Valid(head) || mostlyUTF8(head) {
		return EncodingUTF8
	}
	return EncodingWindows1252
}

// mostlyUTF8 reports whether head holds more UTF-8 characters of two bytes
// or more than bytes that are not UTF-8. Such a file is UTF-8 with a few
// bad rows (pasted from a Latin-1 file), which Read rejects one by one
// with the reason; Windows-1252 text never holds many valid UTF-8
// sequences by chance, and reading the file as Windows-1252 would garble
// every good row.
func mostlyUTF8(head []byte) bool {
	valid, invalid := 0, 0
	for i := 0; i < len(head); {
		if head[i] < utf8.RuneSelf {
			i++
			continue
		}
		r, size := utf8.DecodeRune(head[i:])
		if r == utf8.RuneError && size == 1 {
			invalid++
		} else {
			valid++
		}
		i += size
	}
	return valid > invalid
}

// knownEncoding reports whether name is one of the Encoding constants.
func knownEncoding(name string) bool {
	switch name {
	case EncodingUTF8, EncodingUTF8BOM, EncodingUTF16LE, EncodingUTF16BE, EncodingWindows1252:
		return true
	}
	return false
}

// decode returns r's text as UTF-8. A UTF-8 file passes through untouched,
// so that invalid bytes stay visible and are reported per row instead of
// silently becoming U+FFFD; its byte-order mark has been skipped already.
func decode(r io.Reader, encoding string) io.Reader {
	switch encoding {
	case EncodingUTF16LE:
		return transform.NewReader(r, unicode.UTF16(unicode.LittleEndian, unicode.UseBOM).NewDecoder())
	case EncodingUTF16BE:
		return transform.NewReader(r, unicode.UTF16(unicode.BigEndian, unicode.UseBOM).NewDecoder())
	case EncodingWindows1252:
		return transform.NewReader(r, charmap.Windows1252.NewDecoder())
	}
	return r
}

// crToLF turns old Mac line endings (a lone CR) into LF, which
// encoding/csv splits on. It is only used on files that have no LF at all
// in their first 64 KiB.
type crToLF struct{ r io.Reader }

func (c crToLF) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	for i := range p[:n] {
		if p[i] == '\r' {
			p[i] = '\n'
		}
	}
	return n, err
}

// lineEnding names the line endings that dominate sample.
func lineEnding(sample []byte) string {
	crlf := bytes.Count(sample, []byte("\r\n"))
	lf := bytes.Count(sample, []byte("\n")) - crlf
	cr := bytes.Count(sample, []byte("\r")) - crlf
	switch {
	case lf == 0 && crlf == 0 && cr > 0:
		return "CR"
	case crlf > lf:
		return "CRLF"
	}
	return "LF"
}

// signatures are the first bytes of files people upload by mistake, with
// what to tell them.
var signatures = []struct {
	magic []byte
	msg   string
}{
	{[]byte("PK\x03\x04"), "This looks like an Excel workbook (or another zipped file), not CSV; save it as CSV first: in Excel, File > Save As > CSV UTF-8."},
	{[]byte("\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1"), "This looks like an old Excel workbook (.xls), not CSV; save it as CSV first: in Excel, File > Save As > CSV UTF-8."},
	{[]byte("%PDF-"), "This is a PDF document, not CSV. Export the contacts as CSV from the program they are in."},
	{[]byte("\x1F\x8B"), "This is a compressed (gzip) file; unpack it and import the CSV inside."},
	{[]byte("BEGIN:VCARD"), "This is a vCard file, not CSV; import it as vCard instead."},
}

// notCSV returns a message when head is the start of a file that is not
// CSV, judged from its signature.
func notCSV(head []byte) string {
	for _, s := range signatures {
		if bytes.HasPrefix(head, s.magic) {
			return s.msg
		}
	}
	trimmed := bytes.ToLower(bytes.TrimLeft(bytes.TrimPrefix(head, bomUTF8), " \t\r\n"))
	if bytes.HasPrefix(trimmed, []byte("<!doctype html")) || bytes.HasPrefix(trimmed, []byte("<html")) {
		return "This is a web page, not CSV. Download the export file itself rather than the page around it."
	}
	return ""
}
