/**
 * The outbound log in the region's Hazelcast cluster ({@link io.heliograph.bridge.outbound.hazelcast.HazelcastOutboundLog}
 * on the IMap {@code hg.outbound}), so that the standby bridge replica that takes a link over resumes it where the
 * peer's acknowledgement left it. Only this package of region-bridge imports Hazelcast.
 */
package io.heliograph.bridge.outbound.hazelcast;
