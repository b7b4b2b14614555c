package io.heliograph.launcher;

import java.net.URI;
import java.nio.file.Path;

/**
 * An edge node a {@link LocalMesh} started: its plan entry, the OS process, the URLs it announced and where its
 * output goes.
 */
public record EdgeProcess(MeshPlan.NodeSpec spec, Process process, Path log, URI wsUrl, URI httpUrl) {

    public long pid() {
        return process.pid();
    }

    /** The line {@code ./mesh up} prints for this node, as the node itself announced it. */
    public String announcement() {
        return "edge " + spec.region() + " " + spec.nodeId() + " " + wsUrl + " " + httpUrl;
    }
}
