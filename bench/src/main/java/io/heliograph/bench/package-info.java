/**
 * The load scenarios that measure local meshes of real edge-node processes ({@code ./mesh bench}); the nodes are
 * started through the {@code launcher} module's {@code LocalMesh}. Talks to edge nodes only through their public
 * surfaces (process flags, WebSocket, HTTP, {@code /proc}); it must not depend on the edge-node module's classes.
 */
package io.heliograph.bench;
