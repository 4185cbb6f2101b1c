// Package csvio reads and writes contacts as CSV: the format layer of CSV
// import and export, as pure functions over readers and writers. It never
// touches the database; the import and export handlers wrap it.
//
// Importing is three steps, each usable alone:
//
//   - [Open] sniffs the file (encoding, delimiter, line endings, a preamble
//     above the header) and returns a [Reader] that streams its rows as
//     [Record]s, each with the physical line it starts on. A row that cannot
//     be read is a [*RowError] and reading goes on; only a file that is not
//     CSV at all (a workbook, a PDF, binary data) is a [*FileError].
//   - [Detect] and [Suggest] recognise the exporter from the header (Google
//     Contacts, Outlook, LinkedIn, HubSpot, Rapport itself, or any
//     spreadsheet) and propose a [Mapping] from columns to contact fields,
//     which a person may change and save, as JSON, to reuse.
//   - [Map] turns one record into a [models.ContactRequest] and the problems
//     a person should see, per field ([FieldError]).
//
// Exporting is [NewWriter] and [Writer.Write]; what it writes, [Map] with
// the mapping [Suggest] gives for it reads back into the same request
// ([RequestFor] says which).
//
// # Why encoding/csv, and what is added on top
//
// The standard library's encoding/csv parses RFC 4180 correctly, is fast,
// and keeps up with Go; it is used with LazyQuotes off (a stray quote is an
// error to report, not something to guess around), FieldsPerRecord -1 (the
// row length is checked here, against the header, to say which row is
// ragged) and ReuseRecord. What it does not do, and this package does:
//
//   - Decoding. It reads UTF-8 only; files come as UTF-8 with or without a
//     byte-order mark, UTF-16 (Excel's "Unicode text"), or Windows-1252 from
//     Outlook and older Excel. The encoding is detected from the first
//     64 KiB and decoded with golang.org/x/text.
//   - Sniffing: the delimiter (comma, semicolon as Excel writes in much of
//     Europe, tab), old Mac CR line endings, which it does not split on, and
//     the "Notes:" paragraph LinkedIn puts above the header.
//   - Bounded memory and recovery. encoding/csv reads a quoted field until
//     its closing quote, so one missing quote makes it swallow the rest of
//     the file into a single field, in memory. Here a small splitter that
//     follows the same quoting rules cuts the input into rows first, with a
//     byte limit per row, and hands encoding/csv one row at a time. A row
//     that fails to parse, or runs past the limit, is reported on the line
//     it starts on and reading resumes on the next line, so a stray quote
//     costs one row rather than the file.
//   - Messages a person can act on: its ParseError becomes "line 12: there
//     is a quotation mark inside the value in column "Notes", not at its
//     start. Put the whole value in double quotes…", and ragged rows,
//     invalid UTF-8 and oversized cells get the same treatment.
//
// # Formula injection
//
// A spreadsheet runs a cell that starts with =, +, -, @, a tab or a
// carriage return as a formula, so an exported name like
// =HYPERLINK("http://evil", "Click") would run on the recipient's machine.
// Following OWASP's advice, the writer prefixes such cells with a single
// quote, which spreadsheets show as text and do not display. That changes
// the cell: "+44 20 7946 0958" is written '+44 20 7946 0958 and "-5" as '-5.
// Map undoes it: a leading quote followed by one of those characters (or by
// further quotes and then one of them) is dropped, and the writer adds a
// quote to such cells too, so every value comes back exactly. See
// [GuardFormula] and [UnguardFormula].
package csvio
