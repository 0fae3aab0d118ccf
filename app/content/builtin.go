package content

import "regexp"

var fieldNamePattern = regexp.MustCompile(`^[a-z][a-z0-9_]*$`)

// builtinKinds are the keys Front has a field for, with the kind each must be declared with.
var builtinKinds = map[string]Kind{
	"title": KindString, "summary": KindText, "date": KindDate, "weight": KindInt, "tags": KindList,
	"code": KindCode, "task_force": KindRef, "accepts_requests": KindBool, "office": KindString,
	"responsible": KindString, "legal_basis": KindList, "duration": KindString, "costs": KindString,
	"documents": KindList, "attachments": KindAttachments,
}

// builtinTarget returns where the value of a built-in key is decoded, or nil for another key.
func builtinTarget(f *Front, key string) any {
	switch key {
	case "title":
		return &f.Title
	case "summary":
		return &f.Summary
	case "date":
		return &f.Date
	case "weight":
		return &f.Weight
	case "tags":
		return &f.Tags
	case "code":
		return &f.Code
	case "task_force":
		return &f.TaskForce
	case "accepts_requests":
		return &f.AcceptsRequests
	case "office":
		return &f.Office
	case "responsible":
		return &f.Responsible
	case "legal_basis":
		return &f.LegalBasis
	case "duration":
		return &f.Duration
	case "costs":
		return &f.Costs
	case "documents":
		return &f.Documents
	case "attachments":
		return &f.Attachments
	}
	return nil
}

// The fields every type shares.
var (
	fieldTitle   = Field{Name: "title", Kind: KindString, Required: true, NotEmpty: true, MaxLen: 300}
	fieldSummary = Field{Name: "summary", Kind: KindText, Required: true}
)

// The shipped types, in import order: task forces before the procedures that name them.
func init() {
	MustRegister(Definition{
		Name: TypePage, Label: "page", Dir: "pagine", Route: "/pagine", Template: "portal/article",
		Fields: []Field{fieldTitle, fieldSummary},
		Search: true,
	})
	MustRegister(Definition{
		Name: TypeGuide, Label: "guide page", Dir: "guida", Route: "/guida", Template: "portal/article",
		ListTemplate: "portal/guide_index", ListTitle: "guide.title", ByWeight: true, Sidebar: true,
		Fields: []Field{fieldTitle, fieldSummary, {Name: "weight", Kind: KindInt}},
		Search: true,
	})
	// Task forces and procedures are served by the catalogue, which syncs them into its tables.
	MustRegister(Definition{
		Name: TypeTaskForce, Label: "task force", Dir: "task-force", Route: "/task-force",
		Fields: []Field{{Name: "code", Kind: KindCode, Required: true, TaskForce: true}, fieldTitle, fieldSummary,
			{Name: "weight", Kind: KindInt}},
		Search: true,
	})
	MustRegister(Definition{
		Name: TypeProcedure, Label: "procedure", Dir: "procedure", Route: "/procedure",
		Fields: []Field{
			{Name: "code", Kind: KindCode, Required: true, Facet: "procedure"}, fieldTitle, fieldSummary,
			{Name: "task_force", Kind: KindRef, Ref: TypeTaskForce, Required: true, TaskForce: true},
			{Name: "accepts_requests", Kind: KindBool},
			// The sheet shows these structured fields, not the body: they are found all the same.
			{Name: "office", Kind: KindString, Search: true},
			{Name: "responsible", Kind: KindString, Search: true},
			{Name: "legal_basis", Kind: KindList, Search: true},
			{Name: "duration", Kind: KindString, Search: true},
			{Name: "costs", Kind: KindString, Search: true},
			{Name: "documents", Kind: KindList, Search: true},
			{Name: "tags", Kind: KindList},
		},
		Search: true,
	})
	MustRegister(Definition{
		Name: TypeNews, Label: "news item", Dir: "notizie", Route: "/notizie", Template: "portal/article",
		ListTemplate: "portal/news_list", ListTitle: "news.title", Paged: true, TagTitle: "news.tag.title", Tags: true,
		Fields: []Field{fieldTitle, fieldSummary, {Name: "date", Kind: KindDate, Required: true}, {Name: "tags", Kind: KindList}},
		Search: true,
	})
	MustRegister(Definition{
		Name: TypeReport, Label: "report", Dir: "report", Route: "/report", Template: "portal/report",
		ListTemplate: "portal/report_list", ListTitle: "reports.title", Attachments: true,
		Fields: []Field{fieldTitle, fieldSummary, {Name: "date", Kind: KindDate, Required: true},
			{Name: "attachments", Kind: KindAttachments}},
		Search: true,
	})
}
