/**
 * Probing every edge node's and bridge replica's {@code /health} (and a bridge's {@code /metrics} for lag) with
 * short timeouts, and parsing their answers into plain records. Knows the edge and bridge only by their JSON.
 */
package io.heliograph.control.probe;
