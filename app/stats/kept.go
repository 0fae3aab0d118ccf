package stats

import (
	"context"
	"time"

	lru "github.com/hashicorp/golang-lru/v2"
)

// kept holds values computed from the roll-ups (figures, stocks, times), by filter. A value is
// fresh for CacheTTL and until the roll-up changes; a value no longer fresh is still served while
// one computation replaces it in the background, so a viewer waits for a computation only the
// first time a filter is asked (or after Forget).
type kept[T any] struct {
	values *lru.Cache[string, entry[T]]
}

type entry[T any] struct {
	value T
	at    time.Time
	gen   uint64 // the roll-up's generation the value was computed from
}

func newKept[T any](size int) kept[T] {
	c, _ := lru.New[string, entry[T]](size) // an error only for a size below 1
	return kept[T]{values: c}
}

// refreshTimeout bounds a computation made in the background.
const refreshTimeout = 2 * time.Minute

// get returns the value of key, computing it when none is kept, or serving the one kept while a
// fresh one is computed.
func (k kept[T]) get(ctx context.Context, s *Service, key string, compute func(context.Context) (T, error)) (T, error) {
	gen := s.gen.Load()
	run := func(ctx context.Context) func() (any, error) {
		return func() (any, error) {
			v, err := compute(ctx)
			if err == nil {
				k.values.Add(key, entry[T]{value: v, at: time.Now(), gen: gen})
			}
			return v, err
		}
	}
	if e, ok := k.values.Get(key); ok {
		if e.gen != gen || time.Since(e.at) >= CacheTTL {
			bg, cancel := context.WithTimeout(context.WithoutCancel(ctx), refreshTimeout)
			ch := s.flight.DoChan(key, func() (any, error) {
				defer cancel()
				v, err := run(bg)()
				if err == nil {
					s.refreshed()
				}
				return v, err
			})
			_ = ch // buffered: nobody has to read it
		}
		return e.value, nil
	}
	v, err, _ := s.flight.Do(key, run(ctx)) // one computation for the viewers who ask at once
	if err != nil {
		var zero T
		return zero, err
	}
	return v.(T), nil
}

func (k kept[T]) purge() { k.values.Purge() }
