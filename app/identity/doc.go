// Package identity owns users, their staff roles and their sessions: it completes a login that an
// identity provider proved (auth.Completer), keeps server-side sessions with idle and absolute
// timeouts, and tells every request who is asking (the Viewer). It knows no ente.
package identity
