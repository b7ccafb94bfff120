// Package ingest reads uploaded CSV files (the native format and the open
// data files of Explore Education Statistics) into validated observations.
// Every problem in every file is collected with its file, line and column;
// a file with any problem yields nothing to store. It is the only package
// that imports gocsv.
package ingest

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"cptrends/indicators"

	"github.com/gocarina/gocsv"
)

func init() {
	// Header names match without regard to case, surrounding spaces or a
	// byte-order mark. This is gocsv's only package-level setting we change.
	gocsv.SetHeaderNormalizer(normalizeHeader)
}

func normalizeHeader(s string) string {
	return strings.ToLower(strings.TrimSpace(strings.TrimPrefix(s, "\uFEFF")))
}

// DefaultMaxFileSize is the largest file accepted unless configured.
const DefaultMaxFileSize = 50 << 20

// maxErrors bounds the problems listed; the rest are counted.
const maxErrors = 1000

// NoColumn stands in the column place of a problem with a whole file.
const NoColumn = "-"

// Input is one file to read.
type Input struct {
	Name string
	R    io.Reader
}

// Problem is one reason a file was refused, at a line (the header is line 1)
// and a column (the header name, or NoColumn for the whole line or file).
type Problem struct {
	File    string
	Line    int
	Column  string
	Message string
}

func (p Problem) Error() string {
	return fmt.Sprintf("%s:%d:%s: %s", p.File, p.Line, p.Column, p.Message)
}

// Result is what reading a set of files found.
type Result struct {
	Files        []indicators.File
	Observations []indicators.Observation
	// Ignored lists, per file, columns that feed no indicator.
	Ignored map[string][]string
	// LACodes are the local authorities' codes and regions the EES files
	// give, to record beside the figures (written with the upload).
	LACodes []indicators.LACode
	// Problems lists every problem found (up to maxErrors); Omitted counts
	// those past that limit.
	Problems []Problem
	Omitted  int
}

// OK reports whether the files can be loaded.
func (r *Result) OK() bool { return len(r.Problems) == 0 && r.Omitted == 0 }

// Options configure reading.
type Options struct {
	MaxFileSize int64
	// LACodes are the local authority codes known before this upload
	// (indicators.LACodes), by which a file that names authorities by their
	// three-digit code alone (LAIT's) is read when the upload itself has
	// no file in the EES layout that gives them.
	LACodes []indicators.LACode
}

// reader accumulates one upload across its files.
type reader struct {
	cat   *indicators.Catalog
	opts  Options
	res   Result
	cells cells
	// sink, when set, takes each sound observation instead of
	// res.Observations, for as long as no problem has been found and it
	// has returned no error.
	sink    func(indicators.Observation) error
	sinkErr error
	// byOldYear gives, from the EES files read so far, the authority with
	// each three-digit code in each year.
	byOldYear map[oldCodeYear]indicators.LACode
	// codeLast is the last year any EES file read so far gives each
	// authority's ONS code in.
	codeLast map[string]indicators.Period
}

// Read reads and validates every file as one upload.
func Read(cat *indicators.Catalog, opts Options, inputs ...Input) *Result {
	r := newReader(cat, opts)
	for _, in := range inputs {
		r.readFile(in)
	}
	if !r.res.OK() {
		r.res.Observations = nil
	}
	return &r.res
}

// Stream reads and validates every file as one upload, as Read does, but
// hands each sound observation to sink as soon as it is read instead of
// keeping them all: Result.Observations stays empty, and memory does not
// grow with the size of the files. Once a problem is found, sink is called
// no more, but reading goes on so that every problem is reported. The
// caller must therefore discard what sink was given unless the Result is
// OK and the error nil. The error is the first one sink returned; sink is
// not called again after it.
func Stream(cat *indicators.Catalog, opts Options, sink func(indicators.Observation) error, inputs ...Input) (*Result, error) {
	return StreamEach(cat, opts, sink, Files(inputs...))
}

