/**
 * Local meshes of real edge-node processes: the plan of nodes and ports ({@link io.heliograph.launcher.MeshPlan}),
 * one node's process and its command, readiness and URLs ({@link io.heliograph.launcher.EdgeProcess}, also the
 * fixture of edge-node's system tests), the mesh's start and stop ({@link io.heliograph.launcher.LocalMesh}) and
 * {@code ./mesh up} ({@link io.heliograph.launcher.MeshUpCommand}). The generic process handle under them is in
 * {@code io.heliograph.launcher.process}. Talks to edge nodes only through their public surfaces (process flags, the
 * announcement line, {@code /health}); it must not depend on the edge-node module's classes.
 */
package io.heliograph.launcher;
