package io.heliograph.bridge.forward;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

import com.google.protobuf.ByteString;

import io.heliograph.bridge.link.EnvelopeCodec;
import io.heliograph.bridge.v1.PublishError;
import io.heliograph.bridge.v1.PublishResult;
import io.heliograph.protocol.Durability;
import io.heliograph.protocol.ErrorCode;
import io.heliograph.region.forwarding.ForwardOutcome;
import io.heliograph.region.forwarding.ForwardedPublish;

/** Forwarded publishes and their answers between the region's own form and {@code heliograph.bridge.v1}. */
public final class ForwardCodec {

    /** Longest msgId, name and channel accepted off the wire; the home's edge node checks the real limits. */
    static final int MAX_TEXT = 1_024;

    private ForwardCodec() {
    }

    public static io.heliograph.bridge.v1.ForwardedPublish toWire(ForwardedPublish publish, long requestId) {
        var wire = io.heliograph.bridge.v1.ForwardedPublish.newBuilder()
                .setRequestId(requestId)
                .setChannel(publish.channel())
                .setMsgId(publish.msgId())
                .setData(ByteString.copyFromUtf8(publish.dataJson()))
                .setDurability(publish.durability() == Durability.GLOBAL
                        ? io.heliograph.bridge.v1.Durability.DURABILITY_GLOBAL
                        : io.heliograph.bridge.v1.Durability.DURABILITY_REGION)
                .setOriginRegion(publish.originRegion())
                .setTimestampMs(publish.timestampMs())
                .setHomeEpoch(publish.homeEpoch());
        if (publish.clientId() != null) {
            wire.setClientId(publish.clientId());
        }
        if (publish.name() != null) {
            wire.setName(publish.name());
        }
        return wire.build();
    }

    /**
     * @param homeRegion this region, which the caller took for the channel's home
     * @throws IllegalArgumentException naming the field that is missing or malformed
     */
    public static ForwardedPublish fromWire(io.heliograph.bridge.v1.ForwardedPublish wire, String homeRegion,
                                            long budgetMs) {
        require(!wire.getChannel().isEmpty() && wire.getChannel().length() <= MAX_TEXT, "channel");
        require(!wire.getMsgId().isEmpty() && wire.getMsgId().length() <= MAX_TEXT, "msg_id");
        require(wire.getName().length() <= MAX_TEXT, "name");
        require(!wire.getOriginRegion().isEmpty(), "origin_region");
        require(wire.getHomeEpoch() >= 1, "home_epoch");
        Durability durability = switch (wire.getDurability()) {
            case DURABILITY_GLOBAL -> Durability.GLOBAL;
            case DURABILITY_REGION -> Durability.REGION;
            default -> throw new IllegalArgumentException("durability: must be REGION or GLOBAL");
        };
        String data;
        try {
            data = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(wire.getData().toByteArray())).toString();
        } catch (CharacterCodingException e) {
            throw new IllegalArgumentException("data: not UTF-8");
        }
        return new ForwardedPublish(wire.getChannel(), wire.getMsgId(), wire.getName().isEmpty() ? null
                : wire.getName(), data, wire.getClientId().isEmpty() ? null : wire.getClientId(),
                wire.getOriginRegion(), wire.getTimestampMs(), durability, homeRegion, wire.getHomeEpoch(), budgetMs);
    }

    public static PublishResult toWire(ForwardOutcome outcome, long requestId) {
        var result = PublishResult.newBuilder().setRequestId(requestId);
        if (outcome.kind() == ForwardOutcome.Kind.REFUSED) {
            return result.setError(PublishError.newBuilder().setCode(outcome.error().code())
                    .setMessage(outcome.message() == null ? "" : outcome.message())).build();
        }
        return result.setSerial(EnvelopeCodec.toWire(io.heliograph.protocol.Serial.of(outcome.epoch(),
                outcome.seq()))).setDuplicate(outcome.kind() == ForwardOutcome.Kind.DUPLICATE).build();
    }

    public static ForwardOutcome fromWire(PublishResult result) {
        return switch (result.getOutcomeCase()) {
            case SERIAL -> {
                var serial = EnvelopeCodec.fromWire(result.getSerial());
                yield new ForwardOutcome(result.getDuplicate() ? ForwardOutcome.Kind.DUPLICATE
                        : ForwardOutcome.Kind.SEQUENCED, serial.epoch(), serial.seq(), null, null);
            }
            case ERROR -> ForwardOutcome.refused(errorCode(result.getError().getCode()),
                    result.getError().getMessage());
            case OUTCOME_NOT_SET -> ForwardOutcome.refused(ErrorCode.INTERNAL,
                    "the home answered a forwarded publish with neither a serial nor an error");
        };
    }

    static ErrorCode errorCode(int code) {
        for (ErrorCode candidate : ErrorCode.values()) {
            if (candidate.code() == code) {
                return candidate;
            }
        }
        return ErrorCode.INTERNAL;
    }

    private static void require(boolean ok, String field) {
        if (!ok) {
            throw new IllegalArgumentException(field + ": missing or malformed");
        }
    }
}
