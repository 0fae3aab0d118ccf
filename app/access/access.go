// Package access is the one access policy of PAsS: it answers "may this subject do this to that
// object". Every handler of the reserved area asks it, and menus show only what it allows. It
// knows the shape of who is asking (Subject) but imports no domain: the composition root builds
// the Subject from the identity and ente domains for each request.
package access

import (
	"slices"

	"github.com/gofiber/fiber/v2"
)

// Staff roles, as the identity domain names them.
const (
	RoleAdmin  = "admin"
	RoleEditor = "editor"
	// RolePublisher is the caporedattore.
	RolePublisher = "publisher"
	RolePM        = "pm"
	RoleExpert    = "expert"
	// RoleOperator answers the help desk's tickets (app/helpdesk).
	RoleOperator = "operator"
)

// Ente roles, as the ente domain names them.
const (
	LegalRep = "legal_rep"
	Delegate = "delegate"
)

// Membership is the subject's place in one ente.
type Membership struct {
	EnteID   int64
	Role     string // LegalRep or Delegate
	Enabled  bool
	Approved bool // the ente's registration is approved
}

// Subject is who is asking. The zero value is an anonymous visitor.
type Subject struct {
	UserID int64
	Name   string
	// Method is how the subject logged in: "spid", "cie", "cns", "oidc", "dev" or "staff".
	Method string
	// Roles maps a staff role to the task forces it is held in ("" for global roles).
	Roles       map[string][]string
	Memberships []Membership
	// Provinces are the enti of kind provincia or citta_metropolitana the subject is an enabled
	// member of (approved), and Territory the comuni those provinces follow now (app/territory):
	// the comuni whose CRM record the subject may open. The composition root fills both.
	Provinces []int64
	Territory []int64
	// PendingRegistration is set while the subject's ente registration awaits a decision.
	PendingRegistration bool
	// Token is set when a request of the headless API authenticated with an API token: the
	// token's scopes are then all the subject may do, whoever created it.
	Token *Token
	// Areas are the subject's effective roles in the thematic work areas (app/workarea): for each
	// area, the highest of their direct membership and their enti's (enabled members of approved
	// enti), computed by the composition root with the subject.
	Areas map[int64]string
}

// Roles in a thematic work area, lowest first.
const (
	AreaReader      = "reader"
	AreaMember      = "member"
	AreaCoordinator = "coordinator"
)

// AreaRank orders the roles of a work area (0 for no role): a person's effective role is the
// highest of their memberships.
func AreaRank(role string) int {
	switch role {
	case AreaReader:
		return 1
	case AreaMember:
		return 2
	case AreaCoordinator:
		return 3
	}
	return 0
}

// AreaRole is the subject's effective role in an area, "" when they are not a member.
func (s *Subject) AreaRole(areaID int64) string {
	if s == nil || areaID == 0 {
		return ""
	}
	return s.Areas[areaID]
}

// Scopes of API tokens: what a request authenticated with a token may do through the API.
const (
	ScopeReadPublished = "content:read"    // read published content
	ScopeReadDrafts    = "drafts:read"     // read entries' current revisions, published or not
	ScopeWriteDrafts   = "drafts:write"    // create, update and submit drafts (app/api/write.go)
	ScopePublish       = "content:publish" // publish, schedule and unpublish, as a publisher
)

// Scopes lists every scope an API token may hold, in the order forms show them.
var Scopes = []string{ScopeReadPublished, ScopeReadDrafts, ScopeWriteDrafts, ScopePublish}

// Token is the API token a request authenticated with.
type Token struct {
	ID     int64
	Name   string
	Scopes []string
}

// Has reports whether the token holds scope.
func (t *Token) Has(scope string) bool {
	if t == nil {
		return false
	}
	for _, s := range t.Scopes {
		if s == scope {
			return true
		}
	}
	return false
}

// Action is something a subject may try.
type Action int

