package workarea

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/uptrace/bun"

	"passhub/app/access"
	"passhub/app/audit"
	"passhub/app/content"
	"passhub/app/db"
	"passhub/app/event"
	"passhub/app/workspace"
)

// Service owns the work areas, their members, topics and posts; the library is the area's space
// in the workspace service.
type Service struct {
	db     *db.DB
	spaces *workspace.Service
	// Events records the areas' changes (nil records none: a service built alone in a test).
	Events *event.Dispatcher
	// AccessChanged is told the users whose access changed with a membership (their open pages
	// are authorised again); nil tells nobody.
	AccessChanged func(ctx context.Context, users ...int64)
	now           func() time.Time
}

// NewService returns the work areas' service.
func NewService(d *db.DB, spaces *workspace.Service) *Service {
	return &Service{db: d, spaces: spaces, now: func() time.Time { return time.Now().UTC() }}
}

// SetClock replaces the clock (tests).
func (s *Service) SetClock(now func() time.Time) { s.now = now }

// Form is an area as the admins' form sends it.
type Form struct {
	Name, Service, Description string
}

func (f *Form) check() FieldErrors {
	f.Name, f.Service, f.Description = strings.TrimSpace(f.Name), strings.TrimSpace(f.Service), strings.TrimSpace(f.Description)
	errs := FieldErrors{}
	switch {
	case f.Name == "":
		errs["name"] = "validation.required"
	case utf8.RuneCountInString(f.Name) > MaxName:
		errs["name"] = "workarea.error.long"
	}
	if utf8.RuneCountInString(f.Service) > MaxName {
		errs["service"] = "workarea.error.long"
	}
	if utf8.RuneCountInString(f.Description) > MaxDesc {
		errs["description"] = "workarea.error.long"
	}
	if len(errs) > 0 {
		return errs
	}
	return nil
}

// Create makes an area with its space (its library).
func (s *Service) Create(ctx context.Context, who Actor, f Form) (*Area, error) {
	if errs := f.check(); errs != nil {
		return nil, errs
	}
	now := s.now()
	a := &Area{Name: f.Name, Service: f.Service, Description: f.Description, CreatedBy: who.UserID, CreatedAt: now, UpdatedAt: now}
	err := s.db.InTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		if _, err := tx.NewInsert().Model(a).Returning("id").Exec(ctx); err != nil {
			return db.Map(err)
		}
		if _, err := s.spaces.CreateAreaSpace(ctx, tx, a.ID); err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Entry{ActorID: who.UserID, Actor: who.Name, IP: who.IP, Action: "area.create",
			ObjectType: "area", ObjectID: a.ID, Detail: a.Name})
	})
	if err != nil {
		return nil, fmt.Errorf("workarea: create: %w", err)
	}
	return a, nil
}

// SetDescription changes an area's description (its coordinators' work).
func (s *Service) SetDescription(ctx context.Context, who Actor, areaID int64, text string) error {
	text = strings.TrimSpace(strings.ReplaceAll(text, "\r\n", "\n"))
	if utf8.RuneCountInString(text) > MaxDesc {
		return FieldErrors{"description": "workarea.error.long"}
	}
	return s.db.InTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		res, err := tx.NewUpdate().Model((*Area)(nil)).Set("description = ?", text).Set("updated_at = ?", s.now()).Where("id = ?", areaID).Exec(ctx)
		if err != nil {
			return db.Map(err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return ErrNoArea
		}
		return audit.Record(ctx, tx, audit.Entry{ActorID: who.UserID, Actor: who.Name, IP: who.IP, Action: "area.description",
			ObjectType: "area", ObjectID: areaID})
	})
}

// Get returns an area.
func (s *Service) Get(ctx context.Context, id int64) (*Area, error) {
	a := new(Area)
	if err := s.db.NewSelect().Model(a).Where("id = ?", id).Scan(ctx); err != nil {
		if errors.Is(db.Map(err), db.ErrNotFound) {
			return nil, ErrNoArea
		}
		return nil, db.Map(err)
	}
	return a, nil
}

