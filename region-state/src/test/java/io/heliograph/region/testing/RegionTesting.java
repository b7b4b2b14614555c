package io.heliograph.region.testing;

import java.io.IOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.function.BooleanSupplier;

import io.heliograph.region.hazelcast.MemberSettings;

/**
 * Ports, member settings and bounded waiting for tests of region state. Shipped in region-state's test jar: edge-node's
 * {@code TestNodes} uses {@link #freePort} and {@link #await} from here.
 */
public final class RegionTesting {

    /** What an edge node's defaults give (host 127.0.0.1, presence-timeout-ms 15000). */
    private static final String HOST = "127.0.0.1";
    private static final long PRESENCE_TIMEOUT_MS = 15_000;

    private RegionTesting() {
    }

    /**
     * Test ports come from below Linux's ephemeral range (32768–60999 by default), which the kernel hands to outgoing
     * connections: a port chosen there, then closed and bound later by a node, could meanwhile have become the local
     * end of some client's connection (a bridge test once failed to bind a port taken that way). Each JVM starts at
     * its own random place in the range so that test JVMs running side by side rarely meet.
     */
    static final int FIRST_PORT = 20_000;
    static final int END_PORT = 32_000;
    private static final java.util.concurrent.atomic.AtomicInteger NEXT = new java.util.concurrent.atomic.AtomicInteger(
            FIRST_PORT + java.util.concurrent.ThreadLocalRandom.current().nextInt(END_PORT - FIRST_PORT));

    /**
     * A port free now and never handed out before in this JVM. A node's HTTP, WebSocket and Hazelcast ports are each
     * chosen here before any is bound; handing one out twice could give two of them the same port (a system test
     * once started a node whose HTTP port was its own Hazelcast port).
     */
    public static int freePort() {
        for (int attempt = 0; attempt < END_PORT - FIRST_PORT; attempt++) {
            int port = FIRST_PORT + Math.floorMod(NEXT.getAndIncrement() - FIRST_PORT, END_PORT - FIRST_PORT);
            if (bindable(port)) {
                return port;
            }
        }
        throw new IllegalStateException("no free port left in " + FIRST_PORT + ".." + END_PORT);
    }

    private static boolean bindable(int port) {
        try (ServerSocket s = new ServerSocket()) {
            s.bind(new java.net.InetSocketAddress(HOST, port));
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** A member on {@code 127.0.0.1:port} of cluster {@code clusterName}, joining the members on {@code members}. */
    public static MemberSettings member(String nodeId, int port, List<Integer> members, String clusterName) {
        return new MemberSettings(nodeId, clusterName, HOST, port,
                members.stream().map(p -> HOST + ":" + p).toList(), PRESENCE_TIMEOUT_MS);
    }

    /**
     * Waits until every partition of the cluster has an owner, every member owns some, and each member says the
     * cluster is safe (no migration running, every backup in sync). A fresh cluster answers calls before that: a
     * write that lands while its partition is still moving can wait past the region's 2 s backup timeout and be
     * answered "indeterminate" (503 in a node), which a contract test would report as a failure of the structure it
     * tests (seen in CI on a loaded machine, about 3 s into a new two-member cluster).
     */
    public static void awaitPartitionsSafe(Duration timeout, com.hazelcast.core.HazelcastInstance... members) {
        await(members.length + " members holding partitions, backups in sync", timeout, () -> {
            java.util.Set<java.util.UUID> owners = new java.util.HashSet<>();
            for (com.hazelcast.partition.Partition partition : members[0].getPartitionService().getPartitions()) {
                com.hazelcast.cluster.Member owner = partition.getOwner(); // also starts the first assignment
                if (owner == null) {
                    return false;
                }
                owners.add(owner.getUuid());
            }
            if (owners.size() < Math.min(members.length, members[0].getPartitionService().getPartitions().size())) {
                return false;
            }
            for (com.hazelcast.core.HazelcastInstance member : members) {
                if (!member.getPartitionService().isLocalMemberSafe() || !member.getPartitionService().isClusterSafe()) {
                    return false;
                }
            }
            return true;
        });
    }

    public static void await(String what, Duration timeout, BooleanSupplier condition) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out after " + timeout + " waiting for " + what);
            }
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
    }
}
