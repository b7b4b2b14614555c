package io.heliograph.edge.delivery;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

import org.junit.jupiter.api.Test;

class OutboundFrameTest {

    private static void assertFrame(String text, int headerLength) {
        byte[] payload = text.getBytes(StandardCharsets.UTF_8);
        byte[] wire = OutboundFrame.of(text).wire();
        assertEquals((byte) 0x81, wire[0], "FIN + text opcode");
        assertEquals(headerLength + payload.length, wire.length);
        long length = switch (headerLength) {
            case 2 -> wire[1];
            case 4 -> ((wire[2] & 0xFF) << 8) | (wire[3] & 0xFF);
            default -> {
                long l = 0;
                for (int i = 2; i < 10; i++) {
                    l = (l << 8) | (wire[i] & 0xFF);
                }
                yield l;
            }
        };
        assertEquals(payload.length, length);
        assertArrayEquals(payload, Arrays.copyOfRange(wire, headerLength, wire.length));
    }

    @Test
    void encodesTheThreeLengthForms() {
        assertFrame("{}", 2);
        assertFrame("x".repeat(125), 2);
        assertFrame("x".repeat(126), 4);
        assertFrame("\u20ac".repeat(20_000), 4);
        assertFrame("y".repeat(70_000), 10);
    }
}
