package io.heliograph.bridge.link;

import com.google.protobuf.ByteString;

import io.heliograph.bridge.v1.PresenceChange;
import io.heliograph.protocol.PresenceAction;
import io.heliograph.protocol.PresenceMember;
import io.heliograph.region.presence.PresenceRegistry.PresenceEvent;

/** Presence changes between the region's own form and {@code heliograph.bridge.v1}. */
public final class PresenceCodec {

    /** The most presence data accepted off the wire; the sender's edge enforced its own limit already. */
    static final int MAX_DATA_BYTES = 1024 * 1024;

    private PresenceCodec() {
    }

    public static PresenceChange toWire(PresenceEvent event, long timestampMs) {
        PresenceMember member = event.member();
        var change = PresenceChange.newBuilder()
                .setChannel(event.channel())
                .setConnectionId(member.connectionId())
                .setAction(switch (event.action()) {
                    case ENTER -> io.heliograph.bridge.v1.PresenceAction.PRESENCE_ACTION_ENTER;
                    case UPDATE -> io.heliograph.bridge.v1.PresenceAction.PRESENCE_ACTION_UPDATE;
                    case LEAVE -> io.heliograph.bridge.v1.PresenceAction.PRESENCE_ACTION_LEAVE;
                })
                .setTimestampMs(timestampMs);
        if (member.clientId() != null) {
            change.setClientId(member.clientId());
        }
        if (member.dataJson() != null && event.action() != PresenceAction.LEAVE) {
            change.setData(ByteString.copyFromUtf8(member.dataJson()));
        }
        return change.build();
    }

    /**
     * The member a peer's change is about, as this region records it: of the peer's region.
     *
     * @throws IllegalArgumentException when the change is malformed
     */
    public static PresenceEvent fromWire(PresenceChange change, String peerRegion) {
        if (change.getChannel().isEmpty() || change.getConnectionId().isEmpty()) {
            throw new IllegalArgumentException("presence change without channel or connection_id");
        }
        if (change.getData().size() > MAX_DATA_BYTES) {
            throw new IllegalArgumentException("presence data of " + change.getData().size() + " bytes");
        }
        PresenceAction action = switch (change.getAction()) {
            case PRESENCE_ACTION_ENTER -> PresenceAction.ENTER;
            case PRESENCE_ACTION_UPDATE -> PresenceAction.UPDATE;
            case PRESENCE_ACTION_LEAVE -> PresenceAction.LEAVE;
            default -> throw new IllegalArgumentException("presence change with action " + change.getAction());
        };
        String data = change.getData().isEmpty() ? null : change.getData().toStringUtf8();
        return new PresenceEvent(change.getChannel(), action, new PresenceMember(
                change.getClientId().isEmpty() ? null : change.getClientId(), change.getConnectionId(), data,
                peerRegion));
    }
}
