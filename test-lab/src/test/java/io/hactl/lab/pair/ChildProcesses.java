package io.hactl.lab.pair;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
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

    /**
     * Whether {@code p} has ended: exited, or a zombie, dead but not yet reaped. A process that
     * is not this JVM's child (keepalived's VRRP child, once its parent is gone) is reaped by
     * PID 1, which here takes up to two seconds to do so; the zombie meanwhile holds nothing.
     */
    static boolean isGone(ProcessHandle p) {
        if (!p.isAlive()) {
            return true;
        }
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(p.pid()), "stat"));
            // pid (comm) state ...: the state follows the last ')', comm itself may hold one
            int i = stat.lastIndexOf(')');
            return i < 0 || i + 2 >= stat.length() || stat.charAt(i + 2) == 'Z' || stat.charAt(i + 2) == 'X';
        } catch (IOException e) {
            return true; // no /proc entry: gone
        }
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
