/**
 * The region as one server: membership of the edge nodes and the fan-out that carries messages and presence events
 * between them. The engine (Hazelcast) plugs in behind {@link io.heliograph.edge.region.RegionFabric}.
 */
package io.heliograph.edge.region;
