// Package dashboard serves the statistics dashboard: for a chosen unit and year, the headline
// indicators grouped in the seed report's sections (infrastructure, talent, informatization,
// activities, literacy), each with the year before and the change, trends by month, the unit's
// rank among its siblings and an optional map layer from an operator-supplied GeoJSON boundary
// file. Every number links to the records behind it. Charts are drawn by Apache ECharts (npm
// echarts, embedded as internal/web/static/stats-echarts.min.js by scripts/stats-echarts.sh);
// without JavaScript the page reads as tables.
//
// It reads figures only through the indicator registry of package stats; it owns no table and
// never reads another domain's tables.
package dashboard

// EChartsAsset is the static file name of the embedded ECharts build.
const EChartsAsset = "stats-echarts.min.js"
