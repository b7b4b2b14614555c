/**
 * Local meshes of real edge-node processes: the plan of nodes and ports ({@link io.heliograph.launcher.MeshPlan}),
 * the processes and their start and stop ({@link io.heliograph.launcher.LocalMesh}) and {@code ./mesh up}
 * ({@link io.heliograph.launcher.MeshUpCommand}). Talks to edge nodes only through their public surfaces (process
 * flags, the announcement line, {@code /health}); it must not depend on the edge-node module's classes.
 */
package io.heliograph.launcher;
