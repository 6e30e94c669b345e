package io.hactl.lab.bench;

import io.hactl.lab.pair.ChildProcesses;
import io.hactl.sync.lab.Netns;
import io.hactl.sync.lab.SyncPair;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** conntrackd 1.4 in FTFW mode over UDP on the sync link, as a firewall pair would run it. */
final class Conntrackd implements SyncDaemons {
    private static final Pattern OVERRUNS = Pattern.compile("netlink overrun:\\s+(\\d+)");
    private static final Pattern LOST = Pattern.compile("(\\d+)\\s+Lost msgs", Pattern.CASE_INSENSITIVE);
    private static final Pattern EXTERNAL = Pattern.compile("cache:external\\s+active objects:\\s+(\\d+)");

    private final SyncPair pair;
    private final Path dir;
    private final int hashLimit;
    private final boolean externalCache;
    private Process a;
    private Process b;

    Conntrackd(SyncPair pair, Path dir) {
        this(pair, dir, 0, true);
    }

    /**
     * {@code hashLimit}: the caches' HashLimit (most flows each holds) when above the lab's 524288;
     * {@code externalCache} false: {@code DisableExternalCache on}, the received flows written
     * into the kernel as they come instead.
     */
    Conntrackd(SyncPair pair, Path dir, int hashLimit, boolean externalCache) {
        this.pair = pair;
        this.dir = dir;
        this.hashLimit = hashLimit;
        this.externalCache = externalCache;
    }

    @Override
    public String name() {
        return "conntrackd";
    }

    private Path conf(String n, String me, String peer) throws Exception {
        Path f = dir.resolve("conntrackd-" + n + ".conf");
        String text = io.hactl.lab.pair.ConntrackdNode.configText(me, peer, dir.resolve(n + ".log"),
                dir.resolve(n + ".lock"), dir.resolve(n + ".ctl"), java.util.List.of("127.0.0.1", "10.99.0.0/24"));
        if (hashLimit > 524_288) {
            // and buckets in proportion, as for the lab's limit, so that chains stay as short
            text = text.replace("HashLimit 524288", "HashLimit " + hashLimit)
                    .replace("HashSize 262144", "HashSize " + Integer.highestOneBit(hashLimit / 2));
        }
        if (!externalCache) {
            text = text.replace("\t\tACKWindowSize 300\n", "\t\tACKWindowSize 300\n\t\tDisableExternalCache on\n");
            if (!text.contains("DisableExternalCache on")) {
                throw new IllegalStateException("conntrackd.conf has no FTFW block to disable the external cache in");
            }
        }
        Files.writeString(f, text);
        return f;
    }

    @Override
    public void start() throws Exception {
        Path ca = conf("a", "10.99.0.1", "10.99.0.2");
        Path cb = conf("b", "10.99.0.2", "10.99.0.1");
        a = new ProcessBuilder("ip", "netns", "exec", pair.a.name(), "conntrackd", "-C", ca.toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("a.out").toFile()).start();
        b = new ProcessBuilder("ip", "netns", "exec", pair.b.name(), "conntrackd", "-C", cb.toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("b.out").toFile()).start();
        Bench.await("conntrackd control sockets", 10_000, () -> Files.exists(dir.resolve("a.ctl")) && Files.exists(dir.resolve("b.ctl")));
    }

    private String ctl(Netns ns, String n, String... args) throws Exception {
        String[] argv = new String[args.length + 3];
        argv[0] = "conntrackd";
        argv[1] = "-C";
        argv[2] = dir.resolve("conntrackd-" + n + ".conf").toString();
        System.arraycopy(args, 0, argv, 3, args.length);
        Netns.Result r = ns.execRaw(argv);
        if (r.exitCode() != 0) {
            throw new IllegalStateException("conntrackd " + String.join(" ", args) + ": " + r.errors() + r.output());
        }
        return r.output();
    }

    /** Runs {@code conntrackd -C <b's config> ARGS} on node b; returns its output, fails on a non-zero exit. */
    String ctlB(String... args) throws Exception {
        return ctl(pair.b, "b", args);
    }

    /** Whether node n's daemon still runs. */
    boolean alive(String n) {
        Process p = n.equals("a") ? a : b;
        return p != null && p.isAlive();
    }

    @Override
    public long externalOfB() throws Exception {
        Matcher m = EXTERNAL.matcher(ctl(pair.b, "b", "-s", "cache"));
        return m.find() ? Long.parseLong(m.group(1)) : -1;
    }

    @Override
    public void flushExternalOfB() throws Exception {
        ctl(pair.b, "b", "-f", "external");
    }

    @Override
    public void requestResyncOnB() throws Exception {
        ctl(pair.b, "b", "-n");
    }

    @Override
    public void stopA() {
        ChildProcesses.stop(a, 10);
    }

    @Override
    public void commitOnB() throws Exception {
        ctl(pair.b, "b", "-c");
    }

    @Override
    public java.util.List<String> externalFlowsOfB() throws Exception {
        return ctl(pair.b, "b", "-e").lines().toList();
    }

    /**
     * Its statistics: "netlink overrun" ({@code -s runtime}) and "Lost msgs" ({@code -s}) of both
     * daemons, summed; fails when a daemon's figure is not there rather than read it as 0.
     */
    @Override
    public java.util.Map<String, Long> losses() throws Exception {
        String stats = ctl(pair.a, "a", "-s") + ctl(pair.a, "a", "-s", "runtime") + ctl(pair.b, "b", "-s")
                + ctl(pair.b, "b", "-s", "runtime");
        Files.writeString(dir.resolve("stats.log"), stats);
        return java.util.Map.of("overruns", sumOfTwo(OVERRUNS, stats), "lost", sumOfTwo(LOST, stats));
    }

    /** The sum of the pattern's figure in the statistics of the two daemons. */
    private static long sumOfTwo(Pattern p, String text) {
        long n = 0;
        int found = 0;
        Matcher m = p.matcher(text);
        while (m.find()) {
            n += Long.parseLong(m.group(1));
            found++;
        }
        if (found != 2) {
            throw new IllegalStateException("conntrackd statistics: '" + p + "' found " + found + " times, not once per daemon");
        }
        return n;
    }

    @Override
    public long[] pids() {
        return new long[] {a.pid(), b.pid()};
    }

    @Override
    public long[] rss() throws Exception {
        return new long[] {SyncDaemons.rssOf(a.pid()), SyncDaemons.rssOf(b.pid())};
    }

    @Override
    public long cacheBytesOfB() {
        return -1;
    }

    @Override
    public void close() {
        ChildProcesses.stop(a, 5);
        ChildProcesses.stop(b, 5);
    }
}
