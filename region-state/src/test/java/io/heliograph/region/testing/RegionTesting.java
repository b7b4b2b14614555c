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

    /** Every port handed out in this JVM: the kernel may offer a port again once its probe socket is closed. */
    private static final java.util.Set<Integer> HANDED_OUT = java.util.concurrent.ConcurrentHashMap.newKeySet();

    /**
     * A port free now and never handed out before in this JVM. A node's HTTP, WebSocket and Hazelcast ports are each
     * chosen here before any is bound; without the second rule two of them could be the same port (a system test
     * once started a node whose HTTP port was its own Hazelcast port).
     */
    public static int freePort() {
        for (int attempt = 0; attempt < 1000; attempt++) {
            int port;
            try (ServerSocket s = new ServerSocket(0)) {
                s.setReuseAddress(true);
                port = s.getLocalPort();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            if (HANDED_OUT.add(port)) {
                return port;
            }
        }
        throw new IllegalStateException("no fresh free port after 1000 attempts");
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
