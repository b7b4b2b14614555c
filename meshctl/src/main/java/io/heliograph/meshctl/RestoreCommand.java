package io.heliograph.meshctl;

import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code meshctl restore <region>}: moves a region's homes back ({@code POST /v1/restore}). */
@Command(name = "restore", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = {"Moves <region>'s homes back to it the way failover moved them away, and routes its clients"
                + " to it again (POST /v1/restore; needs the admin token)."})
final class RestoreCommand extends ControlPlaneCommand {

    @Parameters(index = "0", paramLabel = "REGION", description = "The region to restore.")
    String region;

    @Override
    public Integer call() {
        return change("/v1/restore", body("region", region));
    }
}
