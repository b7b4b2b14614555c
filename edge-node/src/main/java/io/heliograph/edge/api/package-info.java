/**
 * The operations of Protocol v1 (publish, attach, history, presence) with their validation and capability checks,
 * shared by the WebSocket and HTTP transports so that both answer alike.
 */
package io.heliograph.edge.api;
