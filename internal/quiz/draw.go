package quiz

import (
	"math/rand/v2"
	"slices"
)

// Draw picks n distinct questions at random from pool (ids with their topics), in random
// order. With stratified set, every topic gets an equal share of n (the remainder going to
// topics picked at random), a topic with too few questions giving its whole pool and the rest
// coming from the others. When the pool holds fewer than n questions, all of them are drawn.
func Draw(r *rand.Rand, pool []Question, n int, stratified bool) []int64 {
	if n >= len(pool) {
		n = len(pool)
	}
	ids := func(qs []Question) []int64 {
		out := make([]int64, len(qs))
		for i, q := range qs {
			out[i] = q.ID
		}
		return out
	}
	if !stratified {
		all := ids(pool)
		r.Shuffle(len(all), func(i, j int) { all[i], all[j] = all[j], all[i] })
		return all[:n]
	}
	byTopic := map[string][]int64{}
	var topics []string
	for _, q := range pool {
		if _, ok := byTopic[q.Topic]; !ok {
			topics = append(topics, q.Topic)
		}
		byTopic[q.Topic] = append(byTopic[q.Topic], q.ID)
	}
	slices.Sort(topics)
	for _, t := range topics {
		l := byTopic[t]
		r.Shuffle(len(l), func(i, j int) { l[i], l[j] = l[j], l[i] })
	}
	// Deal one question per topic per round, topics in a random order each round, until n.
	var out []int64
	taken := map[string]int{}
	for len(out) < n {
		order := slices.Clone(topics)
		r.Shuffle(len(order), func(i, j int) { order[i], order[j] = order[j], order[i] })
		for _, t := range order {
			if len(out) == n {
				break
			}
			if taken[t] < len(byTopic[t]) {
				out = append(out, byTopic[t][taken[t]])
				taken[t]++
			}
		}
	}
	r.Shuffle(len(out), func(i, j int) { out[i], out[j] = out[j], out[i] })
	return out
}
