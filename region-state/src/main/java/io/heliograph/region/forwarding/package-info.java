/**
 * Publishes accepted in one region for channels homed in another: what travels ({@link
 * io.heliograph.region.forwarding.ForwardedPublish}, {@link io.heliograph.region.forwarding.ForwardOutcome}) and the
 * two roles a region's processes play ({@link io.heliograph.region.forwarding.HomeLink}, offered by the bridge;
 * {@link io.heliograph.region.forwarding.HomePublisher}, offered by the edge nodes). The Hazelcast hops between them
 * are in {@code io.heliograph.region.hazelcast.HazelcastForwarding}.
 */
package io.heliograph.region.forwarding;
