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
}