// All returns every area, by name.
func (s *Service) All(ctx context.Context) ([]Area, error) {
	var out []Area
	return out, db.Map(s.db.NewSelect().Model(&out).Order("name", "id").Scan(ctx))
}

// Visible returns the areas the subject may open, by name, each with the subject's role.
func (s *Service) Visible(ctx context.Context, sub *access.Subject) ([]Area, error) {
	all, err := s.All(ctx)
	if err != nil {
		return nil, err
	}
	var out []Area
	for _, a := range all {
		if sub.Can(access.ViewArea, access.Object{AreaID: a.ID}) {
			a.Role = sub.AreaRole(a.ID)
			out = append(out, a)
		}
	}
	return out, nil
}

// RolesOf returns a person's effective role in each area they belong to: the highest of their
// direct membership and those of the enti given (the enti they are an enabled member of, approved).
func (s *Service) RolesOf(ctx context.Context, userID int64, enti []int64) (map[int64]string, error) {
	var ms []Member
	q := s.db.NewSelect().Model(&ms).Column("area_id", "role").WhereGroup(" AND ", func(q *bun.SelectQuery) *bun.SelectQuery {
		q = q.Where("user_id = ?", userID)
		if len(enti) > 0 {
			q = q.WhereOr("ente_id IN (?)", bun.In(enti))
		}
		return q
	})
	if err := q.Scan(ctx); err != nil {
		return nil, db.Map(err)
	}
	out := map[int64]string{}
	for _, m := range ms {
		if access.AreaRank(m.Role) > access.AreaRank(out[m.AreaID]) {
			out[m.AreaID] = m.Role
		}
	}
	return out, nil
}

// Members returns an area's memberships, enti first, each with its name.
func (s *Service) Members(ctx context.Context, areaID int64) ([]Member, error) {
	var rows []struct {
		Member
		UserName   sql.NullString `bun:"user_name"`
		FamilyName sql.NullString `bun:"family_name"`
		EnteName   sql.NullString `bun:"ente_name"`
	}
	err := s.db.NewSelect().TableExpr("area_members AS m").ColumnExpr("m.*").
		ColumnExpr("u.name AS user_name, u.family_name AS family_name, e.name AS ente_name").
		Join("LEFT JOIN users AS u ON u.id = m.user_id").Join("LEFT JOIN enti AS e ON e.id = m.ente_id").
		Where("m.area_id = ?", areaID).Scan(ctx, &rows)
	if err != nil {
		return nil, db.Map(err)
	}
	out := make([]Member, 0, len(rows))
	for _, r := range rows {
		m := r.Member
		if m.EnteID != 0 {
			m.Name = r.EnteName.String
		} else {
			m.Name = strings.TrimSpace(r.UserName.String + " " + r.FamilyName.String)
		}
		out = append(out, m)
	}
	sort.SliceStable(out, func(i, j int) bool {
		if (out[i].EnteID != 0) != (out[j].EnteID != 0) {
			return out[i].EnteID != 0
		}
		return strings.ToLower(out[i].Name) < strings.ToLower(out[j].Name)
	})
	return out, nil
}

