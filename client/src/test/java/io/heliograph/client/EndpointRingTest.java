package io.heliograph.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.net.URI;
import java.util.List;

import org.junit.jupiter.api.Test;

class EndpointRingTest {

    private static final URI A = URI.create("ws://a/v1/ws");
    private static final URI B = URI.create("ws://b/v1/ws");
    private static final URI C = URI.create("ws://c/v1/ws");

    @Test
    void startsAtTheFirstAndMovesToTheOneAfterTheFailedOneRoundRobin() {
        EndpointRing ring = new EndpointRing(List.of(A, B, C));
        assertEquals(A, ring.current());
        assertEquals(B, ring.advance());
        assertEquals(B, ring.current());
        assertEquals(C, ring.advance());
        assertEquals(A, ring.advance());
    }

    @Test
    void singleUrlIsRetriedItself() {
        EndpointRing ring = new EndpointRing(List.of(A));
        assertEquals(A, ring.advance());
        assertEquals(A, ring.current());
    }

    @Test
    void refusesAnEmptyList() {
        assertThrows(IllegalArgumentException.class, () -> new EndpointRing(List.of()));
    }
}
