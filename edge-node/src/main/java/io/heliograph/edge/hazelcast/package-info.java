/**
 * Hazelcast implementations of the edge's plug points: one embedded member per edge node, one cluster per region.
 * Only AP structures are used (IMap with synchronous backups, ITopic); the CP Subsystem is not needed. Apart from the
 * assembly in {@code EdgeNode}, nothing outside this package imports Hazelcast.
 */
package io.heliograph.edge.hazelcast;
