package workspace_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/uptrace/bun/migrate"

	"passhub/app"
	"passhub/app/apptest"
	"passhub/app/demo"
	"passhub/app/request"
	"passhub/app/workspace"
	"passhub/migrations"
)

const spacesMigration = "20261203100001"

// demoApp returns an app whose database the demo filled, with a few more messages, versions and
// activities so every column of the workspace rows carries something.
func demoApp(t *testing.T) (*app.App, []int64) {
	t.Helper()
	a := apptest.New(t)
	ctx := context.Background()
	apptest.DemoEnti(t, a)
	people := apptest.DemoPeople()
	s := demo.Services{Identity: a.Identity, Enti: a.Enti}
	if err := demo.Seed(ctx, s, people); err != nil {
		t.Fatal(err)
	}
	if err := demo.SeedRequests(ctx, s, demo.Requests{Requests: a.Requests, Workspace: a.Workspace}, people); err != nil {
		t.Fatal(err)
	}
	list, _, err := a.Requests.List(ctx, request.Filter{})
	if err != nil {
		t.Fatal(err)
	}
	var ids []int64
	for _, r := range list {
		ids = append(ids, r.ID)
		if !r.State.Open() {
			continue
		}
		r, _ := a.Requests.Get(ctx, r.ID)
		who := request.Actor{UserID: r.CreatedBy, Name: "Mario Rossi", IP: "test"}
		doc, err := a.Workspace.Upload(ctx, who, r, false, 0, fmt.Sprintf("elenco-%d.csv", r.ID), []byte(fmt.Sprintf("a;b\n%d;1\n", r.ID)), false)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := a.Workspace.Upload(ctx, who, r, false, doc.ID, "elenco-v2.csv", []byte(fmt.Sprintf("a;b\n%d;2\n", r.ID)), false); err != nil {
			t.Fatal(err)
		}
		m, err := a.Workspace.PostWith(ctx, who, r, false, fmt.Sprintf("Allego l'elenco della richiesta %d.", r.ID), doc.ID)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := a.Workspace.LogActivity(ctx, who, r, workspace.Activity{Kind: "analysis", OnDate: time.Now().AddDate(0, 0, -1), Minutes: 45,
			Description: fmt.Sprintf("Analisi dell'elenco della richiesta %d.", r.ID), DocumentID: doc.ID}); err != nil {
			t.Fatal(err)
		}
		if _, err := a.Workspace.Edit(ctx, who, r.ID, m.ID, fmt.Sprintf("Allego l'elenco **aggiornato** della richiesta %d.", r.ID)); err != nil {
			t.Fatal(err)
		}
	}
	apptest.Idle(t, a) // the listeners (statistics, search) done before a migration changes their tables
	return a, ids
}

// workspaceRows reads every message, document, version and activity with the request it belongs
// to, as text; owner is the SQL naming a row's request from its alias.
func workspaceRows(t *testing.T, a *app.App, owner func(alias string) string) map[string][]string {
	t.Helper()
	ctx := context.Background()
	queries := map[string]string{
		"messages":          "SELECT m.id, " + owner("m") + ", m.author_id, m.author, m.body, m.created_at, m.edited_at, m.document_id FROM messages AS m",
		"documents":         "SELECT d.id, " + owner("d") + ", d.name, d.deliverable, d.created_by, d.created_at, d.updated_at, d.integration_id FROM documents AS d",
		"document_versions": "SELECT v.id, v.document_id, v.number, v.filename, v.content_type, v.size, v.sha256, v.storage_key, v.uploaded_by, v.uploader, v.created_at FROM document_versions AS v",
		"activities":        "SELECT x.id, " + owner("x") + ", x.expert_id, x.expert, x.kind, x.on_date, x.minutes, x.description, x.document_id, x.created_at FROM activities AS x",
	}
	out := map[string][]string{}
	for table, q := range queries {
		rows, err := a.DB.QueryContext(ctx, q)
		if err != nil {
			t.Fatalf("%s: %v", table, err)
		}
		cols, _ := rows.Columns()
		for rows.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			parts := make([]string, len(vals))
			for i, v := range vals {
				switch x := v.(type) {
				case []byte:
					parts[i] = string(x)
				case time.Time:
					parts[i] = x.UTC().Format(time.RFC3339Nano)
				default:
					parts[i] = fmt.Sprint(x)
				}
			}
			out[table] = append(out[table], strings.Join(parts, "|"))
		}
		if err := rows.Close(); err != nil {
			t.Fatal(err)
		}
		sort.Strings(out[table])
	}
	return out
}

func bySpace(alias string) string {
	return "(SELECT s.request_id FROM spaces AS s WHERE s.id = " + alias + ".space_id)"
}

func byRequest(alias string) string { return alias + ".request_id" }

