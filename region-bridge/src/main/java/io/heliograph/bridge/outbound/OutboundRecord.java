package io.heliograph.bridge.outbound;

/** An entry as the log holds it: its place towards the peer and when it was appended. */
public record OutboundRecord(long linkSeq, long appendedAtMs, OutboundEntry entry) {

    public io.heliograph.bridge.v1.LinkFrame toLinkFrame() {
        return entry.toLinkFrame(linkSeq);
    }
}
