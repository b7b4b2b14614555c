package io.heliograph.protocol.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;

import io.heliograph.protocol.ErrorCode;
import io.heliograph.protocol.HeliographException;

class TokensTest {

    private static final String SECRET = "0123456789abcdef0123456789abcdef";
    private final AtomicReference<Instant> now = new AtomicReference<>(Instant.parse("2026-01-01T00:00:00Z"));
    private final Tokens tokens = new Tokens(SECRET, () -> now.get());

    @Test
    void verifiesWhatItMints() {
        String token = tokens.mint("alice", Duration.ofMinutes(5), Map.of("chat:*", List.of("subscribe", "publish")));
        TokenClaims claims = tokens.verify(token);
        assertEquals("alice", claims.clientId());
        assertTrue(claims.capabilities().allows("chat:1", Operation.PUBLISH));
        assertFalse(claims.capabilities().allows("chat:1", Operation.HISTORY));
        assertFalse(claims.capabilities().allows("news", Operation.SUBSCRIBE));
    }

    @Test
    void onAVirtualThreadTheCheckRunsOnAPlatformThreadWithTheSameAnswersAndErrors() throws Exception {
        String good = tokens.mint("vt", Duration.ofMinutes(5), Map.of("chat:*", List.of("subscribe")));
        AtomicReference<Object> outcome = new AtomicReference<>();
        Thread.ofVirtual().start(() -> {
            try {
                TokenClaims claims = tokens.verify(good);
                outcome.set(claims.clientId());
                tokens.verify("garbage");
            } catch (HeliographException e) {
                outcome.set(outcome.get() + "/" + e.code().code());
            }
        }).join();
        // The same claims, and the refusal arrives as the same 401, not wrapped by the hand-off.
        assertEquals("vt/401", outcome.get());
    }

    @Test
    void tokenWithoutCapsGrantsNothing() {
        TokenClaims claims = tokens.verify(tokens.mint("bob", Duration.ofMinutes(5), null));
        for (Operation op : Operation.values()) {
            assertFalse(claims.capabilities().allows("any", op));
        }
    }

    @Test
    void expiredTokenIsRefused() {
        String token = tokens.mint("alice", Duration.ofSeconds(10), Capabilities.all().claim());
        now.set(now.get().plusSeconds(11));
        HeliographException e = assertThrows(HeliographException.class, () -> tokens.verify(token));
        assertEquals(ErrorCode.UNAUTHORIZED, e.code());
    }

    @Test
    void wrongSecretAndGarbageAreRefused() {
        String foreign = new Tokens("another-secret-of-enough-length", InstantSource.system())
                .mintAll("eve", Duration.ofMinutes(5));
        assertThrows(HeliographException.class, () -> tokens.verify(foreign));
        assertThrows(HeliographException.class, () -> tokens.verify("not.a.jwt"));
        assertThrows(HeliographException.class, () -> tokens.verify(""));
    }

    @Test
    void wildcardMatchesAnyRunOfCharacters() {
        Capabilities caps = Capabilities.of(Map.of("a*b", List.of("*")));
        assertTrue(caps.allows("ab", Operation.PRESENCE));
        assertTrue(caps.allows("a-x.y-b", Operation.HISTORY));
        assertFalse(caps.allows("a-x.y-bc", Operation.HISTORY));
    }

    @Test
    void unknownOperationIsRefused() {
        String token = tokens.mint("x", Duration.ofMinutes(1), Map.of("*", List.of("fly")));
        assertThrows(HeliographException.class, () -> tokens.verify(token));
    }

    @Test
    void anUnknownOperationIsRefusedInAnyPositionEvenBesideTheWildcard() {
        for (List<String> ops : List.of(List.of("*", "bogus"), List.of("bogus", "*"), List.of("publish", "*", "x"))) {
            String token = tokens.mint("x", Duration.ofMinutes(1), Map.of("*", ops));
            HeliographException e = assertThrows(HeliographException.class, () -> tokens.verify(token), ops.toString());
            assertEquals(ErrorCode.UNAUTHORIZED, e.code());
            assertTrue(e.getMessage().contains("unknown operation"), e.getMessage());
        }
    }

    @Test
    void issuedAtAndNotBeforeAreCheckedAgainstTheInjectedClock() {
        // The injected clock is a day ahead of the system clock: a token issued "now" by it is valid.
        now.set(Instant.now().plus(Duration.ofDays(1)));
        TokenClaims claims = tokens.verify(tokens.mint("alice", Duration.ofMinutes(5), Capabilities.all().claim()));
        assertEquals("alice", claims.clientId());
        String notYet = signed(now.get().plusSeconds(-10), now.get().plusSeconds(5), now.get().plusSeconds(300));
        assertEquals("alice", tokens.verify(notYet).clientId());
    }

    @Test
    void issuedAtAndNotBeforeAllowTheDocumentedLeewayAndNoMore() {
        Instant t = now.get();
        String issuerAhead = signed(t.plus(Tokens.CLOCK_LEEWAY).minusSeconds(1), null, t.plusSeconds(300));
        assertEquals("alice", tokens.verify(issuerAhead).clientId());
        String startsSoon = signed(t, t.plus(Tokens.CLOCK_LEEWAY).minusSeconds(1), t.plusSeconds(300));
        assertEquals("alice", tokens.verify(startsSoon).clientId());
        for (String tooEarly : List.of(signed(t.plus(Tokens.CLOCK_LEEWAY).plusSeconds(5), null, t.plusSeconds(300)),
                signed(t, t.plus(Tokens.CLOCK_LEEWAY).plusSeconds(5), t.plusSeconds(300)))) {
            HeliographException e = assertThrows(HeliographException.class, () -> tokens.verify(tooEarly));
            assertEquals(ErrorCode.UNAUTHORIZED, e.code());
        }
    }

    @Test
    void expiryHasNoLeeway() {
        Instant t = now.get();
        String justExpired = signed(t.minusSeconds(60), null, t.minusSeconds(1));
        assertThrows(HeliographException.class, () -> tokens.verify(justExpired));
    }

    private static String signed(Instant issuedAt, Instant notBefore, Instant expiresAt) {
        var builder = com.auth0.jwt.JWT.create().withSubject("alice").withIssuedAt(issuedAt).withExpiresAt(expiresAt)
                .withClaim("caps", Map.<String, Object>of("*", List.of("*")));
        if (notBefore != null) {
            builder.withNotBefore(notBefore);
        }
        return builder.sign(com.auth0.jwt.algorithms.Algorithm.HMAC256(SECRET));
    }
}
