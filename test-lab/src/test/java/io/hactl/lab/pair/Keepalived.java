package io.hactl.lab.pair;

import io.hactl.sync.lab.Netns;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/** keepalived on one lab gateway: VRRPv3, a sync group of a LAN and a WAN instance, notify_fifo to hactl. */
public final class Keepalived implements AutoCloseable {
    private final Netns ns;
    private final Path dir;
    private final String name;
    private Process process;
    private String advertInt = "1";

    public Keepalived(Netns ns, Path dir, String name) {
        this.ns = ns;
        this.dir = dir;
        this.name = name;
    }

    /**
     * The instances' {@code advert_int} in seconds, e.g. "0.1" (VRRPv3 takes centiseconds); 1 s
     * unless set (before {@link #conf} and the other configurations).
     */
    public Keepalived advertInterval(String seconds) {
        this.advertInt = seconds;
        return this;
    }

    public Path conf(int priority, Path fifo, Path trackFile) throws Exception {
        Path f = dir.resolve(name + "-keepalived.conf");
        String track = trackFile == null ? "" : """
                track_file hactl_demote {
                    file %s
                    weight 0
                }
                """.formatted(trackFile);
        // in a sync group keepalived ignores priority weights; with weight 0 a non-zero value puts
        // the whole group in FAULT, which keeps the node from MASTER (checked: it does)
        String trackUse = trackFile == null ? "" : "    track_file {\n        hactl_demote weight 0\n    }\n";
        Files.writeString(f, """
                global_defs {
                    router_id %s
                    vrrp_version 3
                    enable_script_security
                    script_user root
                    notify_fifo %s
                    vrrp_garp_master_delay 1
                    vrrp_garp_master_repeat 3
                }
                %s
                vrrp_sync_group G1 {
                    group {
                        VI_LAN
                        VI_WAN
                    }
                %s}
                """.formatted(name, fifo, track, trackUse) + instances(priority));
        return f;
    }

    /** The classic setup: notify scripts on the sync group (conntrackd's primary-backup.sh). */
    public Path confWithScript(int priority, Path script) throws Exception {
        Path f = dir.resolve(name + "-keepalived-script.conf");
        Files.writeString(f, """
                global_defs {
                    router_id %s
                    vrrp_version 3
                    enable_script_security
                    script_user root
                    vrrp_garp_master_delay 1
                    vrrp_garp_master_repeat 3
                }
                vrrp_sync_group G1 {
                    group {
                        VI_LAN
                        VI_WAN
                    }
                    notify_master "%s primary"
                    notify_backup "%s backup"
                    notify_fault "%s fault"
                }
                """.formatted(name, script, script, script) + instances(priority));
        return f;
    }

    /**
     * The seed article's way with hactl's hook: no notify_fifo, a generic {@code notify} on the
     * sync group, which keepalived runs with {@code GROUP G1 STATE PRIORITY}.
     */
    public Path confNotifyOnGroup(int priority, Path notifyScript, Path trackFile) throws Exception {
        Path f = dir.resolve(name + "-keepalived-group-notify.conf");
        Files.writeString(f, """
                global_defs {
                    router_id %s
                    vrrp_version 3
                    enable_script_security
                    script_user root
                    vrrp_garp_master_delay 1
                    vrrp_garp_master_repeat 3
                }
                track_file hactl_demote {
                    file %s
                    weight 0
                }
                vrrp_sync_group G1 {
                    group {
                        VI_LAN
                        VI_WAN
                    }
                    track_file {
                        hactl_demote weight 0
                    }
                    notify %s
                }
                """.formatted(name, trackFile, notifyScript) + instances(priority));
        return f;
    }

    /**
     * keepalived as the VRRP peer of hactl's own VRRP: the sync group of {@link #instances} and
     * {@code more} instances (e.g. {@link #ipv6LanInstance}), no notify and no track file.
     */
    public Path confVrrpPeer(int priority, String... more) throws Exception {
        Path f = dir.resolve(name + "-keepalived-peer.conf");
        StringBuilder group = new StringBuilder("        VI_LAN\n        VI_WAN\n");
        StringBuilder extra = new StringBuilder();
        for (String instance : more) {
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("vrrp_instance (\\S+)").matcher(instance);
            if (!m.find()) {
                throw new IllegalArgumentException("not a vrrp_instance: " + instance);
            }
            group.append("        ").append(m.group(1)).append('\n');
            extra.append(instance);
        }
        Files.writeString(f, """
                global_defs {
                    router_id %s
                    vrrp_version 3
                    vrrp_garp_master_delay 1
                    vrrp_garp_master_repeat 3
                }
                vrrp_sync_group G1 {
                    group {
                %s    }
                }
                """.formatted(name, group) + instances(priority) + extra);
        return f;
    }

