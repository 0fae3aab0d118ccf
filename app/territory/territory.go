// Package territory knows which comuni each province follows: the comuni of its convention for
// the Centro di Competenza. A province is an ente of kind provincia or citta_metropolitana; a
// comune is followed by one province at a time. The access policy reads it (through the
// composition root) to scope what a province's people see of the comuni; admins manage it.
package territory

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/uptrace/bun"

	"passhub/app/db"
	"passhub/app/ente"
	"passhub/app/event"
)

// Link is one comune followed by one province, since a date and, once ended, until one.
type Link struct {
	bun.BaseModel `bun:"table:territory_comuni,alias:link"`

	ID         int64     `bun:"id,pk,autoincrement"`
	ProvinceID int64     `bun:"province_id"`
	ComuneID   int64     `bun:"comune_id"`
	Since      time.Time `bun:"since"`
	Until      time.Time `bun:"until,nullzero"`

	ProvinceName string `bun:"province_name,scanonly"`
	ComuneName   string `bun:"comune_name,scanonly"`
}

// Current reports whether the link is in force.
func (l *Link) Current() bool { return l.Until.IsZero() }

// Errors of the rules, each a message id of the admins' page.
var (
	ErrNotProvince = errors.New("territory.error.not_province") // the follower is not a province
	ErrNotComune   = errors.New("territory.error.not_comune")   // the followed ente is not a comune
	ErrFollowed    = errors.New("territory.error.followed")     // the comune is followed by a province already
)

// IsProvince reports whether an ente of this kind may follow comuni.
func IsProvince(kind string) bool { return kind == ente.KindProvincia || kind == ente.KindCittaMetro }

// Service owns the links.
type Service struct {
	db   *db.DB
	enti *ente.Service
	// Events records the links' changes (Changed) in their transactions.
	Events *event.Dispatcher
	// Changed is told the provinces whose followed comuni changed, after the change is committed:
	// the composition root re-checks the access of their members.
	Changed func(ctx context.Context, provinceIDs ...int64)
	now     func() time.Time
}

// NewService returns the territory service.
func NewService(d *db.DB, enti *ente.Service) *Service {
	return &Service{db: d, enti: enti, now: time.Now}
}

// SetClock sets the clock that dates the links (tests).
func (s *Service) SetClock(now func() time.Time) { s.now = now }

// Today is the current day, at midnight UTC, as the links' dates are stored.
func (s *Service) Today() time.Time { return Day(s.now()) }

