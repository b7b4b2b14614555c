package io.heliograph.region.hazelcast;

import java.time.Duration;
import java.util.List;
import java.util.function.LongSupplier;

import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

import io.heliograph.region.lease.LeaseStore;
import io.heliograph.region.lease.LeaseStoreContract;
import io.heliograph.region.testing.RegionTesting;

/**
 * The lease store contract on two members, called through the member that does not own the lease's partition: every
 * change and answer crosses the network in its serialized form, and every granted change has a backup to confirm.
 */
class HazelcastLeaseStoreTest extends LeaseStoreContract {

    private static HazelcastInstance first;
    private static HazelcastInstance second;

    @BeforeAll
    static void startRegion() {
        int p1 = RegionTesting.freePort();
        int p2 = RegionTesting.freePort();
        String cluster = "lease-store-" + System.nanoTime();
        first = Hazelcast.newHazelcastInstance(RegionMember.config(
                RegionTesting.member("first", p1, List.of(p1, p2), cluster)));
        second = Hazelcast.newHazelcastInstance(RegionMember.config(
                RegionTesting.member("second", p2, List.of(p1, p2), cluster)));
        RegionTesting.await("two members", Duration.ofSeconds(60), () -> first.getCluster().getMembers().size() == 2);
        RegionTesting.awaitPartitionsSafe(Duration.ofSeconds(60), first, second);
    }

    @AfterAll
    static void stopRegion() {
        second.shutdown();
        first.shutdown();
    }

    @Override
    protected LeaseStore store(LongSupplier wallMs) {
        boolean firstOwns = first.getPartitionService().getPartition(name).getOwner()
                .equals(first.getCluster().getLocalMember());
        return new HazelcastLeaseStore(firstOwns ? second : first, wallMs, RegionCalls.uncounted());
    }
}
