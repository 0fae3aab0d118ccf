package catalogue

import (
	"context"
	"fmt"

	"github.com/uptrace/bun"

	"passhub/app/db"
)

// Store owns the catalogue queries.
type Store struct{}

// TaskForces returns every task force with its procedures, in catalogue order.
func (Store) TaskForces(ctx context.Context, idb bun.IDB) ([]*TaskForce, error) {
	var out []*TaskForce
	err := idb.NewSelect().Model(&out).
		Relation("Procedures", func(q *bun.SelectQuery) *bun.SelectQuery { return q.Order("code") }).
		Order("weight", "code").Scan(ctx)
	if err != nil {
		return nil, fmt.Errorf("catalogue: task forces: %w", db.Map(err))
	}
	return out, nil
}

// TaskForceByCode returns the task force with the given code, or db.ErrNotFound.
func (Store) TaskForceByCode(ctx context.Context, idb bun.IDB, code string) (*TaskForce, error) {
	tf := new(TaskForce)
	if err := idb.NewSelect().Model(tf).Where("code = ?", code).Scan(ctx); err != nil {
		return nil, fmt.Errorf("catalogue: task force %s: %w", code, db.Map(err))
	}
	return tf, nil
}

// ProcedureByCode returns the procedure with the given code, or db.ErrNotFound.
func (Store) ProcedureByCode(ctx context.Context, idb bun.IDB, code string) (*Procedure, error) {
	p := new(Procedure)
	if err := idb.NewSelect().Model(p).Where("code = ?", code).Scan(ctx); err != nil {
		return nil, fmt.Errorf("catalogue: procedure %s: %w", code, db.Map(err))
	}
	return p, nil
}

// SaveTaskForce inserts or updates tf by its code.
func (Store) SaveTaskForce(ctx context.Context, idb bun.IDB, tf *TaskForce) error {
	q := idb.NewInsert().Model(tf).On("CONFLICT (code) DO UPDATE").
		Set("slug = EXCLUDED.slug").Set("title = EXCLUDED.title").Set("summary = EXCLUDED.summary").
		Set("weight = EXCLUDED.weight").Set("entry_id = EXCLUDED.entry_id").Set("updated_at = EXCLUDED.updated_at").
		Returning("id")
	if _, err := q.Exec(ctx); err != nil {
		return fmt.Errorf("catalogue: save task force %s: %w", tf.Code, db.Map(err))
	}
	return nil
}

// SaveProcedure inserts or updates p by its code.
func (Store) SaveProcedure(ctx context.Context, idb bun.IDB, p *Procedure) error {
	q := idb.NewInsert().Model(p).On("CONFLICT (code) DO UPDATE").
		Set("slug = EXCLUDED.slug").Set("task_force_id = EXCLUDED.task_force_id").Set("title = EXCLUDED.title").
		Set("summary = EXCLUDED.summary").Set("accepts_requests = EXCLUDED.accepts_requests").
		Set("office = EXCLUDED.office").Set("responsible = EXCLUDED.responsible").
		Set("legal_basis = EXCLUDED.legal_basis").Set("duration = EXCLUDED.duration").Set("costs = EXCLUDED.costs").
		Set("documents = EXCLUDED.documents").Set("entry_id = EXCLUDED.entry_id").Set("updated_at = EXCLUDED.updated_at").
		Returning("id")
	if _, err := q.Exec(ctx); err != nil {
		return fmt.Errorf("catalogue: save procedure %s: %w", p.Code, db.Map(err))
	}
	return nil
}
