/**
 * The region as one server: membership of the edge nodes and the fan-out that carries messages and presence events
 * between them. The engine (Hazelcast) plugs in behind {@link io.heliograph.region.fabric.RegionFabric}; what the
 * fabric hands to a node goes to its {@link io.heliograph.region.fabric.RegionFabric.Receiver} (the edge node's
 * {@code DeliveryHub}).
 */
package io.heliograph.region.fabric;
