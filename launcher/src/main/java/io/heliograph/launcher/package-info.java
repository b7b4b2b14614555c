/**
 * Local meshes of real edge-node and region-bridge processes: the plan of nodes, bridge replicas, WAN links and
 * ports ({@link io.heliograph.launcher.MeshPlan}), one node's process and its command, readiness and URLs
 * ({@link io.heliograph.launcher.EdgeProcess}, also the fixture of edge-node's system tests), one bridge replica's
 * ({@link io.heliograph.launcher.RegionBridgeProcess}), the mesh's certificates, start and stop
 * ({@link io.heliograph.launcher.LocalMesh}) and {@code ./mesh up} ({@link io.heliograph.launcher.MeshUpCommand}).
 * The generic process handle under them is in {@code io.heliograph.launcher.process}, the WAN delay proxy in
 * {@code io.heliograph.launcher.net}. Talks to edge nodes and bridges only through their public surfaces (process
 * flags, the ready lines, {@code /health}); it must not depend on the edge-node module's classes, and of
 * region-bridge it uses only the certificate tooling ({@code ThrowawayCa}, {@code BridgeTlsFiles}).
 */
package io.heliograph.launcher;
