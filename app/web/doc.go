// Package web sets up the Fiber application shared by every domain: the layered theme and its
// templates, static assets at checksum URLs, security headers, CSRF, language, logging, metrics,
// rendering of pages and htmx fragments, and the one error handler. It never imports a domain.
package web