// Actions of the reserved area.
const (
	ViewReservedArea    Action = iota + 1 // any logged-in user
	RegisterEnte                          // start a first registration or a handover
	ViewEnte                              // see an ente's reserved pages (object: EnteID)
	ManageDelegates                       // invite, enable, disable, remove delegates (object: EnteID)
	FileRequests                          // file assistance requests for an ente (object: EnteID)
	ReviewRegistrations                   // the admins' queue of registrations
	ManageUsers                           // staff roles, users, enti registry
	ViewAudit                             // the audit log
	EditContent                           // the editors' work
	ViewRequest                           // see a request and its workspace (object: EnteID, TaskForce, Experts)
	WorkOnRequest                         // post in the thread and upload documents
	ExpertWork                            // log activities, ask integrations, conclude
	ActForEnte                            // submit, withdraw, answer integrations (the ente's side)
	TriageRequests                        // the PM's queue of a task force (object: TaskForce)
	ArchiveRequest                        // file a concluded request away
	ReadContactMessages                   // the messages sent through the contact form
	ViewUntriaged                         // the requests no project manager can triage
	ManageAPITokens                       // create and revoke the headless API's tokens
	ManageWebhooks                        // register, disable and delete webhook endpoints, redeliver

	// Actions of the headless API. Without a token only ReadPublishedContent is allowed (the API
	// is public for published content); with one, each needs its scope (ScopeReadDrafts grants
	// ReadPublishedContent too).
	ReadPublishedContent // ScopeReadPublished
	ReadDraftContent     // ScopeReadDrafts
	WriteDraftContent    // ScopeWriteDrafts
	PublishByAPI         // ScopePublish

	WriteContent   // the newsroom: write drafts and submit them for review
	PublishContent // the newsroom: review, ask for changes, publish, schedule, unpublish
	ManageMedia    // the newsroom's media library: upload, describe, delete

	// AnswerOutcome states the PNRR outcome of a submitted request (the figures at its conclusion
	// and six months later): the ente's enabled members alone (object: EnteID, Draft).
	AnswerOutcome

	// The tender-document library of the Stazione Appaltante (app/tender). ViewTenderDocs opens
	// the library and its documents (object: Draft for a document never approved, which only its
	// writers see); EditTenderDocs writes drafts and uploads versions; ApproveTenderDocs approves
	// and supersedes documents.
	ViewTenderDocs
	EditTenderDocs
	ApproveTenderDocs
	// The Centro di Competenza's CRM (app/crm): a province's record of the comuni it follows.
	// UseCRM opens the list of the followed comuni: the members of a province and admins.
	UseCRM
	// ViewComuneRecord and ManageComuneRecord open and change a comune's record (object: EnteID,
	// the comune): admins, and the members of the province that follows the comune now. Nobody
	// else, the comune's own people included: the record is the province's tool about them.
	ViewComuneRecord
	ManageComuneRecord
	// ManageTerritory says which province follows which comune: admins.
	ManageTerritory
	// Thematic work areas (app/workarea; object: AreaID). The subject's role in the area is
	// Subject.AreaRole. Admins see, post in and coordinate every area, and alone manage them.
	ViewArea       // open the area, its topics, library, calendar and members: any role
	PostInArea     // open topics, reply, upload to the library, register to events: coordinator or member
	CoordinateArea // edit the description, hide replies, create events, mark attendance: coordinator
	ManageAreas    // create areas and choose their members: admins alone
	// EditCalls enters, edits, imports and publishes the calls for funding (app/funding).
	EditCalls
	// FollowCalls subscribes to the calls' alerts: anyone logged in.
	FollowCalls
	// The project sheets and partner searches (app/project). ViewProjects opens the published
	// sheets (every member of an approved ente and all staff) and, with Draft, an unpublished one
	// (object: EnteID, its ente: that ente's members and admins). WriteProject writes, publishes a
	// sheet and decides its answers (object: EnteID, the sheet's ente): the ente's members alone.
	// AnswerPartnerSearch answers another ente's search for the ente of the object: its members.
	// ViewProjectAnswers reads every answer to a sheet (object: EnteID, the sheet's ente): the
	// ente's members and admins; the other enti see their own answer only.
	ViewProjects
	WriteProject
	AnswerPartnerSearch
	ViewProjectAnswers
	// The help desk (app/helpdesk). AskAssistance opens the reserved "Assistenza" page and one's
	// own tickets: anyone logged in. WorkTickets opens the operators' queue and every ticket,
	// answers, notes, assigns, merges, logs phone calls and keeps the canned replies: operators
	// and admins. OpenOwnTicket opens one ticket as its requester, without the internal notes
	// (object: Requester, the ticket's requester account, 0 when it has none): that person alone.
	AskAssistance
	WorkTickets
	OpenOwnTicket
	// DraftActs opens the act templates (app/acts) and drafts an act from one: anyone logged in.
	DraftActs
	// DraftArticle drafts a knowledge-base article (app/kb) from a request (object: the request's
	// EnteID, TaskForce, Experts, Draft): its assigned experts, the PM of its task force and admins.
	// The handler also wants the request concluded.
	DraftArticle
)

