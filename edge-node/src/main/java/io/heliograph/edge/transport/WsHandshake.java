package io.heliograph.edge.transport;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

import io.heliograph.protocol.Json;

/**
 * The opening handshake of a WebSocket (RFC 6455 section 4.2): the client's HTTP/1.1 upgrade request, read from the
 * socket's first bytes, checked, and answered with {@code 101 Switching Protocols} or a refusal with a JSON body
 * {@code {"code","message"}} (docs/protocol.md lists them). Pure: no socket, so every rule is tested on bytes.
 */
final class WsHandshake {

    /** The longest request head accepted (request line and headers); a longer one is answered 431. */
    static final int MAX_HEAD_BYTES = 16 * 1024;
    static final String PATH = "/v1/ws";
    private static final String ACCEPT_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
    private static final byte[] END_OF_HEAD = {'\r', '\n', '\r', '\n'};

    private WsHandshake() {
    }

    /** A well-formed upgrade request: the token it carried (null for none) and the key to answer. */
    record Upgrade(String token, String key) {
    }

    /** A request that is refused: the HTTP status and why. */
    static final class Refusal extends Exception {
        private final int status;

        Refusal(int status, String message) {
            super(message, null, false, false);
            this.status = status;
        }

        int status() {
            return status;
        }
    }

    /**
     * Where the request head ends in {@code buf[0, length)} (the index just past its blank line), or -1 while it has
     * not ended; {@code from} is where the last search stopped, so each read is searched once.
     */
    static int endOfHead(byte[] buf, int from, int length) {
        for (int i = Math.max(0, from - 3); i + 4 <= length; i++) {
            if (buf[i] == '\r' && buf[i + 1] == '\n' && buf[i + 2] == '\r' && buf[i + 3] == '\n') {
                return i + END_OF_HEAD.length;
            }
        }
        return -1;
    }

    /** Checks the request head {@code buf[0, end)}; the answer to a good one is {@link #accept(String)}. */
    static Upgrade parse(byte[] buf, int end) throws Refusal {
        String head = new String(buf, 0, end, StandardCharsets.ISO_8859_1);
        int lineEnd = head.indexOf("\r\n");
        String[] requestLine = head.substring(0, lineEnd).split(" ", -1);
        if (requestLine.length != 3 || !requestLine[2].startsWith("HTTP/1.")) {
            throw new Refusal(400, "malformed HTTP request line");
        }
        if (!"HTTP/1.1".equals(requestLine[2])) {
            throw new Refusal(505, "WebSocket needs HTTP/1.1");
        }
        Map<String, String> headers = headers(head, lineEnd + 2, end - END_OF_HEAD.length);
        String target = requestLine[1];
        int q = target.indexOf('?');
        String path = q < 0 ? target : target.substring(0, q);
        if (!PATH.equals(path)) {
            throw new Refusal(404, "no WebSocket endpoint at " + truncate(path) + ": use " + PATH);
        }
        if (!"GET".equals(requestLine[0])) {
            throw new Refusal(405, "WebSocket upgrade must use GET");
        }
        if (!hasToken(headers.get("upgrade"), "websocket") || !hasToken(headers.get("connection"), "upgrade")) {
            throw new Refusal(426, "this endpoint speaks WebSocket: send an upgrade request");
        }
        String version = headers.get("sec-websocket-version");
        if (version != null && !"13".equals(version.trim())) {
            throw new Refusal(426, "unsupported WebSocket version " + truncate(version) + ": use 13");
        }
        String key = headers.get("sec-websocket-key");
        if (key == null || !validKey(key.trim())) {
            throw new Refusal(400, "missing or malformed Sec-WebSocket-Key header");
        }
        return new Upgrade(token(q < 0 ? "" : target.substring(q + 1), headers.get("authorization")), key.trim());
    }

    /** The 101 response that completes a handshake. */
    static byte[] accept(String key) {
        return ("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                + "Sec-WebSocket-Accept: " + acceptHash(key) + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
    }

    /** A refusal: the status, a JSON body {@code {"code","message"}}, and the connection closed after it. */
    static byte[] refuse(int status, String message) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("code", status);
        body.put("message", message);
        byte[] json = Json.write(body).getBytes(StandardCharsets.UTF_8);
        String extra = status == 426 ? "Upgrade: websocket\r\nSec-WebSocket-Version: 13\r\n" : "";
        String head = "HTTP/1.1 " + status + " " + reason(status) + "\r\nContent-Type: application/json\r\n"
                + "Content-Length: " + json.length + "\r\n" + extra + "Connection: close\r\n\r\n";
        byte[] headBytes = head.getBytes(StandardCharsets.US_ASCII);
        byte[] out = new byte[headBytes.length + json.length];
        System.arraycopy(headBytes, 0, out, 0, headBytes.length);
        System.arraycopy(json, 0, out, headBytes.length, json.length);
        return out;
    }

    static String acceptHash(String key) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-1")
                    .digest((key + ACCEPT_GUID).getBytes(StandardCharsets.US_ASCII));
            return Base64.getEncoder().encodeToString(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-1 is required by RFC 6455", e);
        }
    }

    private static Map<String, String> headers(String head, int from, int to) throws Refusal {
        Map<String, String> headers = new LinkedHashMap<>();
        int at = from;
        while (at < to) {
            int lineEnd = head.indexOf("\r\n", at);
            if (lineEnd < 0 || lineEnd > to) {
                lineEnd = to;
            }
            String line = head.substring(at, lineEnd);
            at = lineEnd + 2;
            int colon = line.indexOf(':');
            if (colon <= 0 || line.charAt(0) == ' ' || line.charAt(0) == '\t') {
                throw new Refusal(400, "malformed HTTP header line");
            }
            String name = line.substring(0, colon).trim().toLowerCase(Locale.ROOT);
            String value = line.substring(colon + 1).trim();
            // Repeated list headers (Connection: keep-alive, Connection: Upgrade) are one list (RFC 9110 5.3).
            headers.merge(name, value, (a, b) -> a + ", " + b);
        }
        return headers;
    }

    private static boolean hasToken(String value, String token) {
        if (value == null) {
            return false;
        }
        for (String part : value.split(",")) {
            if (part.trim().equalsIgnoreCase(token)) {
                return true;
            }
        }
        return false;
    }

    /** A key is the base64 of 16 bytes (RFC 6455 4.2.1). */
    private static boolean validKey(String key) {
        try {
            return key.length() == 24 && Base64.getDecoder().decode(key).length == 16;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /** The bearer token: the {@code access_token} query parameter, else the Authorization header. */
    private static String token(String query, String authorization) {
        for (String pair : query.split("&")) {
            if (pair.startsWith("access_token=")) {
                try {
                    return URLDecoder.decode(pair.substring("access_token=".length()), StandardCharsets.UTF_8);
                } catch (IllegalArgumentException e) {
                    return pair.substring("access_token=".length());
                }
            }
        }
        if (authorization != null && authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return authorization.substring(7).trim();
        }
        return null;
    }

    private static String truncate(String s) {
        return s.length() <= 64 ? s : s.substring(0, 64) + "...";
    }

    private static String reason(int status) {
        return switch (status) {
            case 400 -> "Bad Request";
            case 401 -> "Unauthorized";
            case 403 -> "Forbidden";
            case 404 -> "Not Found";
            case 405 -> "Method Not Allowed";
            case 426 -> "Upgrade Required";
            case 429 -> "Too Many Requests";
            case 431 -> "Request Header Fields Too Large";
            case 503 -> "Service Unavailable";
            case 505 -> "HTTP Version Not Supported";
            default -> "Error";
        };
    }
}
