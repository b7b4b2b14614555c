package io.heliograph.edge.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

class WsHandshakeTest {

    private static final String KEY = "dGhlIHNhbXBsZSBub25jZQ==";

    private static WsHandshake.Upgrade parse(String head) throws WsHandshake.Refusal {
        byte[] bytes = head.getBytes(StandardCharsets.ISO_8859_1);
        int end = WsHandshake.endOfHead(bytes, 0, bytes.length);
        assertTrue(end > 0, "a whole head");
        return WsHandshake.parse(bytes, end);
    }

    private static String request(String target, String extraHeaders) {
        return "GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: keep-alive, Upgrade\r\n"
                + "Sec-WebSocket-Key: " + KEY + "\r\nSec-WebSocket-Version: 13\r\n" + extraHeaders + "\r\n";
    }

    private static int refusal(String head) {
        return assertThrows(WsHandshake.Refusal.class, () -> parse(head)).status();
    }

    @Test
    void answersWithTheAcceptHashOfRfc6455() throws Exception {
        WsHandshake.Upgrade upgrade = parse(request("/v1/ws?access_token=abc.def%2Dg&x=1", ""));
        assertEquals("abc.def-g", upgrade.token());
        // The example of RFC 6455 section 1.3.
        assertEquals("s3pPLMBiTxaQ9kYGzzhZRbK+xOo=", WsHandshake.acceptHash(KEY));
        String response = new String(WsHandshake.accept(upgrade.key()), StandardCharsets.US_ASCII);
        assertTrue(response.startsWith("HTTP/1.1 101 Switching Protocols\r\n"), response);
        assertTrue(response.contains("Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n"), response);
        assertTrue(response.endsWith("\r\n\r\n"), response);
    }

    @Test
    void takesTheTokenFromTheAuthorizationHeaderWhenTheQueryHasNone() throws Exception {
        assertEquals("tok", parse(request("/v1/ws", "Authorization: Bearer tok\r\n")).token());
        assertNull(parse(request("/v1/ws", "")).token());
    }

    @Test
    void refusesWhatIsNotAWebSocketUpgradeWithTheRightStatus() {
        assertEquals(404, refusal(request("/other", "")));
        assertEquals(405, refusal(request("/v1/ws", "").replaceFirst("GET", "POST")));
        assertEquals(426, refusal("GET /v1/ws HTTP/1.1\r\nHost: x\r\n\r\n"));
        assertEquals(426, refusal(request("/v1/ws", "").replace("Version: 13", "Version: 8")));
        assertEquals(400, refusal(request("/v1/ws", "").replace(KEY, "short")));
        assertEquals(400, refusal("GARBAGE\r\n\r\n"));
        assertEquals(505, refusal("GET /v1/ws HTTP/1.0\r\n\r\n"));
        assertEquals(400, refusal(request("/v1/ws", " folded: header\r\n")));
    }

    @Test
    void aRefusalCarriesAJsonBodyAndClosesTheConnection() {
        String response = new String(WsHandshake.refuse(401, "token \"bad\""), StandardCharsets.UTF_8);
        assertTrue(response.startsWith("HTTP/1.1 401 Unauthorized\r\n"), response);
        assertTrue(response.contains("Connection: close\r\n"), response);
        String body = "{\"code\":401,\"message\":\"token \\\"bad\\\"\"}";
        assertTrue(response.endsWith("\r\n\r\n" + body), response);
        assertTrue(response.contains("Content-Length: " + body.length() + "\r\n"), response);
    }

    @Test
    void findsTheEndOfTheHeadAcrossReads() {
        byte[] bytes = "GET / HTTP/1.1\r\nA: b\r\n\r\nrest".getBytes(StandardCharsets.US_ASCII);
        assertEquals(-1, WsHandshake.endOfHead(bytes, 0, 21));
        assertEquals(24, WsHandshake.endOfHead(bytes, 21, 24));
        assertEquals(24, WsHandshake.endOfHead(bytes, 22, bytes.length));
    }
}
