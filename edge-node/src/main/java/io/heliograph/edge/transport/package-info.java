/**
 * Client transports of an edge node: the Protocol v1 WebSocket endpoint ({@code /v1/ws}) with its connections,
 * limits and heartbeats, its own WebSocket frame reader ({@code EdgeWsConnection}, in place of Helidon's), and the
 * HTTP API for application back ends. Turns every {@code HeliographException} into
 * the documented frame, close code or HTTP status, in one place each.
 */
package io.heliograph.edge.transport;
