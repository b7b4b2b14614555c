package io.heliograph.edge.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

import org.junit.jupiter.api.Test;

import io.heliograph.edge.EdgeNode;
import io.heliograph.edge.testing.PrometheusText;
import io.heliograph.edge.testing.RawHttp;
import io.heliograph.edge.testing.TestNodes;

class ConnectionRehearsalTest {

    @Test
    void aNodeRehearsesRealConnectionsAtStartAndNothingOfThemIsLeft() throws Exception {
        EdgeNode node = EdgeNode.startStandalone(TestNodes.standalone("warmup-connections=100"),
                System::currentTimeMillis);
        try {
            // Each one went through the whole exchange (greeting, pings both ways, a message, the close handshake):
            // any refusal, framing error or missing frame would have stopped the rehearsal early.
            assertEquals(100, node.rehearsedConnections());
            assertEquals(0, node.connectionCount());
            String metrics = scrape(node);
            assertFalse(metrics.contains("rehearsal"), "the rehearsal's own meters were removed");
            // The node's connection count is created with its first connection: none yet.
            assertEquals(-1, PrometheusText.value(metrics, "heliograph_connections_total", "transport", "websocket",
                    "node", node.config().nodeId()));
            // The node's own listener serves clients as usual afterwards, and counts them from one.
            try (RawHttp raw = RawHttp.open(node.wsPort())) {
                String response = raw.upgrade("/v1/ws?access_token=" + TestNodes.token("after-rehearsal"));
                assertTrue(response.startsWith("HTTP/1.1 101"), response);
                assertEquals(1, PrometheusText.value(scrape(node), "heliograph_connections_total", "transport",
                        "websocket", "node", node.config().nodeId()));
            }
        } finally {
            node.close();
        }
    }

    private static String scrape(EdgeNode node) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(node.httpUrl() + "/metrics"))
                .build(), HttpResponse.BodyHandlers.ofString()).body();
    }

    @Test
    void turnedOffWithZeroConnections() {
        EdgeNode node = EdgeNode.startStandalone(TestNodes.standalone(), System::currentTimeMillis);
        try {
            assertEquals(0, node.rehearsedConnections());
        } finally {
            node.close();
        }
    }
}
