/**
 * The mesh table (docs/control-plane.md, "The mesh table"): its JSON, the pure moves that change it (failover,
 * restore, states) with their epochs, where the replicas keep it, and the edge admin calls that push it.
 */
package io.heliograph.control.table;