// apiScopes maps the headless API's actions to the scope each needs.
var apiScopes = map[Action]string{ReadPublishedContent: ScopeReadPublished, ReadDraftContent: ScopeReadDrafts,
	WriteDraftContent: ScopeWriteDrafts, PublishByAPI: ScopePublish}

// NeededScope returns the token scope an action of the headless API needs ("" for other actions).
func NeededScope(action Action) string { return apiScopes[action] }

// Object is what an action is about.
type Object struct {
	EnteID    int64
	TaskForce string
	// Experts are the users assigned to the request the action is about.
	Experts []int64
	// Draft is set for a request never submitted: it belongs to its ente alone, so nobody but
	// the ente's members may see it or act on it (not the task force's PM, experts or admins).
	Draft bool
	// AreaID is the thematic work area an area action is about.
	AreaID int64
	// Requester is the account that asked for the help-desk ticket an action is about (0 when
	// the ticket came from someone without one: by mail, the contact form or a phone call).
	Requester int64
}

func (o Object) assigned(userID int64) bool {
	for _, id := range o.Experts {
		if id == userID {
			return true
		}
	}
	return false
}

// Anonymous reports whether nobody is logged in.
func (s *Subject) Anonymous() bool { return s == nil || s.UserID == 0 }

// Has reports whether the subject holds a staff role (in taskForce when given).
func (s *Subject) Has(role string, taskForce ...string) bool {
	if s == nil {
		return false
	}
	tfs, ok := s.Roles[role]
	if !ok {
		return false
	}
	if len(taskForce) == 0 {
		return true
	}
	for _, tf := range tfs {
		if tf == taskForce[0] {
			return true
		}
	}
	return false
}

// Member returns the subject's enabled membership of an approved ente, if any.
func (s *Subject) Member(enteID int64) (Membership, bool) {
	if s == nil {
		return Membership{}, false
	}
	for _, m := range s.Memberships {
		if m.EnteID == enteID && m.Enabled && m.Approved {
			return m, true
		}
	}
	return Membership{}, false
}

// ApprovedMember reports whether the subject is an enabled member of at least one approved ente.
func (s *Subject) ApprovedMember() bool {
	if s == nil {
		return false
	}
	for _, m := range s.Memberships {
		if m.Enabled && m.Approved {
			return true
		}
	}
	return false
}

