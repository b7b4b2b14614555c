package io.heliograph.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
}