    /**
     * An IPv6 instance VI_LAN6 on the LAN, VRID 51 as VI_LAN's (VRIDs are per address family),
     * with {@code addresses} (link-local first), for {@link #confVrrpPeer}.
     */
    public String ipv6LanInstance(int priority, String... addresses) {
        return instance("VI_LAN6", "lan", 51, priority, addresses);
    }

    /** keepalived's log so far ("" before it wrote one). */
    public String log() {
        try {
            Path p = dir.resolve(name + "-keepalived.log");
            return Files.exists(p) ? Files.readString(p) : "";
        } catch (java.io.IOException e) {
            return "(log unreadable: " + e + ")";
        }
    }

    /** Whether keepalived's namespace holds {@code address} on {@code ifname} (as {@code ip} prints it). */
    public boolean holds(String ifname, String address) {
        return FirewallPair.holds(ns, ifname, address);
    }

    /** The LAN and WAN instances of the sync group, with this node's priority. */
    private String instances(int priority) {
        return instance("VI_LAN", "lan", 51, priority, FirewallPair.LAN_VIP + "/24")
                + instance("VI_WAN", "wan", 52, priority, FirewallPair.WAN_VIP + "/24");
    }

    /** One vrrp_instance, BACKUP at start, advertising every {@link #advertInterval}. */
    private String instance(String instance, String ifname, int vrid, int priority, String... addresses) {
        return """
                vrrp_instance %s {
                    state BACKUP
                    interface %s
                    virtual_router_id %d
                    priority %d
                    advert_int %s
                    virtual_ipaddress {
                        %s
                    }
                }
                """.formatted(instance, ifname, vrid, priority, advertInt, String.join("\n        ", addresses));
    }

    public void start(Path conf) throws Exception {
        process = new ProcessBuilder("ip", "netns", "exec", ns.name(), "keepalived", "-n", "-l", "-P", "-f", conf.toString(),
                "-p", dir.resolve(name + "-keepalived.pid").toString(), "-r", dir.resolve(name + "-vrrp.pid").toString(),
                "-i", name)
                .redirectErrorStream(true).redirectOutput(dir.resolve(name + "-keepalived.log").toFile()).start();
        ChildProcesses.started(process.toHandle()); // its VRRP child is a descendant: the hook ends it too
    }

    /** Graceful stop: SIGTERM, keepalived sends priority-0 adverts and removes its addresses. */
    public void stop() throws Exception {
        if (process != null && process.isAlive()) {
            process.destroy();
            process.waitFor(10, TimeUnit.SECONDS);
        }
        kill(); // whatever is left of it
    }

    /** Crash: SIGKILL to keepalived and its VRRP child (addresses stay, adverts stop). */
    public void kill() throws Exception {
        if (process == null) {
            return;
        }
        // the VRRP child by its pid file and by descent: a child killed before it wrote the file
        // would otherwise outlive the test, orphaned, once its parent is gone
        java.util.List<ProcessHandle> children = new java.util.ArrayList<>(process.toHandle().descendants().toList());
        Path vrrpPid = dir.resolve(name + "-vrrp.pid");
        try {
            ProcessHandle.of(Long.parseLong(Files.readString(vrrpPid).strip())).ifPresent(children::add);
        } catch (java.io.IOException | NumberFormatException e) {
            // not written (yet): the child, if any, is among the descendants
        }
        children.forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
        ChildProcesses.ended(process.toHandle());
        // the VRRP child is not ours to wait for: poll, bounded, until it is gone
        for (ProcessHandle child : children) {
            for (int i = 0; i < 100 && !ChildProcesses.isGone(child); i++) {
                Thread.sleep(50);
            }
        }
    }

    public boolean holdsVip() {
        return holds("lan", FirewallPair.LAN_VIP);
    }

    @Override
    public void close() {
        try {
            kill();
        } catch (Exception ignored) {
            // best effort
        }
    }
}
