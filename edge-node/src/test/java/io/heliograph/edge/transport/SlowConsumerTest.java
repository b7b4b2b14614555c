package io.heliograph.edge.transport;

import static io.heliograph.edge.testing.TestNodes.token;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.heliograph.edge.EdgeNode;
import io.heliograph.edge.testing.PrometheusText;
import io.heliograph.edge.testing.TestNodes;
import io.heliograph.edge.testing.WsProbe;

/**
 * A client that stops reading is disconnected once its bounded queue overflows (1013, counted as slow_consumer),
 * instead of growing the node's memory or silently missing messages; a healthy subscriber of the same channel gets
 * everything.
 */
class SlowConsumerTest {

    private EdgeNode node;

    @AfterEach
    void stop() {
        if (node != null) {
            node.close();
        }
    }

    @Test
    void clientThatStopsReadingIsClosedAndOthersGetEverything() throws Exception {
        node = EdgeNode.startStandalone(TestNodes.standalone("limits.outbound-queue-bytes=2097152",
                "limits.rate-per-second=100000", "limits.rate-burst=100000"), System::currentTimeMillis);
        CompletableFuture<Integer> stalledClose = new CompletableFuture<>();
        // The JDK client reads only as many messages as requested: after the first, this one reads nothing more.
        WebSocket stalled = HttpClient.newHttpClient().newWebSocketBuilder()
                .buildAsync(URI.create(node.wsUrl() + "?access_token=" + token("stalled")), new WebSocket.Listener() {
                    @Override
                    public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
                        return null;
                    }

                    @Override
                    public CompletionStage<?> onClose(WebSocket ws, int code, String reason) {
                        stalledClose.complete(code);
                        return null;
                    }

                    @Override
                    public void onError(WebSocket ws, Throwable error) {
                        stalledClose.complete(-1); // the socket ended without a close frame
                    }
                }).get(10, TimeUnit.SECONDS);
        stalled.sendText("{\"type\":\"attach\",\"id\":\"a\",\"channel\":\"firehose\"}", true).get(10, TimeUnit.SECONDS);

        try (WsProbe healthy = WsProbe.connect(node.wsUrl(), token("healthy"));
             WsProbe publisher = WsProbe.connect(node.wsUrl(), token("pub"))) {
            healthy.awaitType("connected");
            publisher.awaitType("connected");
            healthy.request("{'type':'attach','id':'a','channel':'firehose'}").awaitReply("a");
            TestNodes.await("stalled client attached", Duration.ofSeconds(10),
                    () -> PrometheusText.value(node.metrics().render(), "heliograph_channels_with_subscribers") >= 1);
            String payload = "x".repeat(60_000);
            int count = 400; // ~24 MB: far more than the socket buffers and the 2 MiB queue hold
            List<JsonNode> got = new java.util.ArrayList<>();
            // Batches of 10 keep the publisher's waiting requests (60 KB each) under the 1 MiB a connection may have
            // waiting; a batch of 20 could be refused in part (429) on a slow machine.
            for (int batch = 0; batch < count / 10; batch++) {
                for (int i = batch * 10; i < (batch + 1) * 10; i++) {
                    publisher.send("{\"type\":\"publish\",\"id\":\"" + i + "\",\"channel\":\"firehose\",\"data\":\""
                            + payload + "\"}");
                }
                // A healthy subscriber keeps up: the next batch goes out once it has this one.
                got.addAll(healthy.collect("message", 10, Duration.ofSeconds(30)));
            }
            for (int i = 0; i < count; i++) {
                JsonNode reply = publisher.awaitReply("" + i);
                assertEquals("ack", reply.get("type").asText(), "publish " + i + " answered " + reply);
            }
            assertEquals(count, got.size(), "the healthy subscriber gets every message");
            for (int i = 0; i < count; i++) {
                assertEquals("1:" + (i + 1), got.get(i).get("serial").asText());
            }
            TestNodes.await("slow consumer disconnected and counted", Duration.ofSeconds(30),
                    () -> PrometheusText.value(node.metrics().render(), "heliograph_disconnects_total",
                            "reason", "slow_consumer") == 1);
            // Every message the stalled client did not get is counted: the one refused and the ~2 MiB queued
            // (about 34 of 60 KB) that were thrown away, not one per subscription.
            double dropped = PrometheusText.value(node.metrics().render(), "heliograph_messages_dropped_total",
                    "reason", "slow_consumer");
            assertTrue(dropped >= 30, "dropped messages counted one by one: " + dropped);
            assertEquals(0, PrometheusText.value(node.metrics().render(), "heliograph_messages_dropped_total",
                    "reason", "connection_closed"), "a slow consumer is not counted as a closed connection");
        }
        // A client that does not read cannot see a close frame: its socket is shut after the close handshake time.
        stalled.request(Long.MAX_VALUE);
        int code;
        try {
            code = stalledClose.get(30, TimeUnit.SECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            throw new AssertionError("the stalled client saw no close within 30 s; node connections "
                    + node.connectionCount() + ", client input closed " + stalled.isInputClosed() + ", output closed "
                    + stalled.isOutputClosed(), e);
        }
        assertTrue(code == CloseCodes.TRY_AGAIN_LATER || code == WebSocket.NORMAL_CLOSURE || code == 1006 || code == -1,
                "closed, got " + code);
        TestNodes.await("connection gone", Duration.ofSeconds(10), () -> node.connectionCount() == 0);
    }
}
