package io.heliograph.client;

import java.util.List;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;

import io.heliograph.client.PendingRequest.Kind;
import io.heliograph.protocol.FrameTypes;
import io.heliograph.protocol.HeliographException;

/**
 * What the {@link ConnectionAgent} asks of the rest of a client, answered by the parts that hold it: the requests
 * waiting for answers ({@link RequestTable}), the channels ({@link ChannelResume}) and the presence to re-enter
 * ({@link PresenceReentry}). Above all, the order in which a new connection is restored.
 *
 * <p>Called as {@link ConnectionAgent.Parts} says: with the client's lock held, except for the frame methods, whose
 * parts take it themselves.
 */
final class ClientParts implements ConnectionAgent.Parts {

    private final RequestTable requests;
    private final ChannelResume channels;
    private final PresenceReentry presence;
    private final Completions completions;

    ClientParts(RequestTable requests, ChannelResume channels, PresenceReentry presence, Completions completions) {
        this.requests = requests;
        this.channels = channels;
        this.presence = presence;
        this.completions = completions;
    }

    /**
     * Brings a new connection (to any node, in any region) to where the application left the old one: channels
     * first (so the publishes that follow are seen by our own attachments), then presence, then the
     * application's requests in the order they were made. Everything goes through the new connection's pacer, so
     * a client with 1,000 channels restores at the pace the edge accepts instead of being refused.
     */
    @Override
    public void restore(Connection conn) {
        List<PendingRequest> old = requests.takeAll();
        channels.resumeAll();
        Set<PendingRequest> reentering = presence.reenterAll(conn, old);
        requests.carryOver(old, reentering);
    }

    @Override
    public void failEverything(HeliographException reason) {
        requests.failAll(reason, completions);
        channels.failWaiters(reason);
    }

    @Override
    public void message(Connection conn, JsonNode frame) {
        channels.message(conn, frame);
    }

    @Override
    public void reply(Connection conn, JsonNode frame, boolean isError) {
        requests.answer(conn, frame, isError);
    }

    @Override
    public void ping() {
        requests.sendInternal(Kind.PING, null, null, requests.newFrame(FrameTypes.PING));
    }
}