// Day is t's day in Rome, at midnight UTC.
func Day(t time.Time) time.Time {
	y, m, d := t.In(rome).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

var rome = func() *time.Location {
	l, err := time.LoadLocation("Europe/Rome")
	if err != nil {
		return time.UTC
	}
	return l
}()

// Followed returns the comuni a province follows now.
func (s *Service) Followed(ctx context.Context, provinceID int64) ([]int64, error) {
	return s.FollowedBy(ctx, []int64{provinceID})
}

// FollowedBy returns the comuni any of the provinces follows now.
func (s *Service) FollowedBy(ctx context.Context, provinceIDs []int64) ([]int64, error) {
	if len(provinceIDs) == 0 {
		return nil, nil
	}
	var ids []int64
	err := s.db.NewSelect().Model((*Link)(nil)).Column("comune_id").Where("province_id IN (?)", bun.In(provinceIDs)).
		Where("until IS NULL").Order("comune_id").Scan(ctx, &ids)
	return ids, db.Map(err)
}

// FollowerOf returns the province that follows a comune now, if any.
func (s *Service) FollowerOf(ctx context.Context, comuneID int64) (int64, bool, error) {
	var ids []int64
	err := s.db.NewSelect().Model((*Link)(nil)).Column("province_id").Where("comune_id = ?", comuneID).
		Where("until IS NULL").Limit(1).Scan(ctx, &ids)
	if err != nil {
		return 0, false, db.Map(err)
	}
	if len(ids) == 0 {
		return 0, false, nil
	}
	return ids[0], true, nil
}

// Links returns every link, current ones first, with the enti's names.
func (s *Service) Links(ctx context.Context) ([]Link, error) {
	var out []Link
	err := s.db.NewSelect().Model(&out).ColumnExpr("link.*").
		ColumnExpr("p.name AS province_name").ColumnExpr("c.name AS comune_name").
		Join("JOIN enti AS p ON p.id = link.province_id").Join("JOIN enti AS c ON c.id = link.comune_id").
		OrderExpr("CASE WHEN link.until IS NULL THEN 0 ELSE 1 END, p.name, c.name").Scan(ctx)
	return out, db.Map(err)
}

// Follow makes a province follow a comune from today. A comune followed by a province already is
// refused (ErrFollowed) until that link ends; a link of the same pair that ended is resumed.
func (s *Service) Follow(ctx context.Context, provinceID, comuneID int64) (*Link, error) {
	p, err := s.enti.Ente(ctx, provinceID)
	if err != nil {
		return nil, err
	}
	if !IsProvince(p.Kind) {
		return nil, ErrNotProvince
	}
	c, err := s.enti.Ente(ctx, comuneID)
	if err != nil {
		return nil, err
	}
	if c.Kind != ente.KindComune {
		return nil, ErrNotComune
	}
	l := &Link{ProvinceID: provinceID, ComuneID: comuneID, Since: s.Today()}
	err = s.db.InTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		n, err := tx.NewSelect().Model((*Link)(nil)).Where("comune_id = ?", comuneID).Where("until IS NULL").Count(ctx)
		if err != nil {
			return err
		}
		if n > 0 {
			return ErrFollowed
		}
		if _, err = tx.NewInsert().Model(l).On("CONFLICT (province_id, comune_id) DO UPDATE").
			Set("since = EXCLUDED.since").Set("until = NULL").Returning("id").Exec(ctx); err != nil {
			return err
		}
		return s.Events.InTx(ctx, tx, Changed{ProvinceID: provinceID, ComuneID: comuneID})
	})
	if errors.Is(db.Map(err), db.ErrConflict) {
		return nil, ErrFollowed // the same comune, at the same moment, by another admin
	}
	if err != nil {
		if errors.Is(err, ErrFollowed) {
			return nil, err
		}
		return nil, fmt.Errorf("territory: follow: %w", db.Map(err))
	}
	s.changed(ctx, provinceID)
	return l, nil
}

// End ends a link today: the province no longer follows the comune (its CRM rows stay, unseen
// until it follows the comune again).
func (s *Service) End(ctx context.Context, linkID int64) (*Link, error) {
	l := &Link{}
	if err := s.db.NewSelect().Model(l).Where("id = ?", linkID).Scan(ctx); err != nil {
		return nil, db.Map(err)
	}
	if !l.Current() {
		return l, nil
	}
	l.Until = s.Today()
	err := s.db.InTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		if _, err := tx.NewUpdate().Model(l).Column("until").WherePK().Exec(ctx); err != nil {
			return err
		}
		return s.Events.InTx(ctx, tx, Changed{ProvinceID: l.ProvinceID, ComuneID: l.ComuneID})
	})
	if err != nil {
		return nil, fmt.Errorf("territory: end: %w", db.Map(err))
	}
	s.changed(ctx, l.ProvinceID)
	return l, nil
}

func (s *Service) changed(ctx context.Context, provinceIDs ...int64) {
	if s.Changed != nil {
		s.Changed(ctx, provinceIDs...)
	}
}

func bunIn(v ...string) any { return bun.In(v) }

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// Changed is the event of a link that began or ended: the province's members see the comune's
// record, or no longer (the search index follows it).
type Changed struct {
	ProvinceID int64 `json:"province_id"`
	ComuneID   int64 `json:"comune_id"`
}

// EventName names the event and its job.
func (Changed) EventName() string { return "territory.changed" }
