/**
 * Local meshes of real edge-node processes ({@code ./mesh up}) and the load scenarios that measure them
 * ({@code ./mesh bench}). Talks to edge nodes only through their public surfaces (process flags, WebSocket, HTTP,
 * {@code /proc}); it must not depend on the edge-node module's classes.
 */
package io.heliograph.bench;
