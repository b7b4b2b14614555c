/**
 * Forwarded publishes over the bridge: {@link io.heliograph.bridge.forward.HomeForwarding} sends this region's
 * publishes for channels homed in a peer to that peer ({@code Publish}), {@link
 * io.heliograph.bridge.forward.ForwardArrivals} takes a peer's publishes for channels homed here to this region's edge
 * nodes, {@link io.heliograph.bridge.forward.ForwardCodec} translates.
 */
package io.heliograph.bridge.forward;
