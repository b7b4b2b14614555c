package io.heliograph.edge.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

import io.heliograph.edge.testing.TestNodes;
import io.heliograph.protocol.auth.Capabilities;
import io.heliograph.protocol.auth.TokenClaims;
import io.heliograph.protocol.limit.RateLimiter;

/** A connection's waiting requests are bounded in number and in bytes, so one client cannot hold a node's heap. */
class RequestQueueTest {

    /** A socket that is never written to in these tests. */
    private static final Connection.Outlet NO_SOCKET = new Connection.Outlet() {
        @Override public void flushSoon() { }
        @Override public void terminate() { }
        @Override public boolean isOpen() { return true; }
    };

    private static Connection connection() {
        return new Connection(new TokenClaims("c", Instant.MAX, Capabilities.all()), NO_SOCKET, 10, 1 << 20,
                new RateLimiter(100, 200, System::nanoTime), 0, io.heliograph.edge.delivery.DeliveryMetrics.NONE);
    }

    @Test
    void requestsWaitingBehindAStalledOneAreBoundedByBytes() throws Exception {
        Connection c = connection();
        CountDownLatch stalled = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger ran = new AtomicInteger();
        assertEquals(Connection.Admission.ACCEPTED, c.submit(() -> {
            stalled.countDown();
            await(release);
            ran.incrementAndGet();
        }, 100));
        assertTrue(stalled.await(5, TimeUnit.SECONDS));
        int request = 80 * 1024;
        int accepted = 0;
        Connection.Admission last;
        while ((last = c.submit(ran::incrementAndGet, request)) == Connection.Admission.ACCEPTED) {
            accepted++;
            assertTrue(accepted < Connection.MAX_REQUESTS_IN_FLIGHT, "never refused");
        }
        assertEquals(Connection.Admission.TOO_MANY_BYTES, last);
        assertEquals(Connection.MAX_REQUEST_BYTES_QUEUED / request, accepted);
        assertEquals(Connection.Admission.ACCEPTED, c.submit(ran::incrementAndGet, 50), "small ones still fit");
        release.countDown();
        int expected = accepted + 2;
        TestNodes.await("the queue to drain", java.time.Duration.ofSeconds(5), () -> ran.get() == expected);
        assertEquals(Connection.Admission.ACCEPTED, c.submit(ran::incrementAndGet, request), "room again");
    }

    @Test
    void requestsWaitingAreBoundedInNumber() throws Exception {
        Connection c = connection();
        CountDownLatch release = new CountDownLatch(1);
        c.submit(() -> await(release), 1);
        int accepted = 1;
        Connection.Admission last;
        while ((last = c.submit(() -> { }, 1)) == Connection.Admission.ACCEPTED) {
            accepted++;
        }
        assertEquals(Connection.Admission.TOO_MANY_REQUESTS, last);
        assertEquals(Connection.MAX_REQUESTS_IN_FLIGHT, accepted);
        release.countDown();
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
