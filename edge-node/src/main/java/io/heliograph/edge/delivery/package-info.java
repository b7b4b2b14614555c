/**
 * Delivery inside one node: for every channel with local subscribers, a dispatcher that restores the channel's order
 * across publishing nodes (buffering early messages, filling gaps from history) and hands each message, encoded once,
 * to every local subscriber exactly once.
 */
package io.heliograph.edge.delivery;
