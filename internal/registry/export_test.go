package registry

import "context"

// CountFromRecords is Count read from the records alone, never from the stock rows, for the
// tests that compare the two.
func (s *Store) CountFromRecords(ctx context.Context, k *Kind, f Filter) (int, error) {
	return s.countRecords(ctx, k, f)
}
