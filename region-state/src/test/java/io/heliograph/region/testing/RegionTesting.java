package io.heliograph.region.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
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

    public static int freePort() {
        try (ServerSocket s = new ServerSocket(0)) {
            s.setReuseAddress(true);
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A member on {@code 127.0.0.1:port} of cluster {@code clusterName}, joining the members on {@code members}. */
    public static MemberSettings member(String nodeId, int port, List<Integer> members, String clusterName) {
        return new MemberSettings(nodeId, clusterName, HOST, port,
                members.stream().map(p -> HOST + ":" + p).toList(), PRESENCE_TIMEOUT_MS);
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
