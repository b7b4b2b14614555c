package io.heliograph.edge.transport;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;

import io.helidon.http.HeaderNames;
import io.helidon.http.HeaderValues;
import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

import io.heliograph.edge.api.EdgeOperations;
import io.heliograph.edge.observe.EdgeMetrics;
import io.heliograph.protocol.ErrorCode;
import io.heliograph.protocol.Frames;
import io.heliograph.protocol.HeliographException;
import io.heliograph.protocol.Json;
import io.heliograph.protocol.PresenceMember;
import io.heliograph.protocol.Serial;
import io.heliograph.protocol.auth.TokenClaims;
import io.heliograph.protocol.auth.Tokens;
import io.heliograph.region.channel.AppendResult;
import io.heliograph.protocol.Durability;
import io.heliograph.region.channel.HistoryPage;

/**
 * The HTTP API for application back ends ({@code /v1/channels/...}). Same tokens, capabilities and errors as the
 * WebSocket protocol; errors are JSON {@code {code, message}} with the matching status. {@code /health} and
 * {@code /metrics} are Helidon's observers, registered by the node.
 */
public final class HttpApi {

    private final EdgeOperations operations;
    private final Tokens tokens;
    private final EdgeMetrics metrics;
    private final int maxMessageBytes;

    public HttpApi(EdgeOperations operations, Tokens tokens, EdgeMetrics metrics, int maxMessageBytes) {
        this.operations = operations;
        this.tokens = tokens;
        this.metrics = metrics;
        this.maxMessageBytes = maxMessageBytes;
    }

    /** @param wsUrl where WebSocket clients connect: a request for {@code /v1/ws} here is told so */
    public void routing(HttpRouting.Builder routing, java.util.function.Supplier<String> wsUrl) {
        routing.post("/v1/channels/{channel}/messages", guarded(this::publish))
                .get("/v1/channels/{channel}/messages", guarded(this::history))
                .get("/v1/channels/{channel}/presence", guarded(this::presence))
                .get("/v1/ws", (req, res) -> fail(res, new HeliographException(ErrorCode.BAD_REQUEST,
                        "WebSocket clients connect to " + wsUrl.get() + ", not to the HTTP API's port")));
    }

    @FunctionalInterface
    private interface Handler {
        void handle(ServerRequest req, ServerResponse res, TokenClaims claims);
    }

    private io.helidon.webserver.http.Handler guarded(Handler handler) {
        return (req, res) -> {
            try {
                String token = null;
                if (req.query().contains("access_token")) {
                    token = req.query().get("access_token");
                } else {
                    var auth = req.headers().first(HeaderNames.AUTHORIZATION);
                    if (auth.isPresent() && auth.get().regionMatches(true, 0, "Bearer ", 0, 7)) {
                        token = auth.get().substring(7).trim();
                    }
                }
                handler.handle(req, res, tokens.verify(token));
            } catch (HeliographException e) {
                fail(res, e);
            } catch (RuntimeException e) {
                System.getLogger(HttpApi.class.getName()).log(System.Logger.Level.ERROR, "HTTP API failure", e);
                fail(res, new HeliographException(ErrorCode.INTERNAL, "internal error"));
            }
        };
    }

    private void fail(ServerResponse res, HeliographException e) {
        metrics.error(e.code().code());
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("code", e.code().code());
        body.put("message", e.getMessage());
        res.status(Status.create(e.code().code())).header(HeaderValues.CONTENT_TYPE_JSON).send(Json.write(body));
    }

    private void publish(ServerRequest req, ServerResponse res, TokenClaims claims) {
        String channel = req.path().pathParameters().get("channel");
        long length = req.headers().contentLength().orElse(-1);
        if (length > maxMessageBytes + 1024L) {
            throw new HeliographException(ErrorCode.TOO_LARGE,
                    "body is larger than the limit of " + maxMessageBytes + " bytes");
        }
        byte[] bytes = req.content().as(byte[].class);
        if (bytes.length > maxMessageBytes + 1024) {
            throw new HeliographException(ErrorCode.TOO_LARGE,
                    "body is larger than the limit of " + maxMessageBytes + " bytes");
        }
        // Strictly: invalid UTF-8 is refused rather than stored with U+FFFD in its place.
        String text = io.heliograph.protocol.Utf8.decodeStrict(bytes);
        if (text == null) {
            throw HeliographException.badRequest("body is not valid UTF-8");
        }
        // data is stored exactly as the client wrote it, as on the WebSocket.
        Json.Parsed parsed = Json.parseKeepingRaw(text, "data");
        JsonNode body = parsed.node();
        if (!body.isObject()) {
            throw HeliographException.badRequest("body must be a JSON object {name?, data, msgId?}");
        }
        if (parsed.rawMember() == null) {
            throw HeliographException.badRequest("data is required");
        }
        String name = textField(body, "name");
        String msgId = textField(body, "msgId");
        Durability durability = Durability.parse(textField(body, "durability"));
        EdgeOperations.Published published = operations.publish(claims, channel, name, parsed.rawMember(), msgId,
                durability);
        AppendResult result = published.result();
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("serial", result.message().serial().toString());
        answer.put("msgId", result.message().msgId());
        answer.put("durability", published.durability().wireName());
        res.status(Status.CREATED_201).header(HeaderValues.CONTENT_TYPE_JSON).send(Json.write(answer));
    }

    private void history(ServerRequest req, ServerResponse res, TokenClaims claims) {
        String channel = req.path().pathParameters().get("channel");
        Serial from = EdgeOperations.validSerial("fromSerial",
                req.query().contains("fromSerial") ? req.query().get("fromSerial") : null);
        Integer limit = null;
        if (req.query().contains("limit")) {
            try {
                limit = Integer.parseInt(req.query().get("limit"));
            } catch (NumberFormatException e) {
                throw HeliographException.badRequest("limit must be an integer");
            }
        }
        HistoryPage page = operations.history(claims, channel, from, EdgeOperations.validLimit(limit));
        res.header(HeaderValues.CONTENT_TYPE_JSON).send(Frames.historyBody(channel, page.messages(), page.more()));
    }

    private void presence(ServerRequest req, ServerResponse res, TokenClaims claims) {
        String channel = req.path().pathParameters().get("channel");
        List<PresenceMember> members = operations.members(claims, channel);
        res.header(HeaderValues.CONTENT_TYPE_JSON).send(Frames.membersBody(channel, members));
    }

    private static String textField(JsonNode body, String field) {
        JsonNode node = body.get(field);
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isTextual()) {
            throw HeliographException.badRequest(field + " must be a string");
        }
        return node.asText();
    }
}