// People returns everyone who belongs to an area now, by name: the people added directly and the
// enabled members of the member enti that are approved, each with their effective role.
func (s *Service) People(ctx context.Context, areaID int64) ([]Person, error) {
	var rows []struct {
		UserID     int64          `bun:"user_id"`
		Name       string         `bun:"name"`
		FamilyName string         `bun:"family_name"`
		Role       string         `bun:"role"`
		EnteName   sql.NullString `bun:"ente_name"`
	}
	direct := s.db.NewSelect().TableExpr("area_members AS m").ColumnExpr("m.user_id, u.name, u.family_name, m.role, NULL AS ente_name").
		Join("JOIN users AS u ON u.id = m.user_id").Where("m.area_id = ?", areaID).Where("u.disabled = ?", false)
	viaEnte := s.db.NewSelect().TableExpr("area_members AS m").ColumnExpr("ms.user_id, u.name, u.family_name, m.role, e.name AS ente_name").
		Join("JOIN enti AS e ON e.id = m.ente_id").Join("JOIN memberships AS ms ON ms.ente_id = m.ente_id").
		Join("JOIN users AS u ON u.id = ms.user_id").
		Where("m.area_id = ?", areaID).Where("e.status = ?", "approved").Where("ms.enabled = ?", true).Where("u.disabled = ?", false)
	if err := direct.UnionAll(viaEnte).Scan(ctx, &rows); err != nil {
		return nil, db.Map(err)
	}
	byUser := map[int64]*Person{}
	var order []int64
	for _, r := range rows {
		p, ok := byUser[r.UserID]
		if !ok {
			p = &Person{UserID: r.UserID, Name: strings.TrimSpace(r.Name + " " + r.FamilyName)}
			byUser[r.UserID] = p
			order = append(order, r.UserID)
		}
		if access.AreaRank(r.Role) > access.AreaRank(p.Role) {
			p.Role = r.Role
		}
		if r.EnteName.Valid {
			p.Enti = append(p.Enti, r.EnteName.String)
		} else {
			p.Direct = true
		}
	}
	out := make([]Person, 0, len(order))
	for _, id := range order {
		out = append(out, *byUser[id])
	}
	sort.SliceStable(out, func(i, j int) bool { return strings.ToLower(out[i].Name) < strings.ToLower(out[j].Name) })
	return out, nil
}

// usersOf lists the users a membership gives access to: its person, or the enabled members of its
// ente (approved or not: a change must re-check them all).
func (s *Service) usersOf(ctx context.Context, idb bun.IDB, m *Member) ([]int64, error) {
	if m.UserID != 0 {
		return []int64{m.UserID}, nil
	}
	var ids []int64
	err := idb.NewSelect().Table("memberships").Column("user_id").Where("ente_id = ?", m.EnteID).Scan(ctx, &ids)
	return ids, db.Map(err)
}

// MemberForm is a membership as the admins' form sends it: one ente or one person, and a role.
type MemberForm struct {
	UserID, EnteID int64
	Role           string
}

// AddMember adds an ente or a person to an area with a role, or changes the role of one already
// there. The users it concerns have their access re-checked.
func (s *Service) AddMember(ctx context.Context, who Actor, areaID int64, f MemberForm) (*Member, error) {
	errs := FieldErrors{}
	if (f.UserID == 0) == (f.EnteID == 0) {
		errs["who"] = "workarea.member.who"
	}
	if access.AreaRank(f.Role) == 0 {
		errs["role"] = "validation.choice"
	}
	if len(errs) > 0 {
		return nil, errs
	}
	m := &Member{AreaID: areaID, UserID: f.UserID, EnteID: f.EnteID, Role: f.Role, AddedBy: who.UserID, CreatedAt: s.now()}
	var users []int64
	err := s.db.InTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		if n, err := tx.NewSelect().Model((*Area)(nil)).Where("id = ?", areaID).Count(ctx); err != nil {
			return db.Map(err)
		} else if n == 0 {
			return ErrNoArea
		}
		table, id := "users", f.UserID
		if f.EnteID != 0 {
			table, id = "enti", f.EnteID
		}
		if n, err := tx.NewSelect().Table(table).Where("id = ?", id).Count(ctx); err != nil {
			return db.Map(err)
		} else if n == 0 {
			return FieldErrors{"who": "workarea.member.who"}
		}
		existing := new(Member)
		q := tx.NewSelect().Model(existing).Where("area_id = ?", areaID)
		if f.UserID != 0 {
			q = q.Where("user_id = ?", f.UserID)
		} else {
			q = q.Where("ente_id = ?", f.EnteID)
		}
		switch err := q.Scan(ctx); {
		case err == nil:
			m = existing
			if _, err := tx.NewUpdate().Model(m).Set("role = ?", f.Role).WherePK().Exec(ctx); err != nil {
				return db.Map(err)
			}
			m.Role = f.Role
		case errors.Is(err, sql.ErrNoRows):
			if _, err := tx.NewInsert().Model(m).Returning("id").Exec(ctx); err != nil {
				return db.Map(err)
			}
		default:
			return db.Map(err)
		}
		var err error
		if users, err = s.usersOf(ctx, tx, m); err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Entry{ActorID: who.UserID, Actor: who.Name, IP: who.IP, Action: "area.member",
			ObjectType: "area", ObjectID: areaID, EnteID: f.EnteID, Detail: fmt.Sprintf("user=%d ente=%d role=%s", f.UserID, f.EnteID, f.Role)})
	})
	if err != nil {
		return nil, fmt.Errorf("workarea: add member: %w", err)
	}
	s.accessChanged(ctx, users)
	return m, nil
}