// TestSpacesMigrationKeepsTheDemoWorkspaces rolls the spaces migration back and applies it again
// on a database the demo filled: every message, document, version and activity is still there,
// with the same content and the same request, and every stored file still opens, the files
// stored before spaces (under requests/N/...) included.
func TestSpacesMigrationKeepsTheDemoWorkspaces(t *testing.T) {
	a, ids := demoApp(t)
	ctx := context.Background()
	before := workspaceRows(t, a, bySpace)
	for _, table := range []string{"messages", "documents", "document_versions", "activities"} {
		if len(before[table]) < 2 {
			t.Fatalf("the demo left %d rows in %s: nothing to prove", len(before[table]), table)
		}
	}
	var spaces int
	if err := a.DB.NewSelect().TableExpr("spaces").ColumnExpr("COUNT(*)").Scan(ctx, &spaces); err != nil {
		t.Fatal(err)
	}

	subset := migrate.NewMigrations()
	for _, m := range migrations.All.Sorted() {
		if m.Name == spacesMigration {
			subset.Add(m)
		}
	}
	down := migrate.NewMigrator(a.DB.DB, subset, migrate.WithTemplateData(map[string]string{"Dialect": a.DB.Kind}), migrate.WithMarkAppliedOnSuccess(true))
	group, err := down.Rollback(ctx)
	if err != nil {
		t.Fatalf("down: %v", err)
	}
	if len(group.Migrations) != 1 || group.Migrations[0].Name != spacesMigration {
		t.Fatalf("rolled back %v", group.Migrations)
	}
	old := workspaceRows(t, a, byRequest)
	if !reflect.DeepEqual(old, before) {
		t.Fatalf("down changed the workspace rows:\nbefore %v\nafter  %v", before, old)
	}

	// A file stored before spaces keeps its key: move one version to a requests/N/... key.
	var legacy struct {
		ID        int64
		RequestID int64
		SHA256    string
		Key       string
	}
	if err := a.DB.QueryRowContext(ctx, "SELECT v.id, d.request_id, v.sha256, v.storage_key FROM document_versions AS v JOIN documents AS d ON d.id = v.document_id ORDER BY v.id LIMIT 1").
		Scan(&legacy.ID, &legacy.RequestID, &legacy.SHA256, &legacy.Key); err != nil {
		t.Fatal(err)
	}
	f, err := a.Files.Open(ctx, legacy.Key)
	if err != nil {
		t.Fatal(err)
	}
	data, _ := io.ReadAll(f)
	_ = f.Close()
	legacyKey := fmt.Sprintf("requests/%d/%s", legacy.RequestID, legacy.SHA256)
	if err := a.Files.Put(ctx, legacyKey, bytes.NewReader(data)); err != nil {
		t.Fatal(err)
	}
	if _, err := a.DB.NewUpdate().Table("document_versions").Set("storage_key = ?", legacyKey).Where("id = ?", legacy.ID).Exec(ctx); err != nil {
		t.Fatal(err)
	}
	if err := a.Files.Delete(ctx, legacy.Key); err != nil {
		t.Fatal(err)
	}
	old = workspaceRows(t, a, byRequest)

	if _, err := a.DB.Migrate(ctx); err != nil {
		t.Fatalf("up: %v", err)
	}
	after := workspaceRows(t, a, bySpace)
	if !reflect.DeepEqual(after, old) {
		t.Fatalf("up changed the workspace rows:\nbefore %v\nafter  %v", old, after)
	}
	var again int
	if err := a.DB.NewSelect().TableExpr("spaces").ColumnExpr("COUNT(*)").Scan(ctx, &again); err != nil {
		t.Fatal(err)
	}
	if again != len(ids) || spaces > len(ids) {
		t.Errorf("%d spaces after the migration for %d requests (%d before)", again, len(ids), spaces)
	}

	// Through the service: every version of every request opens with its hash; new files go
	// under spaces/N/ and ids go on after the old ones.
	for _, id := range ids {
		docs, err := a.Workspace.Documents(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range docs {
			for _, v := range d.Versions {
				_, f, err := a.Workspace.Open(ctx, id, v.ID)
				if err != nil {
					t.Fatalf("request %d version %d (%s): %v", id, v.ID, v.StorageKey, err)
				}
				b, _ := io.ReadAll(f)
				_ = f.Close()
				if sum := sha256.Sum256(b); hex.EncodeToString(sum[:]) != v.SHA256 {
					t.Errorf("request %d version %d: content changed", id, v.ID)
				}
			}
		}
	}
	r, err := a.Requests.Get(ctx, ids[len(ids)-1])
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range ids {
		if rr, _ := a.Requests.Get(ctx, id); rr.State.Open() {
			r = rr
		}
	}
	who := request.Actor{UserID: r.CreatedBy, Name: "Mario Rossi", IP: "test"}
	doc, err := a.Workspace.Upload(ctx, who, r, false, 0, "dopo.csv", []byte("a;b\ndopo;1\n"), false)
	if err != nil {
		t.Fatal(err)
	}
	space, _ := a.Workspace.RequestSpace(ctx, r.ID)
	docs, _ := a.Workspace.Documents(ctx, r.ID)
	var maxDoc int64
	for _, d := range docs {
		if d.ID == doc.ID {
			if v := d.Latest(); v == nil || v.StorageKey != fmt.Sprintf("spaces/%d/%s", space, v.SHA256) {
				t.Errorf("new file stored as %+v, want under spaces/%d/", v, space)
			}
		} else if d.ID > maxDoc {
			maxDoc = d.ID
		}
	}
	if doc.ID <= maxDoc {
		t.Errorf("new document id %d reuses an old one (max %d)", doc.ID, maxDoc)
	}
}
