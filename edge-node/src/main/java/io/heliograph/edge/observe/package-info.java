/** Observability of a node: the counters, gauges and histograms served at {@code GET /metrics}, and health. */
package io.heliograph.edge.observe;
