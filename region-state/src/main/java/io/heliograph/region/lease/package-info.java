/**
 * Leases with fencing epochs on AP storage: who holds a named role in the region (the bridge link to a peer region,
 * later the control plane's leader) and under which epoch. {@link io.heliograph.region.lease.LeaseRules} holds the
 * engine-free rules, {@link io.heliograph.region.lease.LeaseStore} is the plug point (in memory here, Hazelcast in
 * {@code io.heliograph.region.hazelcast}), {@link io.heliograph.region.lease.LeaseKeeper} holds a lease in the
 * background and {@link io.heliograph.region.lease.EpochFence} is what a peer uses to refuse a stale holder. Nothing
 * here depends on Hazelcast.
 */
package io.heliograph.region.lease;
