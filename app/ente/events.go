package ente

import "passhub/app/jobs"

// RegistrationSubmitted is the event of a registration filed by an applicant.
type RegistrationSubmitted struct {
	EnteID         int64 `json:"ente_id"`
	RegistrationID int64 `json:"registration_id"`
}

// EventName names the event and its job.
func (RegistrationSubmitted) EventName() string { return "ente.registration.submitted" }

// Queue puts the job, which only sends e-mail, in the mail queue.
func (RegistrationSubmitted) Queue() string { return jobs.QueueMail }

// RegistrationDecided is the event of a registration approved or rejected by an administrator.
type RegistrationDecided struct {
	EnteID         int64 `json:"ente_id"`
	RegistrationID int64 `json:"registration_id"`
	Approved       bool  `json:"approved"`
}

// EventName names the event and its job.
func (RegistrationDecided) EventName() string { return "ente.registration.decided" }

// Queue puts the job, which only sends e-mail, in the mail queue.
func (RegistrationDecided) Queue() string { return jobs.QueueMail }

// InvitationSent is the event of a person invited as a delegate of an ente.
type InvitationSent struct {
	EnteID       int64 `json:"ente_id"`
	InvitationID int64 `json:"invitation_id"`
}

// EventName names the event and its job.
func (InvitationSent) EventName() string { return "ente.invitation.sent" }

// Queue puts the job, which only sends e-mail, in the mail queue.
func (InvitationSent) Queue() string { return jobs.QueueMail }
