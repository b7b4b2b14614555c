package io.heliograph.edge.transport;

import static io.heliograph.edge.testing.TestNodes.token;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.heliograph.edge.EdgeNode;
import io.heliograph.edge.testing.TestNodes;
import io.heliograph.edge.testing.WsProbe;

/**
 * Streams larger than a connection's outbound queue: 400 messages of 60 KiB (24 MiB: beyond the 8 MiB queue bound and what the kernel buffers of a stalled socket hold)
 * reach a client as history pages and as a resume catch-up, on a connection that stays open.
 */
class LargeStreamsTest {

    private static final int MESSAGES = 400;
    private static final String BIG = "'" + "x".repeat(60 * 1024) + "'";
    private static EdgeNode node;

    @BeforeAll
    static void start() {
        node = EdgeNode.startStandalone(TestNodes.standalone("history.max-messages=1000",
                "limits.rate-per-second=100000", "limits.rate-burst=100000"), System::currentTimeMillis);
        try (WsProbe pub = WsProbe.connect(node.wsUrl(), token("pub"))) {
            pub.awaitType("connected");
            // Ten at a time: a connection may have at most 1 MiB of requests waiting (429 beyond).
            for (int batch = 0; batch < MESSAGES / 10; batch++) {
                for (int i = batch * 10; i < (batch + 1) * 10; i++) {
                    pub.request("{'type':'publish','id':'p" + i + "','channel':'big','data':" + BIG + "}");
                }
                for (int i = batch * 10; i < (batch + 1) * 10; i++) {
                    JsonNode reply = pub.awaitReply("p" + i);
                    assertEquals("ack", reply.get("type").asText(), reply.toString());
                }
            }
        }
    }

    @AfterAll
    static void stop() {
        node.close();
    }

    @Test
    void aHistoryRequestOverMoreThanTheQueueHoldsIsAnsweredInPagesAndTheConnectionStaysOpen() {
        try (WsProbe p = WsProbe.connect(node.wsUrl(), token("reader"))) {
            p.awaitType("connected");
            String from = null;
            int read = 0;
            int pages = 0;
            boolean more = true;
            while (more && pages < 50) {
                String fromField = from == null ? "" : ",'fromSerial':'" + from + "'";
                JsonNode page = p.request("{'type':'history','id':'h" + pages + "','channel':'big','limit':1000"
                        + fromField + "}").awaitReply("h" + pages);
                assertEquals("history.page", page.get("type").asText(), page.toString());
                JsonNode messages = page.get("messages");
                assertTrue(messages.size() >= 1 && messages.size() * 60 * 1024 <= 1100 * 1024,
                        "a page holds about 1 MiB: " + messages.size());
                for (JsonNode m : messages) {
                    assertEquals("1:" + (++read), m.get("serial").asText());
                }
                from = messages.get(messages.size() - 1).get("serial").asText();
                more = page.get("more").asBoolean();
                pages++;
            }
            assertEquals(MESSAGES, read);
            assertTrue(pages > 1);
            assertFalse(p.isClosed());
        }
    }

    @Test
    void aClientFarBehindThatReadsSlowlyResumesEverythingWithoutBeingClosed() throws InterruptedException {
        try (WsProbe p = WsProbe.connect(node.wsUrl(), token("far-behind"))) {
            p.awaitType("connected");
            p.pauseReading();
            p.request("{'type':'attach','id':'a','channel':'big','fromSerial':'1:0'}");
            // A client that stalls for a second: what the node writes backs up in the socket and in its queue.
            Thread.sleep(1000);
            p.resumeReading();
            JsonNode attached = p.awaitReply("a");
            assertTrue(attached.get("resumed").asBoolean(), attached.toString());
            List<JsonNode> messages = p.collect("message", MESSAGES, Duration.ofSeconds(30));
            assertEquals(MESSAGES, messages.size());
            for (int i = 0; i < MESSAGES; i++) {
                assertEquals("1:" + (i + 1), messages.get(i).get("serial").asText());
            }
            assertFalse(p.isClosed(), "not closed as a slow consumer");
        }
    }

    @Test
    void aFromSerialTheChannelNeverReachedIsContinuityLost() {
        try (WsProbe p = WsProbe.connect(node.wsUrl(), token("from-the-future"))) {
            p.awaitType("connected");
            JsonNode attached = p.request("{'type':'attach','id':'a','channel':'big','fromSerial':'1:5000'}")
                    .awaitReply("a");
            assertFalse(attached.get("resumed").asBoolean());
            assertEquals(410, attached.get("code").asInt());
            assertEquals("1:" + MESSAGES, attached.get("serial").asText());
            JsonNode empty = p.request("{'type':'attach','id':'b','channel':'never-used','fromSerial':'1:500'}")
                    .awaitReply("b");
            assertFalse(empty.get("resumed").asBoolean());
            assertEquals(410, empty.get("code").asInt());
        }
    }
}