// RemoveMember removes a membership; the users it concerned have their access re-checked, so an
// open page of a removed member stops receiving the area's updates.
func (s *Service) RemoveMember(ctx context.Context, who Actor, areaID, memberID int64) error {
	var users []int64
	err := s.db.InTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		m := new(Member)
		if err := tx.NewSelect().Model(m).Where("id = ?", memberID).Where("area_id = ?", areaID).Scan(ctx); err != nil {
			if errors.Is(err, sql.ErrNoRows) {
				return ErrNoMember
			}
			return db.Map(err)
		}
		var err error
		if users, err = s.usersOf(ctx, tx, m); err != nil {
			return err
		}
		if _, err := tx.NewDelete().Model(m).WherePK().Exec(ctx); err != nil {
			return db.Map(err)
		}
		return audit.Record(ctx, tx, audit.Entry{ActorID: who.UserID, Actor: who.Name, IP: who.IP, Action: "area.member_removed",
			ObjectType: "area", ObjectID: areaID, EnteID: m.EnteID, Detail: fmt.Sprintf("user=%d ente=%d", m.UserID, m.EnteID)})
	})
	if err != nil {
		return fmt.Errorf("workarea: remove member: %w", err)
	}
	s.accessChanged(ctx, users)
	return nil
}

func (s *Service) accessChanged(ctx context.Context, users []int64) {
	if s.AccessChanged != nil && len(users) > 0 {
		s.AccessChanged(ctx, users...)
	}
}

// Candidate is an ente or a person the admins may add to an area.
type Candidate struct {
	ID   int64
	Name string
}

// Candidates lists the approved enti and the enabled people, by name, for the admins' forms (at
// most limit of each).
func (s *Service) Candidates(ctx context.Context, limit int) (enti, people []Candidate, err error) {
	if err = s.db.NewSelect().Table("enti").ColumnExpr("id, name").Where("status = ?", "approved").Order("name").Limit(int64(limit)).Scan(ctx, &enti); err != nil {
		return nil, nil, db.Map(err)
	}
	var rows []struct {
		ID                      int64
		Name, FamilyName, Login string
	}
	if err = s.db.NewSelect().Table("users").ColumnExpr("id, name, family_name, COALESCE(username, '') AS login").Where("disabled = ?", false).
		Order("family_name", "name", "id").Limit(int64(limit)).Scan(ctx, &rows); err != nil {
		return nil, nil, db.Map(err)
	}
	for _, r := range rows {
		name := strings.TrimSpace(r.Name + " " + r.FamilyName)
		if name == "" {
			name = r.Login
		}
		people = append(people, Candidate{ID: r.ID, Name: name})
	}
	return enti, people, nil
}

// SpaceOf returns the id of an area's space (its library).
func (s *Service) SpaceOf(ctx context.Context, areaID int64) (int64, error) {
	var id int64
	err := s.db.NewSelect().Model((*workspace.Space)(nil)).Column("id").Where("kind = ?", workspace.KindArea).Where("area_id = ?", areaID).Scan(ctx, &id)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, ErrNoArea
	}
	return id, db.Map(err)
}

