package io.heliograph.protocol.auth;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.auth0.jwt.JWT;
import com.auth0.jwt.JWTVerifier;
import com.auth0.jwt.algorithms.Algorithm;
import com.auth0.jwt.exceptions.JWTVerificationException;
import com.auth0.jwt.interfaces.Claim;
import com.auth0.jwt.interfaces.DecodedJWT;

import io.heliograph.protocol.ErrorCode;
import io.heliograph.protocol.HeliographException;

/** Mints and verifies HS256 client tokens with the deployment secret. */
public final class Tokens {

    /** How far ahead of this node's clock a token's {@code iat} and {@code nbf} may be (issuers' clocks differ). */
    public static final Duration CLOCK_LEEWAY = Duration.ofSeconds(30);

    private final Algorithm algorithm;
    private final JWTVerifier verifier;
    private final InstantSource clock;

    public Tokens(String secret, InstantSource clock) {
        if (secret == null || secret.length() < 16) {
            throw new IllegalArgumentException("JWT secret must be at least 16 characters");
        }
        this.algorithm = Algorithm.HMAC256(secret);
        this.clock = clock;
        // Every time claim is checked against the injected clock, so tests (and nodes) agree on one time. iat and nbf
        // get a small leeway for issuers whose clocks run a little ahead; expiry gets none and is checked below, so
        // an expired token is refused with its own message.
        this.verifier = ((JWTVerifier.BaseVerification) JWT.require(algorithm)
                .acceptIssuedAt(CLOCK_LEEWAY.toSeconds())
                .acceptNotBefore(CLOCK_LEEWAY.toSeconds())
                .acceptExpiresAt(Long.MAX_VALUE / 1000))
                .build(clock.withZone(java.time.ZoneOffset.UTC));
    }

    public Tokens(String secret) {
        this(secret, InstantSource.system());
    }

    public String mint(String clientId, Duration ttl, Map<String, List<String>> caps) {
        var builder = JWT.create().withSubject(clientId)
                .withIssuedAt(clock.instant())
                .withExpiresAt(clock.instant().plus(ttl));
        if (caps != null) {
            builder.withClaim("caps", new LinkedHashMap<String, Object>(caps));
        }
        return builder.sign(algorithm);
    }

    /** A token for {@code clientId} with every capability on every channel. */
    public String mintAll(String clientId, Duration ttl) {
        return mint(clientId, ttl, Capabilities.all().claim());
    }

    /**
     * Verifies signature, expiry and claims.
     *
     * @throws HeliographException 401 with the reason
     */
    public TokenClaims verify(String token) {
        if (token == null || token.isBlank()) {
            throw new HeliographException(ErrorCode.UNAUTHORIZED, "missing token");
        }
        if (!Thread.currentThread().isVirtual()) {
            return verifyHere(token);
        }
        // java-jwt parses with Jackson, whose buffers are kept per thread (a ThreadLocal recycler). A virtual thread
        // caller (an HTTP request's, say) would leave ~16 KiB of buffers with each thread it started; on a few
        // platform threads the buffers are reused. The edge's event loops are platform threads and verify in place.
        try {
            return VERIFIERS.submit(() -> verifyHere(token)).get();
        } catch (java.util.concurrent.ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw new IllegalStateException(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new HeliographException(ErrorCode.UNAVAILABLE, "interrupted while checking the token");
        }
    }

    /** Platform threads that check tokens for virtual threads; one per core, as the work is CPU-bound. */
    private static final java.util.concurrent.ExecutorService VERIFIERS = java.util.concurrent.Executors
            .newFixedThreadPool(Runtime.getRuntime().availableProcessors(),
                    Thread.ofPlatform().name("token-check-", 0).daemon(true).factory());

    private TokenClaims verifyHere(String token) {
        DecodedJWT jwt;
        try {
            jwt = verifier.verify(token);
        } catch (JWTVerificationException e) {
            throw new HeliographException(ErrorCode.UNAUTHORIZED, "invalid token: " + e.getMessage());
        }
        if (!"HS256".equals(jwt.getAlgorithm())) {
            throw new HeliographException(ErrorCode.UNAUTHORIZED, "invalid token: algorithm must be HS256");
        }
        Instant expiresAt = jwt.getExpiresAtAsInstant();
        if (expiresAt == null) {
            throw new HeliographException(ErrorCode.UNAUTHORIZED, "invalid token: exp claim is required");
        }
        if (!clock.instant().isBefore(expiresAt)) {
            throw new HeliographException(ErrorCode.UNAUTHORIZED, "token expired");
        }
        String subject = jwt.getSubject();
        if (subject == null || subject.isEmpty() || subject.length() > 256) {
            throw new HeliographException(ErrorCode.UNAUTHORIZED, "invalid token: sub claim is required");
        }
        return new TokenClaims(subject, expiresAt, capabilities(jwt.getClaim("caps")));
    }

    private static Capabilities capabilities(Claim claim) {
        if (claim == null || claim.isMissing() || claim.isNull()) {
            return Capabilities.none();
        }
        Map<String, Object> raw;
        try {
            raw = claim.asMap();
        } catch (RuntimeException e) {
            raw = null;
        }
        if (raw == null) {
            throw new HeliographException(ErrorCode.UNAUTHORIZED, "invalid token: caps must be an object");
        }
        Map<String, List<String>> caps = new LinkedHashMap<>();
        for (Map.Entry<String, Object> e : raw.entrySet()) {
            if (!(e.getValue() instanceof List<?> ops)) {
                throw new HeliographException(ErrorCode.UNAUTHORIZED,
                        "invalid token: caps['" + e.getKey() + "'] must be a list of operations");
            }
            caps.put(e.getKey(), ops.stream().map(String::valueOf).toList());
        }
        try {
            return Capabilities.of(caps);
        } catch (IllegalArgumentException e) {
            throw new HeliographException(ErrorCode.UNAUTHORIZED, "invalid token: " + e.getMessage());
        }
    }
}
