package vcardio

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/emersion/go-vcard"
	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/htmlindex"
	"golang.org/x/text/encoding/unicode"
	"golang.org/x/text/transform"
)

// DefaultMaxCard is the most a card may hold, photos aside, unless told
// otherwise: a card of contact details is a few kilobytes.
const DefaultMaxCard = 1 << 20

// ReadOptions adjust a Reader. The zero value is fine.
type ReadOptions struct {
	// MaxCard bounds the size of a card in bytes, without the photos,
	// logos, sounds and keys, which are never held; DefaultMaxCard when 0.
	// A larger card is a CardError.
	MaxCard int
}

// A Card is one vCard of a file.
type Card struct {
	Line    int    // the line its BEGIN:VCARD is on, 1-based
	Version string // "2.1", "3.0" or "4.0" as the card says; "3.0" when it does not
	// Props are its properties by name (upper case). Each Field's Value is
	// as written, escapes included: read it with Text, Parts or List.
	Props vcard.Card
}

// A CardError is a card that cannot be used; reading goes on after it.
type CardError struct {
	Line int    // the line the card starts on
	Name string // the name on the card, when it could be read
	Msg  string // for a person: what is wrong
}

func (e *CardError) Error() string { return fmt.Sprintf("card on line %d: %s", e.Line, e.Msg) }

// skipped are the properties whose values are binary payloads, read past
// without being held.
var skipped = map[string]bool{
	vcard.FieldPhoto: true, vcard.FieldLogo: true, vcard.FieldSound: true, vcard.FieldKey: true,
	"X-MS-CARDPICTURE": true, "X-MS-OL-DESIGN": true,
}

// A Reader streams the cards of a vCard file.
type Reader struct {
	br      *bufio.Reader
	line    int // the number of the last line read
	maxCard int
	held    *logical // a BEGIN:VCARD read while looking for an END
	long    []byte
}

// NewReader returns a Reader of the cards in r, which may be UTF-8 (with
// or without a byte-order mark) or UTF-16 with one; text in other
// encodings is decoded per value, by its CHARSET or as Windows-1252.
func NewReader(r io.Reader, o ReadOptions) *Reader {
	if o.MaxCard <= 0 {
		o.MaxCard = DefaultMaxCard
	}
	// BOMOverride decodes UTF-16 and drops a UTF-8 mark; other bytes pass
	// through as they are, to be decoded value by value.
	text := transform.NewReader(r, unicode.BOMOverride(encoding.Nop.NewDecoder()))
	return &Reader{br: bufio.NewReaderSize(text, 64<<10), maxCard: o.MaxCard}
}

// logical is one unfolded property line.
type logical struct {
	text    string
	line    int
	tooLong bool
}

// Read returns the next card; io.EOF at the end. A card that cannot be
// used is a *CardError: call Read again for the next. Any other error is a
// failure to read the input.
func (r *Reader) Read() (Card, error) {
	begin, err := r.findBegin()
	if err != nil {
		return Card{}, err
	}
	c := Card{Line: begin, Props: vcard.Card{}}
	size, tooLarge := 0, false
	for {
		l, err := r.next()
		if err == io.EOF {
			return c, &CardError{Line: begin, Name: cardName(c), Msg: "the card has no END:VCARD: the file seems cut short."}
		}
		if err != nil {
			return c, err
		}
		upper := strings.ToUpper(strings.TrimSpace(l.text))
		if upper == "BEGIN:VCARD" {
			r.held = &l
			return c, &CardError{Line: begin, Name: cardName(c), Msg: fmt.Sprintf("the card has no END:VCARD before the next card starts on line %d; it was skipped.", l.line)}
		}
		if upper == "END:VCARD" {
			break
		}
		size += len(l.text)
		if l.tooLong || size > r.maxCard {
			tooLarge = true
		}
		if tooLarge {
			continue
		}
		group, name, params, value, ok := parseProperty(l.text)
		if !ok {
			continue // not a property: stray base64 of a 2.1 photo, or noise
		}
		c.Props.Add(name, &vcard.Field{Group: group, Params: params, Value: value})
	}
	if tooLarge {
		return Card{Line: begin}, &CardError{Line: begin, Name: cardName(c), Msg: fmt.Sprintf("the card holds more than %d KiB besides its photo, far more than contact details; it was skipped.", r.maxCard>>10)}
	}
	c.Version = c.Props.Value(vcard.FieldVersion)
	if c.Version == "" {
		c.Version = "3.0"
	}
	if strings.EqualFold(c.Props.Value(vcard.FieldKind), "group") || strings.EqualFold(c.Props.Value("X-ADDRESSBOOKSERVER-KIND"), "group") {
		return c, &CardError{Line: begin, Name: cardName(c), Msg: fmt.Sprintf("%q is a contact group, not a person; it was skipped.", cardName(c))}
	}
	return c, nil
}

