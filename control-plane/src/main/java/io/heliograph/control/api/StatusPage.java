package io.heliograph.control.api;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

import com.fasterxml.jackson.databind.JsonNode;

import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

import io.heliograph.protocol.Json;

/**
 * The live status page at {@code /} (one HTML file with its script, no build step: {@code status/index.html}) and the
 * server-sent events it reads at {@code /v1/stream}: a {@code regions} event (the body of {@code /v1/regions}) every
 * second, and an {@code event} per audit event as it is written. A stream lasts at most {@link #STREAM_MS}; the
 * browser's EventSource reconnects by itself, so no connection is held for ever.
 */
final class StatusPage {

    static final long PERIOD_MS = 1_000;
    static final long STREAM_MS = 10 * 60_000;
    private static final byte[] PAGE = load();

    private final ControlApi api;

    StatusPage(ControlApi api) {
        this.api = api;
    }

    private static byte[] load() {
        try (InputStream in = StatusPage.class.getClassLoader().getResourceAsStream("status/index.html")) {
            if (in == null) {
                throw new IllegalStateException("status/index.html is missing from the control plane's classpath");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    void page(ServerRequest req, ServerResponse res) {
        res.header(HeaderNames.CONTENT_TYPE, "text/html; charset=utf-8");
        res.header(HeaderNames.CACHE_CONTROL, "no-store");
        res.send(PAGE);
    }

    void stream(ServerRequest req, ServerResponse res) {
        res.header(HeaderNames.CONTENT_TYPE, "text/event-stream");
        res.header(HeaderNames.CACHE_CONTROL, "no-store");
        long since = 0;
        long endNs = System.nanoTime() + STREAM_MS * 1_000_000;
        try (OutputStream out = res.outputStream()) {
            while (System.nanoTime() < endNs) {
                write(out, "regions", api.regionsJson());
                for (JsonNode event : api.eventsJson(since)) {
                    write(out, "event", event);
                    since = Math.max(since, event.path("seq").asLong());
                }
                out.flush();
                Thread.sleep(PERIOD_MS);
            }
        } catch (IOException e) {
            // The page went away: nothing to clean up.
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void write(OutputStream out, String name, JsonNode data) throws IOException {
        String json = Json.MAPPER.writeValueAsString(data);
        out.write(("event: " + name + "\ndata: " + json + "\n\n").getBytes(StandardCharsets.UTF_8));
    }
}
