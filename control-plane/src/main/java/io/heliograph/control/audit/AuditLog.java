package io.heliograph.control.audit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ConcurrentMap;
import java.util.function.LongSupplier;

import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Appends events under increasing {@code seq} to a shared map (the replicas' Hazelcast IMap {@code hg.control.events},
 * or any map in tests) and, when a file is given, one JSON line each to it. Only the leader appends; a new leader
 * continues after the highest seq it finds. Entries are never changed or removed.
 */
public final class AuditLog {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final System.Logger LOG = System.getLogger(AuditLog.class.getName());

    private final ConcurrentMap<Long, String> events;
    private final Path file;
    private final LongSupplier wallMs;
    private long lastSeq = -1;

    /** @param file the JSON-lines file the leader appends to; null for none */
    public AuditLog(ConcurrentMap<Long, String> events, Path file, LongSupplier wallMs) {
        this.events = events;
        this.file = file;
        this.wallMs = wallMs;
    }

    /** Stamps the draft with the next seq and the time, keeps it, and answers it. */
    public synchronized AuditEvent append(AuditEvent draft) {
        if (lastSeq < 0) {
            lastSeq = events.keySet().stream().mapToLong(Long::longValue).max().orElse(0);
        }
        long seq = lastSeq + 1;
        while (events.containsKey(seq)) {
            seq++; // written by a previous leader after this one last looked
        }
        AuditEvent event = draft.stamped(seq, Instant.ofEpochMilli(wallMs.getAsLong()).toString());
        String line;
        try {
            line = JSON.writeValueAsString(event);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        events.putIfAbsent(seq, line);
        lastSeq = seq;
        if (file != null) {
            try {
                Files.writeString(file, line + "\n", StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                        StandardOpenOption.APPEND, StandardOpenOption.WRITE);
            } catch (IOException e) {
                // The shared copy has it; the file is the operator's second copy. Logged, never swallowed silently.
                LOG.log(System.Logger.Level.ERROR, "audit log " + file + ": could not append event " + seq, e);
            }
        }
        return event;
    }

    /** A new leader looks again for the highest seq before its first append. */
    public synchronized void forgetPosition() {
        lastSeq = -1;
    }

    /** The events with {@code seq > since}, in seq order. */
    public List<AuditEvent> since(long since) {
        List<AuditEvent> out = new ArrayList<>();
        for (var entry : events.entrySet()) {
            if (entry.getKey() > since) {
                try {
                    out.add(JSON.readValue(entry.getValue(), AuditEvent.class));
                } catch (IOException e) {
                    throw new UncheckedIOException("audit event " + entry.getKey() + " is not readable", e);
                }
            }
        }
        out.sort(Comparator.comparingLong(AuditEvent::seq));
        return out;
    }
}
