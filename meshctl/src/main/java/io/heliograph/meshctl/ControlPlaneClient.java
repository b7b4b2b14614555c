package io.heliograph.meshctl;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.channels.UnresolvedAddressException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The control plane's public API ({@code /v1}, docs/control-plane.md) over {@link HttpClient}: every request has the
 * run's timeout, for connecting and for the whole answer. A 4xx/5xx becomes {@link MeshctlException.Refused} with the
 * server's {@code code} and {@code message}; a connection that cannot be made or an answer that does not come in time
 * becomes {@link MeshctlException.Unreachable} naming the URL.
 */
final class ControlPlaneClient {

    static final ObjectMapper JSON = new ObjectMapper();

    /** An answer: the body exactly as sent (for {@code --json}) and parsed. */
    record Answer(String body, JsonNode json) {
    }

    private final URI base;
    private final Duration timeout;
    private final String userAgent;

    ControlPlaneClient(URI base, Duration timeout, String version) {
        this.base = base;
        this.timeout = timeout;
        this.userAgent = "meshctl/" + version;
    }

    URI base() {
        return base;
    }

    /** {@code GET path?query}; {@code query} values are URL-encoded, null ones left out. */
    Answer get(String path, Map<String, String> query) {
        StringBuilder target = new StringBuilder(path);
        char separator = '?';
        for (Map.Entry<String, String> e : query.entrySet()) {
            if (e.getValue() != null) {
                target.append(separator).append(e.getKey()).append('=')
                        .append(URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8));
                separator = '&';
            }
        }
        return send(request(target.toString()).GET().build());
    }

    /** {@code POST path} with {@code body} as JSON and the admin token as a bearer token. */
    Answer post(String path, Map<String, ?> body, String adminToken) {
        String json;
        try {
            json = JSON.writeValueAsString(body);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write the request body", e);
        }
        return send(request(path)
                .header("Content-Type", "application/json")
                .header("Authorization", "Bearer " + adminToken)
                .POST(HttpRequest.BodyPublishers.ofString(json, StandardCharsets.UTF_8))
                .build());
    }

    private HttpRequest.Builder request(String pathAndQuery) {
        String root = base.toString();
        if (root.endsWith("/")) {
            root = root.substring(0, root.length() - 1);
        }
        return HttpRequest.newBuilder(URI.create(root + pathAndQuery))
                .timeout(timeout)
                .header("Accept", "application/json")
                .header("User-Agent", userAgent);
    }

    private Answer send(HttpRequest request) {
        HttpResponse<String> response;
        // HTTP/1.1: the control plane is plain HTTP, and an h2c upgrade attempt buys nothing for one request.
        try (HttpClient http = HttpClient.newBuilder().connectTimeout(timeout).version(HttpClient.Version.HTTP_1_1)
                .followRedirects(HttpClient.Redirect.NEVER).build()) {
            response = http.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        } catch (HttpConnectTimeoutException e) {
            throw new MeshctlException.Unreachable("cannot reach the control plane at " + base + ": no connection"
                    + " within " + DurationText.format(timeout), e);
        } catch (HttpTimeoutException e) {
            // A change that was sent may be carried out all the same: say so, rather than let it be sent twice.
            String change = "POST".equals(request.method())
                    ? "; the change may still be carried out: check meshctl events before trying again" : "";
            throw new MeshctlException.Unreachable("the control plane at " + base + " did not answer "
                    + request.method() + " " + request.uri().getRawPath() + " within "
                    + DurationText.format(timeout) + change, e);
        } catch (IOException e) {
            throw new MeshctlException.Unreachable("cannot reach the control plane at " + base + ": " + cause(e), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new MeshctlException.Unreachable("interrupted while waiting for the control plane at " + base, e);
        }
        int status = response.statusCode();
        if (status >= 400) {
            throw refusal(status, response.body());
        }
        if (status >= 300) {
            throw new MeshctlException.BadAnswer("the control plane at " + base + " answered HTTP " + status
                    + response.headers().firstValue("Location").map(l -> " to " + l).orElse("")
                    + "; meshctl does not follow redirects: point --control-plane at the control plane itself", null);
        }
        try {
            return new Answer(response.body(), JSON.readTree(response.body()));
        } catch (JsonProcessingException e) {
            throw new MeshctlException.BadAnswer("the control plane at " + base + " answered "
                    + request.method() + " " + request.uri().getRawPath() + " with something that is not JSON: "
                    + excerpt(response.body()), e);
        }
    }

    /** The server's {@code {"code", "message"}}, plus the leader's URL of a {@code not_leader}; else the raw body. */
    private MeshctlException.Refused refusal(int status, String body) {
        JsonNode error = null;
        try {
            error = JSON.readTree(body);
        } catch (JsonProcessingException e) {
            // Not JSON (a proxy's page, say): reported by status and excerpt below.
        }
        if (error != null && error.isObject() && error.hasNonNull("code")) {
            String code = error.get("code").asText();
            StringBuilder message = new StringBuilder("refused (HTTP ").append(status).append("): ").append(code);
            if (error.hasNonNull("message")) {
                message.append(": ").append(error.get("message").asText());
            }
            if (error.hasNonNull("leader")) {
                message.append(" (leader: ").append(error.get("leader").asText()).append(')');
            }
            return new MeshctlException.Refused(status, code, message.toString());
        }
        String text = body == null || body.isBlank() ? "" : ": " + excerpt(body);
        return new MeshctlException.Refused(status, "HTTP " + status, "refused (HTTP " + status + ")" + text);
    }

    /** The most telling message of an I/O failure: the JDK's own is often null on the outer exception. */
    private static String cause(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof ConnectException) {
                return t.getMessage() == null || t.getMessage().isBlank() ? "connection refused"
                        : t.getMessage().toLowerCase(java.util.Locale.ROOT);
            }
            if (t instanceof UnresolvedAddressException || t instanceof java.net.UnknownHostException) {
                return "unknown host";
            }
        }
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t.getMessage() != null && !t.getMessage().isBlank()) {
                return t.getMessage() + " (" + t.getClass().getSimpleName() + ")";
            }
        }
        return e.getClass().getSimpleName();
    }

    private static String excerpt(String body) {
        String oneLine = body.strip().replaceAll("\\s+", " ");
        return oneLine.length() <= 200 ? oneLine : oneLine.substring(0, 200) + "...";
    }
}
