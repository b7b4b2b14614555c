package io.heliograph.control;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.time.Duration;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;

import io.helidon.webserver.WebServer;

import io.heliograph.control.api.ControlApi;
import io.heliograph.control.audit.AuditLog;
import io.heliograph.control.config.ControlConfig;
import io.heliograph.control.leader.Leadership;
import io.heliograph.control.leader.MeshController;
import io.heliograph.control.probe.Prober;
import io.heliograph.control.table.EdgeAdminClient;
import io.heliograph.control.table.TableStore;
import io.heliograph.region.hazelcast.HazelcastLeaseStore;
import io.heliograph.region.hazelcast.MemberSettings;
import io.heliograph.region.hazelcast.RegionMember;
import io.heliograph.region.lease.LeaseTiming;

/**
 * One replica of the control plane: a member of the replicas' own Hazelcast cluster (the lease, the shared table,
 * the audit events), the lease keeper, the probe loop every {@code probe.interval-ms}, and the HTTP API. Started by
 * {@link #start(ControlConfig)}; {@link #close()} stops it all and releases the lease, so another replica leads at
 * once.
 */
public final class ControlPlane implements AutoCloseable {

    /** The replicas' shared table ({@link TableStore}). */
    public static final String TABLE_MAP = "hg.control.table";
    /** The audit events by seq ({@link AuditLog}). */
    public static final String EVENTS_MAP = "hg.control.events";
    /** Every replica's URL by replica id. */
    public static final String REPLICAS_MAP = "hg.control.replicas";
    private static final System.Logger LOG = System.getLogger(ControlPlane.class.getName());

    private final ControlConfig config;
    private final HazelcastInstance member;
    private final Prober prober;
    private final EdgeAdminClient admin;
    private final Leadership leadership;
    private final MeshController controller;
    private final WebServer server;
    private final ScheduledExecutorService loop;
    private final String url;

    private ControlPlane(ControlConfig config) {
        this.config = config;
        ControlConfig.Hazelcast hz = config.hazelcast();
        this.member = RegionMember.start(new MemberSettings(config.replicaId(), hz.clusterName(), hz.host(),
                hz.port(), hz.members(), 15_000));
        try {
            IMap<String, String> tables = member.getMap(TABLE_MAP);
            IMap<Long, String> events = member.getMap(EVENTS_MAP);
            IMap<String, String> replicas = member.getMap(REPLICAS_MAP);
            AuditLog audit = new AuditLog(events, config.auditLog(), System::currentTimeMillis);
            this.prober = new Prober(config, System::currentTimeMillis);
            this.admin = new EdgeAdminClient(config.adminToken(),
                    Duration.ofMillis(Math.max(1000, config.probe().timeoutMs())));
            LeaseTiming timing = LeaseTiming.ofTtl(Duration.ofMillis(config.leaseTtlMs()));
            this.leadership = new Leadership(config.replicaId(), new HazelcastLeaseStore(member), replicas, timing,
                    System::currentTimeMillis);
            this.controller = new MeshController(config, prober, new TableStore(tables), audit, admin, leadership,
                    System.currentTimeMillis());
            String[] self = new String[1];
            ControlApi api = new ControlApi(config, controller, audit, () -> self[0]);
            this.server = WebServer.builder()
                    .host(config.host())
                    .port(config.port())
                    .routing(api::routing)
                    .build()
                    .start();
            this.url = config.url(server.port());
            self[0] = url;
            this.loop = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "control-probe");
                t.setDaemon(true);
                return t;
            });
            loop.scheduleAtFixedRate(this::cycle, 0, config.probe().intervalMs(), TimeUnit.MILLISECONDS);
            leadership.start(url, controller::takeOver);
        } catch (RuntimeException e) {
            member.getLifecycleService().terminate();
            throw e;
        }
    }

    public static ControlPlane start(ControlConfig config) {
        return new ControlPlane(config);
    }

    private void cycle() {
        try {
            controller.cycle();
        } catch (RuntimeException e) {
            // One failed cycle (the replicas' cluster briefly unavailable, say) must not end the loop.
            LOG.log(System.Logger.Level.WARNING, "probe cycle failed", e);
        }
    }

    /** Where this replica is reached: {@code http://host:port} (or {@code public-url}). */
    public String url() {
        return url;
    }

    public int port() {
        return server.port();
    }

    public ControlConfig config() {
        return config;
    }

    public MeshController controller() {
        return controller;
    }

    public boolean isLeader() {
        return leadership.isLeader();
    }

    /** Stops probing, leading (the lease is released) and serving, and leaves the replicas' cluster. */
    @Override
    public void close() {
        // The loop first: a cycle that began as leader must not write after the lease is released.
        loop.shutdownNow();
        try {
            loop.awaitTermination(config.probe().timeoutMs() * 3 + 2_000, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        leadership.close();
        server.stop();
        controller.close();
        admin.close();
        prober.close();
        member.shutdown();
    }
}
