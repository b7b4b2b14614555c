/**
 * The sender's side of "exactly once between regions" (shared/MULTI-REGION.md, invariant 7): per peer region, the
 * ordered {@link io.heliograph.bridge.outbound.OutboundLog} of what must reach that peer, numbered by {@code link_seq},
 * resent from the peer's cumulative acknowledgement after any reconnect or takeover and bounded by entries, bytes and
 * age, with every entry dropped before it was acknowledged counted and reported. The interface, its engine-free state
 * ({@link io.heliograph.bridge.outbound.OutboundState}) and the in-memory implementation live here; the Hazelcast one
 * is in {@code io.heliograph.bridge.outbound.hazelcast}. This package must not depend on Hazelcast or gRPC's
 * transport; it knows the wire types only to turn a held entry into a {@code LinkFrame}.
 */
package io.heliograph.bridge.outbound;
