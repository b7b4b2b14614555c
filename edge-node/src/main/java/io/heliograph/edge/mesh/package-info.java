/**
 * The edge's side of the control plane (docs/control-plane.md): the mesh table pushed to the region and kept in its
 * Hazelcast ({@code PUT/GET /v1/admin/mesh-table}), {@code GET /v1/negotiate} answered from it, and drain.
 */
package io.heliograph.edge.mesh;
