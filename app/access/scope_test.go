package access

import "testing"

// TestScopeAddsUp: the scope is the union of what each of the subject's places gives, drafts stay
// their ente's, and Can(ViewRequest) is the scope's answer.
func TestScopeAddsUp(t *testing.T) {
	delegatePM := &Subject{UserID: 7, Roles: map[string][]string{RolePM: {"BON"}},
		Memberships: []Membership{{EnteID: 1, Role: Delegate, Enabled: true, Approved: true}, {EnteID: 2, Role: Delegate, Enabled: false, Approved: true}}}
	admin := &Subject{UserID: 9, Roles: map[string][]string{RoleAdmin: {""}}}
	formerExpert := &Subject{UserID: 5}
	cases := []struct {
		name string
		s    *Subject
		obj  Object
		want bool
	}{
		{"own ente's draft", delegatePM, Object{EnteID: 1, TaskForce: "VA", Draft: true}, true},
		{"own ente's request, another task force", delegatePM, Object{EnteID: 1, TaskForce: "VA"}, true},
		{"the task force's request, another ente", delegatePM, Object{EnteID: 3, TaskForce: "BON"}, true},
		{"the task force's draft", delegatePM, Object{EnteID: 3, TaskForce: "BON", Draft: true}, false},
		{"a disabled membership", delegatePM, Object{EnteID: 2, TaskForce: "VA"}, false},
		{"assigned", delegatePM, Object{EnteID: 3, TaskForce: "VA", Experts: []int64{7}}, true},
		{"assigned draft", delegatePM, Object{EnteID: 3, TaskForce: "VA", Experts: []int64{7}, Draft: true}, false},
		{"admin, submitted", admin, Object{EnteID: 3, TaskForce: "VA"}, true},
		{"admin, draft", admin, Object{EnteID: 3, TaskForce: "VA", Draft: true}, false},
		{"assignment without a role", formerExpert, Object{EnteID: 3, TaskForce: "VA", Experts: []int64{5}}, true},
		{"nothing", formerExpert, Object{EnteID: 3, TaskForce: "VA"}, false},
		{"visitor", &Subject{}, Object{EnteID: 0, TaskForce: "VA", Experts: []int64{0}}, false},
	}
	for _, c := range cases {
		if got := c.s.Scope().Allows(c.obj); got != c.want {
			t.Errorf("%s: scope allows %v", c.name, got)
		}
		if got := c.s.Can(ViewRequest, c.obj); got != c.want {
			t.Errorf("%s: Can %v", c.name, got)
		}
		load := func(int64) (Object, bool) { return c.obj, true }
		if got := c.s.MayFollow("request:12", load); got != c.want {
			t.Errorf("%s: MayFollow %v", c.name, got)
		}
	}
	if !delegatePM.MayFollow("user:7", nil) || delegatePM.MayFollow("user:8", nil) || delegatePM.MayFollow("ente:1", nil) {
		t.Error("user topics: one's own only")
	}
}

// TestTerritoryScope: a comune's record is open to admins and to the members of the province that
// follows it (the subject's Territory); the list to admins and province members; nobody else.
func TestTerritoryScope(t *testing.T) {
	province := &Subject{UserID: 3, Provinces: []int64{10}, Territory: []int64{20, 21}}
	comune := &Subject{UserID: 4, Memberships: []Membership{{EnteID: 20, Role: LegalRep, Enabled: true, Approved: true}}}
	admin := &Subject{UserID: 9, Roles: map[string][]string{RoleAdmin: {""}}}
	pm := &Subject{UserID: 5, Roles: map[string][]string{RolePM: {"VA"}}}
	for _, c := range []struct {
		s      *Subject
		action Action
		ente   int64
		want   bool
	}{
		{province, ViewComuneRecord, 20, true}, {province, ManageComuneRecord, 21, true}, {province, ViewComuneRecord, 22, false},
		{province, ViewComuneRecord, 10, false}, {province, UseCRM, 0, true}, {province, ManageTerritory, 0, false},
		{comune, ViewComuneRecord, 20, false}, {comune, UseCRM, 0, false},
		{admin, ViewComuneRecord, 22, true}, {admin, UseCRM, 0, true}, {admin, ManageTerritory, 0, true}, {admin, ViewComuneRecord, 0, false},
		{pm, ViewComuneRecord, 20, false}, {pm, UseCRM, 0, false}, {&Subject{}, UseCRM, 0, false},
	} {
		if got := c.s.Can(c.action, Object{EnteID: c.ente}); got != c.want {
			t.Errorf("subject %d, action %d on %d: %v, want %v", c.s.UserID, c.action, c.ente, got, c.want)
		}
	}
}
