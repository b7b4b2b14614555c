/**
 * The control plane's work on the mesh table (docs/control-plane.md, "The mesh table"; the table itself and its JSON
 * are region-state's {@link io.heliograph.region.mesh.MeshTable} and {@link io.heliograph.region.mesh.MeshTableJson},
 * shared with the edge): the pure moves that change it (failover, restore, states) with their epochs, where the
 * replicas keep it, and the edge admin calls that push it.
 */
package io.heliograph.control.table;
