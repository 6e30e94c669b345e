package io.hactl.lab.pair;

import com.fasterxml.jackson.databind.JsonNode;
import io.hactl.controller.control.CommitReport;
import io.hactl.controller.control.ControlClient;
import io.hactl.controller.control.ControlProtocol;
import io.hactl.controller.control.StatusReport;
import io.hactl.sync.lab.Netns;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** An hactl daemon on a lab gateway, run as its own JVM process as the package would run it. */
public final class HactlNode implements AutoCloseable {
    /**
     * The daemon's JVM options as the package's launcher (packaging/src/deb/hactl.launcher) sets
     * them by default; {@code LauncherOptionsTest} holds the two in step.
     */
    public static final List<String> LAUNCHER_JVM = List.of("-XX:+UseSerialGC", "-Xms32m", "-Xmx512m",
            "-XX:MaxMetaspaceSize=96m", "-Xss512k", "-XX:MinHeapFreeRatio=20", "-XX:MaxHeapFreeRatio=30",
            "-XX:-ShrinkHeapInSteps", "-XX:TrimNativeHeapInterval=5000", "-XX:NewSize=3m", "-XX:MaxNewSize=8m",
            "-Dio.netty.jfr.enabled=false", "-Dio.netty.allocator.lowMemory=false");
    /** The launcher's environment for the daemon. */
    public static final String MALLOC_ARENA_MAX = "1";

    private final Netns ns;
    private final Path dir;
    private final String name;
    private Process process;
    private Path fifo;
    private boolean syncGroup = true;

    public HactlNode(Netns ns, Path dir, String name) {
        this.ns = ns;
        this.dir = dir;
        this.name = name;
        this.fifo = dir.resolve(name + "-keepalived.fifo");
    }

    /** Reads keepalived events from this FIFO instead (before {@link #conf}). */
    public HactlNode fifoAt(Path path) {
        this.fifo = path;
        return this;
    }

    /** Names no sync-group in the configuration (before {@link #conf}). */
    public HactlNode withoutSyncGroup() {
        this.syncGroup = false;
        return this;
    }

    public String name() {
        return name;
    }

    public Path socket() {
        return dir.resolve(name + "-ctl").resolve("hactl.sock");
    }

    public Path fifo() {
        return fifo;
    }

    public Path trackFile() {
        return dir.resolve(name + "-demote");
    }

    public Path conf(String local, String peer, Path key) throws Exception {
        return conf(local, peer, key, "");
    }

    /** As {@link #conf(String, String, Path)}, with more keys of the sync section (e.g. "purge-timeout: 3s"). */
    public Path conf(String local, String peer, Path key, String moreSync) throws Exception {
        Path f = dir.resolve(name + "-hactl.yaml");
        String more = moreSync.isEmpty() ? "" : "\n  " + moreSync.strip().replace("\n", "\n  ");
        Files.writeString(f, """
                node: { name: %s }
                sync:
                  local: %s
                  peer: %s
                  interface: sync
                  key-file: %s%s
                  filter:
                    ignore-addresses: [127.0.0.0/8, 10.99.0.0/24, 10.50.0.2, 10.50.0.3, 10.60.0.2, 10.60.0.3]
                role:
                  source: keepalived
                  keepalived: { notify-fifo: %s, track-file: %s%s }
                control: { socket: %s }
                """.formatted(name, local, peer, key, more, fifo(), trackFile(), syncGroup ? ", sync-group: G1" : "", socket()));
        return f;
    }

    /**
     * A configuration with hactl's own VRRP as the role source (no keepalived): the LAN and WAN
     * instances of {@link FirewallPair}'s virtual addresses (VRIDs 51 and 52, as keepalived's in
     * {@link Keepalived}) at {@code priority}, advertising every {@code advertInterval}.
     */
    public Path confVrrp(String local, String peer, Path key, int priority, String advertInterval) throws Exception {
        return confVrrp(local, peer, key, priority, advertInterval, "");
    }

    /** As {@link #confVrrp(String, String, Path, int, String)}, with more keys of the sync section (e.g. "direct-inject: false"). */
    public Path confVrrp(String local, String peer, Path key, int priority, String advertInterval, String moreSync)
            throws Exception {
        return confVrrp(local, peer, key, advertInterval, moreSync, List.of(
                vrrpInstance("VI_LAN", "lan", 51, priority, FirewallPair.LAN_VIP + "/24", ""),
                vrrpInstance("VI_WAN", "wan", 52, priority, FirewallPair.WAN_VIP + "/24", "")));
    }

    /**
     * As {@link #confVrrp(String, String, Path, int, String)}, with the given instances (see
     * {@link #vrrpInstance}) and more keys of the sync section ({@code moreSync}, e.g.
     * "purge-timeout: 3s").
     */
    public Path confVrrp(String local, String peer, Path key, String advertInterval, String moreSync,
            List<String> instances) throws Exception {
        return confVrrp(local, peer, key, advertInterval, moreSync, "", instances);
    }