// Library returns an area's documents with their versions, newest first.
func (s *Service) Library(ctx context.Context, areaID int64) ([]workspace.Document, error) {
	sid, err := s.SpaceOf(ctx, areaID)
	if err != nil {
		return nil, err
	}
	docs, err := s.spaces.DocumentsIn(ctx, sid)
	for i, j := 0, len(docs)-1; i < j; i, j = i+1, j-1 {
		docs[i], docs[j] = docs[j], docs[i]
	}
	return docs, err
}

// Upload stores a file in an area's library (a new document, or a new version of documentID),
// with the workspace's checks and the space's quota.
func (s *Service) Upload(ctx context.Context, who Actor, areaID, documentID int64, filename string, src *io.SectionReader) (*workspace.Document, error) {
	sid, err := s.SpaceOf(ctx, areaID)
	if err != nil {
		return nil, err
	}
	return s.spaces.UploadIn(ctx, workspace.Actor(who), sid, documentID, filename, src, func(ctx context.Context, tx bun.Tx, doc *workspace.Document, v *workspace.Version) error {
		if err := audit.Record(ctx, tx, audit.Entry{ActorID: who.UserID, Actor: who.Name, IP: who.IP, Action: "area.document",
			ObjectType: "area", ObjectID: areaID, Detail: fmt.Sprintf("%s v%d %s", v.Filename, v.Number, v.SHA256[:12])}); err != nil {
			return err
		}
		return s.Events.InTx(ctx, tx, Changed{AreaID: areaID, Kind: KindDocument, ObjectID: doc.ID, ActorID: who.UserID})
	})
}

// Open returns a version of a document of the area's library.
func (s *Service) Open(ctx context.Context, areaID, versionID int64) (*workspace.Version, io.ReadCloser, error) {
	sid, err := s.SpaceOf(ctx, areaID)
	if err != nil {
		return nil, nil, err
	}
	return s.spaces.OpenIn(ctx, sid, versionID)
}

// Topics returns an area's topics, the most recently active first.
func (s *Service) Topics(ctx context.Context, areaID int64) ([]Topic, error) {
	var out []Topic
	return out, db.Map(s.db.NewSelect().Model(&out).Where("area_id = ?", areaID).OrderExpr("last_post_at DESC, id DESC").Limit(200).Scan(ctx))
}

// Topic returns a topic of an area.
func (s *Service) Topic(ctx context.Context, areaID, topicID int64) (*Topic, error) {
	t := new(Topic)
	if err := s.db.NewSelect().Model(t).Where("id = ?", topicID).Where("area_id = ?", areaID).Scan(ctx); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return nil, ErrNoTopic
		}
		return nil, db.Map(err)
	}
	return t, nil
}

// Posts returns a topic's posts after the post after (all when 0), oldest first, rendered; hidden
// posts only when withHidden (coordinators).
func (s *Service) Posts(ctx context.Context, topicID, after int64, withHidden bool) ([]Post, error) {
	var out []Post
	q := s.db.NewSelect().Model(&out).Where("topic_id = ?", topicID).Where("id > ?", after).Order("id").Limit(500)
	if !withHidden {
		q = q.Where("hidden_at IS NULL")
	}
	if err := q.Scan(ctx); err != nil {
		return nil, db.Map(err)
	}
	return out, s.decorate(ctx, out)
}

// PostsBefore returns the n newest posts of a topic before the post before (the newest when 0),
// oldest first, rendered, and whether older ones remain; hidden posts only when withHidden.
func (s *Service) PostsBefore(ctx context.Context, topicID, before int64, n int, withHidden bool) ([]Post, bool, error) {
	var out []Post
	q := s.db.NewSelect().Model(&out).Where("topic_id = ?", topicID).OrderExpr("id DESC").Limit(int64(n + 1))
	if before > 0 {
		q = q.Where("id < ?", before)
	}
	if !withHidden {
		q = q.Where("hidden_at IS NULL")
	}
	if err := q.Scan(ctx); err != nil {
		return nil, false, db.Map(err)
	}
	more := len(out) > n
	if more {
		out = out[:n]
	}
	for i, j := 0, len(out)-1; i < j; i, j = i+1, j-1 {
		out[i], out[j] = out[j], out[i]
	}
	return out, more, s.decorate(ctx, out)
}

