// Package extract owns the text extraction of uploaded and attached files (PDF, ODT, DOCX, CSV,
// plain text) for the search index. Files are never trusted: a PDF, ODT or DOCX is read by a child
// process (the running binary again, through Serve) under limits of address space, CPU time and
// wall-clock time, which the parent kills when it overruns; inside it, the reader is bounded in
// pages, page-tree nodes, decoded stream bytes and output (a PDF), or in archive entries, bytes
// decompressed, XML depth and output (an ODT or DOCX). Text files are read in process, bounded in
// bytes. The package knows nothing of documents, requests or the index; it turns bytes into text
// or says why it could not.
package extract
