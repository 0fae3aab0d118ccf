// Package catalogue owns the task forces and the procedures that requests may concern. Both are
// written as content (front matter of task-force and procedure files) and synced into their own
// tables on every import or edit, so later domains reference stable rows and codes.
package catalogue
