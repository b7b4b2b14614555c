/**
 * The operations of Protocol v1 (publish, attach, history, presence) with their validation and capability checks,
 * shared by the WebSocket and HTTP transports so that both answer alike; and the coordinator's clean-up after nodes
 * that leave the region ({@code DepartedNodeAgent}), which goes through the same operations.
 */
package io.heliograph.edge.api;
