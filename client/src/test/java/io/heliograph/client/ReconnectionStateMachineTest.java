package io.heliograph.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.net.URI;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.heliograph.client.ReconnectionStateMachine.Action;
import io.heliograph.client.ReconnectionStateMachine.Step;

/** Every transition of the reconnection state machine, without a socket: the step it decides and the state after. */
class ReconnectionStateMachineTest {

    private static final URI A1 = URI.create("ws://a1/v1/ws");
    private static final URI A2 = URI.create("ws://a2/v1/ws");
    private static final URI B1 = URI.create("ws://b1/v1/ws");
    /** Jitter pinned at the top of each window, so a delay is the window's ceiling. */
    private final Backoff backoff = new Backoff(Duration.ofMillis(100), Duration.ofMillis(1000), () -> 0.999999);

    private ReconnectionStateMachine fixed(boolean renewable) {
        return ReconnectionStateMachine.withUrls(List.of(A1, A2), renewable, backoff);
    }

    private ReconnectionStateMachine negotiating() {
        return ReconnectionStateMachine.withNegotiation(false, backoff);
    }

    private static void assertStep(Action action, URI target, long delayMs, Step step) {
        assertEquals(action, step.action(), step.toString());
        assertEquals(target, step.target(), step.toString());
        assertEquals(delayMs, step.delay().toMillis(), step.toString());
    }

    @Test
    void fixedUrlsStartAtTheFirstAndGoRoundAfterEachLossWithGrowingBackoff() {
        ReconnectionStateMachine m = fixed(false);
        assertEquals(ConnectionState.CLOSED, m.state());
        assertStep(Action.CONNECT, A1, 0, m.start());
        assertEquals(ConnectionState.CONNECTING, m.state());
        assertStep(Action.NOTHING, null, 0, m.start());
        assertStep(Action.CONNECT, A2, 100, m.connectionLost());
        assertEquals(ConnectionState.DISCONNECTED, m.state());
        m.attemptStarted();
        assertEquals(ConnectionState.CONNECTING, m.state());
        assertStep(Action.CONNECT, A1, 200, m.connectionLost());
        assertStep(Action.CONNECT, A2, 400, m.connectionLost());
        m.connected();
        assertEquals(ConnectionState.CONNECTED, m.state());
        // A success forgets the failures: the next drop starts again at the first window.
        assertStep(Action.CONNECT, A1, 100, m.connectionLost());
    }

    @Test
    void aFixedUrlClientNeverNegotiatesEvenWhenEveryUrlFailsOrARedirectHasNoUrl() {
        ReconnectionStateMachine m = fixed(false);
        m.start();
        for (int i = 0; i < 6; i++) {
            assertEquals(Action.CONNECT, m.connectionLost().action());
        }
        m.connected();
        // Six losses went round the two URLs three times, back to A1; the redirect moves on to A2.
        assertStep(Action.CONNECT, A2, 100, m.redirected(null));
    }

    @Test
    void aRedirectGoesToItsUrlWithinTheFirstWindowAndDoesNotCountAsAFailure() {
        ReconnectionStateMachine m = fixed(false);
        m.start();
        m.connected();
        assertStep(Action.CONNECT, B1, 100, m.redirected(B1));
        assertEquals(ConnectionState.DISCONNECTED, m.state());
        // Still the first window after it: the redirect did not grow the backoff.
        assertStep(Action.CONNECT, A2, 100, m.connectionLost());
    }

    @Test
    void aPolicyCloseWaitsHalfToAllOfTheLongestBackoff() {
        ReconnectionStateMachine m = fixed(false);
        m.start();
        m.connected();
        Step step = m.policyClosed();
        assertEquals(Action.CONNECT, step.action());
        assertEquals(A2, step.target());
        assertEquals(1000, step.delay().toMillis());
        assertEquals(ConnectionState.DISCONNECTED, m.state());
    }

    @Test
    void aRefusedTokenIsRenewedOnceOnTheSameEdgeThenTheClientFails() {
        ReconnectionStateMachine m = fixed(true);
        m.start();
        assertStep(Action.CONNECT, A1, 0, m.tokenRefused(A1, false));
        assertEquals(ConnectionState.CONNECTING, m.state());
        assertStep(Action.FAIL, null, 0, m.tokenRefused(A1, false));
        assertEquals(ConnectionState.FAILED, m.state());
        assertStep(Action.NOTHING, null, 0, m.connectionLost());
        // The application connects again: a fresh start, with a renewal allowed again.
        assertStep(Action.CONNECT, A1, 0, m.start());
        m.connected();
        assertStep(Action.CONNECT, A1, 0, m.tokenRefused(A1, true));
        assertEquals(ConnectionState.DISCONNECTED, m.state());
    }

