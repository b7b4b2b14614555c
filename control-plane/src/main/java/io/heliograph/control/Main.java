package io.heliograph.control;

import io.heliograph.control.config.ConfigException;
import io.heliograph.control.config.ControlConfig;
import io.heliograph.control.config.ControlConfigLoader;

/**
 * Runs a control-plane replica as a process; SIGTERM stops it and releases its lease. When ready it prints exactly
 * {@code control-plane <http-url>}. Exit status 2 for a bad configuration, 1 when it could not start.
 */
public final class Main {

    private Main() {
    }

    public static void main(String[] args) {
        io.helidon.logging.common.LogConfig.configureRuntime();
        ControlConfig config;
        try {
            config = ControlConfigLoader.load(args, System.getenv());
        } catch (ConfigException e) {
            System.err.println("heliograph control-plane: bad configuration: " + e.getMessage());
            System.exit(2);
            return;
        }
        ControlPlane plane;
        try {
            plane = ControlPlane.start(config);
        } catch (RuntimeException e) {
            System.err.println("heliograph control-plane: failed to start: " + e);
            e.printStackTrace();
            System.exit(1);
            return;
        }
        Runtime.getRuntime().addShutdownHook(new Thread(plane::close, "control-plane-shutdown"));
        System.out.println("control-plane " + plane.url());
        System.out.flush();
    }
}