// StreamEach is Stream for files that arrive one after another, as the
// parts of an upload do: next gives each in turn, ok false after the
// last. An error from next ends the reading and is returned.
func StreamEach(cat *indicators.Catalog, opts Options, sink func(indicators.Observation) error, next func() (in Input, ok bool, err error)) (*Result, error) {
	r := newReader(cat, opts)
	r.sink = sink
	for {
		in, ok, err := next()
		if err != nil {
			return &r.res, err
		}
		if !ok {
			break
		}
		r.readFile(in)
		if r.sinkErr != nil {
			break
		}
	}
	return &r.res, r.sinkErr
}

func newReader(cat *indicators.Catalog, opts Options) *reader {
	if opts.MaxFileSize <= 0 {
		opts.MaxFileSize = DefaultMaxFileSize
	}
	return &reader{cat: cat, opts: opts, cells: newCells(cat), res: Result{Ignored: map[string][]string{}},
		byOldYear: map[oldCodeYear]indicators.LACode{}, codeLast: map[string]indicators.Period{}}
}

func (r *reader) problem(file string, line int, column, format string, args ...any) {
	if len(r.res.Problems) >= maxErrors {
		r.res.Omitted++
		return
	}
	r.res.Problems = append(r.res.Problems, Problem{File: file, Line: line, Column: column, Message: fmt.Sprintf(format, args...)})
}

// errTooLarge marks a file over the size limit.
var errTooLarge = errors.New("file too large")

// limitedReader fails once more than n bytes have been read, so an
// oversized file is refused without reading it whole.
type limitedReader struct {
	r io.Reader
	n int64
}

func (l *limitedReader) Read(p []byte) (int, error) {
	n, err := l.r.Read(p)
	l.n -= int64(n)
	if l.n < 0 {
		return n, errTooLarge
	}
	return n, err
}

func (r *reader) readFile(in Input) {
	h := sha256.New()
	counted := &countingWriter{w: h}
	lim := &limitedReader{r: io.TeeReader(in.R, counted), n: r.opts.MaxFileSize}
	br := bufio.NewReaderSize(lim, 2*maxHeaderBytes)
	rows := 0
	defer func() {
		// Drain what is left so the checksum covers the whole file.
		if _, err := io.Copy(io.Discard, br); errors.Is(err, errTooLarge) {
			r.tooLarge(in.Name)
		}
		r.res.Files = append(r.res.Files, indicators.File{Name: in.Name, SHA256: hex.EncodeToString(h.Sum(nil)), Size: counted.n, Rows: rows})
	}()

	head, err := br.Peek(8 << 10)
	if err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, bufio.ErrBufferFull) {
		if errors.Is(err, errTooLarge) {
			return // reported by the drain above
		}
		r.problem(in.Name, 1, NoColumn, "the file could not be read")
		return
	}
	if msg := notCSV(head); msg != "" {
		r.problem(in.Name, 1, NoColumn, "%s", msg)
		return
	}
	// The header is measured before it is parsed: a line of a million
	// empty column names would cost the parser far more than its bytes.
	if msg := checkHeader(br); msg != "" {
		r.problem(in.Name, 1, NoColumn, "%s", msg)
		return
	}
	ees, lait := isEES(head), isLAIT(head)
	if bytes.HasPrefix(head, []byte("\xEF\xBB\xBF")) {
		br.Discard(3)
	}
	switch {
	case ees:
		rows = r.readEES(in.Name, br)
	case lait:
		rows = r.readLAIT(in.Name, br)
	default:
		rows = r.readNative(in.Name, br)
	}
}

// MaxColumns is the most columns a file may have. The department's open
// data files have a few dozen.
const MaxColumns = 500

// maxHeaderBytes is the longest header line read.
const maxHeaderBytes = 64 << 10

