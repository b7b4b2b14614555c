package io.heliograph.bridge.outbound;

import static io.heliograph.bridge.outbound.OutboundTesting.ofSize;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;

import org.junit.jupiter.api.Test;

/** The engine-free state: its ring of held entries and its stored form (what backups and migrations carry). */
class OutboundStateTest {

    private static final OutboundLimits LIMITS = new OutboundLimits(50, 1_000_000, 600_000);

    private static OutboundState copy(OutboundState state) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        state.writeTo(new DataOutputStream(bytes));
        return OutboundState.readFrom(new DataInputStream(new ByteArrayInputStream(bytes.toByteArray())));
    }

    @Test
    void theStoredFormKeepsPositionsEntriesAndDropsAfterTheRingWrappedAndGrew() throws IOException {
        OutboundState state = new OutboundState();
        // Acknowledging as it goes makes the ring wrap several times; the bound of 50 makes it drop.
        for (int i = 1; i <= 300; i++) {
            state.append(ofSize(i % 7 + 1, i), 1_000 + i, LIMITS);
            if (i % 10 == 0 && i < 200) {
                state.acknowledge(i - 3, 1_000 + i, LIMITS);
            }
        }
        OutboundState copy = copy(state);
        assertEquals(state.status(), copy.status());
        assertEquals(state.readAfter(0, 1_000, Long.MAX_VALUE), copy.readAfter(0, 1_000, Long.MAX_VALUE));
        assertTrue(copy.status().overflowed());
        assertEquals(301, copy.append(ofSize(3, 301), 2_000, LIMITS), "the copy goes on where the original was");
        assertEquals(state.append(ofSize(3, 301), 2_000, LIMITS), 301);
        assertEquals(state.status(), copy.status());
    }

    @Test
    void aStoredFormOfAnUnknownVersionIsRefused() {
        byte[] future = {0, 0, 0, 99};
        IOException refused = assertThrows(IOException.class,
                () -> OutboundState.readFrom(new DataInputStream(new ByteArrayInputStream(future))));
        assertTrue(refused.getMessage().contains("format 99"), refused.getMessage());
    }

    @Test
    void limitsBelowOneAreRefusedNamingTheKey() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new OutboundLimits(0, 1, 1))
                .getMessage().startsWith("outbound.max-entries"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new OutboundLimits(1, 0, 1))
                .getMessage().startsWith("outbound.max-bytes"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new OutboundLimits(1, 1, 0))
                .getMessage().startsWith("outbound.max-age-ms"));
    }
}
