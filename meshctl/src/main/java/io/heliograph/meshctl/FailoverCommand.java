package io.heliograph.meshctl;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code meshctl failover <region> [--to <region>]}: a graceful failover ({@code POST /v1/failover}). */
@Command(name = "failover", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = {"Drains <region>: its homes move with a handover of the next serial (under a new epoch), its"
                + " edges redirect their clients, and it is marked draining (POST /v1/failover; needs the admin"
                + " token)."})
final class FailoverCommand extends ControlPlaneCommand {

    @Parameters(index = "0", paramLabel = "REGION", description = "The region to fail over.")
    String region;

    @Option(names = "--to", paramLabel = "REGION",
            description = "Where its homes go (default: the first healthy region of its preference).")
    String to;

    @Override
    public Integer call() {
        return change("/v1/failover", body("region", region, "to", to));
    }
}
