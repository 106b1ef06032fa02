package estimate

import (
	"fmt"
	"sort"
	"strings"
)

func (d *Design) domains(by [][]string) ([]Domain, error) {
	if len(by) == 0 {
		return nil, fmt.Errorf("%w: no grouping variable", ErrColumns)
	}
	for k, b := range by {
		if len(b) != d.n {
			return nil, fmt.Errorf("%w: grouping variable %d has %d rows, design %d", ErrColumns, k+1, len(b), d.n)
		}
	}
	idx := map[string]int{}
	var keys [][]string
	group := make([]int, d.n)
	for i := 0; i < d.n; i++ {
		group[i] = -1
		if !d.isPresent(i) || d.w[i] == 0 {
			continue
		}
		parts := make([]string, len(by))
		ok := true
		for k, b := range by {
			if b[i] == "" {
				ok = false
				break
			}
			parts[k] = b[i]
		}
		if !ok {
			continue
		}
		k := strings.Join(parts, "\x00")
		g, seen := idx[k]
		if !seen {
			g = len(keys)
			idx[k] = g
			keys = append(keys, parts)
		}
		group[i] = g
	}
	order := make([]int, len(keys))
	for i := range order {
		order[i] = i
	}
	sort.Slice(order, func(a, b int) bool {
		ka, kb := keys[order[a]], keys[order[b]]
		for k := len(ka) - 1; k >= 0; k-- {
			if ka[k] != kb[k] {
				return ka[k] < kb[k]
			}
		}
		return false
	})
	out := make([]Domain, 0, len(keys))
	keep := make([]bool, d.n)
	for _, g := range order {
		for i := range keep {
			keep[i] = group[i] == g
		}
		s, err := d.subset(keep)
		if err != nil {
			return nil, err
		}
		out = append(out, Domain{Key: keys[g], Design: s})
	}
	return out, nil
}