// decorate renders the posts' Markdown and names their attachments.
func (s *Service) decorate(ctx context.Context, posts []Post) error {
	var ids []int64
	for i := range posts {
		posts[i].HTML, _ = content.Render(posts[i].Body)
		if posts[i].DocumentID != 0 {
			ids = append(ids, posts[i].DocumentID)
		}
	}
	if len(ids) == 0 {
		return nil
	}
	var docs []workspace.Document
	if err := s.db.NewSelect().Model(&docs).Relation("Versions").Where("document.id IN (?)", bun.In(ids)).Scan(ctx); err != nil {
		return db.Map(err)
	}
	byID := map[int64]*workspace.Document{}
	for i := range docs {
		byID[docs[i].ID] = &docs[i]
	}
	for i := range posts {
		if d := byID[posts[i].DocumentID]; d != nil {
			posts[i].Attachment = d.Name
			if v := d.Latest(); v != nil {
				posts[i].VersionID = v.ID
			}
		}
	}
	return nil
}

// LastPost returns the id of a topic's newest post (hidden ones included): where live updates start.
func (s *Service) LastPost(ctx context.Context, topicID int64) (int64, error) {
	var id int64
	err := s.db.NewSelect().Model((*Post)(nil)).ColumnExpr("COALESCE(MAX(id), 0)").Where("topic_id = ?", topicID).Scan(ctx, &id)
	return id, db.Map(err)
}

// PostForm is a post as a form sends it: its text, the members it mentions (chosen from the
// members list), and an attachment stored in the library just before (0 for none).
type PostForm struct {
	Title      string // a new topic's
	Body       string
	Mentions   []int64
	DocumentID int64
}

// mentioned returns the members a post mentions: those chosen, and those whose name follows an
// "@" in the text. The chosen ones missing from the text are written at its start, so that the
// post shows whom it addressed.
func mentioned(people []Person, body string, chosen []int64, author int64) (string, []int64) {
	lower := strings.ToLower(body)
	picked := map[int64]bool{}
	for _, id := range chosen {
		picked[id] = true
	}
	var out []int64
	var prefix []string
	for _, p := range people {
		if p.UserID == author || p.Name == "" {
			continue
		}
		inText := strings.Contains(lower, "@"+strings.ToLower(p.Name))
		if inText || picked[p.UserID] {
			out = append(out, p.UserID)
		}
		if picked[p.UserID] && !inText {
			prefix = append(prefix, "@"+p.Name)
		}
	}
	if len(prefix) > 0 {
		body = strings.Join(prefix, " ") + " " + body
	}
	return body, out
}

func (f *PostForm) check(topic bool) FieldErrors {
	f.Title, f.Body = strings.TrimSpace(f.Title), strings.TrimSpace(strings.ReplaceAll(f.Body, "\r\n", "\n"))
	errs := FieldErrors{}
	if topic {
		switch {
		case f.Title == "":
			errs["title"] = "validation.required"
		case utf8.RuneCountInString(f.Title) > MaxTitle:
			errs["title"] = "workarea.error.long"
		}
	}
	switch {
	case f.Body == "":
		errs["body"] = "validation.required"
	case utf8.RuneCountInString(f.Body) > MaxBody:
		errs["body"] = "workarea.error.long"
	}
	if len(errs) > 0 {
		return errs
	}
	return nil
}

// Check validates a post's form without saving it (before its attachment is stored).
func (f PostForm) Check(topic bool) error {
	if errs := f.check(topic); errs != nil {
		return errs
	}
	return nil
}

