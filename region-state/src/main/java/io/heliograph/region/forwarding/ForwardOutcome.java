package io.heliograph.region.forwarding;

import java.io.Serializable;
import java.util.Objects;
import java.util.Set;

import io.heliograph.protocol.ChannelMessage;
import io.heliograph.protocol.ErrorCode;
import io.heliograph.protocol.HeliographException;
import io.heliograph.region.channel.AppendResult;

/**
 * What the home answered to a {@link ForwardedPublish}: sequenced (and as durable as asked), a duplicate of an
 * earlier publish with the same msgId (its first serial), or refused with an error the publisher gets as is.
 */
public record ForwardOutcome(Kind kind, long epoch, long seq, ErrorCode error, String message)
        implements Serializable {

    @java.io.Serial
    private static final long serialVersionUID = 1L;

    public enum Kind { SEQUENCED, DUPLICATE, REFUSED }

    public ForwardOutcome {
        Objects.requireNonNull(kind, "kind");
        if (kind == Kind.REFUSED) {
            Objects.requireNonNull(error, "error");
        } else if (epoch < 1 || seq < 1) {
            throw new IllegalArgumentException("a sequenced outcome carries a serial, got " + epoch + ":" + seq);
        }
    }

    public static ForwardOutcome of(AppendResult result) {
        var serial = result.message().serial();
        return new ForwardOutcome(result.duplicate() ? Kind.DUPLICATE : Kind.SEQUENCED, serial.epoch(), serial.seq(),
                null, null);
    }

    public static ForwardOutcome refused(ErrorCode error, String message) {
        return new ForwardOutcome(Kind.REFUSED, 0, 0, error, message);
    }

    public static ForwardOutcome refused(HeliographException e) {
        return refused(e.code(), e.getMessage());
    }

    /**
     * The answer as the accepting region acks it: the message as the home stored it (the request's own fields, which
     * the home kept as they were), marked committed because the home answers only once it is as durable as asked.
     *
     * @throws HeliographException when the home refused
     */
    public AppendResult toAppendResult(ForwardedPublish publish) {
        if (kind == Kind.REFUSED) {
            throw new HeliographException(error, message);
        }
        ChannelMessage message = new ChannelMessage(publish.channel(), io.heliograph.protocol.Serial.of(epoch, seq),
                publish.msgId(), publish.name(), publish.dataJson(), publish.clientId(), publish.originRegion(),
                publish.timestampMs());
        // For a duplicate, the original may differ from this retry in all but msgId and serial: not "stored".
        return kind == Kind.DUPLICATE ? AppendResult.duplicate(message, false, Set.of(), epoch)
                : AppendResult.sequenced(message, null, Set.of(), epoch);
    }
}
