/**
 * Observability of a node: its meters in Helidon's registry and its health checks, served by Helidon's observers at
 * {@code GET /metrics} and {@code GET /health}.
 */
package io.heliograph.edge.observe;
