package io.hactl.lab.bench;

import java.nio.file.Path;

/** One system under benchmark: a pair of sync daemons, one per namespace, driven from outside. */
interface SyncDaemons extends AutoCloseable {
    String name();

    /** Starts both daemons and returns once they talk to each other. */
    void start() throws Exception;

    /** Flows in node b's external cache. */
    long externalOfB() throws Exception;

    /** Empties b's external cache. */
    void flushExternalOfB() throws Exception;

    /** b asks a for a bulk send. */
    void requestResyncOnB() throws Exception;

    /**
     * Stops a's daemon (before b's commit: see {@link Bench}); what follows needs only b's.
     */
    void stopA();

    /** Commits b's external cache into b's kernel; returns when done. */
    void commitOnB() throws Exception;

    /** Resident memory of the daemons of a and b, bytes. */
    long[] rss() throws Exception;

    /** Process ids of the daemons of a and b. */
    long[] pids();

    /**
     * The flows of b's external cache as the system's own tool lists them, one line each
     * (hactl {@code cache external}, conntrackd {@code -e}); lines that are no flow may be among them.
     */
    java.util.List<String> externalFlowsOfB() throws Exception;

    /**
     * What the daemons lost: {@code overruns} (kernel events lost to netlink overruns on either
     * node) and {@code lost} (sync messages the peer found missing), by those names.
     */
    java.util.Map<String, Long> losses() throws Exception;

    /** Heap retained by the caches, or -1 when the system cannot tell. */
    long cacheBytesOfB() throws Exception;

    @Override
    void close();

    /** CPU time (user + system) of a process so far, ms. */
    static long cpuMillisOf(long pid) throws Exception {
        return cpuMillisOfStat(java.nio.file.Files.readString(Path.of("/proc/" + pid + "/stat")));
    }

    /** utime + stime of a /proc/.../stat line (a process's or a thread's), ms. */
    private static long cpuMillisOfStat(String stat) {
        String[] f = stat.substring(stat.lastIndexOf(") ") + 2).split(" ");
        return (Long.parseLong(f[11]) + Long.parseLong(f[12])) * 10; // clock ticks of 10 ms (USER_HZ 100)
    }

    /**
     * CPU time (user + system, ms) of a process's threads so far, summed by kind: {@code jit} (the
     * JIT's compiler threads), {@code vm} (the VM thread and the collector's), {@code hactl} (the
     * daemon's own threads, named hactl-*) and {@code other}; threads that ended are not counted.
     */
    static java.util.Map<String, Long> cpuMillisByKind(long pid) throws Exception {
        java.util.Map<String, Long> out = new java.util.TreeMap<>();
        try (var tasks = java.nio.file.Files.list(Path.of("/proc/" + pid + "/task"))) {
            for (Path t : (Iterable<Path>) tasks::iterator) {
                String stat;
                try {
                    stat = java.nio.file.Files.readString(t.resolve("stat"));
                } catch (java.nio.file.NoSuchFileException ended) {
                    continue;
                }
                String comm = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
                long ms = cpuMillisOfStat(stat);
                String kind = comm.contains("CompilerThre") ? "jit"
                        : comm.startsWith("VM Thread") || comm.startsWith("GC Thread") ? "vm"
                        : comm.startsWith("hactl-") ? "hactl" : "other";
                out.merge(kind, ms, Long::sum);
            }
        }
        return out;
    }

    static long rssOf(long pid) throws Exception {
        for (String line : java.nio.file.Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
            }
        }
        return -1;
    }
}
