package io.heliograph.edge.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.heliograph.edge.EdgeNode;
import io.heliograph.edge.testing.PrometheusText;
import io.heliograph.edge.testing.RawHttp;
import io.heliograph.edge.testing.RawWs;
import io.heliograph.edge.testing.TestNodes;

/** The upgrade on a real node's WebSocket port: refusals are answered, counted and closed; stalled heads are cut. */
class WsHandshakeNodeTest {

    private static EdgeNode node;

    @BeforeAll
    static void start() {
        node = EdgeNode.startStandalone(TestNodes.standalone(), System::currentTimeMillis);
    }

    @AfterAll
    static void stop() {
        node.shutdown();
    }

    private static double refusals(String reason) {
        return PrometheusText.value(node.metrics().render(), "heliograph_input_refusals_total", "reason", reason);
    }

    @Test
    void badUpgradesAreAnsweredWithTheirStatusAndJsonThenClosedAndCounted() {
        double before = refusals("bad_handshake");
        try (RawHttp raw = RawHttp.open(node.wsPort())) {
            String response = raw.upgrade("/elsewhere");
            assertTrue(response.startsWith("HTTP/1.1 404"), response);
            assertTrue(response.contains("\"code\":404"), response);
            assertTrue(raw.drainUntilClosed() >= 0, "closed after the refusal");
        }
        try (RawHttp raw = RawHttp.open(node.wsPort())) {
            String response = raw.write("GET /v1/ws HTTP/1.1\r\nHost: x\r\n\r\n").response();
            assertTrue(response.startsWith("HTTP/1.1 426"), response);
            assertTrue(response.contains("Sec-WebSocket-Version: 13"), response);
        }
        try (RawHttp raw = RawHttp.open(node.wsPort())) {
            String response = raw.write("GET /v1/ws HTTP/1.1\r\nX: " + "y".repeat(20_000)).response();
            assertTrue(response.startsWith("HTTP/1.1 431"), response);
        }
        assertEquals(before + 3, refusals("bad_handshake"));
    }

    @Test
    void aHeadSplitAcrossManyWritesStillUpgrades() throws Exception {
        String head = "GET /v1/ws?access_token=" + TestNodes.token("slow") + " HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                + "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                + "Sec-WebSocket-Version: 13\r\n\r\n";
        try (RawHttp raw = RawHttp.open(node.wsPort())) {
            for (int i = 0; i < head.length(); i += 7) {
                raw.write(head.substring(i, Math.min(head.length(), i + 7)));
                Thread.sleep(1); // separate segments, so the node reads the head in pieces
            }
            assertTrue(raw.response().startsWith("HTTP/1.1 101"));
        }
    }

    @Test
    void theHttpPortTellsWebSocketClientsWhereToGo() {
        try (RawHttp raw = RawHttp.open(node.port())) {
            String response = raw.write("GET /v1/ws HTTP/1.1\r\nHost: x\r\n\r\n").response();
            assertTrue(response.startsWith("HTTP/1.1 400"), response);
            assertTrue(response.contains(node.wsUrl()), response);
        }
    }

    @Test
    void aSocketThatNeverFinishesItsUpgradeIsClosedAndCounted() {
        double before = refusals("handshake_timeout");
        try (RawHttp raw = RawHttp.open(node.wsPort()); RawWs open = RawWs.connect(node.wsPort(),
                TestNodes.token("open"))) {
            raw.write("GET /v1/ws HTTP/1.1\r\n");
            long started = System.nanoTime();
            raw.drainUntilClosed();
            long waitedMs = (System.nanoTime() - started) / 1_000_000;
            assertTrue(waitedMs >= 8_000 && waitedMs < 14_000, "closed after " + waitedMs + " ms");
            TestNodes.await("timeout counted", Duration.ofSeconds(5),
                    () -> refusals("handshake_timeout") == before + 1);
            assertEquals(1, node.connectionCount(), "an upgraded connection is not cut by the handshake timeout");
        }
    }
}
