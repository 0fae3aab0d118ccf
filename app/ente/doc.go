// Package ente owns the local administrations (enti) and who acts for them: the registry of enti,
// the legal representative's registration with the signed collaboration protocol, the admins'
// decisions, the handover to a new legal representative, and the delegates the legal
// representative invites, enables, disables and removes.
package ente
