package io.heliograph.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

class FramesTest {

    @Test
    void messageFrameRoundTripsWithNullNameAndRawData() {
        ChannelMessage m = new ChannelMessage("c", Serial.of(1, 7), "m-1", null, "{\"a\":[1,2]}", "alice", "us-east", 99);
        JsonNode node = Json.parse(Frames.message(m));
        assertEquals("message", node.get("type").asText());
        assertTrue(node.has("name"));
        assertTrue(node.get("name").isNull());
        assertEquals(2, node.get("data").get("a").size());
        assertEquals(m, Frames.readMessage(node));
    }

    @Test
    void errorFrameCarriesIdOnlyWhenAnsweringARequest() {
        assertFalse(Json.parse(Frames.error(null, 400, "x")).has("id"));
        assertEquals("r1", Json.parse(Frames.error("r1", 400, "x")).get("id").asText());
    }

    @Test
    void attachedFrameCarries410OnlyWhenContinuityIsLost() {
        JsonNode lost = Json.parse(Frames.attached("1", "c", Serial.of(1, 9), false, 410));
        assertEquals(410, lost.get("code").asInt());
        assertFalse(lost.get("resumed").asBoolean());
        JsonNode fresh = Json.parse(Frames.attached("1", "c", null, false, null));
        assertTrue(fresh.get("serial").isNull());
        assertFalse(fresh.has("code"));
    }

    @Test
    void historyPageListsMessagesOldestFirst() {
        var a = new ChannelMessage("c", Serial.of(1, 1), "a", "n", "1", "x", "r", 1);
        var b = new ChannelMessage("c", Serial.of(1, 2), "b", "n", "2", "x", "r", 2);
        JsonNode page = Json.parse(Frames.historyPage("h", "c", List.of(a, b), true));
        assertEquals("1:1", page.get("messages").get(0).get("serial").asText());
        assertTrue(page.get("more").asBoolean());
    }

    @Test
    void deeplyNestedJsonIsABadRequestNotAStackOverflow() {
        String deep = "[".repeat(100_000) + "]".repeat(100_000);
        HeliographException e = assertThrows(HeliographException.class, () -> Json.parse(deep));
        assertEquals(ErrorCode.BAD_REQUEST, e.code());
    }
}
