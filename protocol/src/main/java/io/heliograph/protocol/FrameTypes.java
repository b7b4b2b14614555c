package io.heliograph.protocol;

/**
 * The {@code type} of every frame of Protocol v1 (docs/protocol.md, "Frames"), as compile-time constants so that both
 * ends can switch on them.
 */
public final class FrameTypes {

    // ---- server to client, unsolicited
    public static final String CONNECTED = "connected";
    public static final String MESSAGE = "message";
    /** A presence change (server to client), and the presence request (client to server). */
    public static final String PRESENCE = "presence";
    public static final String ERROR = "error";
    public static final String REDIRECT = "redirect";

    // ---- client requests
    public static final String ATTACH = "attach";
    public static final String DETACH = "detach";
    public static final String PUBLISH = "publish";
    public static final String PRESENCE_GET = "presence.get";
    public static final String HISTORY = "history";
    public static final String PING = "ping";

    // ---- replies
    public static final String ATTACHED = "attached";
    public static final String DETACHED = "detached";
    public static final String ACK = "ack";
    public static final String PRESENCE_MEMBERS = "presence.members";
    public static final String HISTORY_PAGE = "history.page";
    public static final String PONG = "pong";

    private FrameTypes() {
    }
}
