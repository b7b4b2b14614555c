package io.heliograph.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class LatencyPayloadTest {

    @Test
    void payloadIsAboutTheRequestedSizeAndReadsBackFromAMessageFrame() {
        String data = LatencyPayload.json(123_456_789_012L, 7, 100);
        String frame = "{\"type\":\"message\",\"channel\":\"fanout\",\"serial\":\"0:5\",\"msgId\":\"m\",\"name\":\"tick\","
                + "\"data\":" + data + ",\"clientId\":\"bench\",\"region\":\"bench\",\"timestamp\":1764000000000}";

        assertEquals(100, data.length());
        assertEquals(123_456_789_012L, LatencyPayload.sendNs(frame));
        assertEquals(7, LatencyPayload.step(frame));
    }

    @Test
    void framesWithoutAPayloadReadAsMinusOne() {
        String ack = "{\"type\":\"ack\",\"id\":\"p1\",\"serial\":\"0:1\",\"timestamp\":5}";

        assertEquals(-1, LatencyPayload.sendNs(ack));
        assertEquals(-1, LatencyPayload.step(ack));
    }
}
