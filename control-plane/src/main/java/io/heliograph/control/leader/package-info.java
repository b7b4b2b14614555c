/**
 * Leading the control plane: the lease {@code control-plane.leader} held by one replica
 * ({@link io.heliograph.control.leader.Leadership}), and the {@link io.heliograph.control.leader.MeshController} that
 * runs the probe cycle on every replica and, on the leader only, changes and pushes the mesh table and writes the
 * audit log.
 */
package io.heliograph.control.leader;
