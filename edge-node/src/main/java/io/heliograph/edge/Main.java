package io.heliograph.edge;

import io.heliograph.edge.config.ConfigException;
import io.heliograph.edge.config.EdgeConfig;
import io.heliograph.edge.config.EdgeConfigLoader;

/** Runs an edge node as a process; SIGTERM shuts it down gracefully. */
public final class Main {

    private Main() {
    }

    public static void main(String[] args) {
        io.helidon.logging.common.LogConfig.configureRuntime();
        EdgeConfig config;
        try {
            config = EdgeConfigLoader.load(args, System.getenv());
        } catch (ConfigException e) {
            System.err.println("heliograph edge: bad configuration: " + e.getMessage());
            System.exit(2);
            return;
        }
        EdgeNode node = EdgeNode.start(config);
        Runtime.getRuntime().addShutdownHook(new Thread(node::shutdown, "edge-shutdown"));
        System.out.println("edge " + config.region() + " " + config.nodeId() + " " + node.wsUrl() + " "
                + node.httpUrl());
        System.out.flush();
    }
}
