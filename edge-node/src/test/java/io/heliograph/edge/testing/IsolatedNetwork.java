package io.heliograph.edge.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * Network namespaces for system tests that cut the region's network: every node gets a namespace of its own with two
 * links. Its <em>cluster</em> link goes to a bridge inside a private "switch" namespace, and carries Hazelcast; cutting
 * it ({@link #cut}) partitions the region while both sides keep running. Its <em>client</em> link is a point-to-point
 * pair to this (the test's) namespace, so the test's clients and health checks reach every node throughout.
 *
 * <p>Needs root and {@code ip netns}. The cluster subnet exists only inside the new namespaces; the client links use a
 * random /24 of 100.64.0.0/10 not yet used here. Closing removes every namespace (which removes every link with it).
 */
public final class IsolatedNetwork implements AutoCloseable {

    private static final String CLUSTER_SUBNET = "10.77.0.";

    private final String prefix;
    private final int nodes;
    private final String clientSubnet;
    private final List<String> namespaces = new ArrayList<>();

    private IsolatedNetwork(String prefix, int nodes, String clientSubnet) {
        this.prefix = prefix;
        this.nodes = nodes;
        this.clientSubnet = clientSubnet;
    }

    /** Whether this process may create network namespaces (root, {@code ip} present). */
    public static boolean available() {
        try {
            return run(false, "id", "-u").trim().equals("0") && !run(false, "ip", "netns", "list").startsWith("!");
        } catch (RuntimeException e) {
            return false;
        }
    }

    /** Namespaces and links for {@code nodes} nodes, numbered from 1. */
    public static IsolatedNetwork create(int nodes) {
        String prefix = "hd" + HexFormat.of().toHexDigits((short) ThreadLocalRandom.current().nextInt());
        String used = run(true, "ip", "-4", "addr");
        String clientSubnet = null;
        for (int tries = 0; clientSubnet == null && tries < 100; tries++) {
            String candidate = "100." + (64 + ThreadLocalRandom.current().nextInt(64)) + "."
                    + ThreadLocalRandom.current().nextInt(256) + ".";
            if (!used.contains(candidate)) {
                clientSubnet = candidate;
            }
        }
        IsolatedNetwork net = new IsolatedNetwork(prefix, nodes, clientSubnet);
        try {
            net.build();
        } catch (RuntimeException | Error e) {
            net.close();
            throw e;
        }
        return net;
    }

    private String switchNs() {
        return prefix + "-sw";
    }

    private String ns(int node) {
        return prefix + "-n" + node;
    }

    private String switchPort(int node) {
        return prefix + "s" + node;
    }

    private void build() {
        addNamespace(switchNs());
        run(true, "ip", "-n", switchNs(), "link", "add", "br0", "type", "bridge");
        run(true, "ip", "-n", switchNs(), "link", "set", "br0", "up");
        for (int i = 1; i <= nodes; i++) {
            String ns = ns(i);
            addNamespace(ns);
            run(true, "ip", "-n", ns, "link", "set", "lo", "up");
            // Cluster link: node namespace <-> the switch's bridge.
            String inNode = prefix + "h" + i;
            run(true, "ip", "link", "add", inNode, "type", "veth", "peer", "name", switchPort(i));
            run(true, "ip", "link", "set", switchPort(i), "netns", switchNs());
            run(true, "ip", "link", "set", inNode, "netns", ns);
            run(true, "ip", "-n", ns, "addr", "add", clusterAddress(i) + "/24", "dev", inNode);
            run(true, "ip", "-n", ns, "link", "set", inNode, "up");
            run(true, "ip", "-n", switchNs(), "link", "set", switchPort(i), "master", "br0");
            run(true, "ip", "-n", switchNs(), "link", "set", switchPort(i), "up");
            // Client link: this namespace <-> the node's, a /30 each.
            String here = prefix + "k" + i;
            String there = prefix + "q" + i;
            run(true, "ip", "link", "add", here, "type", "veth", "peer", "name", there);
            run(true, "ip", "link", "set", there, "netns", ns);
            run(true, "ip", "addr", "add", clientSubnet + (4 * i + 1) + "/30", "dev", here);
            run(true, "ip", "link", "set", here, "up");
            run(true, "ip", "-n", ns, "addr", "add", clientAddress(i) + "/30", "dev", there);
            run(true, "ip", "-n", ns, "link", "set", there, "up");
        }
    }

    private void addNamespace(String name) {
        run(true, "ip", "netns", "add", name);
        namespaces.add(name);
    }

    /** The command prefix that runs a process inside node {@code i}'s namespace. */
    public List<String> launcher(int node) {
        return List.of("ip", "netns", "exec", ns(node));
    }

    /** Where node {@code i}'s Hazelcast member listens (reachable only from the other nodes). */
    public String clusterAddress(int node) {
        return CLUSTER_SUBNET + (10 + node);
    }

    /** Where the test reaches node {@code i}. */
    public String clientAddress(int node) {
        return clientSubnet + (4 * node + 2);
    }

    /** Cuts node {@code i}'s cluster link: it no longer reaches, or is reached by, any other node. */
    public void cut(int node) {
        run(true, "ip", "-n", switchNs(), "link", "set", switchPort(node), "down");
    }

    /** Restores node {@code i}'s cluster link. */
    public void heal(int node) {
        run(true, "ip", "-n", switchNs(), "link", "set", switchPort(node), "up");
    }

    /** Removes every namespace made; call after the processes inside were killed. */
    @Override
    public void close() {
        for (String name : List.copyOf(namespaces).reversed()) {
            run(false, "ip", "netns", "del", name);
            namespaces.remove(name);
        }
        // The client links' ends here went with their peers; remove any that did not.
        for (int i = 1; i <= nodes; i++) {
            String link = prefix + "k" + i;
            if (run(false, "ip", "link", "show", link).contains(link + "@")) {
                run(false, "ip", "link", "del", link);
            }
        }
    }

    /** Runs a command (bounded); answers its output; throws on failure when {@code check}. */
    private static String run(boolean check, String... command) {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError("timed out: " + String.join(" ", command));
            }
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (check && p.exitValue() != 0) {
                throw new AssertionError(String.join(" ", command) + " failed (" + p.exitValue() + "): " + out);
            }
            return p.exitValue() == 0 ? out : "!" + out;
        } catch (IOException e) {
            if (check) {
                throw new AssertionError(String.join(" ", command) + ": " + e, e);
            }
            return "!" + e;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
