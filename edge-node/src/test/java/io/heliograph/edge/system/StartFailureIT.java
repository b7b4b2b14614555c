package io.heliograph.edge.system;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.OptionalInt;

import org.junit.jupiter.api.Test;

import io.heliograph.edge.testing.TestNodes;
import io.heliograph.launcher.EdgeProcess;

/**
 * A node whose HTTP port is taken cannot serve: it must exit (status 1) rather than stay up as a bare Hazelcast
 * member that answers no client. Before the fix the process kept running with its region member alive.
 */
class StartFailureIT {

    @Test
    void aNodeThatCannotBindItsPortExitsWithStatusOne() throws Exception {
        int hz = TestNodes.freePort();
        try (ServerSocket taken = new ServerSocket()) {
            taken.bind(new InetSocketAddress("127.0.0.1", TestNodes.freePort()));
            try (EdgeProcess node = TestNodes.startNode("us-east", "blocked", taken.getLocalPort(), hz, List.of(hz),
                    "start-failure-" + System.nanoTime())) {
                OptionalInt status = node.awaitExit(Duration.ofSeconds(60));
                assertEquals(OptionalInt.of(1), status, "exit status; log:\n" + node.tail(30));
            }
        }
    }
}
