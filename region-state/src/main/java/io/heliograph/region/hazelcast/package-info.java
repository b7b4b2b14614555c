/**
 * Hazelcast implementations of region state's plug points ({@code ChannelLog}, {@code PresenceRegistry},
 * {@code RegionFabric}, {@code LeaseStore}): one embedded member per edge node, one cluster per region, built by {@link
 * io.heliograph.region.hazelcast.RegionMember} from {@link io.heliograph.region.hazelcast.MemberSettings}. Only AP
 * structures are used (IMap with synchronous backups, ITopic); the CP Subsystem (a licensed feature in Hazelcast 5.7)
 * is not used, not even for leases ({@link io.heliograph.region.hazelcast.HazelcastLeaseStore}). Apart from the assembly
 * in edge-node's {@code EdgeNode} (which starts and stops the member), nothing outside this package imports Hazelcast.
 */
package io.heliograph.region.hazelcast;