// cardName is the name on a card, for messages.
func cardName(c Card) string {
	if fn := c.Props.PreferredValue(vcard.FieldFormattedName); fn != "" {
		return Text(fn)
	}
	if n := c.Props.Get(vcard.FieldName); n != nil {
		p := append(Parts(n.Value), "")
		return strings.TrimSpace(p[1] + " " + p[0])
	}
	return ""
}

// findBegin reads up to the next BEGIN:VCARD and returns its line.
func (r *Reader) findBegin() (int, error) {
	if l := r.held; l != nil {
		r.held = nil
		return l.line, nil
	}
	for {
		l, err := r.next()
		if err != nil {
			return 0, err
		}
		if strings.EqualFold(strings.TrimSpace(l.text), "BEGIN:VCARD") {
			return l.line, nil
		}
	}
}

// next returns the next property line, unfolded: continuation lines start
// with a space or tab (one of which is dropped), and in quoted-printable
// values a line ending with = goes on on the next line. Photos and other
// payloads are read past and never returned.
func (r *Reader) next() (logical, error) {
	for {
		head, err := r.br.Peek(128)
		if len(head) == 0 {
			if err == nil || err == io.EOF {
				err = io.EOF
			} else {
				err = fmt.Errorf("vcardio: read: %w", err)
			}
			return logical{}, err
		}
		if skipped[propertyName(head)] {
			if err := r.skipProperty(); err != nil {
				return logical{}, err
			}
			continue
		}
		first, tooLong, err := r.physical()
		if err != nil {
			return logical{}, err
		}
		l := logical{line: r.line, tooLong: tooLong}
		text := append([]byte(nil), first...)
		qp := isQuotedPrintable(text)
		for !l.tooLong {
			if qp && bytes.HasSuffix(text, []byte("=")) {
				if b, _ := r.br.Peek(1); len(b) == 0 {
					break
				}
				more, tooLong, err := r.physical()
				if err != nil {
					return logical{}, err
				}
				text, l.tooLong = append(text[:len(text)-1], more...), tooLong
			} else if b, _ := r.br.Peek(1); len(b) == 1 && (b[0] == ' ' || b[0] == '\t') {
				more, tooLong, err := r.physical()
				if err != nil {
					return logical{}, err
				}
				if !tooLong {
					text = append(text, more[1:]...)
				}
				l.tooLong = tooLong
			} else {
				break
			}
			if len(text) > r.maxCard {
				l.tooLong = true
			}
		}
		if l.tooLong {
			// Read past the rest of the property without holding it.
			for {
				if b, _ := r.br.Peek(1); len(b) == 0 || (b[0] != ' ' && b[0] != '\t') {
					break
				}
				if _, _, err := r.physical(); err != nil {
					return logical{}, err
				}
			}
			return l, nil
		}
		if len(bytes.TrimSpace(text)) == 0 {
			continue
		}
		l.text = string(text)
		return l, nil
	}
}

// skipProperty reads past a property and its continuation lines.
func (r *Reader) skipProperty() error {
	if _, _, err := r.physical(); err != nil {
		return err
	}
	for {
		b, _ := r.br.Peek(1)
		if len(b) == 0 || (b[0] != ' ' && b[0] != '\t') {
			return nil
		}
		if _, _, err := r.physical(); err != nil {
			return err
		}
	}
}

// physical returns the next line without its line ending (nil and tooLong
// for one longer than maxCard, read past without being held), valid until
// the next call.
func (r *Reader) physical() (line []byte, tooLong bool, err error) {
	b, err := r.br.ReadSlice('\n')
	if err == bufio.ErrBufferFull {
		r.long = append(r.long[:0], b...)
		for err == bufio.ErrBufferFull {
			b, err = r.br.ReadSlice('\n')
			if !tooLong && len(r.long)+len(b) > r.maxCard {
				tooLong, r.long = true, r.long[:0]
			}
			if !tooLong {
				r.long = append(r.long, b...)
			}
		}
		b = r.long
	}
	if err != nil && err != io.EOF {
		return nil, false, fmt.Errorf("vcardio: read: %w", err)
	}
	r.line++
	if tooLong {
		return nil, true, nil
	}
	return bytes.TrimRight(b, "\r\n"), false, nil
}

