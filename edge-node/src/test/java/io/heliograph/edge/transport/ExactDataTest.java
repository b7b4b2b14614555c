package io.heliograph.edge.transport;

import static io.heliograph.edge.testing.TestNodes.token;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.heliograph.edge.EdgeNode;
import io.heliograph.edge.testing.TestNodes;
import io.heliograph.edge.testing.WsProbe;

/**
 * A message's {@code data} (and a presence member's) reaches subscribers, history and the HTTP API exactly as the
 * publisher wrote it: no number rounded or rewritten, no string re-escaped.
 */
class ExactDataTest {

    /** Numbers a double cannot hold, escapes, and spacing: every character must survive. */
    static final String DATA = "{\"big\":1e400, \"tiny\":0.1000000000000000055511,"
            + "\"wide\":12345678901234567890.5,\"neg\":-0.0,\"esc\":\"caf\\u00e9 \\/\",\"list\":[ 1 ,2E-999 ]}";

    private static EdgeNode node;

    @BeforeAll
    static void start() {
        node = EdgeNode.startStandalone(TestNodes.standalone(), System::currentTimeMillis);
    }

    @AfterAll
    static void stop() {
        node.close();
    }

    private static WsProbe connect(String clientId) {
        WsProbe p = WsProbe.connect(node.wsUrl(), token(clientId));
        p.awaitType("connected");
        return p;
    }

    @Test
    void publishedDataIsDeliveredStoredAndServedExactlyAsSent() throws Exception {
        try (WsProbe sub = connect("sub"); WsProbe pub = connect("pub")) {
            sub.request("{'type':'attach','id':'a','channel':'exact'}").awaitReply("a");
            pub.send("{\"type\":\"publish\",\"id\":\"p\",\"channel\":\"exact\",\"data\":" + DATA + "}");
            assertEquals("ack", pub.awaitReply("p").get("type").asText());
            JsonNode message = sub.awaitType("message");
            assertTrue(sub.rawText(message).contains("\"data\":" + DATA + ","), sub.rawText(message));
            sub.request("{'type':'history','id':'h','channel':'exact'}");
            JsonNode page = sub.awaitReply("h");
            assertTrue(sub.rawText(page).contains("\"data\":" + DATA + ","), sub.rawText(page));
        }
        HttpResponse<String> history = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        URI.create(node.httpUrl() + "/v1/channels/exact/messages"))
                .header("Authorization", "Bearer " + token("reader")).build(), HttpResponse.BodyHandlers.ofString());
        assertTrue(history.body().contains("\"data\":" + DATA + ","), history.body());
    }

    @Test
    void httpPublishedDataIsStoredExactlyAsSent() throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        HttpResponse<String> created = http.send(HttpRequest.newBuilder(
                        URI.create(node.httpUrl() + "/v1/channels/exact-http/messages"))
                .header("Authorization", "Bearer " + token("backend"))
                .POST(HttpRequest.BodyPublishers.ofString("{\"msgId\":\"h1\", \"data\" : " + DATA + " }")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(201, created.statusCode(), created.body());
        HttpResponse<String> history = http.send(HttpRequest.newBuilder(
                        URI.create(node.httpUrl() + "/v1/channels/exact-http/messages"))
                .header("Authorization", "Bearer " + token("reader")).build(), HttpResponse.BodyHandlers.ofString());
        assertTrue(history.body().contains("\"data\":" + DATA + ","), history.body());
    }

    @Test
    void anHttpBodyThatIsNotUtf8IsABadRequestNotStoredWithReplacementCharacters() throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        byte[] body = "{\"data\":\"caf?\"}".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        body[12] = (byte) 0xC3; // the first byte of a two-byte character, with no second byte
        HttpResponse<String> refused = http.send(HttpRequest.newBuilder(
                        URI.create(node.httpUrl() + "/v1/channels/exact-bad/messages"))
                .header("Authorization", "Bearer " + token("backend"))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(400, refused.statusCode(), refused.body());
        assertTrue(refused.body().contains("UTF-8"), refused.body());
    }

    @Test
    void presenceDataIsAnnouncedExactlyAsSent() {
        try (WsProbe watcher = connect("watcher"); WsProbe member = connect("member")) {
            watcher.request("{'type':'attach','id':'a','channel':'exact-presence'}").awaitReply("a");
            member.send("{\"type\":\"presence\",\"id\":\"e\",\"channel\":\"exact-presence\",\"action\":\"enter\","
                    + "\"data\":" + DATA + "}");
            member.awaitReply("e");
            JsonNode presence = watcher.awaitType("presence");
            assertTrue(watcher.rawText(presence).contains("\"data\":" + DATA + ","), watcher.rawText(presence));
        }
    }
}