// OpenTopic starts a topic with its opening post.
func (s *Service) OpenTopic(ctx context.Context, who Actor, areaID int64, f PostForm) (*Topic, *Post, error) {
	if errs := f.check(true); errs != nil {
		return nil, nil, errs
	}
	people, err := s.People(ctx, areaID)
	if err != nil {
		return nil, nil, err
	}
	body, mentions := mentioned(people, f.Body, f.Mentions, who.UserID)
	now := s.now()
	t := &Topic{AreaID: areaID, Title: f.Title, AuthorID: who.UserID, Author: who.Name, CreatedAt: now, LastPostAt: now}
	p := &Post{AreaID: areaID, AuthorID: who.UserID, Author: who.Name, Body: body, DocumentID: f.DocumentID, CreatedAt: now}
	err = s.db.InTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		if _, err := tx.NewInsert().Model(t).Returning("id").Exec(ctx); err != nil {
			return db.Map(err)
		}
		p.TopicID = t.ID
		if _, err := tx.NewInsert().Model(p).Returning("id").Exec(ctx); err != nil {
			return db.Map(err)
		}
		return s.Events.InTx(ctx, tx, Changed{AreaID: areaID, Kind: KindTopic, TopicID: t.ID, ObjectID: p.ID, ActorID: who.UserID, Mentions: mentions})
	})
	if err != nil {
		return nil, nil, fmt.Errorf("workarea: open topic: %w", err)
	}
	return t, p, nil
}

// Reply adds a post to a topic.
func (s *Service) Reply(ctx context.Context, who Actor, t *Topic, f PostForm) (*Post, error) {
	if errs := f.check(false); errs != nil {
		return nil, errs
	}
	people, err := s.People(ctx, t.AreaID)
	if err != nil {
		return nil, err
	}
	body, mentions := mentioned(people, f.Body, f.Mentions, who.UserID)
	now := s.now()
	p := &Post{TopicID: t.ID, AreaID: t.AreaID, AuthorID: who.UserID, Author: who.Name, Body: body, DocumentID: f.DocumentID, CreatedAt: now}
	err = s.db.InTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		if _, err := tx.NewInsert().Model(p).Returning("id").Exec(ctx); err != nil {
			return db.Map(err)
		}
		if _, err := tx.NewUpdate().Model((*Topic)(nil)).Set("replies = replies + 1").Set("last_post_at = ?", now).Where("id = ?", t.ID).Exec(ctx); err != nil {
			return db.Map(err)
		}
		return s.Events.InTx(ctx, tx, Changed{AreaID: t.AreaID, Kind: KindReply, TopicID: t.ID, ObjectID: p.ID, ActorID: who.UserID, Mentions: mentions})
	})
	if err != nil {
		return nil, fmt.Errorf("workarea: reply: %w", err)
	}
	return p, nil
}

// SetHidden hides a post from the members (or shows it again): a coordinator's moderation. The
// opening post of a topic is hidden like any other.
func (s *Service) SetHidden(ctx context.Context, who Actor, t *Topic, postID int64, hidden bool) error {
	return s.db.InTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		q := tx.NewUpdate().Model((*Post)(nil)).Where("id = ?", postID).Where("topic_id = ?", t.ID)
		if hidden {
			q = q.Set("hidden_at = ?", s.now()).Set("hidden_by = ?", who.UserID)
		} else {
			q = q.Set("hidden_at = NULL").Set("hidden_by = NULL")
		}
		res, err := q.Exec(ctx)
		if err != nil {
			return db.Map(err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return ErrNoTopic
		}
		action := "area.post_hidden"
		if !hidden {
			action = "area.post_shown"
		}
		if err := audit.Record(ctx, tx, audit.Entry{ActorID: who.UserID, Actor: who.Name, IP: who.IP, Action: action,
			ObjectType: "area", ObjectID: t.AreaID, Detail: fmt.Sprintf("post=%d", postID)}); err != nil {
			return err
		}
		return s.Events.InTx(ctx, tx, Changed{AreaID: t.AreaID, Kind: KindModerated, TopicID: t.ID, ObjectID: postID, ActorID: who.UserID})
	})
}
