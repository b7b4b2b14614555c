/**
 * The region bridge as a process, one per replica and two replicas per region: its configuration, its lite membership
 * of the region's Hazelcast cluster, the bridge lease that decides which replica links (holder) and which waits
 * (standby), and its {@code /health} and {@code /metrics}. It wires {@code io.heliograph.bridge.link} and
 * {@code ...outbound}; nothing else depends on it.
 */
package io.heliograph.bridge.process;
