package io.hactl.lab.pair;

import io.hactl.sync.lab.Netns;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * conntrackd (FTFW over UDP on the sync link) on a lab gateway, with conntrackd's own
 * primary-backup.sh as keepalived's notify script: the setup hactl replaces, for comparison.
 * The script lives in a root-owned directory under /run so keepalived's script security runs it.
 */
public final class ConntrackdNode implements AutoCloseable {
    private final Netns ns;
    private final Path dir;
    private final Path scripts;
    private final String name;
    private Process process;

    public ConntrackdNode(Netns ns, Path dir, Path rootOwnedDir, String name) {
        this.ns = ns;
        this.dir = dir;
        this.scripts = rootOwnedDir;
        this.name = name;
    }

    public Path conf(String local, String peer) throws Exception {
        Path f = dir.resolve(name + "-conntrackd.conf");
        Files.writeString(f, configText(local, peer, dir.resolve(name + "-conntrackd.log"),
                dir.resolve(name + "-conntrackd.lock"), dir.resolve(name + "-conntrackd.ctl"),
                java.util.List.of("127.0.0.1", "10.99.0.0/24", "10.50.0.2", "10.50.0.3", "10.60.0.2", "10.60.0.3")));
        return f;
    }

    /** conntrackd.conf for FTFW over UDP on the "sync" interface, as a firewall pair runs it. */
    public static String configText(String local, String peer, Path log, Path lock, Path ctl, java.util.List<String> ignore) {
        StringBuilder ignored = new StringBuilder();
        for (String a : ignore) {
            ignored.append("\t\t\tIPv4_address ").append(a).append('\n');
        }
        return """
                Sync {
                \tMode FTFW {
                \t\tResendQueueSize 131072
                \t\tACKWindowSize 300
                \t}
                \tUDP {
                \t\tIPv4_address %s
                \t\tIPv4_Destination_Address %s
                \t\tPort 3780
                \t\tInterface sync
                \t\tSndSocketBuffer 24985600
                \t\tRcvSocketBuffer 24985600
                \t\tChecksum on
                \t}
                }
                General {
                \tHashSize 262144
                \tHashLimit 524288
                \tLogFile %s
                \tSyslog off
                \tLockFile %s
                \tUNIX {
                \t\tPath %s
                \t}
                \tNetlinkBufferSize 2097152
                \tNetlinkBufferSizeMaxGrowth 268435456
                \tFilter From Userspace {
                \t\tAddress Ignore {
                %s\t\t}
                \t}
                }
                """.formatted(local, peer, log, lock, ctl, ignored);
    }

    /** conntrackd's primary-backup.sh, pointed at this node's configuration and lock file. */
    public Path script(Path conf) throws Exception {
        Path s = scripts.resolve(name + "-primary-backup.sh");
        String original = Files.readString(Path.of("/usr/share/doc/conntrackd/examples/sync/primary-backup.sh"));
        Files.writeString(s, original
                .replace("CONNTRACKD_CONFIG=/etc/conntrackd/conntrackd.conf", "CONNTRACKD_CONFIG=" + conf)
                .replace("CONNTRACKD_LOCK=/var/lock/conntrack.lock", "CONNTRACKD_LOCK=" + dir.resolve(name + "-conntrackd.lock")));
        Files.setPosixFilePermissions(s, PosixFilePermissions.fromString("rwxr-xr-x"));
        return s;
    }

    public void start(Path conf) throws Exception {
        process = new ProcessBuilder("ip", "netns", "exec", ns.name(), "conntrackd", "-C", conf.toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve(name + "-conntrackd.out").toFile()).start();
        ChildProcesses.started(process.toHandle());
    }

    /** Flows in the external cache (conntrackd -s cache), -1 when it does not answer. */
    public long external(Path conf) {
        Netns.Result r = ns.execRaw("conntrackd", "-C", conf.toString(), "-s", "cache");
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("cache:external\\s+active objects:\\s+(\\d+)")
                .matcher(r.output());
        return m.find() ? Long.parseLong(m.group(1)) : -1;
    }

    @Override
    public void close() {
        // primary-backup.sh may have started a daemonized conntrackd ("backup" when it found none):
        // it holds the lock file with its pid
        try {
            Path lock = dir.resolve(name + "-conntrackd.lock");
            for (ProcessHandle p : ProcessHandle.allProcesses().toList()) {
                String cmd = p.info().commandLine().orElse("");
                if (cmd.contains("conntrackd") && cmd.contains(dir.resolve(name + "-conntrackd.conf").toString())) {
                    p.destroyForcibly();
                }
            }
            Files.deleteIfExists(lock);
        } catch (java.io.IOException ignored) {
            // best effort
        }
        ChildProcesses.stop(process, 10);
    }
}
