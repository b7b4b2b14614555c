package io.heliograph.protocol.auth;

import java.time.Instant;

/** The verified content of a client token. */
public record TokenClaims(String clientId, Instant expiresAt, Capabilities capabilities) {
}
