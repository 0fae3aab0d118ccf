package extract

import (
	"bufio"
	"flag"
	"fmt"
	"io"
	"os"
)

// The reader is the running binary started again with childEnv set and childCommand as its
// first argument; nothing else in the environment reaches it.
const (
	childEnv     = "PASSHUB_EXTRACT_CHILD"
	childCommand = "extract"
)

// init turns any binary that links this package (passhub, and the test binaries of every
// package that extracts text) into the reader when it was started as one, before anything else
// runs: the reader needs neither configuration nor database, and a test binary never runs its
// tests in its place.
func init() {
	if os.Getenv(childEnv) == "1" && len(os.Args) > 1 && os.Args[1] == childCommand {
		os.Exit(serve(os.Args[2:], os.Stdin, os.Stdout, os.Stderr))
	}
}

// serve is the reader: it reads one file of the kind args[0] from in, bounded by the flags that
// follow, and writes its text to out. It exits 0 with the text, or 1 saying why on errOut.
func serve(args []string, in io.Reader, out, errOut io.Writer) int {
	if len(args) == 0 || args[0] != "pdf" && officeEntry[args[0]] == "" {
		fmt.Fprintln(errOut, "extract: usage: extract pdf|odt|docx [-text N] [-pages N] [-nodes N] [-inflated N] [-input N]")
		return 2
	}
	l := DefaultLimits
	fs := flag.NewFlagSet("extract", flag.ContinueOnError)
	fs.SetOutput(errOut)
	fs.IntVar(&l.Text, "text", l.Text, "largest text written, bytes")
	fs.IntVar(&l.Pages, "pages", l.Pages, "pages read")
	fs.IntVar(&l.Nodes, "nodes", l.Nodes, "page-tree nodes visited")
	fs.Int64Var(&l.Inflated, "inflated", l.Inflated, "stream bytes decoded")
	fs.Int64Var(&l.Input, "input", l.Input, "largest file read, bytes")
	if err := fs.Parse(args[1:]); err != nil {
		return 2
	}
	data, err := io.ReadAll(io.LimitReader(in, l.Input+1))
	if err != nil {
		fmt.Fprintln(errOut, "extract: read:", err)
		return 1
	}
	if int64(len(data)) > l.Input {
		fmt.Fprintln(errOut, ErrTooLarge)
		return 1
	}
	var text string
	if args[0] == "pdf" {
		text, err = pdfText(data, l)
	} else {
		text, err = officeText(args[0], data, l)
	}
	if err != nil {
		fmt.Fprintln(errOut, err)
		return 1
	}
	w := bufio.NewWriter(out)
	_, _ = w.WriteString(text)
	if err := w.Flush(); err != nil {
		return 1
	}
	return 0
}
