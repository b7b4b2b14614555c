/**
 * The public HTTP API under {@code /v1} and the replica's own {@code /health} (docs/control-plane.md, "Public API"):
 * JSON in and out, the admin token on every change, changes sent to a follower forwarded to the leader.
 */
package io.heliograph.control.api;