// propertyName is the upper-case name of the property a line starts,
// without its group.
func propertyName(line []byte) string {
	end := bytes.IndexAny(line, ";:\r\n")
	if end < 0 {
		end = len(line)
	}
	name := line[:end]
	if i := bytes.IndexByte(name, '.'); i >= 0 {
		name = name[i+1:]
	}
	return strings.ToUpper(string(name))
}

func isQuotedPrintable(line []byte) bool {
	i := bytes.IndexByte(line, ':')
	if i < 0 {
		i = len(line)
	}
	return bytes.Contains(bytes.ToUpper(line[:i]), []byte("QUOTED-PRINTABLE"))
}

// parseProperty reads "[group.]NAME[;param…]:value". Parameters come as
// vCard 3.0 and 4.0 write them (TYPE=work,pref; TYPE="work,voice") or as
// vCard 2.1 does, bare (WORK; QUOTED-PRINTABLE), which become TYPE and
// ENCODING. A quoted-printable value is decoded, and a value that is not
// UTF-8 is decoded by its CHARSET, or else as Windows-1252.
func parseProperty(line string) (group, name string, params vcard.Params, value string, ok bool) {
	colon, quoted := -1, false
	for i := 0; i < len(line) && colon < 0; i++ {
		switch line[i] {
		case '"':
			quoted = !quoted
		case ':':
			if !quoted {
				colon = i
			}
		}
	}
	if colon <= 0 {
		return "", "", nil, "", false
	}
	head, value := splitQuoted(line[:colon], ';'), line[colon+1:]
	name = strings.TrimSpace(head[0])
	if i := strings.IndexByte(name, '.'); i >= 0 {
		group, name = name[:i], name[i+1:]
	}
	name = strings.ToUpper(name)
	if name == "" || strings.ContainsAny(name, " \t") {
		return "", "", nil, "", false
	}
	params = vcard.Params{}
	for _, p := range head[1:] {
		k, v, hasValue := strings.Cut(p, "=")
		k = strings.ToUpper(strings.TrimSpace(k))
		if !hasValue {
			switch k {
			case "":
				continue
			case "QUOTED-PRINTABLE", "BASE64", "B", "8BIT", "7BIT":
				params.Add("ENCODING", k)
			default:
				params.Add(vcard.ParamType, k)
			}
			continue
		}
		for _, v := range splitQuoted(v, ',') {
			params.Add(k, strings.Trim(v, `"`))
		}
	}
	if strings.EqualFold(params.Get("ENCODING"), "QUOTED-PRINTABLE") {
		// Its line breaks are CR LF (=0D=0A), which is how they were sent
		// rather than what they are; they are held as "\n" like any other.
		value = strings.ReplaceAll(decodeQuotedPrintable(value), "\r\n", "\n")
		delete(params, "ENCODING")
	}
	if !utf8.ValidString(value) {
		value = decodeCharset(value, params.Get("CHARSET"))
	}
	delete(params, "CHARSET")
	return group, name, params, value, true
}

// splitQuoted cuts s at each sep outside double quotes.
func splitQuoted(s string, sep byte) []string {
	var out []string
	start, quoted := 0, false
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '"':
			quoted = !quoted
		case sep:
			if !quoted {
				out = append(out, s[start:i])
				start = i + 1
			}
		}
	}
	return append(out, s[start:])
}

// decodeQuotedPrintable decodes =XX escapes (soft line breaks are joined
// already); a malformed escape is kept as it is.
func decodeQuotedPrintable(s string) string {
	if strings.IndexByte(s, '=') < 0 {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '=' && i+2 < len(s) && isHex(s[i+1]) && isHex(s[i+2]) {
			b.WriteByte(unhex(s[i+1])<<4 | unhex(s[i+2]))
			i += 2
			continue
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

func unhex(c byte) byte {
	switch {
	case c >= 'a':
		return c - 'a' + 10
	case c >= 'A':
		return c - 'A' + 10
	}
	return c - '0'
}

// decodeCharset decodes text in the named charset, Windows-1252 when the
// name is missing or unknown (what Outlook writes on Windows in the West).
func decodeCharset(s, charset string) string {
	var dec *encoding.Decoder
	if e, err := htmlindex.Get(charset); err == nil && charset != "" {
		dec = e.NewDecoder()
	}
	if dec == nil || strings.EqualFold(charset, "utf-8") {
		dec = charmap.Windows1252.NewDecoder()
	}
	out, err := dec.String(s)
	if err != nil {
		return strings.ToValidUTF8(s, "\uFFFD")
	}
	return out
}
