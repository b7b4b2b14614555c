package io.heliograph.meshctl;

import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code meshctl drain-node <node>}: one edge node redirects its clients ({@code POST /v1/drain-node}). */
@Command(name = "drain-node", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = {"Drains one edge node: it sends redirect to its clients and takes no new ones"
                + " (POST /v1/drain-node; needs the admin token)."})
final class DrainNodeCommand extends ControlPlaneCommand {

    @Parameters(index = "0", paramLabel = "NODE", description = "The node id, as status lists it (e.g. us-east-1).")
    String node;

    @Override
    public Integer call() {
        return change("/v1/drain-node", body("node", node));
    }
}
