package io.heliograph.edge.system;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.heliograph.edge.testing.NodeProcess;
import io.heliograph.edge.testing.TestNodes;

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
            try (NodeProcess node = NodeProcess.start("us-east", "blocked", taken.getLocalPort(), hz, List.of(hz),
                    "start-failure-" + System.nanoTime())) {
                Integer status = node.awaitExit(Duration.ofSeconds(60));
                assertEquals(Integer.valueOf(1), status, "exit status; log:\n" + node.tail());
            }
        }
    }
}
