package io.heliograph.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

import io.heliograph.protocol.ErrorCode;
import io.heliograph.protocol.HeliographException;
import io.heliograph.protocol.Json;

class WireErrorsTest {

    @Test
    void everyProtocolCodeMapsToItsEnumConstant() {
        for (ErrorCode code : ErrorCode.values()) {
            assertEquals(code, WireErrors.code(code.code()));
        }
    }

    @Test
    void unknownCodesKeepTheirClass() {
        assertEquals(ErrorCode.BAD_REQUEST, WireErrors.code(418));
        assertEquals(ErrorCode.INTERNAL, WireErrors.code(599));
        assertEquals(ErrorCode.INTERNAL, WireErrors.code(0));
    }

    @Test
    void errorFrameBecomesAnExceptionWithCodeAndMessage() {
        HeliographException e = WireErrors.fromFrame(
                Json.parse("{\"type\":\"error\",\"id\":\"7\",\"code\":429,\"message\":\"slow down\"}"));
        assertEquals(ErrorCode.RATE_LIMITED, e.code());
        assertEquals("slow down", e.getMessage());

        HeliographException unknown = WireErrors.fromFrame(Json.parse("{\"type\":\"error\",\"code\":418}"));
        assertEquals(ErrorCode.BAD_REQUEST, unknown.code());
        assertTrue(unknown.getMessage().contains("418"), unknown.getMessage());
    }

    @Test
    void onlyRateLimitsServerFaultsUnavailabilityAndNoAnswerAreTransient() {
        for (ErrorCode code : List.of(ErrorCode.RATE_LIMITED, ErrorCode.INTERNAL, ErrorCode.UNAVAILABLE)) {
            assertTrue(WireErrors.isTransient(new HeliographException(code, "x")), code.name());
        }
        for (ErrorCode code : List.of(ErrorCode.BAD_REQUEST, ErrorCode.UNAUTHORIZED, ErrorCode.FORBIDDEN,
                ErrorCode.NOT_FOUND, ErrorCode.TOO_LARGE)) {
            assertFalse(WireErrors.isTransient(new HeliographException(code, "x")), code.name());
        }
        HeliographException noAnswer = WireErrors.timeout("attach chat", 10);
        assertTrue(WireErrors.isTransient(noAnswer));
        assertTrue(WireErrors.isNoAnswer(noAnswer));
        assertEquals(ErrorCode.UNAVAILABLE, noAnswer.code());
        assertFalse(WireErrors.isNoAnswer(new HeliographException(ErrorCode.UNAVAILABLE, "storage down")));
        assertFalse(WireErrors.isTransient(new IllegalStateException("not ours")));
    }
}
