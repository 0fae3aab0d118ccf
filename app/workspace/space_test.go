package workspace_test

import (
	"context"
	"errors"
	"reflect"
	"testing"

	"passhub/app/access"
	"passhub/app/db"
	"passhub/app/request"
	"passhub/app/workspace"
)

// A request's space is decided on by its request's access rule, and its content is reachable only
// through it.
func TestRequestSpaceTakesItsRequestsAccessAndKeepsItsContent(t *testing.T) {
	a, ids := demoApp(t)
	ctx := context.Background()
	type held struct{ request, version int64 }
	var versions []held
	spaces := 0
	for _, id := range ids {
		r, err := a.Requests.Get(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		sid, err := a.Workspace.RequestSpace(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if sid == 0 { // a request gets its space with its first content
			if docs, _ := a.Workspace.Documents(ctx, id); len(docs) > 0 {
				t.Errorf("request %d has documents and no space", id)
			}
			continue
		}
		spaces++
		sp, err := a.Workspace.Space(ctx, sid)
		if err != nil {
			t.Fatal(err)
		}
		if sp.Kind != workspace.KindRequest || sp.RequestID != id {
			t.Errorf("space %+v for request %d", sp, id)
		}
		obj, err := a.Workspace.Object(ctx, sp)
		if err != nil {
			t.Fatal(err)
		}
		if want := request.ObjectOf(r); !reflect.DeepEqual(obj, want) {
			t.Errorf("request %d: space object %+v, request object %+v", id, obj, want)
		}
		// Somebody who is not a member of the ente nor staff may see neither.
		stranger := &access.Subject{UserID: 999999}
		if stranger.Can(access.ViewRequest, obj) {
			t.Errorf("request %d: a stranger may see the space", id)
		}
		docs, _ := a.Workspace.DocumentsIn(ctx, sid)
		for _, d := range docs {
			if d.SpaceID != sid {
				t.Errorf("document %d of space %d listed in space %d", d.ID, d.SpaceID, sid)
			}
			for _, v := range d.Versions {
				versions = append(versions, held{id, v.ID})
			}
		}
	}
	if len(versions) < 2 || spaces < 2 {
		t.Fatalf("%d versions: nothing to prove", len(versions))
	}
	// A version opens in its own request's workspace and in no other.
	for _, v := range versions {
		for _, id := range ids {
			_, f, err := a.Workspace.Open(ctx, id, v.version)
			if f != nil {
				_ = f.Close()
			}
			if id == v.request && err != nil {
				t.Errorf("version %d does not open in its request %d: %v", v.version, id, err)
			}
			if id != v.request && !errors.Is(err, db.ErrNotFound) {
				t.Errorf("version %d of request %d opens in request %d: %v", v.version, v.request, id, err)
			}
		}
	}
	if _, err := a.Workspace.Object(ctx, &workspace.Space{ID: 1, Kind: "unknown"}); !errors.Is(err, workspace.ErrNoSpace) {
		t.Errorf("unknown kind: %v", err)
	}
}
