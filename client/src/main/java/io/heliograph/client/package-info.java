/**
 * The Java client of Heliograph (Protocol v1 over WebSocket, see docs/protocol.md): {@link
 * io.heliograph.client.HeliographClient} connects, attaches, publishes, tracks presence and reads history, and on its
 * own negotiates its region through entry addresses and moves to the next region when its own is gone, reconnects,
 * resumes every channel from the last delivered serial and re-sends unacknowledged publishes, pacing all it sends
 * under the edge's rate limit ({@link io.heliograph.client.OutboundPacer}) and retrying transient refusals. Depends
 * only on the JDK and the {@code protocol} module; the wire constants it shares with the edge live there.
 */
package io.heliograph.client;
