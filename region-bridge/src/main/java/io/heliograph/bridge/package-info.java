/**
 * The transport between the bridges of two regions: {@link io.heliograph.bridge.BridgeServer} (the gRPC server a
 * bridge serves, with the health service), {@link io.heliograph.bridge.PeerChannel} (the channel to one peer region)
 * and {@link io.heliograph.bridge.LinkSettings} (keepalive, deadlines, limits shared by both). The wire contract is
 * generated from {@code heliograph/bridge/v1/bridge.proto} into {@code io.heliograph.bridge.v1}; mutual TLS lives in
 * {@code io.heliograph.bridge.tls}. Replication, leases and the outbound log build on these and are not here; this
 * package must not depend on region state or Hazelcast.
 */
package io.heliograph.bridge;
