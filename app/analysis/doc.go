// Package analysis serves the reserved analysis panel (/area-riservata/analisi): the statistics'
// measures for admins and project managers, narrowed by period, task force, procedure, province,
// ente and expert; the requests behind each figure (the drill-down); and every table as CSV and
// XLSX. It owns no data: it reads the statistics' facts and roll-ups (app/stats) and lists
// requests through app/request, within what the viewer may see.
//
// Who sees what: admins every task force; a PM only the task forces where they are PM (the
// task-force filter offers only those, and a forged one is refused with 403); everyone else is
// refused like on any other staff page.
package analysis