    /**
     * As {@link #confVrrp(String, String, Path, String, String, List)}, with more keys of
     * role.vrrp ({@code moreVrrp}, e.g. "preempt: false").
     */
    public Path confVrrp(String local, String peer, Path key, String advertInterval, String moreSync, String moreVrrp,
            List<String> instances) throws Exception {
        Path f = dir.resolve(name + "-hactl.yaml");
        String more = moreSync.isEmpty() ? "" : "\n  " + moreSync.strip().replace("\n", "\n  ");
        String vrrpMore = moreVrrp.isEmpty() ? "" : "\n    " + moreVrrp.strip().replace("\n", "\n    ");
        Files.writeString(f, """
                node: { name: %s }
                sync:
                  local: %s
                  peer: %s
                  interface: sync
                  key-file: %s%s
                  filter:
                    ignore-addresses: [127.0.0.0/8, 10.99.0.0/24, 10.50.0.2, 10.50.0.3, 10.60.0.2, 10.60.0.3]
                role:
                  source: vrrp
                  vrrp:
                    advert-interval: %s%s
                    instances:
                %s
                control: { socket: %s }
                """.formatted(name, local, peer, key, more, advertInterval, vrrpMore,
                instances.stream().map(i -> "      - " + i).collect(java.util.stream.Collectors.joining("\n")),
                socket()));
        return f;
    }

    /** One entry of role.vrrp.instances; {@code unicastPeers} empty: multicast. */
    public static String vrrpInstance(String name, String ifname, int vrid, int priority, String addresses,
            String unicastPeers) {
        return "{ name: %s, interface: %s, vrid: %d, priority: %d, addresses: [%s]%s }".formatted(name, ifname, vrid,
                priority, addresses, unicastPeers.isEmpty() ? "" : ", unicast-peers: [" + unicastPeers + "]");
    }

    /** Whether this node's namespace holds the LAN virtual address. */
    public boolean holdsLanVip() {
        return holds("lan", FirewallPair.LAN_VIP);
    }

    /** Whether this node's namespace holds the WAN virtual address. */
    public boolean holdsWanVip() {
        return holds("wan", FirewallPair.WAN_VIP);
    }

    /** Whether {@code address} (IPv4 or IPv6, as {@code ip} prints it) is on {@code ifname} in this node's namespace. */
    public boolean holds(String ifname, String address) {
        return FirewallPair.holds(ns, ifname, address);
    }

    public void start(Path conf) throws Exception {
        // more options for a look into a run (e.g. -Xlog:gc, log timestamps); none by default
        String more = System.getProperty("lab.jvm", "").strip();
        process = launch(ns.name(), LAUNCHER_JVM, more.isEmpty() ? List.of() : List.of(more.split("\\s+")), conf,
                dir.resolve(name + "-hactl.log"));
        ChildProcesses.started(process.toHandle());
    }

    /**
     * Starts {@code hactl daemon --config conf} in namespace {@code ns} as the package's launcher
     * runs it: the JVM options {@code jvm} (the launcher's, perhaps with more), the class data
     * ({@link DaemonClassData}), then {@code more}, and the launcher's MALLOC_ARENA_MAX; its
     * output goes to {@code log}. The lab's nodes and the benches' daemons start here.
     */
    public static Process launch(String ns, List<String> jvm, List<String> more, Path conf, Path log)
            throws java.io.IOException {
        List<String> argv = new ArrayList<>(List.of("ip", "netns", "exec", ns,
                Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        argv.addAll(jvm);
        List<String> classData = DaemonClassData.options(jvm);
        argv.addAll(classData);
        argv.addAll(more);
        argv.addAll(List.of("-cp", DaemonClassData.classPath(), "io.hactl.controller.cli.Main", "daemon", "--config",
                conf.toString()));
        ProcessBuilder pb = new ProcessBuilder(argv);
        pb.environment().put("MALLOC_ARENA_MAX", MALLOC_ARENA_MAX);
        Process p = pb.redirectErrorStream(true).redirectOutput(log.toFile()).start();
        DaemonClassData.started(classData, p);
        return p;
    }

    /** The daemon's process id (the JVM: ip netns exec replaces itself with it), -1 when not running. */
    public long pid() {
        return process == null ? -1 : process.pid();
    }

    /** Graceful stop (SIGTERM), waited for. */
    public void stop() {
        ChildProcesses.stop(process, 10);
        process = null;
    }

    /** Crash (SIGKILL), waited for. */
    public void kill() throws InterruptedException {
        if (process != null) {
            process.destroyForcibly().waitFor(10, java.util.concurrent.TimeUnit.SECONDS);
            ChildProcesses.ended(process.toHandle());
            process = null;
        }
    }

    /** A control request, e.g. {@code call("notify", "state", "BACKUP")}. */
    public JsonNode call(String cmd, String... keyValues) throws Exception {
        com.fasterxml.jackson.databind.node.ObjectNode r = ControlProtocol.JSON.createObjectNode();
        r.put("cmd", cmd);
        for (int i = 0; i + 1 < keyValues.length; i += 2) {
            r.put(keyValues[i], keyValues[i + 1]);
        }
        return new ControlClient(socket()).call(r, Duration.ofSeconds(60));
    }

    public StatusReport status() throws Exception {
        return new ControlClient(socket()).status(Duration.ofSeconds(5));
    }

    /** {@code commit}, waited for. */
    public CommitReport commit() throws Exception {
        return ControlProtocol.JSON.treeToValue(call("commit"), CommitReport.class);
    }

    /** Status, or null while the daemon does not answer (yet). */
    public StatusReport statusOrNull() {
        try {
            return status();
        } catch (Exception e) {
            return null;
        }
    }

    public String log() {
        try {
            return Files.readString(dir.resolve(name + "-hactl.log"));
        } catch (Exception e) {
            return "(no log)";
        }
    }

    @Override
    public void close() {
        ChildProcesses.stop(process, 10);
    }
}
