// Package opendata publishes the platform's figures: the public page "Dati e statistiche" (/dati)
// with its charts and tables, one page per task force and per province, and the open datasets
// behind them in CSV and JSON, described by a DCAT-AP_IT catalogue (/dati/catalogo.jsonld).
//
// Every figure is an aggregate of app/stats' roll-ups: nothing here names a request, a person or
// a subject. A count under 3 requests (or enti), zero included, is suppressed ("< 3"), and so is a
// duration or a backlog figure computed from fewer than 3 requests; see docs/statistics.md.
package opendata