// Can reports whether the subject may do action to obj.
func (s *Subject) Can(action Action, obj Object) bool {
	if scope, ok := apiScopes[action]; ok {
		if s == nil || s.Token == nil {
			return action == ReadPublishedContent
		}
		// Reading drafts includes reading what is published: a current revision often is.
		return s.Token.Has(scope) || action == ReadPublishedContent && s.Token.Has(ScopeReadDrafts)
	}
	if s.Anonymous() {
		return false
	}
	switch action {
	case ViewReservedArea, FollowCalls, AskAssistance, DraftActs:
		return true
	case RegisterEnte:
		// Only people with no staff role, logged in with a digital identity (never a staff
		// password): the first access of an ente is the legal representative's, with SPID/CIE/CNS.
		return !s.IsStaff() && s.Method != "staff"
	case ViewEnte, FileRequests:
		_, ok := s.Member(obj.EnteID)
		return ok
	case ManageDelegates:
		m, ok := s.Member(obj.EnteID)
		return ok && m.Role == LegalRep
	case UseCRM:
		return s.Has(RoleAdmin) || len(s.Provinces) > 0
	case ViewComuneRecord, ManageComuneRecord:
		return obj.EnteID != 0 && (s.Has(RoleAdmin) || slices.Contains(s.Territory, obj.EnteID))
	case ReviewRegistrations, ManageUsers, ViewAudit, ManageTerritory, ReadContactMessages, ViewUntriaged, ManageAPITokens, ManageWebhooks:
		return s.Has(RoleAdmin)
	case EditContent, WriteContent, ManageMedia, EditCalls:
		return s.Has(RoleEditor) || s.Has(RolePublisher) || s.Has(RoleAdmin)
	case PublishContent:
		return s.Has(RolePublisher) || s.Has(RoleAdmin)
	case ViewProjects:
		if obj.Draft {
			_, member := s.Member(obj.EnteID)
			return member || s.Has(RoleAdmin)
		}
		return s.IsStaff() || s.ApprovedMember()
	case WriteProject, AnswerPartnerSearch:
		_, member := s.Member(obj.EnteID)
		return member
	case ViewProjectAnswers:
		_, member := s.Member(obj.EnteID)
		return member || s.Has(RoleAdmin)
	case ViewTenderDocs:
		if obj.Draft {
			return s.Has(RoleEditor) || s.Has(RolePublisher) || s.Has(RoleAdmin)
		}
		return s.IsStaff() || s.ApprovedMember()
	case EditTenderDocs:
		return s.Has(RoleEditor) || s.Has(RolePublisher) || s.Has(RoleAdmin)
	case ApproveTenderDocs:
		return s.Has(RolePublisher) || s.Has(RoleAdmin)
	case ViewRequest:
		return s.Scope().Allows(obj) // the one rule of who sees a request: see Scope
	case WorkOnRequest:
		_, member := s.Member(obj.EnteID)
		return member || !obj.Draft && (obj.assigned(s.UserID) || s.Has(RolePM, obj.TaskForce))
	case ExpertWork:
		return !obj.Draft && (obj.assigned(s.UserID) || s.Has(RolePM, obj.TaskForce))
	case ActForEnte:
		_, member := s.Member(obj.EnteID)
		return member
	case AnswerOutcome:
		_, member := s.Member(obj.EnteID)
		return member && !obj.Draft
	case TriageRequests:
		return obj.TaskForce != "" && s.Has(RolePM, obj.TaskForce)
	case ArchiveRequest:
		return !obj.Draft && (s.Has(RolePM, obj.TaskForce) || s.Has(RoleAdmin))
	case DraftArticle:
		return !obj.Draft && (obj.assigned(s.UserID) || s.Has(RolePM, obj.TaskForce) || s.Has(RoleAdmin))
	case ViewArea:
		return obj.AreaID != 0 && (s.Has(RoleAdmin) || AreaRank(s.AreaRole(obj.AreaID)) >= 1)
	case PostInArea:
		return obj.AreaID != 0 && (s.Has(RoleAdmin) || AreaRank(s.AreaRole(obj.AreaID)) >= 2)
	case CoordinateArea:
		return obj.AreaID != 0 && (s.Has(RoleAdmin) || AreaRank(s.AreaRole(obj.AreaID)) >= 3)
	case ManageAreas:
		return s.Has(RoleAdmin)
	case WorkTickets:
		return s.Has(RoleOperator) || s.Has(RoleAdmin)
	case OpenOwnTicket:
		return obj.Requester != 0 && obj.Requester == s.UserID
	}
	return false
}

// IsStaff reports whether the subject holds any staff role.
func (s *Subject) IsStaff() bool { return s != nil && len(s.Roles) > 0 }

const key = "access.subject"

// Set stores the request's subject.
func Set(c *fiber.Ctx, s *Subject) { c.Locals(key, s) }

// Of returns the request's subject (anonymous when none was set).
func Of(c *fiber.Ctx) *Subject {
	if s, ok := c.Locals(key).(*Subject); ok {
		return s
	}
	return &Subject{}
}

// Require lets the request through when the subject may do action to the object found by obj;
// anonymous visitors get 401 (the login page for GET), others 403.
func Require(action Action, obj func(*fiber.Ctx) Object) fiber.Handler {
	return func(c *fiber.Ctx) error {
		s := Of(c)
		var o Object
		if obj != nil {
			o = obj(c)
		}
		if s.Can(action, o) {
			return c.Next()
		}
		if s.Anonymous() {
			return fiber.ErrUnauthorized
		}
		return fiber.ErrForbidden
	}
}
