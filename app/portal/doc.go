// Package portal serves the public area's editorial pages: home, mini-guide, news, reports,
// static pages and the basic search. It reads the content and catalogue services; it owns no data.
package portal
