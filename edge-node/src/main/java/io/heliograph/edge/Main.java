package io.heliograph.edge;

import io.heliograph.edge.config.ConfigException;
import io.heliograph.edge.config.EdgeConfig;
import io.heliograph.edge.config.EdgeConfigLoader;

/**
 * Runs an edge node as a process; SIGTERM shuts it down gracefully. Exit status 2 for a bad configuration, 1 when
 * the node could not start.
 */
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
        EdgeNode node;
        try {
            node = EdgeNode.start(config);
        } catch (RuntimeException e) {
            // A node that cannot serve (a port taken, say) must not linger as a bare region member: exit, so that
            // its supervisor sees the failure and restarts it.
            System.err.println("heliograph edge: failed to start: " + e);
            e.printStackTrace();
            System.exit(1);
            return;
        }
        Runtime.getRuntime().addShutdownHook(new Thread(node::shutdown, "edge-shutdown"));
        System.out.println("edge " + config.region() + " " + config.nodeId() + " " + node.wsUrl() + " "
                + node.httpUrl());
        System.out.flush();
    }
}