// checkHeader looks at the header line, without consuming it, and says
// why it cannot be read: more than MaxColumns columns, or longer than
// maxHeaderBytes. Commas inside quoted names do not count.
func checkHeader(br *bufio.Reader) string {
	head, _ := br.Peek(min(maxHeaderBytes+1, br.Size()))
	quoted, columns := false, 1
	for i, c := range head {
		switch {
		case c == '"':
			quoted = !quoted
		case quoted:
		case c == ',':
			if columns++; columns > MaxColumns {
				return fmt.Sprintf("the header has more than %d columns; a file may have at most %d", MaxColumns, MaxColumns)
			}
		case c == '\n':
			return ""
		}
		if i >= maxHeaderBytes {
			return fmt.Sprintf("the header line is longer than %s; it may be at most that long", formatSize(maxHeaderBytes))
		}
	}
	return ""
}

func (r *reader) tooLarge(name string) {
	r.problem(name, 1, NoColumn, "the file is larger than the %s limit", formatSize(r.opts.MaxFileSize))
}

// formatSize writes a size limit in the largest unit that shows it exactly:
// "50 MB", "200 KB", "189 bytes".
func formatSize(n int64) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MB", n>>20)
	case n >= 1<<10 && n%(1<<10) == 0:
		return fmt.Sprintf("%d KB", n>>10)
	}
	return fmt.Sprintf("%d bytes", n)
}

type countingWriter struct {
	w io.Writer
	n int64
}

func (c *countingWriter) Write(p []byte) (int, error) {
	c.n += int64(len(p))
	return c.w.Write(p)
}

// notCSV recognises files that are plainly not CSV text by their first
// bytes, so the user gets one clear message instead of a page of errors.
func notCSV(head []byte) string {
	switch {
	case len(bytes.TrimSpace(bytes.TrimPrefix(head, []byte("\xEF\xBB\xBF")))) == 0:
		return "the file is empty"
	case bytes.HasPrefix(head, []byte("PK\x03\x04")):
		return "this is not a CSV file: it looks like an Excel workbook (.xlsx) or another zip file; in Excel, use Save As and choose CSV UTF-8"
	case bytes.HasPrefix(head, []byte("\xD0\xCF\x11\xE0")):
		return "this is not a CSV file: it looks like an old Excel workbook (.xls); in Excel, use Save As and choose CSV UTF-8"
	case bytes.HasPrefix(head, []byte("%PDF")):
		return "this is not a CSV file: it looks like a PDF"
	case bytes.IndexByte(head, 0) >= 0:
		return "this is not a CSV file: it contains binary data"
	case bytes.IndexByte(head, '\r') >= 0 && bytes.IndexByte(head, '\n') < 0:
		// Read as CSV, the whole file would be one line.
		return "the lines of this file end in a carriage return alone, as old Mac software saves them; in Excel, use Save As and choose CSV UTF-8"
	}
	return ""
}

// checkText rejects text that would corrupt pages or line numbers: invalid
// UTF-8, line breaks and other control characters.
func checkText(s string) string {
	// ASCII text, the usual case, is checked byte by byte.
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= utf8.RuneSelf || c < 0x20 && c != '\t' || c == 0x7f {
			return checkUTF8Text(s)
		}
	}
	return ""
}

// checkUTF8Text is checkText for text that is not all ASCII.
func checkUTF8Text(s string) string {
	if !utf8.ValidString(s) {
		return "is not UTF-8 text (older Excel saves \"CSV\" as Windows-1252, where £ and accented letters differ); in Excel, use Save As and choose CSV UTF-8"
	}
	for _, c := range s {
		if c == '\n' || c == '\r' {
			return "contains a line break; values must fit on one line"
		}
		if c < 0x20 && c != '\t' || c == 0x7f {
			return "contains a control character"
		}
	}
	return ""
}

// quote shows a found value in a message, cut short if long.
func quote(s string) string {
	if utf8.RuneCountInString(s) > 40 {
		s = string([]rune(s)[:40]) + "…"
	}
	return fmt.Sprintf("%q", s)
}
