package io.hactl.lab.pair;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Processes the lab started (daemons, keepalived and its VRRP child), ended by a shutdown hook if
 * the JVM stops before their owners close them (Ctrl-C during the demo): deleting a namespace does
 * not end the processes in it.
 */
public final class ChildProcesses {
    private static final Set<ProcessHandle> LIVE = ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            for (ProcessHandle p : LIVE) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
            }
        }, "lab-process-cleanup"));
    }

    private ChildProcesses() {}

    static void started(ProcessHandle p) {
        LIVE.add(p);
    }

    static void started(long pid) {
        ProcessHandle.of(pid).ifPresent(LIVE::add);
    }

    static void ended(ProcessHandle p) {
        LIVE.remove(p);
    }

    /** Asks {@code p} to stop (SIGTERM), kills it after {@code graceSeconds}, and forgets it; null is a no-op. */
    public static void stop(Process p, int graceSeconds) {
        if (p == null) {
            return;
        }
        p.destroy();
        try {
            if (!p.waitFor(graceSeconds, TimeUnit.SECONDS)) {
                p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            ended(p.toHandle());
        }
    }
}
