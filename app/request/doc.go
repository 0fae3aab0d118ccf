// Package request owns assistance requests: filing by an approved ente's members (only for
// catalogue procedures that accept requests), the lifecycle as a guarded state machine whose every
// transition is recorded in the request's timeline and the audit log, the PM's triage (reject with
// a reason, or assign experts), integrations asked by experts and answered by the ente, and the
// conclusion. The workspace's content (thread, documents, activities) lives in package workspace.
package request
