package io.heliograph.meshctl;

import java.util.Map;

import picocli.CommandLine.Command;

/** {@code meshctl status}: {@code GET /v1/regions} as tables, or as it came with {@code --json}. */
@Command(name = "status", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = {"Every region: state, nodes up/total, connections, the base regions homed there with their"
                + " epochs, where it fails over to; nodes not healthy; per bridge replica and peer the link and"
                + " circuit states and the replication lag (GET /v1/regions)."})
final class StatusCommand extends ControlPlaneCommand {

    @Override
    public Integer call() {
        ControlPlaneClient controlPlane = controlPlane();
        ControlPlaneClient.Answer answer = controlPlane.get("/v1/regions", Map.of());
        print(answer, json ? null : RegionsReport.render(answer.json(), controlPlane.base().toString()));
        return 0;
    }
}
