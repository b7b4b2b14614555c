package io.heliograph.control.api;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/**
 * Checks the {@code Authorization: Bearer <HELIOGRAPH_ADMIN_TOKEN>} of a change: 401 without a token, 403 with a
 * wrong one, and 403 for every call when the replica has no admin token configured. The comparison takes the same
 * time wherever the tokens differ ({@link MessageDigest#isEqual}).
 */
public final class AdminAuth {

    /** The verdict: {@code status} 0 when allowed, else the HTTP status and error code to answer. */
    public record Verdict(int status, String code, String message) {
        static final Verdict ALLOWED = new Verdict(0, null, null);

        public boolean allowed() {
            return status == 0;
        }
    }

    private final byte[] token;

    /** @param adminToken the configured token; null: every change is refused */
    public AdminAuth(String adminToken) {
        this.token = adminToken == null || adminToken.isEmpty() ? null : adminToken.getBytes(StandardCharsets.UTF_8);
    }

    /** @param authorization the request's {@code Authorization} header; null when absent */
    public Verdict check(String authorization) {
        String presented = null;
        if (authorization != null && authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            presented = authorization.substring(7).trim();
        }
        if (presented == null || presented.isEmpty()) {
            return new Verdict(401, "unauthorized", "this call needs Authorization: Bearer <admin token>");
        }
        if (token == null) {
            return new Verdict(403, "forbidden", "this replica has no admin token configured"
                    + " (HELIOGRAPH_ADMIN_TOKEN); it refuses every change");
        }
        if (!MessageDigest.isEqual(token, presented.getBytes(StandardCharsets.UTF_8))) {
            return new Verdict(403, "forbidden", "wrong admin token");
        }
        return Verdict.ALLOWED;
    }
}
