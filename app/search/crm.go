package search

import (
	"context"
	"strconv"
	"strings"
	"time"

	"passhub/app/crm"
	"passhub/app/db"
)

// Types of the CRM's indexed rows (app/crm). They are indexed with the province that keeps them
// as their ente and Private set: only the province's enabled members match them in the engine
// (not admins, PMs or experts, whose access fields never name a province's CRM); every hit is
// re-checked against the database (the province must still follow the comune, the viewer be in
// its territory). A row of a comune its province no longer follows is not in the index.
const (
	TypeCRMContact     = "crm_contact"
	TypeCRMInteraction = "crm_interaction"
	TypeCRMAgreement   = "crm_agreement"
)

var crmTables = map[string]string{TypeCRMContact: "crm_contacts", TypeCRMInteraction: "crm_interactions", TypeCRMAgreement: "crm_agreements"}

// crmCurrent keeps the rows of table alias x whose province follows their comune now.
const crmCurrent = "EXISTS (SELECT 1 FROM territory_comuni AS link WHERE link.province_id = x.province_id AND link.comune_id = x.comune_id AND link.until IS NULL)"

// crmRow is what a CRM doc is made of, whatever its table.
type crmRow struct {
	ID         int64     `bun:"id"`
	ProvinceID int64     `bun:"province_id"`
	ComuneID   int64     `bun:"comune_id"`
	ComuneName string    `bun:"comune_name"`
	CreatedAt  time.Time `bun:"created_at"`
	// contact
	Name, Role, Phone, Email, PEC string
	// interaction
	Kind, Summary string
	HappenedOn    time.Time `bun:"happened_on"`
	// agreement
	Title, Services, Notes string
}

func (x *Index) loadCRM(ctx context.Context, typ string, id int64) (Doc, error) {
	cols := map[string]string{TypeCRMContact: "x.name, x.role, x.phone, x.email, x.pec",
		TypeCRMInteraction: "x.kind, x.summary, x.happened_on", TypeCRMAgreement: "x.title, x.services, x.notes"}[typ]
	var r crmRow
	err := x.DB.NewSelect().TableExpr(crmTables[typ]+" AS x").ColumnExpr("x.id, x.province_id, x.comune_id, x.created_at, c.name AS comune_name").
		ColumnExpr(cols).Join("JOIN enti AS c ON c.id = x.comune_id").Where("x.id = ?", id).Where(crmCurrent).Scan(ctx, &r)
	if err != nil {
		return Doc{}, db.Map(err)
	}
	d := Doc{ID: Ref(typ, id), Type: typ, URL: crm.RecordURL(r.ComuneID), Ente: strconv.FormatInt(r.ProvinceID, 10), Private: true,
		Record: r.ComuneID, Year: r.CreatedAt.Year(), Updated: r.CreatedAt}
	switch typ {
	case TypeCRMContact:
		d.Title = r.ComuneName + " – " + r.Name
		d.Body = strings.Join(nonEmpty([]string{r.Role, r.Phone, r.Email, r.PEC}), "\n")
		d.URL += "#contatti"
	case TypeCRMInteraction:
		d.Title, d.Body, d.URL = r.ComuneName+" – "+r.HappenedOn.Format("02/01/2006"), r.Summary, d.URL+"#interazione-"+strconv.FormatInt(id, 10)
		d.Year = r.HappenedOn.Year()
	case TypeCRMAgreement:
		d.Title = r.ComuneName + " – " + r.Title
		d.Body = strings.Join(nonEmpty([]string{r.Services, r.Notes}), "\n")
		d.URL += "#convenzioni"
	}
	return d, nil
}

// CRMRefs lists the refs of a comune's CRM rows, whichever province keeps them: what a link's
// change puts out of date.
func (x *Index) CRMRefs(ctx context.Context, comuneID int64) ([]string, error) {
	var refs []string
	for _, typ := range []string{TypeCRMContact, TypeCRMInteraction, TypeCRMAgreement} {
		var ids []int64
		if err := x.DB.NewSelect().TableExpr(crmTables[typ]).Column("id").Where("comune_id = ?", comuneID).Order("id").Scan(ctx, &ids); err != nil {
			return nil, db.Map(err)
		}
		for _, id := range ids {
			refs = append(refs, Ref(typ, id))
		}
	}
	return refs, nil
}
