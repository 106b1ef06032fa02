// Package assess owns assessment (考核评价): indicator systems that an admin defines (a named
// system for a year and a level — leagues, banners, or a venue kind — with indicators,
// weights, normalizations and thresholds), the scores and rankings they give with each score's
// breakdown, and the award shortlists in the seed's style (二十佳科技馆, 十佳流动科技馆,
// 二十佳科普大篷车) with their evidence and .xlsx export.
//
// The scoring math is pure (score.go: plain values in, results out). Figures are read only
// through other packages' exported functions (activity.Store.Rollup/List, registry.Store.List);
// this package writes only its own tables (assess_systems, assess_items) and never another
// domain's.
package assess
