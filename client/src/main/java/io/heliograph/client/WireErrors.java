package io.heliograph.client;

import com.fasterxml.jackson.databind.JsonNode;

import io.heliograph.protocol.ErrorCode;
import io.heliograph.protocol.HeliographException;

/**
 * Turns the error frames of Protocol v1 into {@link HeliographException}s (the close codes are
 * {@link io.heliograph.protocol.CloseCodes}).
 */
final class WireErrors {

    private WireErrors() {
    }

    /** The enum constant of a wire code; an unknown code keeps its class (client or server fault). */
    static ErrorCode code(int wire) {
        for (ErrorCode c : ErrorCode.values()) {
            if (c.code() == wire) {
                return c;
            }
        }
        return wire >= 400 && wire < 500 ? ErrorCode.BAD_REQUEST : ErrorCode.INTERNAL;
    }

    /** The exception an {@code error} frame stands for. */
    static HeliographException fromFrame(JsonNode frame) {
        int wire = frame.path("code").asInt(500);
        String message = frame.path("message").asText("");
        ErrorCode code = code(wire);
        String text = message.isEmpty() ? "error " + wire : message;
        if (code.code() != wire) {
            text = text + " (code " + wire + ")";
        }
        return new HeliographException(code, text);
    }

    /**
     * True for a refusal that may succeed when tried again: too many requests (429), a server fault (500), the region
     * temporarily unable (503), or no answer in time (reported as 503 by {@link #timeout}). Every other code (400,
     * 403, 413, ...) says the request itself is wrong, and retrying it cannot help.
     */
    static boolean isTransient(Throwable error) {
        if (!(error instanceof HeliographException h)) {
            return false;
        }
        return switch (h.code()) {
            case RATE_LIMITED, INTERNAL, UNAVAILABLE -> true;
            default -> false;
        };
    }

    static HeliographException timeout(String what, long timeoutMs) {
        return new NoAnswer(what + " timed out after " + timeoutMs + " ms");
    }

    /** True for the client's own "no answer in time", as opposed to a refusal the edge sent. */
    static boolean isNoAnswer(Throwable error) {
        return error instanceof NoAnswer;
    }

    /** No answer in time: to the application an ordinary 503; to the client, not something the edge said. */
    private static final class NoAnswer extends HeliographException {
        NoAnswer(String message) {
            super(ErrorCode.UNAVAILABLE, message);
        }
    }
}