    @Test
    void withoutATokenSupplierAnExpiredTokenFailsAtOnce() {
        ReconnectionStateMachine m = fixed(false);
        m.start();
        m.connected();
        assertStep(Action.FAIL, null, 0, m.tokenRefused(A1, true));
        assertEquals(ConnectionState.FAILED, m.state());
    }

    @Test
    void closedIgnoresEverythingButStart() {
        ReconnectionStateMachine m = fixed(false);
        m.start();
        m.closed();
        assertEquals(ConnectionState.CLOSED, m.state());
        assertStep(Action.NOTHING, null, 0, m.connectionLost());
        assertStep(Action.NOTHING, null, 0, m.redirected(B1));
        assertStep(Action.NOTHING, null, 0, m.policyClosed());
        assertStep(Action.NOTHING, null, 0, m.negotiated("eu-west", List.of(B1)));
    }

    @Test
    void entryAddressesNegotiateFirstThenConnectToTheRegionsFirstEdge() {
        ReconnectionStateMachine m = negotiating();
        Step first = m.start();
        assertStep(Action.NEGOTIATE, null, 0, first);
        assertNull(first.leftRegion());
        assertStep(Action.CONNECT, A1, 0, m.negotiated("us-east", List.of(A1, A2)));
        assertEquals("us-east", m.region());
    }

    @Test
    void aRegionIsGoneOnlyOnceEveryOneOfItsEdgesFailedInARow() {
        ReconnectionStateMachine m = negotiating();
        m.start();
        m.negotiated("us-east", List.of(A1, A2));
        m.connected();
        // The first edge drops: the other edge of the region is tried.
        assertStep(Action.CONNECT, A2, 100, m.connectionLost());
        // It refuses too: the region is gone; negotiate again, leaving it out.
        Step step = m.connectionLost();
        assertStep(Action.NEGOTIATE, null, 200, step);
        assertEquals("us-east", step.leftRegion());
        assertStep(Action.CONNECT, B1, 0, m.negotiated("eu-west", List.of(B1)));
        m.connected();
        assertEquals("eu-west", m.region());
    }

    @Test
    void aConnectionInBetweenResetsTheCountOfTheRegionsFailures() {
        ReconnectionStateMachine m = negotiating();
        m.start();
        m.negotiated("us-east", List.of(A1, A2));
        m.connected();
        assertStep(Action.CONNECT, A2, 100, m.connectionLost());
        m.connected();
        assertStep(Action.CONNECT, A1, 100, m.connectionLost());
        assertEquals(Action.NEGOTIATE, m.connectionLost().action());
    }

    @Test
    void aRedirectWithoutUrlMovesANegotiatingClientToAnotherRegionAtOnce() {
        ReconnectionStateMachine m = negotiating();
        m.start();
        m.negotiated("us-east", List.of(A1, A2));
        m.connected();
        Step step = m.redirected(null);
        assertStep(Action.NEGOTIATE, null, 100, step);
        assertEquals("us-east", step.leftRegion());
        assertEquals(ConnectionState.DISCONNECTED, m.state());
    }

    @Test
    void aFailedNegotiationIsTriedAgainWithGrowingBackoffAndLeavesNoRegionOut() {
        ReconnectionStateMachine m = negotiating();
        m.start();
        Step again = m.negotiationFailed();
        assertStep(Action.NEGOTIATE, null, 100, again);
        assertNull(again.leftRegion());
        assertEquals(ConnectionState.DISCONNECTED, m.state());
        assertStep(Action.NEGOTIATE, null, 200, m.negotiationFailed());
        assertStep(Action.CONNECT, B1, 0, m.negotiated("eu-west", List.of(B1)));
        // Still counting: the connection has not come yet.
        assertStep(Action.NEGOTIATE, null, 400, m.connectionLost());
    }

    @Test
    void aClientConnectedAwayReturnsToItsPreferredRegionOnlyFromConnected() {
        ReconnectionStateMachine m = negotiating();
        m.start();
        m.negotiated("eu-west", List.of(B1));
        assertEquals(Action.NOTHING, m.returnTo("us-east", List.of(A1, A2)).action(), "not while connecting");
        m.connected();
        assertStep(Action.CONNECT, A1, 0, m.returnTo("us-east", List.of(A1, A2)));
        assertEquals("us-east", m.region());
        assertEquals(ConnectionState.DISCONNECTED, m.state());
        assertEquals(Action.NOTHING, m.returnTo("us-east", List.of(A1)).action(), "on its way already");
        m.connected();
        assertStep(Action.CONNECT, A2, 100, m.connectionLost());

        ReconnectionStateMachine fixed = ReconnectionStateMachine.withUrls(List.of(A1), false,
                backoff);
        fixed.start();
        fixed.connected();
        assertEquals(Action.NOTHING, fixed.returnTo("us-east", List.of(A2)).action(), "fixed URLs never move");
    }
}
