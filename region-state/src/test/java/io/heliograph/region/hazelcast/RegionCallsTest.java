package io.heliograph.region.hazelcast;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import com.hazelcast.core.HazelcastInstanceNotActiveException;
import com.hazelcast.core.IndeterminateOperationStateException;
import com.hazelcast.core.MemberLeftException;
import com.hazelcast.core.OperationTimeoutException;
import org.junit.jupiter.api.Test;

import io.heliograph.protocol.ErrorCode;
import io.heliograph.protocol.HeliographException;

class RegionCallsTest {

    private final List<String> counted = new ArrayList<>();
    private final RegionCalls calls = new RegionCalls(counted::add);

    @Test
    void aChangeWhoseBackupDidNotConfirmIsAnswered503AndCounted() {
        HeliographException e = assertThrows(HeliographException.class, () -> calls.call(() -> {
            throw new IndeterminateOperationStateException("Invocation{...} failed because backup acks missed.");
        }));
        assertEquals(ErrorCode.UNAVAILABLE, e.code());
        assertEquals(List.of(RegionCalls.INDETERMINATE), counted);
    }

    @Test
    void aCallWhoseOwnerLeftBeforeAnsweringGoesToThePromotedBackup() {
        AtomicInteger attempts = new AtomicInteger();
        String answer = calls.call(() -> {
            if (attempts.incrementAndGet() == 1) {
                throw new MemberLeftException("owner left");
            }
            return "answered by the new owner";
        });
        assertEquals("answered by the new owner", answer);
        assertEquals(List.of(), counted);
    }

    @Test
    void ownersLeavingAgainAndAgainEndsIn503() {
        AtomicInteger attempts = new AtomicInteger();
        assertThrows(HeliographException.class, () -> calls.call(() -> {
            attempts.incrementAndGet();
            throw new RuntimeException(new MemberLeftException("owner left"));
        }));
        assertEquals(RegionCalls.OWNER_LEFT_ATTEMPTS, attempts.get());
        assertEquals(List.of(RegionCalls.INDETERMINATE), counted);
    }

    @Test
    void aChangeNobodyRetriesIsRepeatedUntilItsBackupConfirms() {
        AtomicInteger attempts = new AtomicInteger();
        String answer = calls.callPatiently(() -> {
            if (attempts.incrementAndGet() < 3) {
                throw new IndeterminateOperationStateException("backup acks missed");
            }
            return "confirmed";
        });
        assertEquals("confirmed", answer);
        assertEquals(List.of(), counted);
    }

    @Test
    void patienceEndsIn503() {
        RegionCalls impatient = new RegionCalls(counted::add, 250);
        AtomicInteger attempts = new AtomicInteger();
        assertThrows(HeliographException.class, () -> impatient.callPatiently(() -> {
            attempts.incrementAndGet();
            throw new IndeterminateOperationStateException("backup acks missed");
        }));
        assertTrue(attempts.get() >= 2, "repeated: " + attempts);
        assertEquals(List.of(RegionCalls.INDETERMINATE), counted);
    }

    @Test
    void otherFailuresAreCountedByCause() {
        for (RuntimeException failure : List.of(new OperationTimeoutException("late"),
                new HazelcastInstanceNotActiveException(), new IllegalStateException("odd"))) {
            assertThrows(HeliographException.class, () -> calls.call(() -> {
                throw failure;
            }));
        }
        assertEquals(List.of(RegionCalls.TIMEOUT, RegionCalls.SHUTTING_DOWN, RegionCalls.OTHER), counted);
    }
}
