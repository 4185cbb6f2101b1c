// Package vcardio reads and writes contacts as vCards (.vcf): the format
// layer of vCard import and export, as pure functions over readers and
// writers.
//
// [Reader] streams the cards of a file one at a time, as Apple Contacts,
// Google Contacts and Outlook write them: vCard 4.0, 3.0 and Outlook's 2.1
// (bare parameters such as TEL;WORK;VOICE, quoted-printable values,
// Windows-1252 text), folded lines, grouped properties (item1.EMAIL with
// item1.X-ABLabel). Photos, logos, sounds and keys are skipped as they are
// read, without being held, so memory stays at one card (at most
// ReadOptions.MaxCard bytes) whatever the file and its pictures weigh. A
// card that cannot be used is a [*CardError] and reading goes on. [Map]
// turns a card into a [models.ContactRequest] with the problems a person
// should see ([FieldError]).
//
// [Writer] writes contacts as vCard 4.0 (RFC 6350) or 3.0 (RFC 2426), which
// Apple, Google and Outlook import; what it writes, Reader and Map read
// back into the same request (but for the owner, last-contacted time and
// typed feed addresses, which vCard has no place for).
//
// # What go-vcard is used for, and what not
//
// Cards are held as github.com/emersion/go-vcard's [vcard.Card]: its
// fields, parameters and names of properties, parameters and types. Its
// Decoder and Encoder are not used. The Decoder reads a card's lines into
// memory photo and all, and misreads vCard 2.1's bare parameters (in
// "TEL;WORK:+1 555" it takes WORK for a parameter whose value runs to the
// end of the line, losing the number); the Encoder neither folds lines at
// 75 octets nor escapes a semicolon inside a name or address part, and it
// escapes the commas between categories, which makes a list of tags a
// single tag. So this package reads and writes the lines itself.
//
// Values in a Card are kept as written, escapes included (after
// quoted-printable and charset decoding): whether a backslashed semicolon
// separates the parts of a structured value (N, ADR, ORG) or is a literal
// one can only be told before unescaping. [Text], [Parts] and [List] read
// them.
package vcardio
