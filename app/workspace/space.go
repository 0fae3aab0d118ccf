package workspace

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/uptrace/bun"

	"passhub/app/access"
	"passhub/app/db"
	"passhub/app/request"
)

// Kinds of space. A request's workspace is the space of kind KindRequest whose RequestID names
// the request; the kinds that come next (thematic work areas, document libraries, help-desk
// tickets) add their own kind, their owner column and a case in Object.
const (
	KindRequest = "request"
	// KindArea is the space of a thematic work area (app/workarea): its library.
	KindArea = "area"
)

// Space holds a thread of messages, versioned documents and activities. Its owner is named by the
// column of its kind.
type Space struct {
	bun.BaseModel `bun:"table:spaces"`

	ID        int64     `bun:"id,pk,autoincrement"`
	Kind      string    `bun:"kind"`
	RequestID int64     `bun:"request_id,nullzero"`
	AreaID    int64     `bun:"area_id,nullzero"`
	CreatedAt time.Time `bun:"created_at"`
}

// ErrNoSpace is returned for a space that does not exist or whose kind is unknown.
var ErrNoSpace = errors.New("workspace: no such space")

// Space returns a space by id.
func (s *Service) Space(ctx context.Context, spaceID int64) (*Space, error) {
	sp := new(Space)
	if err := s.db.NewSelect().Model(sp).Where("id = ?", spaceID).Scan(ctx); err != nil {
		return nil, db.Map(err)
	}
	return sp, nil
}

// RequestSpace returns the id of a request's space, 0 when the request has none yet (nothing was
// ever posted or uploaded in it).
func (s *Service) RequestSpace(ctx context.Context, requestID int64) (int64, error) {
	return requestSpace(ctx, s.db, requestID)
}

func requestSpace(ctx context.Context, idb bun.IDB, requestID int64) (int64, error) {
	var id int64
	err := idb.NewSelect().Model((*Space)(nil)).Column("id").Where("kind = ?", KindRequest).Where("request_id = ?", requestID).Scan(ctx, &id)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	return id, db.Map(err)
}

// ensureRequestSpace returns the id of a request's space, creating it inside tx the first time the
// request's workspace receives content.
func (s *Service) ensureRequestSpace(ctx context.Context, tx bun.Tx, requestID int64) (int64, error) {
	id, err := requestSpace(ctx, tx, requestID)
	if err != nil || id != 0 {
		return id, err
	}
	sp := &Space{Kind: KindRequest, RequestID: requestID, CreatedAt: s.now()}
	if _, err := tx.NewInsert().Model(sp).On("CONFLICT (request_id) DO NOTHING").Returning("id").Exec(ctx); err != nil && !errors.Is(err, sql.ErrNoRows) {
		return 0, db.Map(err)
	}
	if sp.ID != 0 {
		return sp.ID, nil
	}
	if id, err = requestSpace(ctx, tx, requestID); err == nil && id == 0 {
		err = fmt.Errorf("workspace: space of request %d: %w", requestID, ErrNoSpace)
	}
	return id, err
}

// Object is the access object of a space: the one policy decides on it. A space of kind request
// is its request's object, so whoever may see (or work on) the request may see (or work on) its
// space, and nobody else.
func (s *Service) Object(ctx context.Context, sp *Space) (access.Object, error) {
	switch sp.Kind {
	case KindRequest:
		r, err := s.requests.Get(ctx, sp.RequestID)
		if err != nil {
			return access.Object{}, err
		}
		return request.ObjectOf(r), nil
	case KindArea:
		// The area's members are on the subject (access.Subject.Areas): the object names the area.
		return access.Object{AreaID: sp.AreaID}, nil
	}
	return access.Object{}, fmt.Errorf("workspace: space %d of kind %q: %w", sp.ID, sp.Kind, ErrNoSpace)
}

// CreateAreaSpace creates the space of a work area inside tx (with the area) and returns its id.
func (s *Service) CreateAreaSpace(ctx context.Context, tx bun.IDB, areaID int64) (int64, error) {
	sp := &Space{Kind: KindArea, AreaID: areaID, CreatedAt: s.now()}
	if _, err := tx.NewInsert().Model(sp).Returning("id").Exec(ctx); err != nil {
		return 0, db.Map(err)
	}
	return sp.ID, nil
}

// AreaOf returns the work area whose library the space is, 0 for a space of another kind.
func AreaOf(ctx context.Context, idb bun.IDB, spaceID int64) (int64, error) {
	var id sql.NullInt64
	if err := idb.NewSelect().Model((*Space)(nil)).Column("area_id").Where("id = ?", spaceID).Scan(ctx, &id); err != nil {
		return 0, db.Map(err)
	}
	return id.Int64, nil
}

// RequestOf returns the request whose workspace the space is, 0 for a space of another kind (the
// search index links a request's workspace rows to their request).
func RequestOf(ctx context.Context, idb bun.IDB, spaceID int64) (int64, error) {
	var id sql.NullInt64
	if err := idb.NewSelect().Model((*Space)(nil)).Column("request_id").Where("id = ?", spaceID).Scan(ctx, &id); err != nil {
		return 0, db.Map(err)
	}
	return id.Int64, nil
}

// SpaceKey is the storage key of a file of a space: spaces/N/<sha256>. Files stored before spaces
// keep the key their version row names (requests/N/<sha256>), which stays valid.
func SpaceKey(spaceID int64, hash string) string {
	return fmt.Sprintf("spaces/%d/%s", spaceID, hash)
}
