package estimate

import (
	"fmt"
	"sort"
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
	// code each grouping variable, then the combination, without a string per row
	codes := make([][]int32, len(by))
	vals := make([][]string, len(by))
	for k, b := range by {
		ids := map[string]int32{}
		codes[k] = make([]int32, d.n)
		last, lastc := "", int32(-1)
		for _, i := range d.act {
			v := b[i]
			if v == last {
				codes[k][i] = lastc
				continue
			}
			c := int32(-1)
			if v != "" {
				var ok bool
				c, ok = ids[v]
				if !ok {
					c = int32(len(vals[k]))
					ids[v] = c
					vals[k] = append(vals[k], v)
				}
			}
			codes[k][i] = c
			last, lastc = v, c
		}
	}
	idx := map[int64]int{}
	var keys [][]string
	var members [][]int32
	for _, i := range d.act {
		var key int64
		ok := true
		for k := range by {
			c := codes[k][i]
			if c < 0 {
				ok = false
				break
			}
			key = key*int64(len(vals[k])+1) + int64(c)
		}
		if !ok {
			continue
		}
		g, seen := idx[key]
		if !seen {
			g = len(keys)
			idx[key] = g
			parts := make([]string, len(by))
			for k := range by {
				parts[k] = vals[k][codes[k][i]]
			}
			keys = append(keys, parts)
			members = append(members, nil)
		}
		members[g] = append(members[g], i)
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
	for _, g := range order {
		out = append(out, Domain{Key: keys[g], Design: d.subsetRows(members[g], true)})
	}
	return out, nil
}
